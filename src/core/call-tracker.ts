import type { LimitPermit } from "../guard/rate-limiter.js";
import type { UsageInfo } from "../types/common.js";
import {
  anyObserves,
  type CallInfo,
  type CallObserver,
  notifyObservers,
  operationFromPath,
} from "./call-observer.js";
import type { MistralError } from "./errors/mistral-error.js";

/** Report of a call's end; every field is optional. */
export interface CallEnd {
  error?: MistralError | undefined;
  /** Parsed JSON body or assembled stream result; usage and model are read from it. */
  body?: unknown;
}

let sequence = 0;

/** Returns a short correlation id: 8 hex characters, unique within the process for 2^32 calls. */
function nextCallId(): string {
  sequence = (sequence + 1) >>> 0;
  const random = Math.floor(Math.random() * 0x10000);
  return ((sequence * 0x10000 + random) % 0x100000000).toString(16).padStart(8, "0");
}

/**
 * Follows one call from its start to its last byte for the observers and the limiter. A call
 * made with neither gets no tracker at all, so the pipeline pays nothing for them.
 */
export class CallTracker {
  readonly info: CallInfo;
  readonly #observers: readonly CallObserver[];
  readonly #startedAt = performance.now();
  #permit: LimitPermit | undefined;
  #attempts = 0;
  #firstByteMs: number | undefined;
  #status: number | undefined;
  #requestId: string | undefined;
  #usage: UsageInfo | undefined;
  #responseModel: string | undefined;
  #ended = false;

  constructor(
    observers: readonly CallObserver[],
    call: { operation?: string | undefined; method: string; path: string; stream: boolean },
    body: unknown,
    user: string | undefined,
  ) {
    this.#observers = observers;
    const model = (body as { model?: unknown } | undefined)?.model;
    this.info = {
      id: nextCallId(),
      operation: call.operation ?? operationFromPath(call.method, call.path),
      method: call.method,
      path: call.path,
      model: typeof model === "string" ? model : undefined,
      user,
      stream: call.stream,
      startedAt: Date.now(),
      requestBody: body,
    };
    notifyObservers(observers, "onCallStart", this.info);
  }

  set permit(permit: LimitPermit) {
    this.#permit = permit;
    if (permit.waitedMs > 0) {
      notifyObservers(this.#observers, "onThrottled", this.info, {
        waitedMs: permit.waitedMs,
        limit: permit.limit ?? "unknown",
      });
    }
  }

  attemptStarted(): void {
    this.#attempts++;
  }

  requestHeaders(headers: Readonly<Record<string, string>>): void {
    if (!anyObserves(this.#observers, "onRequestHeaders")) return;
    notifyObservers(this.#observers, "onRequestHeaders", this.info, {
      attempt: this.#attempts,
      headers,
    });
  }

  responseHeaders(
    status: number,
    headers: Headers,
    requestId: string | undefined,
    redact: (text: string) => string,
  ): void {
    const elapsedMs = performance.now() - this.#startedAt;
    this.#firstByteMs ??= elapsedMs;
    this.#status = status;
    this.#requestId = requestId;
    if (!anyObserves(this.#observers, "onResponseHeaders")) return;
    notifyObservers(this.#observers, "onResponseHeaders", this.info, {
      attempt: this.#attempts,
      status,
      headers,
      requestId,
      elapsedMs,
      redact,
    });
  }

  retrying(delayMs: number, error: MistralError): void {
    notifyObservers(this.#observers, "onRetry", this.info, {
      attempt: this.#attempts,
      delayMs,
      error,
    });
  }

  /** Records usage seen in a stream before it ends. */
  noteUsage(usage: UsageInfo | undefined, model: string | undefined): void {
    if (usage) this.#usage = usage;
    if (model) this.#responseModel = model;
  }

  /** Ends the call once; later calls are ignored. Releases the limiter with the real usage. */
  end(end: CallEnd = {}): void {
    if (this.#ended) return;
    this.#ended = true;
    const body = end.body as { usage?: UsageInfo | null; model?: unknown } | undefined;
    if (body && typeof body === "object") {
      if (body.usage) this.#usage = body.usage;
      if (typeof body.model === "string") this.#responseModel = body.model;
    }

    this.#permit?.release(this.#usage?.total_tokens);
    notifyObservers(this.#observers, "onCallEnd", this.info, {
      error: end.error,
      status: this.#status,
      requestId: this.#requestId,
      usage: this.#usage,
      responseModel: this.#responseModel,
      attempts: this.#attempts,
      durationMs: performance.now() - this.#startedAt,
      timeToFirstByteMs: this.#firstByteMs,
      responseBody: end.body,
    });
  }
}
