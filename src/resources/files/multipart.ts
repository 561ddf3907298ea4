import { ValidationError } from "../../core/errors/client-errors.js";
import { AbortError } from "../../core/errors/transport-errors.js";
import type { UploadProgress } from "../../types/files.js";
import type { UploadSource } from "./upload-source.js";

/** A text field of a multipart form, sent before the file. */
export interface FormField {
  name: string;
  value: string;
}

/** A `multipart/form-data` body (RFC 7578) produced chunk by chunk as `fetch` reads it. */
export interface MultipartBody {
  stream: ReadableStream<Uint8Array>;
  /** `multipart/form-data; boundary=...`. */
  contentType: string;
  /** Size of the whole body, when the file size is known. */
  contentLength: number | undefined;
  /**
   * The error that stopped the body, such as an unreadable file or a wrong declared size. `fetch`
   * reports it only as a generic network failure, so the caller rethrows this one instead.
   */
  readonly failure: unknown;
  /**
   * Ends the body once the request settled: later reads fail and the file is closed. Needed
   * because Node's fetch (undici 6) keeps reading a request body after the request was aborted,
   * discarding the chunks, so an endless or large source would otherwise be read to its end.
   */
  stop(): void;
}

const encoder = new TextEncoder();

/**
 * Builds the body: each text field, then the file part with its file name and media type. The
 * file is read only as `fetch` pulls the stream, so a large file is never held in memory.
 */
export function createMultipartBody(
  fields: FormField[],
  fileField: string,
  source: UploadSource,
  onProgress?: (progress: UploadProgress) => void,
): MultipartBody {
  const boundary = randomBoundary();
  const head = encoder.encode(
    fields.map((field) => fieldPart(boundary, field)).join("") +
      filePartHeader(boundary, fileField, source),
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const contentLength =
    source.size === undefined ? undefined : head.byteLength + source.size + tail.byteLength;
  const state: BodyState = { failure: undefined, stopped: false, sentBytes: 0 };
  const chunks = bodyChunks(head, source, tail);
  const report = (bytes: number) => {
    state.sentBytes += bytes;
    onProgress?.({ sentBytes: state.sentBytes, totalBytes: contentLength });
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull: (controller) => pullChunk(controller, chunks, state, report),
      cancel: async () => {
        await chunks.return();
      },
    },
    { highWaterMark: 0 },
  );

  return {
    stream,
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength,
    get failure() {
      return state.failure;
    },
    stop() {
      state.stopped = true;
      chunks.return().catch(() => {});
    },
  };
}

interface BodyState {
  failure: unknown;
  stopped: boolean;
  sentBytes: number;
}

async function pullChunk(
  controller: ReadableStreamDefaultController<Uint8Array>,
  chunks: AsyncGenerator<Uint8Array, void, undefined>,
  state: BodyState,
  report: (bytes: number) => void,
): Promise<void> {
  try {
    const result = state.stopped ? undefined : await chunks.next();
    if (result === undefined || state.stopped) {
      controller.error(new AbortError("The upload ended before its body was sent"));
      return;
    }

    if (result.done) {
      controller.close();
      return;
    }

    controller.enqueue(result.value);
    report(result.value.byteLength);
  } catch (error) {
    state.failure = error;
    controller.error(error);
    await chunks.return();
  }
}

async function* bodyChunks(
  head: Uint8Array,
  source: UploadSource,
  tail: Uint8Array,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield head;
  let fileBytes = 0;
  for await (const chunk of source.chunks()) {
    fileBytes += chunk.byteLength;
    if (source.size !== undefined && fileBytes > source.size) {
      throw sizeMismatch(source, `more than ${source.size}`);
    }

    if (chunk.byteLength > 0) yield chunk;
  }

  if (source.size !== undefined && fileBytes !== source.size) {
    throw sizeMismatch(source, String(fileBytes));
  }

  yield tail;
}

function sizeMismatch(source: UploadSource, actual: string): ValidationError {
  return new ValidationError(
    [
      {
        path: "file",
        message:
          `${JSON.stringify(source.filename)} produced ${actual} bytes but its size is ` +
          `${source.size}: fix file.size, or check that the file did not change while uploading`,
      },
    ],
    "Invalid file upload",
  );
}

function fieldPart(boundary: string, field: FormField): string {
  return (
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${escapeQuoted(field.name)}"\r\n\r\n` +
    `${field.value}\r\n`
  );
}

function filePartHeader(boundary: string, name: string, source: UploadSource): string {
  return (
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${escapeQuoted(name)}"; ` +
    `filename="${escapeQuoted(source.filename)}"\r\n` +
    `Content-Type: ${source.contentType}\r\n\r\n`
  );
}

/**
 * Escapes a quoted parameter of Content-Disposition as browsers do (WHATWG HTML, section on
 * multipart/form-data encoding). `"` becomes `%22`, CR `%0D` and LF `%0A`, so a file name cannot
 * end the header.
 */
export function escapeQuoted(value: string): string {
  return value.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Returns a boundary with 128 random bits, which no file content will contain by chance. */
function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `mistralai-ts-${hex}`;
}
