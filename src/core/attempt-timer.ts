import { abortErrorFrom } from "./abort.js";
import type { MistralError } from "./errors/mistral-error.js";
import { TimeoutError } from "./errors/transport-errors.js";

/** Limits of one attempt, in milliseconds. */
export interface AttemptLimits {
  timeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
}

/**
 * Owns the AbortController of one attempt and the three timers that can fire it: total, time to
 * headers, and idle time between body reads. A caller's signal aborts it too, but can never turn a
 * timer off. After `finish()` no timer or listener is left behind.
 */
export class AttemptTimer {
  readonly controller = new AbortController();
  #failure: MistralError | undefined;
  #totalTimer: ReturnType<typeof setTimeout> | undefined;
  #headersTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #lastActivity = 0;
  #headersReceived = false;
  readonly #limits: AttemptLimits;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #description: string;
  readonly #onCallerAbort = () => this.#fail(abortErrorFrom(this.#callerSignal!));
  #finished = false;
  #body: ReadableStream<Uint8Array> | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  /** Called once, the first time `finish()` runs. */
  onFinish: (() => void) | undefined;

  /** `description` names the call in messages, such as `POST /v1/chat/completions`. */
  constructor(limits: AttemptLimits, callerSignal: AbortSignal | undefined, description: string) {
    this.#limits = limits;
    this.#callerSignal = callerSignal;
    this.#description = description;
    if (callerSignal?.aborted) {
      this.#onCallerAbort();
      return;
    }

    callerSignal?.addEventListener("abort", this.#onCallerAbort, { once: true });
    this.#totalTimer = setTimeout(() => this.#onTotalTimeout(), limits.timeoutMs);
    if (limits.headersTimeoutMs < limits.timeoutMs) {
      this.#headersTimer = setTimeout(
        () => this.#fail(this.#headersTimeout("headersTimeoutMs", limits.headersTimeoutMs)),
        limits.headersTimeoutMs,
      );
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The timeout or abort that ended the attempt, if one did. */
  get failure(): MistralError | undefined {
    return this.#failure;
  }

  /** Stops the headers timer and starts the idle timer. */
  headersReceived(): void {
    this.#headersReceived = true;
    clearTimeout(this.#headersTimer);
    this.#headersTimer = undefined;
    if (this.#failure === undefined) {
      this.#lastActivity = Date.now();
      this.#scheduleIdleCheck(this.#limits.idleTimeoutMs);
    }
  }

  /**
   * Records a body read. Cheap on purpose: it stores a time, and the idle timer re-arms itself
   * from that time when it fires, so a fast stream does not reset a timer per chunk.
   */
  activity(): void {
    this.#lastActivity = Date.now();
  }

  /**
   * Returns a reader of the attempt's response body. When the attempt fails, its lock is
   * released, which rejects a pending read at once, and the body is cancelled. So a read ends on
   * a timeout or abort even where the fetch in use leaves the body open: Node's fetch ends it
   * through the signal, but a caller's fetch may not.
   */
  readerOf(body: ReadableStream<Uint8Array>): ReadableStreamDefaultReader<Uint8Array> {
    const reader = body.getReader();
    this.#body = body;
    this.#reader = reader;
    if (this.#failure !== undefined) this.#releaseBody(this.#failure);
    return reader;
  }

  /** Clears every timer and the caller's abort listener. Safe to call more than once. */
  finish(): void {
    clearTimeout(this.#totalTimer);
    clearTimeout(this.#headersTimer);
    clearTimeout(this.#idleTimer);
    this.#totalTimer = this.#headersTimer = this.#idleTimer = undefined;
    this.#callerSignal?.removeEventListener("abort", this.#onCallerAbort);
    if (!this.#finished) {
      this.#finished = true;
      this.onFinish?.();
    }
  }

  /** Aborts the attempt with the given error, unless it already ended. */
  abort(error: MistralError): void {
    this.#fail(error);
  }

  #scheduleIdleCheck(delayMs: number): void {
    this.#idleTimer = setTimeout(() => {
      const silentMs = Date.now() - this.#lastActivity;
      if (silentMs >= this.#limits.idleTimeoutMs) {
        const limit = this.#limits.idleTimeoutMs;
        this.#fail(
          new TimeoutError(
            `The stream from ${this.#description} was idle for ${limit} ms (idleTimeoutMs): ` +
              "raise idleTimeoutMs if the model pauses longer, or retry",
            { phase: "idle", timeoutMs: limit },
          ),
        );
      } else {
        this.#scheduleIdleCheck(this.#limits.idleTimeoutMs - silentMs);
      }
    }, delayMs);
  }

  #onTotalTimeout(): void {
    const limit = this.#limits.timeoutMs;
    if (!this.#headersReceived) {
      this.#fail(this.#headersTimeout("timeoutMs", limit));
      return;
    }

    this.#fail(
      new TimeoutError(
        `${this.#description} did not complete within ${limit} ms (timeoutMs): ` +
          "raise timeoutMs for long outputs, or use streaming",
        { phase: "total", timeoutMs: limit },
      ),
    );
  }

  #headersTimeout(option: string, limit: number): TimeoutError {
    return new TimeoutError(
      `No response headers within ${limit} ms from ${this.#description} (${option}): ` +
        `raise ${option} or check that the server is reachable`,
      { phase: "headers", timeoutMs: limit },
    );
  }

  #fail(error: MistralError): void {
    if (this.#failure !== undefined) {
      return;
    }

    this.#failure = error;
    this.finish();
    this.controller.abort(error);
    this.#releaseBody(error);
  }

  #releaseBody(error: MistralError): void {
    const body = this.#body;
    if (body === undefined) return;
    this.#body = undefined;
    // The reader's owner maps the TypeError of the rejected read to `failure`.
    this.#reader?.releaseLock();
    this.#reader = undefined;
    body.cancel(error).catch(() => {});
  }
}
