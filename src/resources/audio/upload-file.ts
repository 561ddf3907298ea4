import { ValidationError } from "../../core/errors/client-errors.js";
import { readStreamChunks } from "../../core/stream-chunks.js";
import type { UploadData, UploadFile } from "../../types/files.js";
import { mediaTypeForName } from "../files/content-type.js";

/** A file ready to go into a `FormData` part. */
export interface UploadPart {
  blob: Blob;
  filename: string;
}

/** File name sent for content that came without one. */
const defaultFileName = "audio";

/**
 * Turns an upload (the same `file` values as `files.upload` takes) into a Blob and a file name
 * for a `FormData` part. A path is opened lazily with `fs.openAsBlob`, so its content is read
 * only while sending, and a Blob or bytes are used as they are. Because a part must be a Blob, a
 * stream is read into memory first. A Blob or bytes without a name are sent as `audio`.
 */
export async function toUploadPart(file: UploadFile, path: string): Promise<UploadPart> {
  if (typeof file === "string") {
    return openPath(file, undefined, undefined, path);
  }

  if (isUploadData(file)) {
    const filename = nameOf(file) ?? defaultFileName;
    return { blob: await toBlob(file, typeOf(file, undefined, filename)), filename };
  }

  if (typeof file !== "object" || file === null) {
    throw invalid(path, "must be a path, a File, { name, data } or { path }");
  }

  if ("path" in file && !("data" in file)) {
    return openPath(file.path, file.name, file.type, path);
  }

  const { data, name, type } = file as { data?: unknown; name?: unknown; type?: unknown };
  if (!isUploadData(data)) {
    throw invalid(`${path}.data`, "must be a Blob, bytes, a string or a stream");
  }

  const filename = typeof name === "string" && name !== "" ? name : defaultFileName;
  const mediaType = typeof type === "string" && type !== "" ? type : undefined;
  return { blob: await toBlob(data, typeOf(data, mediaType, filename)), filename };
}

/** Picks the caller's media type, else the Blob's own, else one inferred from the file name. */
function typeOf(data: UploadData, declared: string | undefined, filename: string): string {
  if (declared !== undefined) return declared;
  if (isBlob(data) && data.type !== "") return data.type;
  return mediaTypeForName(filename);
}

async function toBlob(data: UploadData, type: string): Promise<Blob> {
  if (isBlob(data)) {
    return data.type === type ? data : data.slice(0, data.size, type);
  }

  if (typeof data === "string" || data instanceof Uint8Array || data instanceof ArrayBuffer) {
    return new Blob([data as BlobPart], { type });
  }

  // NOTE: a stream is buffered whole, because a FormData part must be a Blob. Pass a path or a
  // File for large recordings.
  const chunks: BlobPart[] = [];
  for await (const chunk of iterateChunks(data)) {
    chunks.push(chunk as BlobPart);
  }

  return new Blob(chunks, { type });
}

/** Yields the chunks of a web stream or an async iterable. */
async function* iterateChunks(
  data: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>,
): AsyncGenerator<Uint8Array | string, void, undefined> {
  if (!(typeof ReadableStream !== "undefined" && data instanceof ReadableStream)) {
    yield* data as AsyncIterable<Uint8Array | string>;
    return;
  }

  yield* readStreamChunks(data);
}

type FileSystem = typeof import("node:fs");

/**
 * Opens a file on disk as a Blob that is read only while sending. `node:fs` is loaded here
 * alone, so the library still loads in browsers. The file is checked with `stat` first, so a
 * missing file fails before any request.
 */
async function openPath(
  filePath: string,
  name: string | undefined,
  type: string | undefined,
  path: string,
): Promise<UploadPart> {
  if (typeof filePath !== "string" || filePath === "") {
    throw invalid(`${path}.path`, "must be a non-empty string");
  }

  const filename = name ?? lastSegment(filePath);
  const fs = await loadFileSystem(path);
  try {
    const stats = await fs.promises.stat(filePath);
    if (!stats.isFile()) throw invalid(path, `${JSON.stringify(filePath)} is not a regular file`);
    const blob = await fs.openAsBlob(filePath, { type: type ?? mediaTypeForName(filename) });
    return { blob, filename };
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const code = (error as { code?: unknown }).code;
    const reason = code === "ENOENT" ? "does not exist" : `cannot be read (${String(code)})`;
    throw invalid(path, `${JSON.stringify(filePath)} ${reason}`);
  }
}

async function loadFileSystem(path: string): Promise<FileSystem> {
  // A variable specifier keeps bundlers for browsers from trying to resolve the module.
  const specifier = "node:fs";
  try {
    return (await import(specifier)) as FileSystem;
  } catch {
    throw invalid(path, "is a path, which needs Node.js: pass a File or { name, data }");
  }
}

function isUploadData(value: unknown): value is UploadData {
  return (
    typeof value === "string" ||
    value instanceof Uint8Array ||
    value instanceof ArrayBuffer ||
    isBlob(value) ||
    (typeof ReadableStream !== "undefined" && value instanceof ReadableStream) ||
    (typeof value === "object" && value !== null && Symbol.asyncIterator in value)
  );
}

/** Returns the name of a File (a Blob with a name), or undefined for other data. */
function nameOf(data: UploadData): string | undefined {
  const name = isBlob(data) ? (data as { name?: unknown }).name : undefined;
  return typeof name === "string" && name !== "" ? name : undefined;
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

function lastSegment(filePath: string): string {
  const segments = filePath.split(/[\\/]/);
  return segments[segments.length - 1] || defaultFileName;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message }], "Invalid file upload");
}
