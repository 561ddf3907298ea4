import { createHash, randomUUID } from "node:crypto";
import { errorPlan, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import { type FormPart, parseMultipartForm } from "./files-multipart.js";
import { areaState, type Route, type ServerState } from "./route.js";

/** A file held by the test server, with the metadata the API returns for it. */
export interface StoredFile {
  metadata: Record<string, unknown>;
  content: Buffer;
}

/** Input of `storeFile`. */
export interface NewFile {
  filename: string;
  purpose: string;
  content: Buffer;
  mimetype: string;
  source: "upload" | "mistral";
  sampleType: string;
  visibility?: string;
}

interface SignedURL {
  fileId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Largest response write for file content, so big downloads arrive in several reads. */
const contentChunkBytes = 1024 * 1024;

/** Media types an `ocr` upload accepts besides images. Others get a 422 like the API's. */
const ocrMediaTypes = new Set([
  "application/pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
]);

/** Path of the signed URLs, outside `/v1` so that they work without the API key. */
const signedPathPrefix = "/signed-files/";

/**
 * Default handlers of `/v1/files`: uploads parsed from `multipart/form-data` and kept in memory,
 * listing with filters and pages, metadata, deletion, content download and signed URLs served by
 * the same server. `signature` is the SHA-256 of the content in hex, so a test can check what
 * arrived without keeping a copy.
 */
export const filesRoutes: Route[] = [
  { method: "POST", path: "/v1/files", handle: (call, _, state) => uploadPlan(call, state) },
  { method: "GET", path: "/v1/files", handle: (call, _, state) => listPlan(call, state) },
  {
    method: "GET",
    path: "/v1/files/{file_id}",
    handle: (_, parameters, state) =>
      withFile(state, parameters.file_id!, (file) =>
        jsonPlan(200, { ...file.metadata, deleted: false }),
      ),
  },
  {
    method: "DELETE",
    path: "/v1/files/{file_id}",
    handle: (_, parameters, state) =>
      withFile(state, parameters.file_id!, (file) => {
        fileStore(state).delete(parameters.file_id!);
        return jsonPlan(200, { id: file.metadata.id, object: "file", deleted: true });
      }),
  },
  {
    method: "GET",
    path: "/v1/files/{file_id}/content",
    handle: (_, parameters, state) => withFile(state, parameters.file_id!, contentPlan),
  },
  {
    method: "GET",
    path: "/v1/files/{file_id}/url",
    handle: (call, parameters, state) =>
      withFile(state, parameters.file_id!, (file) => signedURLPlan(call, file, state)),
  },
  {
    method: "GET",
    path: `${signedPathPrefix}{token}`,
    handle: (_, parameters, state) => signedContentPlan(parameters.token!, state),
  },
];

/** Returns the files of a server, by id. */
export function fileStore(state: ServerState): Map<string, StoredFile> {
  return areaState(state, "files", () => new Map<string, StoredFile>());
}

/** Stores a file and returns its metadata, as an upload would. */
export function storeFile(state: ServerState, file: NewFile): Record<string, unknown> {
  const isJsonLines = file.mimetype === "application/jsonl" || file.filename.endsWith(".jsonl");
  const metadata = {
    id: state.newId(),
    object: "file",
    bytes: file.content.byteLength,
    created_at: Math.floor(state.now() / 1000),
    filename: file.filename,
    purpose: file.purpose,
    sample_type: file.sampleType,
    source: file.source,
    num_lines: isJsonLines ? countLines(file.content) : null,
    mimetype: file.mimetype,
    signature: createHash("sha256").update(file.content).digest("hex"),
    expires_at: null,
    visibility: file.visibility ?? "workspace",
  };
  fileStore(state).set(metadata.id, { metadata, content: file.content });
  return metadata;
}

function uploadPlan(call: IncomingCall, state: ServerState): ResponsePlan {
  const form = parseMultipartForm(call.headers["content-type"], call.rawBody);
  if ("error" in form) {
    return validationErrorPlan([
      { type: "multipart", loc: ["body"], msg: form.error, input: null },
    ]);
  }

  const field = (name: string) => form.parts.find((part) => part.name === name);
  const file = field("file");
  if (file === undefined || file.filename === undefined) {
    const msg = file === undefined ? "Field required" : "Expected a file part with a filename";
    return validationErrorPlan([{ type: "missing", loc: ["body", "file"], msg, input: null }]);
  }

  const purpose = textOf(field("purpose")) ?? "fine-tune";
  const mimetype = file.contentType ?? "application/octet-stream";
  if (purpose === "ocr" && !ocrMediaTypes.has(mimetype) && !mimetype.startsWith("image/")) {
    return jsonPlan(422, {
      detail: "Invalid file format.",
      message:
        `The test server takes no ${mimetype} file for purpose ocr: ` +
        "send a PDF, an image or a .docx file",
    });
  }

  const metadata = storeFile(state, {
    filename: file.filename,
    purpose,
    content: Buffer.from(file.data),
    mimetype,
    source: "upload",
    sampleType: sampleTypeFor(purpose),
    visibility: textOf(field("visibility")),
  });
  return jsonPlan(200, metadata);
}

function sampleTypeFor(purpose: string): string {
  if (purpose === "batch") return "batch_request";
  if (purpose === "fine-tune") return "instruct";
  return "pretrain";
}

function listPlan(call: IncomingCall, state: ServerState): ResponsePlan {
  const query = new URLSearchParams(call.url.split("?")[1] ?? "");
  const page = Number(query.get("page") ?? 0);
  const pageSize = Number(query.get("page_size") ?? 100);
  if (!Number.isInteger(page) || page < 0 || !Number.isInteger(pageSize) || pageSize < 1) {
    const msg = "page must be an integer of at least 0, page_size of at least 1";
    return validationErrorPlan([{ type: "int_parsing", loc: ["query"], msg, input: null }]);
  }

  const matching = [...fileStore(state).values()]
    .map((file) => file.metadata)
    .filter((metadata) => matchesFilters(metadata, query))
    .reverse();
  const data = matching.slice(page * pageSize, (page + 1) * pageSize);
  const total = query.get("include_total") === "false" ? null : matching.length;
  return jsonPlan(200, { data, object: "list", total });
}

function matchesFilters(metadata: Record<string, unknown>, query: URLSearchParams): boolean {
  const oneOf = (name: string, value: unknown) => {
    const allowed = query.getAll(name);
    return allowed.length === 0 || allowed.includes(String(value));
  };
  const search = query.get("search")?.toLowerCase();
  const filename = String(metadata.filename).toLowerCase();
  return (
    oneOf("purpose", metadata.purpose) &&
    oneOf("sample_type", metadata.sample_type) &&
    oneOf("source", metadata.source) &&
    oneOf("mimetypes", metadata.mimetype) &&
    (search === undefined || filename.includes(search))
  );
}

function contentPlan(file: StoredFile): ResponsePlan {
  const filename = String(file.metadata.filename);
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < file.content.byteLength; offset += contentChunkBytes) {
    chunks.push(file.content.subarray(offset, offset + contentChunkBytes));
  }

  const headers = {
    "content-type": "application/octet-stream",
    "content-disposition": `attachment; filename="${encodeURIComponent(filename)}"`,
  };
  return { status: 200, headers, chunks, framing: "content-length" };
}

function signedURLPlan(call: IncomingCall, file: StoredFile, state: ServerState): ResponsePlan {
  const expiry = Number(call.query.expiry ?? 24);
  if (!Number.isInteger(expiry) || expiry < 1) {
    const msg = "expiry must be a whole number of hours";
    return validationErrorPlan([
      { type: "int_parsing", loc: ["query", "expiry"], msg, input: null },
    ]);
  }

  const token = randomUUID();
  const expiresAt = state.now() + expiry * 3_600_000;
  signedURLs(state).set(token, { fileId: String(file.metadata.id), expiresAt });
  const url = `http://${call.headers.host ?? "127.0.0.1"}${signedPathPrefix}${token}`;
  return jsonPlan(200, { url });
}

function signedContentPlan(token: string, state: ServerState): ResponsePlan {
  const signed = signedURLs(state).get(token);
  if (signed === undefined || signed.expiresAt <= state.now()) {
    return errorPlan(403, "The signed URL is invalid or expired", "forbidden");
  }

  return withFile(state, signed.fileId, contentPlan);
}

function signedURLs(state: ServerState): Map<string, SignedURL> {
  return areaState(state, "files.signed-urls", () => new Map<string, SignedURL>());
}

function withFile(
  state: ServerState,
  fileId: string,
  plan: (file: StoredFile) => ResponsePlan,
): ResponsePlan {
  const file = fileStore(state).get(fileId);
  if (file === undefined) {
    return errorPlan(404, `File ${fileId} not found`, "invalid_request_error");
  }

  return plan(file);
}

function textOf(part: FormPart | undefined): string | undefined {
  return part === undefined ? undefined : part.data.toString("utf8");
}

function countLines(content: Buffer): number {
  return content
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "").length;
}
