import { checkInsecureTLS } from "../guard/insecure-tls.js";
import { estimateTokens } from "../guard/token-estimate.js";
import { abortErrorFrom, fetchUntilAborted, sleep } from "./abort.js";
import { AttemptTimer } from "./attempt-timer.js";
import { isLoopbackHost } from "./base-url.js";
import { CallTracker } from "./call-tracker.js";
import type { RequestOptions } from "./client-options.js";
import { checkRequestLimits, type ResolvedConfig, readEnvironment } from "./config.js";
import type { MistralError } from "./errors/mistral-error.js";
import { ConnectionError } from "./errors/transport-errors.js";
import { checkHeaders, sentCredential } from "./headers.js";
import { networkErrorCode, sanitizeCause } from "./network-error.js";
import { buildURL, encodeBody, isStreamBody, withoutQuery } from "./request-encoding.js";
import { buildResponseError, readRequestId, removeSecret } from "./response-error.js";
import { backoffDelayMs, isRetryableStatus, readRetryAfterMs } from "./retry-policy.js";

export type QueryValue = string | number | boolean | null | undefined;

/** One API call, before it is sent. */
export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path starting with `/v1`, with parameters already encoded. */
  path: string;
  query?: Record<string, QueryValue | QueryValue[]> | undefined;
  /** JSON value, or a FormData, Blob, byte array or stream sent as is. */
  body?: unknown;
  /**
   * Length in bytes of a stream body, sent as `content-length` so the upload is not chunked.
   * The fetch must fail the request when the stream yields another number of bytes, as Node's
   * fetch does. Default: unknown, and a stream goes out with chunked encoding.
   */
  contentLength?: number | undefined;
  /** True when the response is a `text/event-stream`. */
  stream?: boolean;
  options?: RequestOptions | undefined;
  /**
   * `unsent` for calls that change server state (uploads, appends): such calls are retried only
   * where the server cannot have acted on them. Default: `always`.
   */
  retryMode?: "always" | "unsent";
  /** Base URL for this call only, such as a separate Codestral server. */
  baseURL?: string | undefined;
  /** Bounded name for metrics, such as `chat.create`; default: method and path template. */
  operation?: string | undefined;
}

/** A successful response whose body has not been read yet. */
export interface ApiResponse {
  response: Response;
  /**
   * Observers' and limiter's view of the call; undefined when the client has neither. The
   * code that reads the body ends it with `call.end()`.
   */
  call: CallTracker | undefined;
  /** Still running: the caller reads the body under it, then calls `finish()`. */
  timer: AttemptTimer;
  requestId: string | undefined;
  /** Such as `POST /v1/chat/completions`, for messages. */
  description: string;
  /** Method of the request, which decides whether an empty body is a valid reply. */
  method: ApiRequest["method"];
  /** Removes the credential the request carried from server text quoted in an error. */
  redact: (text: string) => string;
}

type AttemptResult =
  | { ok: true; value: ApiResponse }
  | { ok: false; error: MistralError; retryable: boolean; retryAfterMs?: number | undefined };

/** Sends requests: builds them, applies timeouts, classifies failures and retries. */
export class Transport {
  readonly #config: ResolvedConfig;
  readonly #userAgent: string;
  /** Whether each base URL seen (the client's, and FIM's where separate) names a loopback host. */
  readonly #loopback = new Map<string, boolean>();

