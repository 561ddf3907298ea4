import { parseErrorBody } from "./error-body.js";
import type { MistralError } from "./errors/mistral-error.js";
import { AbortError, StreamError } from "./errors/transport-errors.js";
import {
  isErrorObject,
  maxPayloadPreview,
  maxQuotedMessage,
  SseBodyReader,
  type StreamLimits,
} from "./sse-body-reader.js";
import type { ApiResponse } from "./transport.js";

/** Bounds, checks and hooks of a {@link JsonEventStream}. */
export interface JsonStreamOptions<T> extends StreamLimits {
  /**
   * Called when the body ends without `data: [DONE]`. Returns true when what was read is known to
   * be whole anyway (for chat, every choice sent a `finish_reason`).
   */
  acceptEndWithoutDone: () => boolean;
  /**
   * Checks the shape of each parsed payload. Returns why it is invalid, or undefined when it is
   * valid, and an invalid payload ends the stream with a StreamError. Default: every value is
   * valid.
   */
  describeInvalidValue?: (value: unknown) => string | undefined;
  /** Called with each valid value before the reader gets it. An error it throws ends the stream. */
  onValue?: (value: T) => void;
  /**
   * Called once when the stream ends, after its final event or with the error that ended it. A
   * reader that stops early ends it with an AbortError. What this throws after the final event
   * rejects that last `next()`.
   */
  onEnd?: (outcome: StreamOutcome) => void;
}

/** Outcome of a stream: ended after its final event, or failed with an error. */
export type StreamOutcome = { failed: false } | { failed: true; error: unknown };

type Result<T> = IteratorResult<T, void>;

const doneResult: Result<never> = Object.freeze({ done: true, value: undefined });

/**
 * Iterates the `data:` payloads of an SSE response parsed as JSON, until `data: [DONE]`. The
 * sentinel is compared before any parsing, so it never reaches `JSON.parse`, and anything after it
 * is ignored. A payload that is not JSON, an error object sent mid-stream, or a payload that
 * `describeInvalidValue` rejects ends the stream with a StreamError instead of being skipped.
 *
 * Only a read of the body waits. The events of a read are decoded and parsed one at a time as
 * they are taken, so an event costs one settled promise rather than the steps of nested async
 * generators. No event waits in memory as an object.
 * Leaving the loop early, a timeout or an abort cancels the body, which closes the connection.
 * The call ends with the stream.
 */
export class JsonEventStream<T> implements AsyncGenerator<T, void, undefined> {
  readonly #api: ApiResponse;
  readonly #options: JsonStreamOptions<T>;
  #body: SseBodyReader | undefined;
  /** True while a `next()` waits for a read. Later calls wait for `#pending`, one at a time. */
  #reading = false;
  #pending: Promise<Result<T>> | undefined;
  #finished = false;

