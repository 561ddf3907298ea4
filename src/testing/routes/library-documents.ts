import { createHash, randomBytes } from "node:crypto";
import { ownValue } from "../../core/own-value.js";
import type { LibraryDocument, ProcessStatus } from "../../types/libraries.js";
import { errorPlan, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import { bodyIssues, listQueryIssues } from "./library-checks.js";
import {
  type DocumentScope,
  type LibraryScope,
  libraryArea,
  noContent,
  timestamp,
} from "./library-state.js";
import type { RouteParameters, ServerState } from "./route.js";

// Handlers of library documents. Processing moves one step (todo, in_progress, done) each time
// the status is read, so a client can be tested waiting for it.

/** Lifetime of a signed download URL, in milliseconds: 30 minutes, as the API documents. */
const SIGNED_URL_LIFETIME_MS = 30 * 60 * 1000;

/** Path of signed downloads. Outside `/v1`, because a signed URL works without the API key. */
export const SIGNED_DOWNLOAD_PATH = "/signed/libraries/{library_id}/documents/{document_id}/{kind}";

/** Each status read moves processing to the next of these statuses. */
const PROCESSING_STEPS: readonly ProcessStatus[] = ["todo", "in_progress", "done"];

/** Media types by file name extension, for parts sent as `application/octet-stream`. */
const MEDIA_TYPES: Record<string, string> = {
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  json: "application/json",
  xml: "application/xml",
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

export async function uploadDocument(
  call: IncomingCall,
  { record, area, state }: LibraryScope,
): Promise<ResponsePlan> {
  const file = await readFilePart(call);
  if (file === undefined) {
    const issue = { type: "missing", loc: ["body", "file"], msg: "Field required", input: null };
    return validationErrorPlan([issue]);
  }

  const content = Buffer.from(await file.arrayBuffer());
  const hash = createHash("sha256").update(content).digest("hex");
  for (const existing of record.documents.values()) {
    if (existing.document.hash === hash) return jsonPlan(200, existing.document);
  }

  const dot = file.name.lastIndexOf(".");
  const extension = dot > 0 ? file.name.slice(dot + 1).toLowerCase() : null;
  const mimeType = mediaTypeOf(file.type, extension);
  const document: LibraryDocument = {
    id: state.newId(),
    library_id: record.library.id,
    hash,
    mime_type: mimeType,
    extension,
    size: content.byteLength,
    name: file.name,
    summary: null,
    created_at: timestamp(state),
    last_processed_at: null,
    number_of_pages: null,
    process_status: "todo",
    uploaded_by_id: area.userId,
    uploaded_by_type: "User",
    tokens_processing_main_content: null,
    tokens_processing_summary: null,
    url: null,
    attributes: null,
    processing_status: displayStatus("todo"),
    tokens_processing_total: 0,
  };
  const text = textOf(content, mimeType);
  record.documents.set(document.id, { document, content, text, signatures: new Map() });
  record.library.nb_documents += 1;
  record.library.total_size += content.byteLength;
  record.library.updated_at = document.created_at;
  return jsonPlan(201, document);
}

/** Reads the `file` part of a multipart body with the runtime's own form parser. */
async function readFilePart(call: IncomingCall): Promise<File | undefined> {
  const contentType = call.headers["content-type"];
  if (contentType === undefined || !contentType.startsWith("multipart/form-data")) {
    return undefined;
  }

  try {
    const request = new Request("http://127.0.0.1/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: new Uint8Array(call.rawBody),
    });
    const part = (await request.formData()).get("file");
    return typeof part === "string" || part === null ? undefined : part;
  } catch {
    return undefined;
  }
}

function mediaTypeOf(partType: string, extension: string | null): string {
  const declared = partType.split(";", 1)[0]!.trim();
  if (declared !== "" && declared !== "application/octet-stream") return declared;
  return (
    (extension !== null ? ownValue(MEDIA_TYPES, extension) : undefined) ??
    "application/octet-stream"
  );
}

/**
 * Derives the text of a document: text files as they are, other files as their runs of at least
 * four printable ASCII characters, in place of the OCR the real service runs.
 */
function textOf(content: Buffer, mimeType: string): string {
  const isText =
    mimeType.startsWith("text/") ||
    mimeType === "application/json" ||
    mimeType === "application/xml" ||
    mimeType.endsWith("+xml");
  if (isText) return content.toString("utf8");
  return (content.toString("latin1").match(/[\x20-\x7e]{4,}/g) ?? []).join("\n");
}

/**
 * NOTE: the API reference gives no values for `processing_status`. This server sends `Running`
 * until processing is done and `Completed` after.
 */
function displayStatus(status: ProcessStatus): string {
  return status === "done" ? "Completed" : "Running";
}

export function listDocuments(call: IncomingCall, { record }: LibraryScope): ResponsePlan {
  const issues = listQueryIssues(call.query);
  if (issues.length > 0) return validationErrorPlan(issues);
  const page = Number(call.query["page"] ?? 0);
  const pageSize = Number(call.query["page_size"] ?? 100);
  const search = call.query["search"]?.toLowerCase();
  // NOTE: `filters_attributes` is accepted and ignored, because the API reference does not
  // describe its filter syntax.
  const documents = [...record.documents.values()]
    .map((entry) => entry.document)
    .filter((document) => search === undefined || document.name.toLowerCase().includes(search));
  sortDocuments(documents, call.query["sort_by"] ?? "created_at", call.query["sort_order"]);
  const totalPages = Math.ceil(documents.length / pageSize);
  const pagination = {
    total_items: documents.length,
    total_pages: totalPages,
    current_page: page,
    page_size: pageSize,
    has_more: page + 1 < totalPages,
  };
  const data = documents.slice(page * pageSize, (page + 1) * pageSize);
  return jsonPlan(200, { pagination, data });
}

/** Sorts in place by any document field. Upload order breaks ties, so equal times stay stable. */
function sortDocuments(documents: LibraryDocument[], field: string, order = "desc"): void {
  const direction = order === "asc" ? 1 : -1;
  const uploadOrder = new Map(documents.map((document, index) => [document, index]));
  documents.sort((a, b) => {
    const left = String(a[field] ?? "");
    const right = String(b[field] ?? "");
    if (left !== right) return direction * (left < right ? -1 : 1);
    return direction * (uploadOrder.get(a)! - uploadOrder.get(b)!);
  });
}

export function getDocument(_: IncomingCall, { entry }: DocumentScope): ResponsePlan {
  return jsonPlan(200, entry.document);
}

export function updateDocument(call: IncomingCall, { entry }: DocumentScope): ResponsePlan {
  const issues = bodyIssues(call.body, {
    name: { type: "string" },
    attributes: { type: "object" },
  });
  if (issues.length > 0) return validationErrorPlan(issues);
  const body = call.body as Record<string, unknown>;
  const { document } = entry;
  if (typeof body["name"] === "string") document.name = body["name"];
  if (body["attributes"] !== undefined) {
    document.attributes = body["attributes"] as Record<string, unknown> | null;
  }

  return jsonPlan(200, document);
}

export function deleteDocument(_: IncomingCall, { record, entry, state }: DocumentScope) {
  record.documents.delete(entry.document.id);
  record.library.nb_documents -= 1;
  record.library.total_size -= entry.content.byteLength;
  record.library.updated_at = timestamp(state);
  return noContent();
}

export function getTextContent(_: IncomingCall, { entry }: DocumentScope): ResponsePlan {
  return jsonPlan(200, { text: entry.text });
}

export function getStatus(_: IncomingCall, { entry, state }: DocumentScope): ResponsePlan {
  const { document } = entry;
  const step = PROCESSING_STEPS.indexOf(document.process_status);
  if (step !== -1 && step < PROCESSING_STEPS.length - 1) {
    setStatus(document, PROCESSING_STEPS[step + 1]!);
    if (document.process_status === "done") finishProcessing(entry.document, entry.text, state);
  }

  const { id, process_status, processing_status } = document;
  return jsonPlan(200, { document_id: id, process_status, processing_status });
}

function setStatus(document: LibraryDocument, status: ProcessStatus): void {
  document.process_status = status;
  document.processing_status = displayStatus(status);
}

/** Fills the fields processing sets. Tokens are estimated at four characters each. */
function finishProcessing(document: LibraryDocument, text: string, state: ServerState): void {
  const tokens = Math.ceil(text.length / 4);
  document.last_processed_at = timestamp(state);
  document.number_of_pages = 1;
  document.tokens_processing_main_content = tokens;
  document.tokens_processing_summary = 0;
  document.tokens_processing_total = tokens;
}

export function reprocessDocument(_: IncomingCall, { entry }: DocumentScope): ResponsePlan {
  setStatus(entry.document, "todo");
  return noContent();
}

/** Issues a URL on this server that serves the file (`file`) or its text (`text`) without a key. */
export function signedUrlHandler(kind: "file" | "text") {
  return (call: IncomingCall, { record, entry, state }: DocumentScope): ResponsePlan => {
    const signature = randomBytes(16).toString("hex");
    entry.signatures.set(signature, { kind, expiresAt: state.now() + SIGNED_URL_LIFETIME_MS });
    const origin = `http://${call.headers.host ?? "127.0.0.1"}`;
    const path = `/signed/libraries/${record.library.id}/documents/${entry.document.id}/${kind}`;
    return jsonPlan(200, `${origin}${path}?signature=${signature}`);
  };
}

/** Serves a signed download: the original bytes, or the text as UTF-8. */
export function signedDownload(
  call: IncomingCall,
  parameters: RouteParameters,
  state: ServerState,
): ResponsePlan {
  const record = libraryArea(state).libraries.get(parameters["library_id"]!);
  const entry = record?.documents.get(parameters["document_id"]!);
  const signature = entry?.signatures.get(call.query["signature"] ?? "");
  if (entry === undefined || signature === undefined || signature.kind !== parameters["kind"]) {
    const message = "Invalid or unknown signature for this document: request a new signed URL";
    return errorPlan(403, message, "invalid_request_error");
  }

  if (state.now() > signature.expiresAt) {
    const message = "The signed URL has expired: request a new one";
    return errorPlan(403, message, "invalid_request_error");
  }

  const isFile = signature.kind === "file";
  const contentType = isFile
    ? (entry.document.mime_type ?? "application/octet-stream")
    : "text/plain; charset=utf-8";
  return {
    status: 200,
    headers: { "content-type": contentType },
    chunks: [isFile ? entry.content : Buffer.from(entry.text)],
    framing: "content-length",
  };
}
