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
 * Owns the AbortController of one attempt and the deadlines that can fire it: total, time to
 * headers, and idle time between body reads. A caller's signal aborts it too, but can never turn a
 * deadline off. After `finish()` no timer or listener is left behind.
 *
 * One timer serves the three deadlines. When it fires, it checks them all and is set again for the
 * next one, so a call that ends before its first deadline sets a single timer.
 */
export class AttemptTimer {
  readonly controller = new AbortController();
  #failure: MistralError | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Time (`Date.now()`) the timer is set to fire at. */
  #timerDeadline = 0;
  readonly #totalDeadline: number;
  readonly #headersDeadline: number;
  #lastActivity: number;
  #headersReceived = false;
  readonly #limits: AttemptLimits;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #description: string;
  readonly #onCallerAbort = () => this.#fail(abortErrorFrom(this.#callerSignal!));
  readonly #onTimer = () => this.#checkDeadlines();
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
    const now = Date.now();
    this.#lastActivity = now;
    this.#totalDeadline = now + limits.timeoutMs;
    this.#headersDeadline =
      limits.headersTimeoutMs < limits.timeoutMs
        ? now + limits.headersTimeoutMs
        : Number.POSITIVE_INFINITY;
    if (callerSignal?.aborted) {
      this.#onCallerAbort();
      return;
    }

    callerSignal?.addEventListener("abort", this.#onCallerAbort, { once: true });
    this.#setTimer(now, true);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The timeout or abort that ended the attempt, if one did. */
  get failure(): MistralError | undefined {
    return this.#failure;
  }

  /**
   * Ends the headers deadline and starts the idle one. The timer is set again only when it would
   * fire after the idle deadline.
   */
  headersReceived(): void {
    this.#headersReceived = true;
    const now = Date.now();
    this.#lastActivity = now;
    if (this.#timer !== undefined && this.#timerDeadline > now + this.#limits.idleTimeoutMs) {
      clearTimeout(this.#timer);
      this.#setTimer(now);
    }
  }

  /**
   * Records a body read. Cheap on purpose: it stores a time, and the timer sets itself again from
   * that time when it fires, so a fast stream does not reset a timer per chunk.
   */
  activity(): void {
    this.#lastActivity = Date.now();
  }

  /**
   * Returns a reader of the attempt's response body. When the attempt fails, the reader's lock is
   * released, which rejects a pending read, and the body is cancelled. So a read ends on a timeout
   * or abort even when a caller's fetch ignores the signal.
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
    clearTimeout(this.#timer);
    this.#timer = undefined;
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

  /**
   * Sets the timer for the earliest deadline that can still apply. Only the first setting counts
   * the idle time before the headers, so `headersReceived()` rarely has to set it again, and a
   * short idle time does not wake the timer repeatedly while the headers are awaited.
   */
  #setTimer(now: number, first = false): void {
    const idleTimeoutMs = this.#limits.idleTimeoutMs;
    let next = Math.min(this.#totalDeadline, this.#headersDeadline);
    if (this.#headersReceived) {
      next = Math.min(this.#totalDeadline, this.#lastActivity + idleTimeoutMs);
    } else if (first) {
      next = Math.min(next, now + idleTimeoutMs);
    }

    this.#timerDeadline = next;
    this.#timer = setTimeout(this.#onTimer, Math.max(1, next - now));
  }

  #checkDeadlines(): void {
    this.#timer = undefined;
    if (this.#finished) return;
    const now = Date.now();
    const { timeoutMs, headersTimeoutMs, idleTimeoutMs } = this.#limits;
    if (!this.#headersReceived) {
      if (now >= this.#headersDeadline) {
        this.#fail(this.#headersTimeout("headersTimeoutMs", headersTimeoutMs));
      } else if (now >= this.#totalDeadline) {
        this.#fail(this.#headersTimeout("timeoutMs", timeoutMs));
      } else {
        this.#setTimer(now);
      }

      return;
    }

    const idleDeadline = this.#lastActivity + idleTimeoutMs;
    if (now >= idleDeadline && idleDeadline < this.#totalDeadline) {
      this.#fail(this.#idleTimeout());
    } else if (now >= this.#totalDeadline) {
      this.#fail(this.#totalTimeout());
    } else {
      this.#setTimer(now);
    }
  }

  #idleTimeout(): TimeoutError {
    const limit = this.#limits.idleTimeoutMs;
    return new TimeoutError(
      `The stream from ${this.#description} was idle for ${limit} ms (idleTimeoutMs): ` +
        "raise idleTimeoutMs if the model pauses longer, or retry",
      { phase: "idle", timeoutMs: limit },
    );
  }

  #totalTimeout(): TimeoutError {
    const limit = this.#limits.timeoutMs;
    return new TimeoutError(
      `${this.#description} did not complete within ${limit} ms (timeoutMs): ` +
        "raise timeoutMs for long outputs, or use streaming",
      { phase: "total", timeoutMs: limit },
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
