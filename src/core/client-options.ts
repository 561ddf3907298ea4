import type { InputLimits } from "../guard/input-limits.js";
import type { RateLimitOptions } from "../guard/rate-limit-options.js";
import type { RateLimiter } from "../guard/rate-limiter.js";
import type { TelemetryOptions } from "../telemetry/telemetry-options.js";
import type { ApiKeySource } from "./api-key.js";
import type { CallObserver } from "./call-observer.js";

/** A `fetch`-compatible function, for proxies, custom agents or other runtimes. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** Options of `new MistralClient(options)`. Each absent option falls back to its variable. */
export interface ClientOptions {
  /**
   * The API key, or a function returning it (sync or async), called before each request so a key
   * can come from a secret store and rotate without a restart. Default: `MISTRAL_API_KEY`.
   */
  apiKey?: ApiKeySource;

  /**
   * Origin (and optional path prefix) of the API. Must be `https:`, except `http:` to a loopback
   * host. A trailing `/v1` is removed. Default: `MISTRAL_BASE_URL`, else `https://api.mistral.ai`.
   */
  baseURL?: string;

  /**
   * Limit in milliseconds for each attempt, from sending to the last byte of a response or
   * stream. Default: `MISTRAL_TIMEOUT` (seconds), else 600000.
   */
  timeoutMs?: number;

  /** Limit in milliseconds until the response headers arrive. Default: 60000. */
  headersTimeoutMs?: number;

  /** Maximum silence in milliseconds between two stream reads. Default: 30000. */
  idleTimeoutMs?: number;

  /** Retries after the first attempt. Default: `MISTRAL_MAX_RETRIES`, else 2. */
  maxRetries?: number;

  /** Retry timing; see {@link RetryOptions}. */
  retry?: RetryOptions;

  /**
   * Maximum size in bytes of a JSON response body, and of the text a chat, FIM or conversation
   * stream keeps. A whole stream may carry 8 times this on the wire. Default: 32 MiB.
   */
  maxResponseBytes?: number;

  /** Maximum size in bytes of one stream line or event. Default: 1 MiB. */
  maxStreamLineBytes?: number;

  /** The `fetch` used for every request. Default: `globalThis.fetch`. */
  fetch?: FetchFunction;

  /**
   * Headers sent with every request. Names and values are checked for control characters;
   * `authorization` is rejected, because the key must come from `apiKey`, unless
   * `dangerouslyAllowAuthorizationHeader` is set.
   */
  defaultHeaders?: Record<string, string>;

  /**
   * A different server, and optionally key, for some resources. Codestral-plan keys work only on
   * the Codestral host, so `{ fim: { baseURL: "https://codestral.mistral.ai", apiKey } }` sends
   * fill-in-the-middle there while every other call uses `baseURL`.
   */
  endpoints?: { fim?: EndpointOptions };

  /**
   * How long a key returned by an `apiKey` function is reused, in milliseconds. After a 401 the
   * function is called again and the request retried once, whatever this value. Default: 0 (the
   * function is called before every request).
   */
  apiKeyCacheMs?: number;

  /**
   * Client-side rate limits, token budgets and the retry budget (on by default: 0.2 retries per
   * call, at most 20 in reserve). Pass `{ limiter }` to use your own limiter, such as one backed by
   * a shared store. See {@link RateLimitOptions}.
   */
  rateLimits?: RateLimitOptions & { limiter?: RateLimiter };

  /** Callbacks run for every call, after the built-in telemetry. See {@link CallObserver}. */
  observers?: CallObserver[];

  /**
   * Size limits checked before sending, so an oversized input fails with a ValidationError at no
   * cost. Defaults: 1,000,000 characters of text per message, 4,000,000 per request, 10,000
   * messages, 512 MiB per upload. Set a limit to a larger number to raise it or to `false` to
   * turn it off; `limits: false` turns them all off. See {@link InputLimits}.
   */
  limits?: InputLimits | false;

  /**
   * Allows the client in a browser or web worker, where every user of the page can read the key.
   * Only for keys that belong to the user of the page. Default: false (a ConfigurationError).
   */
  dangerouslyAllowBrowser?: boolean;

  /**
   * Sends the key even though `NODE_TLS_REJECT_UNAUTHORIZED=0` turned certificate checks off for
   * the whole process, so anyone on the network path can read it. Loopback hosts never need
   * this. Default: false (a ConfigurationError, and no request leaves the client).
   */
  dangerouslyAllowInsecureTLS?: boolean;

  /**
   * Lets `defaultHeaders` and the `headers` request option set `authorization`, which then
   * replaces the `Bearer` header built from `apiKey` (for a gateway with its own scheme). The
   * value is sent to `baseURL` like the key. Default: false (a ConfigurationError).
   */
  dangerouslyAllowAuthorizationHeader?: boolean;

  /**
   * Metrics (`client.metrics`, on by default), audit events (`onEvent`, `client.events`),
   * logging (`logger`, `logLevel` or `MISTRAL_LOG`) and the OpenTelemetry bridge. `false` turns
   * all of it off, including metrics. See {@link TelemetryOptions}.
   */
  telemetry?: TelemetryOptions | false;
}

/** Server of one resource; the key defaults to the client's. */
export interface EndpointOptions {
  baseURL: string;
  apiKey?: ApiKeySource;
}

/** Retry timing. Which failures are retried is fixed; see the README. */
export interface RetryOptions {
  /** First backoff delay in milliseconds before jitter. Default: 500. */
  initialDelayMs?: number;

  /** Maximum backoff delay in milliseconds. Default: 8000. */
  maxDelayMs?: number;

  /**
   * Maximum server-requested wait (`Retry-After`) the client sleeps through, in milliseconds. A
   * longer one fails at once with `retryAfterMs` set, so the caller can reschedule. Default: 60000.
   */
  maxRetryAfterMs?: number;
}

/** Options accepted by every operation, overriding the client's for one call. */
export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxRetries?: number;

  /** Extra headers for this call, checked like `defaultHeaders`. */
  headers?: Record<string, string>;

  /**
   * End user the call is made for. Per-user rate limits, budgets and metrics key on it. It is not
   * sent to the API.
   */
  user?: string;

  /**
   * Fields merged verbatim into the JSON body, for fields the API added after this release.
   * They override fields of the same name.
   */
  extraBody?: Record<string, unknown>;
}
