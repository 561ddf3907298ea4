import type { FetchFunction } from "../../src/core/client-options.js";

/** One call the client made through the fetch, with wall-clock times in milliseconds. */
export interface FetchCall {
  url: string;
  init: RequestInit | undefined;
  startedAt: number;
  /** When the response headers arrived; undefined while pending or when the call failed. */
  respondedAt: number | undefined;
}

/**
 * Wraps `globalThis.fetch` to record each call the client makes and when its headers arrived,
 * so tests can measure the client's own waits between a response and the next request.
 */
export function timedFetch(): { fetch: FetchFunction; calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const fetch: FetchFunction = async (input, init) => {
    const call: FetchCall = {
      url: String(input),
      init,
      startedAt: Date.now(),
      respondedAt: undefined,
    };
    calls.push(call);
    const response = await globalThis.fetch(input, init);
    call.respondedAt = Date.now();
    return response;
  };
  return { fetch, calls };
}

/** Milliseconds from each response to the next request. */
export function waitsBetweenCalls(calls: readonly FetchCall[]): number[] {
  const waits: number[] = [];
  for (let index = 1; index < calls.length; index++) {
    const previous = calls[index - 1]!;
    waits.push(calls[index]!.startedAt - (previous.respondedAt ?? previous.startedAt));
  }

  return waits;
}

/** Resolves just after the wall clock starts a new second, for tests of HTTP dates. */
export async function startOfNextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}
