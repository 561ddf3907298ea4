import type { MistralError } from "../../core/errors/mistral-error.js";
import { AbortError } from "../../core/errors/transport-errors.js";
import { JsonEventStream, type StreamOutcome } from "../../core/json-event-stream.js";
import { parseRateLimitHeaders, type RateLimitInfo } from "../../core/rate-limit-headers.js";
import type { ApiResponse } from "../../core/transport.js";
import type { ChatCompletionChunk, ContentChunk } from "../../types/chat.js";
import { type AssembledCompletion, CompletionAccumulator } from "./completion-accumulator.js";

/** A piece of streamed output of the first choice, by kind. */
export type ContentDelta =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool_call"; index: number | undefined; id?: string; name?: string; arguments?: string }
  | { type: "other"; chunk: ContentChunk };

/** Bytes a stream may carry on the wire per byte of text kept; see the constructor. */
const streamBytesFactor = 8;

/**
 * A streamed chat or FIM completion. Iterate it with `for await` for the raw chunks, or use
 * `textDeltas()` or `contentDeltas()`; `finalCompletion()` resolves once `data: [DONE]` arrived.
 * It can be iterated once. Leaving the loop early or calling `abort()` closes the connection.
 */
export class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  /** Request id of the response that carries this stream. */
  readonly requestId: string | undefined;
  readonly #api: ApiResponse;
  readonly #accumulator: CompletionAccumulator;
  readonly #chunks: JsonEventStream<ChatCompletionChunk>;
  readonly #final: Promise<AssembledCompletion>;
  #settle!: { resolve: (value: AssembledCompletion) => void; reject: (error: unknown) => void };
  #started = false;
  /** Null until `rateLimit` is first read. */
  #rateLimit: RateLimitInfo | undefined | null = null;

  /**
   * `maxLineBytes` bounds one line and one event (`maxStreamLineBytes`). `maxResponseBytes` bounds
   * the text kept for `finalCompletion()`, and 8 times it the bytes of the whole stream, since each
   * chunk wraps a few characters of text in about 200 bytes of JSON and SSE framing (a
   * 100,000-token answer is about 25 MB on the wire). Default: no bound on either.
   */
  constructor(api: ApiResponse, maxLineBytes: number, maxResponseBytes?: number) {
    this.#api = api;
    this.requestId = api.requestId;
    this.#accumulator = new CompletionAccumulator(maxResponseBytes);
    this.#chunks = new JsonEventStream<ChatCompletionChunk>(api, {
      maxLineBytes,
      maxStreamBytes:
        maxResponseBytes === undefined ? undefined : maxResponseBytes * streamBytesFactor,
      acceptEndWithoutDone: () => this.#accumulator.everyChoiceFinished,
      describeInvalidValue: describeInvalidChunk,
      onValue: (chunk) => this.#push(chunk),
      onEnd: (outcome) => this.#settleFinal(outcome),
    });
    this.#final = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // The result may never be asked for; a failure is still reported through the iterator.
    this.#final.catch(() => {});
  }

  [Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    if (this.#started) {
      throw new Error("This stream was already iterated: a stream can be read once");
    }

    this.#started = true;
    return this.#chunks;
  }

  /** Yields the answer text of the first choice as it arrives, without thinking. */
  async *textDeltas(): AsyncGenerator<string, void, undefined> {
    // Reads the chunks directly rather than through contentDeltas(), which saves an async step.
    for await (const chunk of this) {
      for (const delta of firstChoiceDeltas(chunk)) {
        if (delta.type === "text") yield delta.text;
      }
    }
  }

  /** Yields each piece of the first choice's output: text, thinking, tool-call fragments. */
  async *contentDeltas(): AsyncGenerator<ContentDelta, void, undefined> {
    for await (const chunk of this) {
      // A plain loop, because `yield*` over a sync generator adds an await per delta.
      for (const delta of firstChoiceDeltas(chunk)) yield delta;
    }
  }

  /**
   * Reads the rest of the stream, if no one is reading it, and resolves to the whole completion
   * in the shape `chat.create()` returns. `usage` is undefined if the server sent none.
   */
  async finalCompletion(): Promise<AssembledCompletion> {
    if (!this.#started) {
      for await (const _chunk of this) {
        // Reading to the end fills the accumulator.
      }
    }

    return this.#final;
  }

  /**
   * The API's `x-ratelimit-*` headers of the response carrying this stream, parsed on first
   * access; undefined when it carried none.
   */
  get rateLimit(): RateLimitInfo | undefined {
    if (this.#rateLimit === null)
      this.#rateLimit = parseRateLimitHeaders(this.#api.response.headers);
    return this.#rateLimit;
  }

  /** Closes the connection. A pending read rejects with an AbortError. */
  abort(): void {
    this.#api.timer.abort(new AbortError("The stream was aborted with stream.abort()"));
  }

  /**
   * Adds a chunk to the completion. A bound the accumulator raises ends the call with that error
   * here, before leaving the loop would end it as aborted.
   */
  #push(chunk: ChatCompletionChunk): void {
    try {
      this.#accumulator.push(chunk);
    } catch (error) {
      this.#api.call?.end({ error: error as MistralError });
      throw error;
    }

    if (isObject(chunk.usage)) this.#api.call?.noteUsage(chunk.usage, chunk.model);
  }

  /** Settles `finalCompletion()` once the stream ended, with the error that ended it if any. */
  #settleFinal(outcome: StreamOutcome): void {
    if (outcome.failed) {
      this.#settle.reject(outcome.error);
      return;
    }

    try {
      this.#settle.resolve(this.#accumulator.result());
    } catch (resultError) {
      this.#settle.reject(resultError);
      throw resultError;
    }
  }
}

