import type { FetchFunction } from "../../src/core/client-options.js";

/** What the client did with one response body. */
export interface TrackedBody {
  /** True once the client cancelled the body, which closes the connection. */
  cancelled: boolean;
  /** True once the client read the body to its last byte. */
  readToEnd: boolean;
}

/**
 * Wraps the real `fetch` so a test can see whether the client released each response body.
 * Requests still go over loopback to the test server; only the body is passed through a
 * ReadableStream that records cancellation and the end of reading.
 */
export function createTrackedFetch(): { fetch: FetchFunction; bodies: TrackedBody[] } {
  const bodies: TrackedBody[] = [];
  const fetch: FetchFunction = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    if (response.body === null) return response;
    const state: TrackedBody = { cancelled: false, readToEnd: false };
    bodies.push(state);
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const result = await reader.read();
        if (result.done) {
          state.readToEnd = true;
          controller.close();
        } else {
          controller.enqueue(result.value);
        }
      },
      cancel(reason) {
        state.cancelled = true;
        return reader.cancel(reason);
      },
    });
    const { status, statusText, headers } = response;
    return new Response(body, { status, statusText, headers });
  };

  return { fetch, bodies };
}
