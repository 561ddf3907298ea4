import { ValidationError } from "../../core/errors/client-errors.js";
import { readStreamChunks } from "../../core/stream-chunks.js";
import { formatCount } from "../../guard/input-limits.js";
import type { NamedUpload, PathUpload, UploadData } from "../../types/files.js";
import { mediaTypeForName } from "./content-type.js";

/** Largest piece of an in-memory file handed to `fetch` at once, so progress stays fine-grained. */
const maxChunkBytes = 64 * 1024;

/** A file ready to be streamed into a multipart body. */
export interface UploadSource {
  filename: string;
  contentType: string;
  /** Size in bytes, when known before reading. */
  size: number | undefined;
  /** Yields the content. Call it once: a stream source cannot be read twice. */
  chunks: () => AsyncGenerator<Uint8Array, void, undefined>;
}

/**
 * Checks the `file` parameter of an upload and describes how to read it. Nothing is read yet: a
 * path is only checked with `stat`, so a missing file fails here, before any request. A file over
 * `maxBytes` (the `limits.maxUploadBytes` option) fails here when its size is known, and
 * otherwise as soon as more bytes than that were read.
 */
export async function resolveUploadSource(
  file: unknown,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<UploadSource> {
  const source = await describeSource(file);
  if (!Number.isFinite(maxBytes)) return source;
  if (source.size !== undefined && source.size > maxBytes) {
    throw tooLarge(source.filename, formatCount(source.size), maxBytes);
  }

  const read = source.chunks;
  return { ...source, chunks: () => limitedChunks(read(), source.filename, maxBytes) };
}

async function* limitedChunks(
  chunks: AsyncGenerator<Uint8Array, void, undefined>,
  filename: string,
  maxBytes: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(filename, `more than ${formatCount(maxBytes)}`, maxBytes);
    yield chunk;
  }
}

function tooLarge(filename: string, size: string, maxBytes: number): ValidationError {
  return invalid(
    "file",
    `${JSON.stringify(filename)} has ${size} bytes, more than limits.maxUploadBytes ` +
      `(${formatCount(maxBytes)}): the API stores files of up to 512 MiB; raise the limit only ` +
      "for a server that accepts larger files",
  );
}

async function describeSource(file: unknown): Promise<UploadSource> {
  if (typeof file === "string") {
    return pathSource({ path: file });
  }

  if (isBlob(file)) {
    const name = (file as { name?: unknown }).name;
    if (typeof name !== "string" || name === "") {
      throw invalid("file", "is a Blob without a name: pass { name, data } to name it");
    }

    return namedSource({ name, data: file });
  }

  if (file instanceof Uint8Array || file instanceof ArrayBuffer || isStream(file)) {
    throw invalid("file", "has no file name: pass { name, data } to name it");
  }

  if (typeof file !== "object" || file === null) {
    throw invalid("file", "must be a path, a File, { name, data } or { path }");
  }

  if ("path" in file) {
    return pathSource(file as PathUpload);
  }

  return namedSource(file as NamedUpload);
}

function namedSource(upload: NamedUpload): UploadSource {
  const problems = [...checkName(upload.name, "file.name"), ...checkType(upload.type)];
  if (upload.size !== undefined && !isByteCount(upload.size)) {
    problems.push({ path: "file.size", message: "must be a whole number of bytes" });
  }

  const data = upload.data;
  if (!isUploadData(data)) {
    problems.push({
      path: "file.data",
      message: "must be a Blob, Uint8Array, ArrayBuffer, string, ReadableStream or async iterable",
    });
  }

  if (problems.length > 0) {
    throw new ValidationError(problems, "Invalid file upload");
  }

  const bytes = inMemoryBytes(data);
  const blob = isBlob(data) ? data : undefined;
  return {
    filename: upload.name,
    contentType: upload.type || blob?.type || mediaTypeForName(upload.name),
    size: bytes?.byteLength ?? blob?.size ?? upload.size,
    chunks: () => (bytes ? bytesChunks(bytes) : streamChunks(blob ? blob.stream() : data)),
  };
}

