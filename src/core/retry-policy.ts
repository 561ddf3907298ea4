/** Statuses worth another attempt: the server either did not act or asked to be called again. */
const retryableStatuses = new Set([408, 409, 429, 500, 502, 503, 504]);

/** Returns true when a response with this status should be retried. */
export function isRetryableStatus(status: number): boolean {
  return retryableStatuses.has(status);
}

/**
 * Reads how long the server asks the client to wait, in milliseconds: `retry-after-ms` first,
 * then `Retry-After` as seconds or as an HTTP date (RFC 9110, section 10.2.3). Returns undefined
 * when neither header holds a usable value.
 */
export function readRetryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = headers.get("retry-after-ms");
  if (milliseconds !== null && /^\s*\d+(\.\d+)?\s*$/.test(milliseconds)) {
    return Math.ceil(Number(milliseconds));
  }

  const value = headers.get("retry-after");
  if (value === null) {
    return undefined;
  }

  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) {
    return Math.ceil(Number(value) * 1000);
  }

  const date = Date.parse(value);
  if (Number.isNaN(date)) {
    return undefined;
  }

  return Math.max(0, date - now);
}

/**
 * Computes the backoff before retry number `retry` (1 for the first retry): exponential from
 * `initialDelayMs`, capped at `maxDelayMs`, with up to 25% random jitter added so many clients do
 * not retry in step.
 */
export function backoffDelayMs(
  retry: number,
  initialDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (retry - 1));
  return Math.round(base * (1 + 0.25 * random()));
}