/**
 * Describes why a parsed event is not a chat chunk, or returns undefined when it is one. Only what
 * no later API version could send is rejected: a chunk that is not an object, `choices` that is
 * not a list, and a choice that is not an object. Parts of the wrong type deeper down are skipped
 * by the readers instead.
 */
export function describeInvalidChunk(value: unknown): string | undefined {
  if (!isObject(value)) return "the chunk is not a JSON object";
  const choices = value.choices;
  if (choices === undefined || choices === null) return undefined;
  if (!Array.isArray(choices)) return "choices is not a list";
  if (!choices.every(isObject)) return "a choice is not a JSON object";
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstChoiceDeltas(chunk: ChatCompletionChunk): Iterable<ContentDelta> {
  const choice = chunk.choices?.find((item) => (item.index ?? 0) === 0);
  return isObject(choice?.delta) ? splitDelta(choice.delta) : [];
}

function* splitDelta(
  delta: ChatCompletionChunk["choices"][number]["delta"],
): Generator<ContentDelta> {
  const content = delta.content;
  if (typeof content === "string") {
    if (content !== "") yield { type: "text", text: content };
  } else if (Array.isArray(content)) {
    for (const chunk of content) {
      if (isObject(chunk)) yield classifyChunk(chunk as ContentChunk);
    }
  }

  const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
  for (const call of calls) {
    if (!isObject(call)) continue;
    const fn = isObject(call.function) ? call.function : undefined;
    const args = fn?.arguments;
    yield {
      type: "tool_call",
      index: typeof call.index === "number" ? call.index : undefined,
      ...(typeof call.id === "string" ? { id: call.id } : {}),
      ...(typeof fn?.name === "string" ? { name: fn.name } : {}),
      ...(args === undefined
        ? {}
        : { arguments: typeof args === "string" ? args : JSON.stringify(args) }),
    };
  }
}

function classifyChunk(chunk: ContentChunk): ContentDelta {
  if (chunk.type === "text" && typeof chunk.text === "string") {
    return { type: "text", text: chunk.text };
  }

  if (chunk.type === "thinking" && Array.isArray(chunk.thinking)) {
    let text = "";
    for (const part of chunk.thinking as unknown[]) {
      if (isObject(part) && part.type === "text" && typeof part.text === "string")
        text += part.text;
    }

    return { type: "thinking", text };
  }

  return { type: "other", chunk };
}