async function pathSource(upload: PathUpload): Promise<UploadSource> {
  const path = upload.path;
  if (typeof path !== "string" || path === "") {
    throw invalid("file.path", "must be a non-empty string");
  }

  const filename = upload.name ?? lastSegment(path);
  const problems = [...checkName(filename, "file.name"), ...checkType(upload.type)];
  if (problems.length > 0) {
    throw new ValidationError(problems, "Invalid file upload");
  }

  const fs = await loadFileSystem();
  const size = await fileSize(fs, path);
  return {
    filename,
    contentType: upload.type || mediaTypeForName(filename),
    size,
    chunks: () => fileChunks(fs, path),
  };
}

type FileSystem = typeof import("node:fs");

/** Loads `node:fs` only when a path is uploaded, so the library still loads in browsers. */
async function loadFileSystem(): Promise<FileSystem> {
  // A variable specifier keeps bundlers for browsers from trying to resolve the module.
  const specifier = "node:fs";
  try {
    return (await import(specifier)) as FileSystem;
  } catch {
    throw invalid("file", "is a path, which needs Node.js: pass a File or { name, data }");
  }
}

async function fileSize(fs: FileSystem, path: string): Promise<number> {
  let stats: import("node:fs").Stats;
  try {
    stats = await fs.promises.stat(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === "ENOENT" ? "does not exist" : `cannot be read (${String(code)})`;
    throw invalid("file", `${JSON.stringify(path)} ${reason}`);
  }

  if (!stats.isFile()) {
    throw invalid("file", `${JSON.stringify(path)} is not a regular file`);
  }

  return stats.size;
}

async function* fileChunks(fs: FileSystem, path: string): AsyncGenerator<Uint8Array> {
  const stream = fs.createReadStream(path, { highWaterMark: maxChunkBytes });
  try {
    for await (const chunk of stream) {
      yield chunk as Uint8Array;
    }
  } finally {
    stream.destroy();
  }
}

async function* bytesChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += maxChunkBytes) {
    yield bytes.subarray(offset, offset + maxChunkBytes);
  }
}

/** Reads a web stream or async iterable, releasing it when the reader stops early. */
async function* streamChunks(data: UploadData): AsyncGenerator<Uint8Array> {
  const iterable = isStream(data) ? readStreamChunks(data) : (data as AsyncIterable<unknown>);
  const encoder = new TextEncoder();
  for await (const chunk of iterable) {
    if (chunk instanceof Uint8Array) {
      yield chunk;
    } else if (typeof chunk === "string") {
      yield encoder.encode(chunk);
    } else {
      throw invalid("file.data", "yielded a chunk that is neither a Uint8Array nor a string");
    }
  }
}

function inMemoryBytes(data: UploadData): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (typeof data === "string") return new TextEncoder().encode(data);
  return undefined;
}

function isUploadData(data: unknown): data is UploadData {
  return (
    typeof data === "string" ||
    data instanceof Uint8Array ||
    data instanceof ArrayBuffer ||
    isBlob(data) ||
    isStream(data) ||
    (typeof data === "object" && data !== null && Symbol.asyncIterator in data)
  );
}

function checkName(name: unknown, path: string): Array<{ path: string; message: string }> {
  if (typeof name !== "string" || name.trim() === "") {
    return [{ path, message: "must be a non-empty file name" }];
  }

  return [];
}

/** Checks a media type, which ends up in a part header and so may not contain line breaks. */
function checkType(type: unknown): Array<{ path: string; message: string }> {
  if (type === undefined || type === "") return [];
  if (typeof type !== "string" || !/^[\x21-\x7e][\x20-\x7e]*$/.test(type)) {
    return [{ path: "file.type", message: "must be a media type such as application/pdf" }];
  }

  return [];
}

function isByteCount(value: unknown): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function lastSegment(path: string): string {
  const segments = path.split(/[/\\]/);
  return segments[segments.length - 1] ?? path;
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

function isStream(value: unknown): value is ReadableStream<unknown> {
  return typeof ReadableStream !== "undefined" && value instanceof ReadableStream;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message }], "Invalid file upload");
}
