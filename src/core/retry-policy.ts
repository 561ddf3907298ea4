/** Statuses worth another attempt: the server either did not act or asked to be called again. */
const retryableStatuses = new Set([408, 409, 429, 500, 502, 503, 504]);

/** Returns true when a response with this status should be retried. */
export function isRetryableStatus(status: number): boolean {
  return retryableStatuses.has(status);
}

/**
 * Reads how long the server asks the client to wait, in milliseconds: `retry-after-ms` first,
 * then `Retry-After` as seconds or as an HTTP date (RFC 9110, section 10.2.3). A date is measured
 * from the response's own `date` header when it has a valid one, so clock skew between client and
 * server does not change the wait; otherwise from `now`. A past date means no wait. Returns
 * undefined when neither header holds a usable value.
 */
export function readRetryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = readNumber(headers.get("retry-after-ms"));
  if (milliseconds !== undefined) {
    return Math.ceil(milliseconds);
  }

  const value = headers.get("retry-after");
  if (value === null) {
    return undefined;
  }

  const seconds = readNumber(value);
  if (seconds !== undefined) {
    return Math.ceil(seconds * 1000);
  }

  const date = parseHttpDate(value);
  if (date === undefined) {
    return undefined;
  }

  return Math.max(0, date - (parseHttpDate(headers.get("date")) ?? now));
}

function readNumber(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * The three HTTP-date forms of RFC 9110, section 5.6.7: IMF-fixdate, RFC 850 and asctime. Checked
 * before `Date.parse`, which also accepts text such as "-1" or "abc 1" as dates in 2001.
 */
const httpDateForms = [
  /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

function parseHttpDate(value: string | null): number | undefined {
  const text = value?.trim();
  if (text === undefined || !httpDateForms.some((form) => form.test(text))) return undefined;
  // asctime carries no zone but is defined as UTC; Date.parse would read it as local time.
  const time = Date.parse(text.endsWith("GMT") ? text : `${text} GMT`);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * Computes the backoff before retry number `retry` (1 for the first retry): exponential from
 * `initialDelayMs`, with up to 25% random jitter added so many clients do not retry in step, and
 * capped at `maxDelayMs` after the jitter.
 */
export function backoffDelayMs(
  retry: number,
  initialDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (retry - 1));
  return Math.round(Math.min(maxDelayMs, base * (1 + 0.25 * random())));
}
