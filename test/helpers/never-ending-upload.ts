/** Creates a request body stream that sends "{" and never ends, and reports its cancel reason. */
export function neverEndingStream(onCancel: (reason: unknown) => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("{"));
    },
    cancel: onCancel,
  });
}
