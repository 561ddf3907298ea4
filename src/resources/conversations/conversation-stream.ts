import { AbortError, StreamError } from "../../core/errors/transport-errors.js";
import { readServerSentEvents, type StreamState } from "../../core/event-stream.js";
import type { ServerSentEvent } from "../../core/sse-decoder.js";
import type { ApiResponse } from "../../core/transport.js";
import type {
  ConversationEvent,
  ConversationResponse,
  ConversationResponseErrorEvent,
  KnownConversationEvent,
} from "../../types/conversations.js";
import { ConversationAccumulator } from "./conversation-accumulator.js";

/** Maximum length, in characters, of the bad payload kept on a StreamError. */
const maxPayloadPreview = 200;

/** Bytes a stream may carry on the wire per byte of text kept, as for chat streams. */
const streamBytesFactor = 8;

/** Bounds of one conversation stream, in bytes. */
export interface ConversationStreamLimits {
  /** One line or event (`maxStreamLineBytes`). */
  maxLineBytes: number;
  /**
   * Text, thinking and arguments kept for `finalResponse()`. Eight times it bounds the whole
   * stream on the wire. Default: no bound on either.
   */
  maxResponseBytes?: number | undefined;
}

const knownEventTypes: ReadonlySet<string> = new Set<KnownConversationEvent["type"]>([
  "conversation.response.started",
  "conversation.response.done",
  "conversation.response.error",
  "message.output.delta",
  "tool.execution.started",
  "tool.execution.delta",
  "tool.execution.done",
  "function.call.delta",
  "agent.handoff.started",
  "agent.handoff.done",
]);

/** Narrows an event to the types this version of the library defines. */
export function isKnownConversationEvent(
  event: ConversationEvent,
): event is KnownConversationEvent {
  return knownEventTypes.has(event.type);
}

/**
 * A streamed conversation turn. Iterate it with `for await` for the typed events, or use
 * `textDeltas()`; `finalResponse()` resolves to the whole turn once `conversation.response.done`
 * arrived. It can be iterated once. Leaving the loop early or calling `abort()` closes the
 * connection.
 *
 * A stream ends with `conversation.response.done` or `conversation.response.error`. The error
 * event is yielded, then the iteration throws a StreamError with its message and code, so a loop
 * that ignores event types cannot take a failed turn for a complete one. A body that ends before
 * either event is a StreamError too.
 */
export class ConversationStream implements AsyncIterable<ConversationEvent> {
  /** Request id of the response that carries this stream. */
  readonly requestId: string | undefined;
  readonly #api: ApiResponse;
  readonly #maxLineBytes: number;
  readonly #maxStreamBytes: number | undefined;
  /** Conversation the request was sent to, for a stream whose started event is missing. */
  readonly #conversationId: string | undefined;
  readonly #accumulator: ConversationAccumulator;
  readonly #final: Promise<ConversationResponse>;
  #settle!: { resolve: (value: ConversationResponse) => void; reject: (error: unknown) => void };
  #started = false;

  constructor(api: ApiResponse, limits: ConversationStreamLimits, conversationId?: string) {
    this.#api = api;
    this.#maxLineBytes = limits.maxLineBytes;
    const maxResponseBytes = limits.maxResponseBytes;
    this.#maxStreamBytes =
      maxResponseBytes === undefined ? undefined : maxResponseBytes * streamBytesFactor;
    this.#accumulator = new ConversationAccumulator(maxResponseBytes);
    this.#conversationId = conversationId;
    this.requestId = api.requestId;
    this.#final = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // The result may never be asked for; a failure is still reported through the iterator.
    this.#final.catch(() => {});
  }

  [Symbol.asyncIterator](): AsyncGenerator<ConversationEvent, void, undefined> {
    if (this.#started) {
      throw new Error("This stream was already iterated: a stream can be read once");
    }

    this.#started = true;
    return this.#iterate();
  }

