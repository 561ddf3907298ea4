import { AbortError } from "./errors/transport-errors.js";

/**
 * Sleeps for `ms` milliseconds, rejecting with an AbortError as soon as the signal aborts. The
 * timer is cleared on abort, so no handle outlives the call.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortErrorFrom(signal));
      return;
    }

    const onAbort = () => {
      clearTimeout(timer);
      reject(abortErrorFrom(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Wraps the signal's reason in an AbortError, keeping a caller-provided error as its cause. */
export function abortErrorFrom(signal: AbortSignal): AbortError {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) {
    return reason;
  }

  return new AbortError("The request was aborted by the caller", { cause: reason });
}