  constructor(config: ResolvedConfig, userAgent: string) {
    this.#config = config;
    this.#userAgent = userAgent;
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  /** Sends the request, retrying where the retry rules allow, and returns the first success. */
  async send(request: ApiRequest): Promise<ApiResponse> {
    const options = request.options ?? {};
    checkRequestLimits(options);
    const { security } = this.#config;
    const baseURL = request.baseURL ?? this.#config.baseURL;
    // Checked again for each call, because the variable may be set after the client was created.
    // A loopback host needs no check, which spares a read of the environment.
    if (!this.#isLoopback(baseURL)) {
      checkInsecureTLS(baseURL, readEnvironment(), security.allowInsecureTLS);
    }
    const extraHeaders = options.headers
      ? checkHeaders(options.headers, "headers option", security.allowAuthorizationHeader)
      : {};
    const body = encodeBody(request);
    const call = this.#startCall(request);
    try {
      if (call) await this.#waitForLimits(call, request);
      const api = await this.#sendWithRetries(request, body, extraHeaders, call);
      if (call) {
        api.call = call;
        // JSON and stream readers end the call with its result; this ends it for other readers
        // (downloads, binary bodies) once their body is done.
        if (!request.stream) {
          api.timer.onFinish = () => queueMicrotask(() => call.end({ error: api.timer.failure }));
        }
      }

      return api;
    } catch (error) {
      call?.end({ error: error as MistralError });
      throw error;
    }
  }

  async #sendWithRetries(
    request: ApiRequest,
    body: BodyInit | undefined,
    extraHeaders: Record<string, string>,
    call: CallTracker | undefined,
  ): Promise<ApiResponse> {
    const options = request.options ?? {};
    const { retryBudget } = this.#config.pipeline;
    // A stream body is consumed by the first attempt and cannot be sent again.
    const maxRetries = isStreamBody(body) ? 0 : (options.maxRetries ?? this.#config.maxRetries);
    let keyRefreshed = false;
    for (let attempt = 0; ; attempt++) {
      call?.attemptStarted();
      const result = await this.#attempt(request, body, extraHeaders, call);
      if (result.ok) {
        return result.value;
      }

      // A 401 with a key function may mean the key rotated: read it again and retry once.
      if (isStatus(result.error, 401) && !keyRefreshed && this.#config.apiKey.canRefresh) {
        keyRefreshed = true;
        this.#config.apiKey.invalidate();
        call?.retrying(0, result.error);
        attempt--;
        continue;
      }

      if (!result.retryable || attempt >= maxRetries || retryBudget?.tryWithdraw() === false) {
        throw result.error;
      }

      const delayMs = this.#retryDelay(attempt + 1, result.retryAfterMs);
      call?.retrying(delayMs, result.error);
      await sleep(delayMs, options.signal);
    }
  }

  #isLoopback(baseURL: string): boolean {
    let loopback = this.#loopback.get(baseURL);
    if (loopback === undefined) {
      loopback = isLoopbackHost(new URL(baseURL).hostname);
      this.#loopback.set(baseURL, loopback);
    }

    return loopback;
  }

  /** Creates the call's tracker, or nothing when no observer, limiter or budget needs one. */
  #startCall(request: ApiRequest): CallTracker | undefined {
    const pipeline = this.#config.pipeline;
    pipeline.retryBudget?.recordCall();
    if (pipeline.observers.length === 0 && pipeline.limiter === undefined) {
      return undefined;
    }