  constructor(api: ApiResponse, options: JsonStreamOptions<T>) {
    this.#api = api;
    this.#options = options;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Result<T>> {
    if (this.#reading) {
      const after = () => this.next();
      return this.#pending!.then(after, after);
    }

    if (this.#body !== undefined && !this.#finished) {
      try {
        const result = this.#takeNext();
        if (result !== undefined) return Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    }

    this.#reading = true;
    const pending = this.#readAndTake();
    // The read may have ended before the first await, which already cleared `#reading`.
    if (this.#reading) this.#pending = pending;
    return pending;
  }

  /** Stops reading, which cancels the body and ends the call as aborted. */
  async return(): Promise<Result<T>> {
    if (this.#reading) await this.#pending!.catch(() => {});
    this.#stopEarly(new AbortError("The stream was closed before its end by its reader"));
    return doneResult;
  }

  /** Stops reading like `return()`, then rejects with `error`. */
  async throw(error: unknown): Promise<Result<T>> {
    if (this.#reading) await this.#pending!.catch(() => {});
    this.#stopEarly(error);
    throw error;
  }

  async #readAndTake(): Promise<Result<T>> {
    try {
      if (this.#finished) return doneResult;
      for (;;) {
        let more = false;
        try {
          more = await this.#read();
        } catch (error) {
          this.#failRead(error);
        }

        const result = this.#takeNext();
        if (result !== undefined) return result;
        if (!more) return this.#endWithoutDone();
      }
    } finally {
      this.#reading = false;
      this.#pending = undefined;
    }
  }

  /** Reads once into the decoder; false once the body has ended. */
  #read(): Promise<boolean> {
    if (this.#body === undefined) return this.#open();
    return this.#body.read();
  }

  async #open(): Promise<boolean> {
    this.#body = new SseBodyReader(this.#api, this.#options);
    await this.#body.checkContentType();
    return this.#body.read();
  }

  /**
   * Takes the next event the reads so far completed: a value, the end marker, or a StreamError.
   * Returns undefined when they completed no other event.
   */
  #takeNext(): Result<T> | undefined {
    let data: string | undefined;
    try {
      data = this.#body!.nextData();
    } catch (error) {
      this.#failRead(error);
    }

    if (data === undefined) return undefined;
    if (isEndMarker(data)) {
      this.#finish(false);
      this.#api.call?.end();
      this.#options.onEnd?.({ failed: false });
      return doneResult;
    }

    let value: T;
    try {
      value = parseEventData<T>(data, this.#api, this.#options.describeInvalidValue);
      this.#options.onValue?.(value);
    } catch (error) {
      this.#failRead(error);
    }

    return { done: false, value };
  }

  /**
   * Ends the stream after a body without `data: [DONE]`. It fails with a StreamError unless
   * `acceptEndWithoutDone()` accepts what was read.
   */
  #endWithoutDone(): Result<T> {
    this.#finish(false);
    if (!this.#options.acceptEndWithoutDone()) {
      this.#fail(
        new StreamError(
          `The stream of ${this.#api.description} ended before its final event: ` +
            "the output is incomplete; retry the request",
        ),
      );
    }

    this.#api.call?.end();
    this.#options.onEnd?.({ failed: false });
    return doneResult;
  }

  /**
   * Fails the stream after a read error or a bad event. The call ends with the error first,
   * because closing the body would end it as aborted.
   */
  #failRead(error: unknown): never {
    this.#api.call?.end({ error: error as MistralError });
    this.#finish(true);
    return this.#fail(error);
  }

  #fail(error: unknown): never {
    this.#api.call?.end({ error: error as MistralError });
    this.#options.onEnd?.({ failed: true, error });
    throw error;
  }

  #stopEarly(reason: unknown): void {
    if (this.#finished) return;
    this.#finish(true);
    this.#api.call?.end({ error: this.#api.timer.failure });
    this.#options.onEnd?.({ failed: true, error: reason });
  }

  /** Closes the body. `early` is true when it stopped before its end marker or its end. */
  #finish(early: boolean): void {
    this.#finished = true;
    if (this.#body === undefined) {
      // The body was missing, or the reader stopped before the first read.
      if (this.#api.response.body === null) {
        this.#api.timer.finish();
        return;
      }

      this.#body = new SseBodyReader(this.#api, this.#options);
    }

    this.#body.close(early);
  }
}

/** `data: [DONE]`, also with white space around it. A JSON object payload is never the marker. */
function isEndMarker(data: string): boolean {
  return data === "[DONE]" || (data.charCodeAt(0) !== 123 && data.trim() === "[DONE]");
}

function parseEventData<T>(
  data: string,
  api: ApiResponse,
  describeInvalidValue: ((value: unknown) => string | undefined) | undefined,
): T {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw new StreamError(
      `The stream of ${api.description} sent an event that is not valid JSON: ` +
        "the output is incomplete; retry the request",
      { payload: previewOf(api, data), cause: error, requestId: api.requestId },
    );
  }

  if (isErrorObject(value)) {
    const message = parseErrorBody(data).message ?? "unknown error";
    throw new StreamError(
      `The server reported an error in the stream of ${api.description}: ` +
        api.redact(message).slice(0, maxQuotedMessage),
      { payload: previewOf(api, data), requestId: api.requestId },
    );
  }

  const problem = describeInvalidValue?.(value);
  if (problem !== undefined) {
    throw new StreamError(
      `The stream of ${api.description} sent an invalid event (${problem}): ` +
        "the output is incomplete; retry the request",
      { payload: previewOf(api, data), requestId: api.requestId },
    );
  }

  return value as T;
}

function previewOf(api: ApiResponse, data: string): string {
  return api.redact(data).slice(0, maxPayloadPreview);
}
