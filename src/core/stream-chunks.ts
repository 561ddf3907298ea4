/**
 * Yields the chunks of a web stream as they arrive, with a reader, since not every runtime makes
 * `ReadableStream` async-iterable. Stopping early cancels the stream, so a response body closes
 * its connection and a caller's source learns that its data is no longer wanted.
 */
export async function* readStreamChunks<T>(
  stream: ReadableStream<T>,
): AsyncGenerator<T, void, undefined> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }

      yield result.value;
    }
  } finally {
    if (!done) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
