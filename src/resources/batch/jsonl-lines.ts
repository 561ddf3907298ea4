import { ResponseTooLargeError } from "../../core/errors/transport-errors.js";

/**
 * Yields the lines of a UTF-8 byte stream, split on LF with a trailing CR removed, so both `\n`
 * and `\r\n` work. Empty lines are yielded too, so callers can count line numbers. A last line
 * without a final newline is yielded, but not an empty one after the final newline. Only the
 * current line is buffered, and a line longer than `maxLineBytes` throws a ResponseTooLargeError
 * instead of growing memory without bound.
 */
export async function* readLines(
  body: ReadableStream<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let done = false;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        break;
      }

      const chunk = result.value;
      let start = 0;
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, start)) {
        checkLength(pendingBytes + index - start, maxLineBytes);
        pending.push(chunk.subarray(start, index));
        const line = decodeLine(decoder, pending);
        pending = [];
        pendingBytes = 0;
        start = index + 1;
        yield line;
      }

      if (start < chunk.byteLength) {
        pendingBytes += chunk.byteLength - start;
        checkLength(pendingBytes, maxLineBytes);
        pending.push(chunk.subarray(start));
      }
    }

    const last = decodeLine(decoder, pending);
    if (last !== "") yield last;
  } finally {
    if (!done) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function decodeLine(decoder: TextDecoder, parts: Uint8Array[]): string {
  let text = "";
  for (const part of parts) {
    text += decoder.decode(part, { stream: true });
  }

  text += decoder.decode();
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

function checkLength(bytes: number, maxLineBytes: number): void {
  if (bytes > maxLineBytes) {
    throw new ResponseTooLargeError(
      `A result line is longer than ${maxLineBytes} bytes (maxResponseBytes): raise ` +
        "maxResponseBytes if results this large are expected",
      { limitBytes: maxLineBytes },
    );
  }
}
