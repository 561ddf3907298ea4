/** Time windows of the API's rate-limit headers. */
export type RateLimitWindow = "Second" | "Minute" | "Hour" | "Day" | "Month";

/**
 * The API's rate-limit headers of one response, as numbers: `x-ratelimit-limit-req-minute` is
 * `limitRequestsMinute`, `x-ratelimit-remaining-tokens-month` is `remainingTokensMonth`, and so on
 * for every window. A field is absent when the response did not carry its header. Which windows
 * are sent depends on the workspace's limits.
 */
export type RateLimitInfo = {
  readonly [Field in `${"limit" | "remaining"}${"Requests" | "Tokens"}${RateLimitWindow}`]?: number;
} & {
  /** Tokens this request counted against the limits (`x-ratelimit-tokens-query-cost`). */
  readonly tokensQueryCost?: number;
};

const headerPattern = /^x-ratelimit-(limit|remaining)-(req|tokens)-(second|minute|hour|day|month)$/;

/**
 * Reads every `x-ratelimit-(limit|remaining)-(req|tokens)-(window)` header and the query cost.
 * Returns undefined when there is none. A value that is not a whole number is left out.
 */
export function parseRateLimitHeaders(headers: Headers): RateLimitInfo | undefined {
  const info: Record<string, number> = {};
  let found = false;
  for (const [name, value] of headers) {
    if (!name.startsWith("x-ratelimit-")) continue;
    const number = parseCount(value);
    if (number === undefined) continue;
    if (name === "x-ratelimit-tokens-query-cost") {
      info.tokensQueryCost = number;
      found = true;
      continue;
    }

    const match = headerPattern.exec(name);
    if (match === null) continue;
    const [, kind, unit, window] = match as unknown as [string, string, string, string];
    const field = `${kind}${unit === "req" ? "Requests" : "Tokens"}${capitalise(window)}`;
    info[field] = number;
    found = true;
  }

  return found ? info : undefined;
}

/** Key of the hidden state behind an object's `rateLimit` property. */
const rateLimitState = Symbol("mistralai-ts.rateLimit");

/** The headers a `rateLimit` property reads until its first read, then their parsed form. */
interface RateLimitState {
  headers: Headers | undefined;
  parsed: RateLimitInfo | undefined;
}

/**
 * Defines a non-enumerable `rateLimit` property, parsed on first read, so an object serialises
 * exactly as the server sent it and a response whose `rateLimit` is never read costs no parsing.
 * Every object shares one getter, which finds its headers under a symbol key on the object. A
 * getter made per object would give each object a new hidden class (map) in V8, which costs time
 * for each response and for every later read of its fields. Reads through a Proxy or an object
 * that inherits from the response reach the same state.
 */
export function defineRateLimit(target: object, headers: Headers | undefined): void {
  const state: RateLimitState = { headers, parsed: undefined };
  Object.defineProperty(target, rateLimitState, { value: state, configurable: true });
  Object.defineProperty(target, "rateLimit", {
    enumerable: false,
    configurable: true,
    get: readRateLimit,
  });
}

function readRateLimit(this: { [rateLimitState]?: RateLimitState }): RateLimitInfo | undefined {
  const state = this[rateLimitState];
  if (state === undefined) return undefined;
  if (state.headers !== undefined) {
    state.parsed = parseRateLimitHeaders(state.headers);
    state.headers = undefined;
  }

  return state.parsed;
}

function parseCount(value: string): number | undefined {
  const text = value.trim();
  if (!/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
