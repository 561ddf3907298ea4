import type { Library, LibraryAccess, LibraryDocument } from "../../types/libraries.js";
import { errorPlan, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import type { ResponsePlan } from "../reply-plan.js";
import { pathIssues } from "./library-checks.js";
import { areaState, type Route, type ServerState } from "./route.js";

/** A signed download URL issued for a document: the content it serves and its expiry. */
export interface Signature {
  kind: "file" | "text";
  /** Milliseconds since the epoch, on the server's clock. */
  expiresAt: number;
}

export interface DocumentRecord {
  document: LibraryDocument;
  content: Buffer;
  /** Text served as the document's text content. */
  text: string;
  /** Signed URLs issued so far, by signature. */
  signatures: Map<string, Signature>;
}

export interface LibraryRecord {
  library: Library;
  documents: Map<string, DocumentRecord>;
  /** Sharing entries, by `<share_with_type>:<share_with_uuid>`. */
  accesses: Map<string, LibraryAccess>;
}

/** State of the libraries routes on one server. */
export interface LibraryArea {
  libraries: Map<string, LibraryRecord>;
  /** The one user every request acts as: owner of each library and uploader of each document. */
  userId: string;
  orgId: string;
}

/** Library, area and server state passed to the handler of a library route. */
export interface LibraryScope {
  record: LibraryRecord;
  area: LibraryArea;
  state: ServerState;
}

export interface DocumentScope extends LibraryScope {
  entry: DocumentRecord;
}

export function libraryArea(state: ServerState): LibraryArea {
  return areaState(state, "libraries", () => ({
    libraries: new Map(),
    userId: state.newId(),
    orgId: state.newId(),
  }));
}

/** Wraps a handler of one library: checks that the path ids are UUIDs and the library exists. */
export function inLibrary(
  handler: (call: IncomingCall, scope: LibraryScope) => ResponsePlan | Promise<ResponsePlan>,
): Route["handle"] {
  return (call, parameters, state) => {
    const issues = pathIssues(parameters);
    if (issues.length > 0) return validationErrorPlan(issues);
    const area = libraryArea(state);
    const libraryId = parameters["library_id"]!;
    const record = area.libraries.get(libraryId);
    if (record === undefined) return notFound("Library", libraryId);
    return handler(call, { record, area, state });
  };
}

/** Wraps a handler of one document, returning 404 when the library or document is unknown. */
export function inDocument(
  handler: (call: IncomingCall, scope: DocumentScope) => ResponsePlan,
): Route["handle"] {
  return (call, parameters, state) =>
    inLibrary((_, scope) => {
      const documentId = parameters["document_id"]!;
      const entry = scope.record.documents.get(documentId);
      if (entry === undefined) return notFound("Document", documentId);
      return handler(call, { ...scope, entry });
    })(call, parameters, state);
}

export function notFound(kind: string, id: string): ResponsePlan {
  return errorPlan(404, `${kind} ${id} not found`, "invalid_request_error", "not_found");
}

export function noContent(): ResponsePlan {
  return { status: 204, headers: {}, chunks: [], framing: "content-length" };
}

/** Returns the server's current time as an ISO 8601 string. */
export function timestamp(state: ServerState): string {
  return new Date(state.now()).toISOString();
}
