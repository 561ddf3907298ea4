import { AbortError } from "./errors/transport-errors.js";

/**
 * Sleeps for at least `ms` milliseconds, rejecting with an AbortError as soon as the signal
 * aborts. The timer is cleared on abort, so no handle outlives the call.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortErrorFrom(signal));
      return;
    }

    // Timers measure from the event loop's cached time, which can lag, so a timer may fire a
    // millisecond early. A server's Retry-After must never be cut short, so re-arm until done.
    const end = performance.now() + ms;
    let timer: ReturnType<typeof setTimeout>;
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortErrorFrom(signal!));
    };
    const wake = () => {
      const remaining = end - performance.now();
      if (remaining > 0) {
        timer = setTimeout(wake, Math.ceil(remaining));
        return;
      }

      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    timer = setTimeout(wake, ms);
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

/**
 * Settles like the fetch promise, or rejects with the signal's reason as soon as the signal
 * aborts, so timeouts fire even when a caller's fetch ignores its signal. A response that arrives
 * after the abort has its body cancelled, which releases the connection.
 */
export function fetchUntilAborted(
  pending: Promise<Response>,
  signal: AbortSignal,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      pending.then(
        (late) => late.body?.cancel().catch(() => {}),
        () => {},
      );
    };
    if (signal.aborted) {
      onAbort();
      return;
    }

    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (response) => {
        signal.removeEventListener("abort", onAbort);
        resolve(response);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
