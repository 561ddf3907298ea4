import type { Library, LibraryAccess } from "../../types/libraries.js";
import { errorPlan, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import { bodyIssues, type FieldRule } from "./library-checks.js";
import {
  deleteDocument,
  getDocument,
  getStatus,
  getTextContent,
  listDocuments,
  reprocessDocument,
  SIGNED_DOWNLOAD_PATH,
  signedDownload,
  signedUrlHandler,
  updateDocument,
  uploadDocument,
} from "./library-documents.js";
import {
  inDocument,
  inLibrary,
  type LibraryScope,
  libraryArea,
  notFound,
  timestamp,
} from "./library-state.js";
import type { Route, RouteParameters, ServerState } from "./route.js";

// Default handlers of the libraries API, kept in memory per server. Every request acts as one
// user, who owns every library.

const ENTITY_TYPES = ["User", "Workspace", "Org"] as const;

/** Role of the owner in a library's sharing entries. */
const OWNER_ROLE = "Owner";

function listLibraries(_: IncomingCall, __: RouteParameters, state: ServerState): ResponsePlan {
  const data = [...libraryArea(state).libraries.values()].map((record) => record.library);
  return jsonPlan(200, { data });
}

function createLibrary(call: IncomingCall, _: RouteParameters, state: ServerState): ResponsePlan {
  const issues = bodyIssues(call.body, {
    name: { type: "string", required: true },
    description: { type: "string" },
    chunk_size: { type: "integer" },
  });
  if (issues.length > 0) return validationErrorPlan(issues);
  const body = call.body as Record<string, unknown>;
  const area = libraryArea(state);
  const now = timestamp(state);
  const library: Library = {
    id: state.newId(),
    name: body["name"] as string,
    created_at: now,
    updated_at: now,
    owner_id: area.userId,
    owner_type: "User",
    total_size: 0,
    nb_documents: 0,
    chunk_size: (body["chunk_size"] as number | null | undefined) ?? null,
    emoji: null,
    description: (body["description"] as string | null | undefined) ?? null,
    generated_description: null,
    explicit_user_members_count: 0,
    explicit_workspace_members_count: 0,
    org_sharing_role: null,
    generated_name: null,
  };
  const owner: LibraryAccess = {
    library_id: library.id,
    user_id: area.userId,
    org_id: area.orgId,
    role: OWNER_ROLE,
    share_with_type: "User",
    share_with_uuid: area.userId,
  };
  const accesses = new Map([[accessKey("User", area.userId), owner]]);
  area.libraries.set(library.id, { library, documents: new Map(), accesses });
  return jsonPlan(201, library);
}

function updateLibrary(call: IncomingCall, { record, state }: LibraryScope): ResponsePlan {
  const issues = bodyIssues(call.body, {
    name: { type: "string" },
    description: { type: "string" },
  });
  if (issues.length > 0) return validationErrorPlan(issues);
  const body = call.body as Record<string, unknown>;
  const { library } = record;
  if (typeof body["name"] === "string") library.name = body["name"];
  if (body["description"] !== undefined) library.description = body["description"] as string | null;
  library.updated_at = timestamp(state);
  return jsonPlan(200, library);
}

function deleteLibrary(_: IncomingCall, { record, area }: LibraryScope): ResponsePlan {
  area.libraries.delete(record.library.id);
  return jsonPlan(200, record.library);
}

function accessKey(type: string, uuid: string): string {
  return `${type}:${uuid}`;
}

/** Field rules of the sharing bodies; `level` applies only when granting access. */
function accessRules(withLevel: boolean): Record<string, FieldRule> {
  const rules: Record<string, FieldRule> = {
    org_id: { type: "uuid" },
    share_with_uuid: { type: "uuid", required: true },
    share_with_type: { type: "enum", values: ENTITY_TYPES, required: true },
  };
  if (withLevel) rules["level"] = { type: "enum", values: ["Viewer", "Editor"], required: true };
  return rules;
}

function shareLibrary(call: IncomingCall, { record, area }: LibraryScope): ResponsePlan {
  const issues = bodyIssues(call.body, accessRules(true));
  if (issues.length > 0) return validationErrorPlan(issues);
  const body = call.body as Record<string, string | null | undefined>;
  const type = body["share_with_type"]!;
  const uuid = body["share_with_uuid"]!;
  if (record.accesses.get(accessKey(type, uuid))?.role === OWNER_ROLE) {
    return errorPlan(403, "The owner's role cannot be changed", "invalid_request_error");
  }

  const access: LibraryAccess = {
    library_id: record.library.id,
    user_id: type === "User" ? uuid : null,
    org_id: body["org_id"] ?? area.orgId,
    role: body["level"]!,
    share_with_type: type,
    share_with_uuid: uuid,
  };
  record.accesses.set(accessKey(type, uuid), access);
  return jsonPlan(200, access);
}

function unshareLibrary(call: IncomingCall, { record }: LibraryScope): ResponsePlan {
  const issues = bodyIssues(call.body, accessRules(false));
  if (issues.length > 0) return validationErrorPlan(issues);
  const body = call.body as Record<string, string>;
  const key = accessKey(body["share_with_type"]!, body["share_with_uuid"]!);
  const access = record.accesses.get(key);
  if (access === undefined) return notFound("Sharing entry of", body["share_with_uuid"]!);
  if (access.role === OWNER_ROLE) {
    return errorPlan(403, "The owner's access cannot be removed", "invalid_request_error");
  }

  record.accesses.delete(key);
  return jsonPlan(200, access);
}

function listAccesses(_: IncomingCall, { record }: LibraryScope): ResponsePlan {
  return jsonPlan(200, { data: [...record.accesses.values()] });
}

const LIBRARY = "/v1/libraries/{library_id}";
const DOCUMENT = `${LIBRARY}/documents/{document_id}`;

/** Default handlers of `/v1/libraries`, and of the signed download URLs it issues. */
export const librariesRoutes: Route[] = [
  { method: "GET", path: "/v1/libraries", handle: listLibraries },
  { method: "POST", path: "/v1/libraries", handle: createLibrary },
  {
    method: "GET",
    path: LIBRARY,
    handle: inLibrary((_, { record }) => jsonPlan(200, record.library)),
  },
  { method: "PUT", path: LIBRARY, handle: inLibrary(updateLibrary) },
  { method: "DELETE", path: LIBRARY, handle: inLibrary(deleteLibrary) },
  { method: "GET", path: `${LIBRARY}/documents`, handle: inLibrary(listDocuments) },
  { method: "POST", path: `${LIBRARY}/documents`, handle: inLibrary(uploadDocument) },
  { method: "GET", path: DOCUMENT, handle: inDocument(getDocument) },
  { method: "PUT", path: DOCUMENT, handle: inDocument(updateDocument) },
  { method: "DELETE", path: DOCUMENT, handle: inDocument(deleteDocument) },
  { method: "GET", path: `${DOCUMENT}/text_content`, handle: inDocument(getTextContent) },
  { method: "GET", path: `${DOCUMENT}/status`, handle: inDocument(getStatus) },
  { method: "GET", path: `${DOCUMENT}/signed-url`, handle: inDocument(signedUrlHandler("file")) },
  {
    method: "GET",
    path: `${DOCUMENT}/extracted-text-signed-url`,
    handle: inDocument(signedUrlHandler("text")),
  },
  { method: "POST", path: `${DOCUMENT}/reprocess`, handle: inDocument(reprocessDocument) },
  { method: "GET", path: `${LIBRARY}/share`, handle: inLibrary(listAccesses) },
  { method: "PUT", path: `${LIBRARY}/share`, handle: inLibrary(shareLibrary) },
  { method: "DELETE", path: `${LIBRARY}/share`, handle: inLibrary(unshareLibrary) },
  { method: "GET", path: SIGNED_DOWNLOAD_PATH, handle: signedDownload },
];