  /** Yields the text of the output messages as it arrives, without thinking or other chunks. */
  async *textDeltas(): AsyncGenerator<string, void, undefined> {
    for await (const event of this) {
      if (event.type !== "message.output.delta") continue;
      const content = (event as KnownConversationEvent & { type: "message.output.delta" }).content;
      if (typeof content === "string") {
        if (content !== "") yield content;
      } else if (content?.type === "text" && typeof content.text === "string") {
        if (content.text !== "") yield content.text;
      }
    }
  }

  /**
   * Reads the rest of the stream, if no one is reading it, and resolves to the whole turn in the
   * shape `start()`, `append()` and `restart()` return: outputs, usage and `conversation_id`.
   */
  async finalResponse(): Promise<ConversationResponse> {
    if (!this.#started) {
      for await (const _event of this) {
        // Reading to the end fills the accumulator.
      }
    }

    return this.#final;
  }

  /** Closes the connection. A pending read rejects with an AbortError. */
  abort(): void {
    this.#api.timer.abort(new AbortError("The stream was aborted with stream.abort()"));
  }

  async *#iterate(): AsyncGenerator<ConversationEvent, void, undefined> {
    const state: StreamState = { ended: false };
    let settled = false;
    try {
      const limits = { maxLineBytes: this.#maxLineBytes, maxStreamBytes: this.#maxStreamBytes };
      for await (const message of readServerSentEvents(this.#api, limits, state)) {
        const event = this.#parse(message);
        if (event === undefined) continue;
        this.#accumulator.push(event);
        if (event.type === "conversation.response.done") {
          state.ended = true;
          settled = true;
          this.#settle.resolve(this.#accumulator.result(this.#conversationId));
          yield event;
          return;
        }

        if (event.type === "conversation.response.error") {
          state.ended = true;
          const error = this.#serverError(event as ConversationResponseErrorEvent, message.data);
          settled = true;
          this.#settle.reject(error);
          yield event;
          throw error;
        }

        yield event;
      }

      throw new StreamError(
        `The stream of ${this.#api.description} ended before its final event: ` +
          "the output is incomplete; retry the request",
        { requestId: this.#api.requestId },
      );
    } catch (error) {
      if (!settled) {
        settled = true;
        this.#settle.reject(error);
      }

      throw error;
    } finally {
      if (!settled) {
        this.#settle.reject(new AbortError("The stream was closed before its end by its reader"));
      }
    }
  }

  /**
   * Parses one event. The type comes from the data's `type`, else from the `event:` line. A
   * `data: [DONE]` line, which these streams do not use, is skipped.
   */
  #parse(message: ServerSentEvent): ConversationEvent | undefined {
    const data = message.data;
    if (data.trim() === "[DONE]") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch (error) {
      throw new StreamError(
        `The stream of ${this.#api.description} sent an event that is not valid JSON: ` +
          "the output is incomplete; retry the request",
        { payload: data.slice(0, maxPayloadPreview), cause: error, requestId: this.#api.requestId },
      );
    }

    const fallbackType = message.event ?? "message";
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { type: fallbackType, data: value };
    }

    const object = value as Record<string, unknown>;
    if (object.object === "error") {
      const text = typeof object.message === "string" ? object.message : "unknown error";
      throw new StreamError(
        `The server reported an error in the stream of ${this.#api.description}: ` +
          text.slice(0, 300),
        { payload: data.slice(0, maxPayloadPreview), requestId: this.#api.requestId },
      );
    }

    return typeof object.type === "string"
      ? (object as ConversationEvent)
      : { type: fallbackType, ...object };
  }

  #serverError(event: ConversationResponseErrorEvent, data: string): StreamError {
    const text = typeof event.message === "string" ? event.message : "unknown error";
    const code = event.code === undefined ? "" : ` (code ${String(event.code)})`;
    return new StreamError(
      `The server reported an error in the stream of ${this.#api.description}: ` +
        `${text.slice(0, 300)}${code}`,
      { payload: data.slice(0, maxPayloadPreview), requestId: this.#api.requestId },
    );
  }
}
