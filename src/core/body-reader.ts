import type { AttemptTimer } from "./attempt-timer.js";
import { ResponseTooLargeError } from "./errors/transport-errors.js";

/**
 * Reads a whole body as text, failing once it passes `maxBytes`. A declared content-length that
 * fits is read in one call, the fastest path; other bodies are read chunk by chunk and counted.
 * Every read counts as activity for the idle timer.
 */
export async function readBoundedText(
  response: Response,
  maxBytes: number,
  timer: AttemptTimer,
): Promise<string> {
  const body = response.body;
  if (body === null) {
    return "";
  }

  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await body.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }

  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      timer.activity();
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }

      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }

  return decodeChunks(chunks, total);
}

function decodeChunks(chunks: Uint8Array[], total: number): string {
  if (chunks.length === 1) {
    return new TextDecoder().decode(chunks[0]);
  }

  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }

  return new TextDecoder().decode(joined);
}

function tooLarge(maxBytes: number): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `The response body is larger than ${maxBytes} bytes (maxResponseBytes): ` +
      "raise maxResponseBytes if such responses are expected",
    { limitBytes: maxBytes },
  );
}