    return new CallTracker(
      pipeline.observers,
      {
        operation: request.operation,
        method: request.method,
        path: request.path,
        stream: request.stream === true,
      },
      request.body,
      request.options?.user,
    );
  }

  async #waitForLimits(call: CallTracker, request: ApiRequest): Promise<void> {
    const { limiter, defaultCompletionTokens } = this.#config.pipeline;
    if (limiter === undefined) return;
    call.permit = await limiter.acquire({
      user: request.options?.user,
      estimatedTokens: estimateTokens(request.body, defaultCompletionTokens),
      signal: request.options?.signal,
    });
  }

  #observeHeaders(
    call: CallTracker,
    response: Response,
    requestId: string | undefined,
    redact: (text: string) => string,
  ): void {
    call.responseHeaders(response.status, response.headers, requestId, redact);
    const retryAfterMs = response.status === 429 ? readRetryAfterMs(response.headers) : undefined;
    // One response must not pause the client for longer than it would wait before a retry.
    const pauseMs =
      retryAfterMs === undefined
        ? undefined
        : Math.min(retryAfterMs, this.#config.retry.maxRetryAfterMs);
    this.#config.pipeline.limiter?.observeResponse(response.status, response.headers, pauseMs);
  }

  #retryDelay(retry: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) {
      return retryAfterMs;
    }

    const { initialDelayMs, maxDelayMs } = this.#config.retry;
    return backoffDelayMs(retry, initialDelayMs, maxDelayMs);
  }

  async #attempt(
    request: ApiRequest,
    body: BodyInit | undefined,
    extraHeaders: Record<string, string>,
    call: CallTracker | undefined,
  ): Promise<AttemptResult> {
    const url = buildURL(request.baseURL ?? this.#config.baseURL, request.path, request.query);
    const description = `${request.method} ${request.path}`;
    const timer = new AttemptTimer(
      this.#limits(request.options),
      request.options?.signal,
      description,
    );
    let response: Response;
    let key = "";
    try {
      // The timer already runs, so a key function that never settles still times out.
      key = this.#config.apiKey.fixedKey() ?? (await this.#config.apiKey.get(timer.signal));
      // A caller's signal may have aborted already: then nothing is sent.
      if (timer.failure !== undefined) throw timer.failure;
      const headers = this.#headers(request, body, extraHeaders, key);
      call?.requestHeaders(headers);
      const pending = this.#config.fetch(url, {
        method: request.method,
        headers,
        body,
        signal: timer.signal,
        // "error" keeps the key away from a redirect target. It is also the only mode in which
        // Node's fetch (undici 6) sends the request as is: any other mode copies it first,
        // splitting the body in two, which costs over 100 µs per call and buffers a whole upload.
        redirect: "error",
        ...(isStreamBody(body) ? { duplex: "half" } : {}),
      } as RequestInit);
      response = await fetchUntilAborted(pending, timer.signal);
    } catch (error) {
      timer.finish();
      const secret = sentCredential(key, extraHeaders, this.#config.defaultHeaders);
      return this.#classifyThrown(error, timer, request, url, secret);
    }

    timer.headersReceived();
    const secret = sentCredential(key, extraHeaders, this.#config.defaultHeaders);
    const requestId = readRequestId(response.headers, secret);
    const redact = (text: string) => removeSecret(text, secret);
    if (call) this.#observeHeaders(call, response, requestId, redact);
    if (response.ok) {
      return {
        ok: true,
        value: {
          response,
          timer,
          requestId,
          description,
          method: request.method,
          call: undefined,
          redact,
        },
      };
    }

    const error = await buildResponseError(
      response,
      timer,
      { method: request.method, url: withoutQuery(url) },
      secret,
    );
    timer.finish();
    return this.#classifyStatus(error, request);
  }

  #classifyStatus(
    error: Awaited<ReturnType<typeof buildResponseError>>,
    request: ApiRequest,
  ): AttemptResult {
    const retryAfterMs = error.retryAfterMs;
    if (retryAfterMs !== undefined && retryAfterMs > this.#config.retry.maxRetryAfterMs) {
      return { ok: false, error, retryable: false };
    }

    const status = error.status;
    const retryable =
      request.retryMode === "unsent" ? status === 429 || status === 503 : isRetryableStatus(status);
    return { ok: false, error, retryable, retryAfterMs };
  }

  #classifyThrown(
    error: unknown,
    timer: AttemptTimer,
    request: ApiRequest,
    url: string,
    secret: string,
  ): AttemptResult {
    const failure = timer.failure;
    if (failure?.kind === "abort") {
      return { ok: false, error: failure, retryable: false };
    }

    if (failure?.kind === "timeout") {
      return { ok: false, error: failure, retryable: request.retryMode !== "unsent" };
    }

    if (isMistralErrorLike(error)) {
      return { ok: false, error, retryable: false };
    }

    const signal = request.options?.signal;
    if (signal?.aborted) {
      return { ok: false, error: abortErrorFrom(signal), retryable: false };
    }

    const code = networkErrorCode(error);
    if (isRedirectFailure(error)) {
      // Node's fetch stops at the redirect without exposing its status.
      const redirectError = new ConnectionError(
        `The server responded to ${request.method} ${request.path} with a redirect: redirects ` +
          "are not followed, so the key never reaches another URL: set baseURL to the final URL",
        { cause: sanitizeCause(error, secret) },
      );
      return { ok: false, error: redirectError, retryable: false };
    }

    const connectionError = new ConnectionError(
      `Could not reach ${new URL(url).origin} for ${request.method} ${request.path}` +
        `${code ? ` (${code})` : ""}: check the network, proxy and baseURL`,
      { cause: sanitizeCause(error, secret) },
    );
    const retryable = request.retryMode !== "unsent" || code === "ECONNREFUSED";
    return { ok: false, error: connectionError, retryable };
  }

  #limits(options: RequestOptions | undefined) {
    const config = this.#config;
    return {
      timeoutMs: options?.timeoutMs ?? config.timeoutMs,
      headersTimeoutMs: options?.headersTimeoutMs ?? config.headersTimeoutMs,
      idleTimeoutMs: options?.idleTimeoutMs ?? config.idleTimeoutMs,
    };
  }

  #headers(
    request: ApiRequest,
    body: BodyInit | undefined,
    extraHeaders: Record<string, string>,
    key: string,
  ): Record<string, string> {
    // A caller's `authorization` reaches here only with dangerouslyAllowAuthorizationHeader.
    const headers: Record<string, string> = {
      accept: request.stream ? "text/event-stream" : "application/json",
      "user-agent": this.#userAgent,
      authorization: `Bearer ${key}`,
      ...this.#config.defaultHeaders,
      ...extraHeaders,
    };
    if (typeof body === "string") {
      headers["content-type"] = "application/json";
    }

    if (request.contentLength !== undefined) {
      headers["content-length"] = String(request.contentLength);
    }

    return headers;
  }
}

function isStatus(error: MistralError, status: number): boolean {
  return (error as { status?: unknown }).status === status;
}

/** True for fetch's failure at a redirect in `redirect: "error"` mode, or its cause's. */
function isRedirectFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    if (/redirect/i.test(current.message)) return true;
    current = current.cause;
  }

  return false;
}

function isMistralErrorLike(error: unknown): error is MistralError {
  return typeof error === "object" && error !== null && Symbol.for("mistralai-ts.error") in error;
}
