import { AbortError, StreamError } from "../../core/errors/transport-errors.js";
import { readServerSentEvents, type StreamState } from "../../core/event-stream.js";
import type { ServerSentEvent } from "../../core/sse-decoder.js";
import type { ApiResponse } from "../../core/transport.js";

/** Maximum length of the payload excerpt kept on a StreamError, in characters. */
const maxPayloadPreview = 200;

/** An event with its name in `type`, as the audio streams send them. */
export interface TypedEvent {
  type: string;
  [key: string]: unknown;
}

/**
 * A stream of named events (transcription or speech) that ends with one event of type
 * `doneType`. Iterate it with `for await` for every event in order, unknown types included, or
 * call `final()` for the last event. It can be iterated once. Leaving the loop early or calling
 * `abort()` closes the connection.
 */
export class AudioEventStream<TEvent extends TypedEvent, TDone> implements AsyncIterable<TEvent> {
  /** Request id of the response that carries this stream. */
  readonly requestId: string | undefined;
  readonly #api: ApiResponse;
  readonly #events: AsyncGenerator<TypedEvent, void, undefined>;
  readonly #doneType: string;
  readonly #final: Promise<TDone>;
  #settle!: { resolve: (value: TDone) => void; reject: (error: unknown) => void };
  #started = false;

  constructor(api: ApiResponse, maxLineBytes: number, doneType: string) {
    this.#api = api;
    this.requestId = api.requestId;
    this.#doneType = doneType;
    this.#events = readTypedEvents(api, maxLineBytes, doneType);
    this.#final = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // The result may never be asked for; a failure is still reported through the iterator.
    this.#final.catch(() => {});
  }

  [Symbol.asyncIterator](): AsyncGenerator<TEvent, void, undefined> {
    if (this.#started) {
      throw new Error("This stream was already iterated: a stream can be read once");
    }

    this.#started = true;
    return this.#iterate();
  }

  /** Reads the rest of the stream, if no one is reading it, and resolves to its last event. */
  async final(): Promise<TDone> {
    if (!this.#started) {
      for await (const _event of this) {
        // Reading to the end settles the result.
      }
    }

    return this.#final;
  }

  /** Closes the connection. A pending read rejects with an AbortError. */
  abort(): void {
    this.#api.timer.abort(new AbortError("The stream was aborted with stream.abort()"));
  }

  async *#iterate(): AsyncGenerator<TEvent, void, undefined> {
    let settled = false;
    try {
      for await (const event of this.#events) {
        if (event.type === this.#doneType) {
          settled = true;
          this.#settle.resolve(event as TDone);
        }

        yield event as TEvent;
      }
    } catch (error) {
      settled = true;
      this.#settle.reject(error);
      throw error;
    } finally {
      if (!settled) {
        this.#settle.reject(new AbortError("The stream was closed before its end by its reader"));
      }
    }
  }
}

/**
 * Yields each event's JSON data with its name in `type`, taken from the data or else from the
 * SSE `event:` field. Stops after the `doneType` event; a body that ends before it, a
 * `data: [DONE]` before it, a payload that is not a JSON object, or an error event fails with a
 * StreamError.
 */
async function* readTypedEvents(
  api: ApiResponse,
  maxLineBytes: number,
  doneType: string,
): AsyncGenerator<TypedEvent, void, undefined> {
  const state: StreamState = { ended: false };
  for await (const message of readServerSentEvents(api, { maxLineBytes }, state)) {
    if (message.data.trim() === "[DONE]") {
      state.ended = true;
      break;
    }

    const event = parseTypedEvent(message, api);
    if (event.type === doneType) {
      // Marked before the yield, so a reader that stops at this event does not abort the body.
      state.ended = true;
      yield event;
      return;
    }

    yield event;
  }

  throw new StreamError(
    `The stream of ${api.description} ended before its ${doneType} event: ` +
      "the output is incomplete; retry the request",
    { requestId: api.requestId },
  );
}

function parseTypedEvent(message: ServerSentEvent, api: ApiResponse): TypedEvent {
  let value: unknown;
  try {
    value = JSON.parse(message.data);
  } catch (error) {
    throw badEvent(api, message, "sent an event that is not valid JSON", error);
  }

  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badEvent(api, message, "sent an event that is not a JSON object");
  }

  const data = value as Record<string, unknown>;
  if (message.event === "error" || data.object === "error" || data.type === "error") {
    const text = typeof data.message === "string" ? data.message : "unknown error";
    throw badEvent(api, message, `reported an error: ${text.slice(0, 300)}`);
  }

  if (typeof data.type === "string") {
    return data as TypedEvent;
  }

  // The SSE default event name is "message" when the server sends no `event:` field.
  return { type: message.event ?? "message", ...data };
}

function badEvent(
  api: ApiResponse,
  message: ServerSentEvent,
  problem: string,
  cause?: unknown,
): StreamError {
  return new StreamError(`The stream of ${api.description} ${problem}`, {
    payload: message.data.slice(0, maxPayloadPreview),
    cause,
    requestId: api.requestId,
  });
}
