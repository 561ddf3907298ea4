import type { AttemptTimer } from "./attempt-timer.js";
import { concatBytes } from "./concat-bytes.js";
import { ConnectionError, ResponseTooLargeError } from "./errors/transport-errors.js";
import { networkErrorCode } from "./network-error.js";

/** The call a body belongs to, named in the error when the body is cut off. */
export interface BodySource {
  /** Such as `POST /v1/chat/completions`. */
  description: string;
  requestId: string | undefined;
}

/**
 * Reads a whole body as text, chunk by chunk, failing once it passes `maxBytes` (before reading,
 * when the declared content-length is over it). Every read counts as activity for the idle timer.
 * A body that ends early (closed connection, short content-length, corrupt compression) raises a
 * ConnectionError, or the timer's timeout or abort error when the timer ended the read.
 */
export async function readBoundedText(
  response: Response,
  maxBytes: number,
  timer: AttemptTimer,
  source: BodySource = { description: "the request", requestId: undefined },
): Promise<string> {
  const body = response.body;
  if (body === null) {
    return "";
  }

  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    // Cancels are not awaited: a body's cancel may never settle, and the error must not wait.
    body.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }

  const reader = timer.readerOf(body);
  const chunks: Uint8Array[] = [];
  let total = 0;
  // The reader keeps its lock: releasing it costs a rejected promise, and no one reads the body
  // after this function.
  for (;;) {
    const { done, value } = await readChunk(reader, timer, source, total);
    if (done) break;
    timer.activity();
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }

    chunks.push(value);
  }

  return decodeChunks(chunks, total);
}

async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  timer: AttemptTimer,
  source: BodySource,
  bytesRead: number,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (error) {
    throw timer.failure ?? cutOff(error, source, bytesRead);
  }
}

/**
 * Wraps the reader's error, which undici raises as a bare `TypeError: terminated`. The new cause
 * keeps only that error's name and message, and the message quotes its own cause, which names the
 * socket or zlib failure.
 */
function cutOff(error: unknown, source: BodySource, bytesRead: number): ConnectionError {
  const inner = error instanceof Error ? error.cause : undefined;
  const detail = inner instanceof Error ? `${inner.name}: ${inner.message}` : undefined;
  const cause = new Error(error instanceof Error ? error.message : String(error));
  cause.name = error instanceof Error ? error.name : "Error";
  const code = networkErrorCode(error);
  if (code !== undefined) Object.assign(cause, { code });
  return new ConnectionError(
    `The response body of ${source.description} was cut off after ${bytesRead} bytes` +
      `${detail ? ` (${detail.slice(0, 200)})` : ""}: the connection closed or the body was ` +
      "corrupt; the server may have acted on the request, so check its state before sending again",
    { cause, requestId: source.requestId },
  );
}

function decodeChunks(chunks: Uint8Array[], total: number): string {
  if (chunks.length === 1) {
    return new TextDecoder().decode(chunks[0]);
  }

  return new TextDecoder().decode(concatBytes(chunks, total));
}

function tooLarge(maxBytes: number): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `The response body is larger than ${maxBytes} bytes (maxResponseBytes): ` +
      "raise maxResponseBytes if such responses are expected",
    { limitBytes: maxBytes },
  );
}
