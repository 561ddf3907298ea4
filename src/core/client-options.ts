import type { RateLimitOptions } from "../guard/rate-limit-options.js";
import type { RateLimiter } from "../guard/rate-limiter.js";
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

  /** Longest silence in milliseconds between two stream reads. Default: 30000. */
  idleTimeoutMs?: number;

  /** Retries after the first attempt. Default: `MISTRAL_MAX_RETRIES`, else 2. */
  maxRetries?: number;

  /** Retry timing; see {@link RetryOptions}. */
  retry?: RetryOptions;

  /** Largest JSON response body read, in bytes. Default: 32 MiB. */
  maxResponseBytes?: number;

  /** Largest single stream line, in bytes. Default: 1 MiB. */
  maxStreamLineBytes?: number;

  /** The `fetch` used for every request. Default: `globalThis.fetch`. */
  fetch?: FetchFunction;

  /**
   * Headers sent with every request. Names and values are checked for control characters;
   * `authorization` is rejected here, because the key must come from `apiKey`.
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

  /** Callbacks run for every call: metrics, audit events, logging. See {@link CallObserver}. */
  observers?: CallObserver[];
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

  /** Longest backoff delay in milliseconds. Default: 8000. */
  maxDelayMs?: number;

  /**
   * Longest server-requested wait (`Retry-After`) the client sleeps through, in milliseconds.
   * A longer one fails at once with `retryAfterMs` set, so the caller can reschedule. Default: 60000.
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
