import { MistralError, type MistralErrorOptions } from "./mistral-error.js";

/** The connection failed before a complete response arrived (refused, reset, DNS, TLS). */
export class ConnectionError extends MistralError {
  override readonly kind = "connection";
}

/** Phases a timeout can fire in; each has its own limit. */
export type TimeoutPhase = "headers" | "idle" | "total";

/** A configured time limit passed. `phase` and `timeoutMs` say which one. */
export class TimeoutError extends MistralError {
  override readonly kind = "timeout";
  readonly phase: TimeoutPhase;
  readonly timeoutMs: number;

  constructor(
    message: string,
    details: { phase: TimeoutPhase; timeoutMs: number } & MistralErrorOptions,
  ) {
    super(message, details);
    this.phase = details.phase;
    this.timeoutMs = details.timeoutMs;
  }
}

/** The caller aborted the request (signal, `stream.abort()`, or leaving a `for await` early). */
export class AbortError extends MistralError {
  override readonly kind = "abort";
}

/** A stream was malformed or ended before its terminating event. */
export class StreamError extends MistralError {
  override readonly kind = "stream";

  /** Start of the offending event payload, capped, when one was read. */
  readonly payload: string | undefined;

  constructor(message: string, details: { payload?: string } & MistralErrorOptions = {}) {
    super(message, details);
    this.payload = details.payload;
  }
}

/** A response body or stream line went past a configured size bound. */
export class ResponseTooLargeError extends MistralError {
  override readonly kind = "response_too_large";
  readonly limitBytes: number;

  constructor(message: string, details: { limitBytes: number } & MistralErrorOptions) {
    super(message, details);
    this.limitBytes = details.limitBytes;
  }
}
