import { concatBytes } from "../../core/concat-bytes.js";
import { isMistralError } from "../../core/errors/mistral-error.js";
import { ResponseTooLargeError, StreamError } from "../../core/errors/transport-errors.js";
import { redactedCause } from "../../core/network-error.js";
import type { ApiResponse } from "../../core/transport.js";

/**
 * The content of a file, not yet read. `body` streams the bytes as they arrive. `arrayBuffer()`
 * and `text()` read them whole, within `maxResponseBytes`. Read the body once, by one of the three.
 * Reading is bounded by the call's timeouts, so raise `timeoutMs` for large files, and an idle
 * reader trips `idleTimeoutMs` like a silent server.
 */
export interface FileDownload {
  body: ReadableStream<Uint8Array>;
  /** The response's `content-type`, such as `application/octet-stream`. */
  contentType: string | undefined;
  /** The response's `content-length` in bytes, when the server sent one. */
  contentLength: number | undefined;
  requestId: string | undefined;
  arrayBuffer: () => Promise<ArrayBuffer>;
  text: () => Promise<string>;
}

/** Wraps a successful `/content` response. The attempt's timers end when the body ends. */
export function createFileDownload(api: ApiResponse, maxBytes: number): FileDownload {
  const { response } = api;
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  const body = timedBody(api);
  return {
    body,
    contentType: response.headers.get("content-type") ?? undefined,
    contentLength: Number.isSafeInteger(length) ? length : undefined,
    requestId: api.requestId,
    arrayBuffer: () => readAll(body, maxBytes).then((bytes) => bytes.buffer as ArrayBuffer),
    text: () => readAll(body, maxBytes).then((bytes) => new TextDecoder().decode(bytes)),
  };
}

/**
 * Passes the body through, counting each read as activity for the idle timer and finishing the
 * attempt's timers when the body ends, fails or is cancelled.
 */
function timedBody(api: ApiResponse): ReadableStream<Uint8Array> {
  const { response, timer } = api;
  const source = response.body;
  if (source === null) {
    timer.finish();
    return new ReadableStream({ start: (controller) => controller.close() });
  }

  const reader = timer.readerOf(source);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          timer.finish();
          controller.error(timer.failure ?? cutOff(api, error));
          return;
        }

        if (result.done) {
          timer.finish();
          controller.close();
          return;
        }

        timer.activity();
        controller.enqueue(result.value);
      },
      cancel(reason) {
        timer.finish();
        // Not awaited: a body's cancel may never settle, and the caller must not wait for it.
        reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads the whole body into a new array of its exact size, failing past `maxBytes`. */
async function readAll(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }

    chunks.push(value);
  }

  return concatBytes(chunks, total);
}

function tooLarge(maxBytes: number): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `The file is larger than ${maxBytes} bytes (maxResponseBytes): read download.body as a ` +
      "stream instead, or raise maxResponseBytes",
    { limitBytes: maxBytes },
  );
}

function cutOff(api: ApiResponse, error: unknown): Error {
  if (isMistralError(error)) {
    return error;
  }

  return new StreamError(
    `The connection closed while downloading ${api.description}: the content is incomplete, so ` +
      "download it again",
    { cause: redactedCause(error, api.redact), requestId: api.requestId },
  );
}
