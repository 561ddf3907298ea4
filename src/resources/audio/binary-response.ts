import { concatBytes } from "../../core/concat-bytes.js";
import { ResponseTooLargeError } from "../../core/errors/transport-errors.js";
import type { ApiResponse } from "../../core/transport.js";

/**
 * Reads a whole response body as bytes, failing once it passes `maxBytes`, like
 * `readJsonResponse` does for JSON. Ends the attempt's timers when done.
 */
export async function readBoundedBytes(api: ApiResponse, maxBytes: number): Promise<Uint8Array> {
  const { response, timer } = api;
  try {
    const body = response.body;
    if (body === null) return new Uint8Array(0);
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > maxBytes) {
      body.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }

    return await readChunks(timer.readerOf(body), maxBytes, () => timer.activity());
  } catch (error) {
    throw timer.failure ?? error;
  } finally {
    timer.finish();
  }
}

async function readChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  onRead: () => void,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onRead();
      total += value.byteLength;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }

      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }

  return concatBytes(chunks, total);
}

function tooLarge(maxBytes: number): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `The response body is larger than ${maxBytes} bytes (maxResponseBytes): ` +
      "raise maxResponseBytes if such responses are expected",
    { limitBytes: maxBytes },
  );
}
