import { ResponseTooLargeError, StreamError } from "../../core/errors/transport-errors.js";
import type {
  ChatCompletionChunk,
  ChatCompletionResponse,
  ContentChunk,
  DeltaMessage,
  FinishReason,
  ToolCall,
  ToolCallDelta,
} from "../../types/chat.js";
import type { UsageInfo } from "../../types/common.js";

/**
 * A streamed completion after assembly. `usage` is undefined when the server sent none. Built with
 * Pick because Omit over a type with an index signature drops every named field.
 */
export interface AssembledCompletion
  extends Pick<ChatCompletionResponse, "id" | "object" | "model" | "created" | "choices"> {
  usage: UsageInfo | undefined;
}

interface ChoiceState {
  role: string;
  /** Ordered content: adjacent text merges into one string, other chunks keep their place. */
  parts: Array<string | ContentChunk>;
  /** Text not yet merged into `parts`, joined every `textPiecesPerJoin` pieces. */
  pendingText: string[];
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
}

/** Most choices a stream may carry. The API sends `n` of them, and `n` is far lower in practice. */
export const maxStreamChoices = 128;

/** Most tool calls one choice of a stream may carry. */
export const maxStreamToolCalls = 128;

/**
 * Max string length in V8, in UTF-16 code units (`buffer.constants.MAX_STRING_LENGTH` on 64-bit
 * Node 20). Text is bounded below it, so a huge `maxResponseBytes` cannot end in a RangeError.
 */
const maxEngineStringLength = 2 ** 29 - 24;

/**
 * Builds the final completion from stream chunks. Tool calls are merged by `index`, or by a real
 * `id` when there is no index, and placeholders (`id: "null"`, empty names) never replace known
 * values. Thinking chunks stay apart from the answer text. Parts of a chunk of the wrong type
 * (a `null` content item, a `delta` that is not an object) are skipped.
 */
export class CompletionAccumulator {
  #first: ChatCompletionChunk | undefined;
  #usage: UsageInfo | undefined;
  readonly #choices = new Map<number, ChoiceState>();
  readonly #maxTextLength: number;
  readonly #maxResponseBytes: number;
  /** UTF-16 code units of text, thinking and tool arguments kept so far, over all choices. */
  #textLength = 0;

  /**
   * `maxResponseBytes` bounds the text kept, in UTF-16 code units, which is never more than the
   * bytes of JSON that carried it. Default: no bound but the engine's.
   */
  constructor(maxResponseBytes = Number.POSITIVE_INFINITY) {
    this.#maxResponseBytes = maxResponseBytes;
    this.#maxTextLength = Math.min(maxResponseBytes, maxEngineStringLength);
  }

  /**
   * Adds one chunk. Throws a ResponseTooLargeError when the text passes `maxResponseBytes`, and a
   * StreamError past `maxStreamChoices` choices or `maxStreamToolCalls` tool calls in one choice.
   */
  push(chunk: ChatCompletionChunk): void {
    this.#first ??= chunk;
    if (isObject(chunk.usage)) this.#usage = chunk.usage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if (!isObject(choice)) continue;
      const state = this.#choice(typeof choice.index === "number" ? choice.index : 0);
      if (isObject(choice.delta)) this.#countText(applyDelta(state, choice.delta));
      if (typeof choice.finish_reason === "string") state.finishReason = choice.finish_reason;
    }
  }

  /** True when at least one choice was seen and every choice seen has a finish reason. */
  get everyChoiceFinished(): boolean {
    if (this.#choices.size === 0) return false;
    for (const state of this.#choices.values()) {
      if (state.finishReason === null) return false;
    }

    return true;
  }

  /** Returns the completion assembled so far, in the shape `chat.create()` returns. */
  result(): AssembledCompletion {
    const first = this.#first;
    const indexes = [...this.#choices.keys()].sort((a, b) => a - b);
    return {
      id: first?.id ?? "",
      object: "chat.completion",
      model: first?.model ?? "",
      created: first?.created ?? 0,
      usage: this.#usage,
      choices: indexes.map((index) => {
        const state = this.#choices.get(index)!;
        flushText(state);
        return {
          index,
          message: {
            role: "assistant",
            content: assembleContent(state.parts),
            tool_calls: state.toolCalls.length > 0 ? state.toolCalls : null,
          },
          finish_reason: state.finishReason as FinishReason,
        };
      }),
    };
  }

  #choice(index: number): ChoiceState {
    let state = this.#choices.get(index);
    if (state === undefined) {
      if (this.#choices.size >= maxStreamChoices) {
        throw new StreamError(
          `The stream sent more than ${maxStreamChoices} choices: the server or a proxy ` +
            "sent an invalid stream; retry the request",
        );
      }

      state = { role: "assistant", parts: [], pendingText: [], toolCalls: [], finishReason: null };
      this.#choices.set(index, state);
    }

    return state;
  }

  #countText(length: number): void {
    this.#textLength += length;
    if (this.#textLength <= this.#maxTextLength) return;
    const limit = this.#maxResponseBytes;
    throw new ResponseTooLargeError(
      `The streamed completion is longer than ${this.#maxTextLength} characters ` +
        `(maxResponseBytes is ${limit}): raise maxResponseBytes or lower max_tokens`,
      { limitBytes: this.#maxTextLength },
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> & object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Applies a delta and returns the UTF-16 length of the text it added. */
function applyDelta(state: ChoiceState, delta: DeltaMessage): number {
  if (typeof delta.role === "string") state.role = delta.role;
  let added = 0;
  const content = delta.content;
  if (typeof content === "string") {
    added += appendText(state, content);
  } else if (Array.isArray(content)) {
    for (const chunk of content) {
      if (isObject(chunk)) added += appendChunk(state, chunk as ContentChunk);
    }
  }

  if (Array.isArray(delta.tool_calls)) {
    for (const fragment of delta.tool_calls) {
      if (isObject(fragment)) added += mergeToolCall(state.toolCalls, fragment);
    }
  }

  return added;
}

/**
 * Text pieces joined at once. Appending each piece with `+=` would keep one string object per
 * chunk (a rope) until the end: about 650 KiB for a 20,000-chunk answer of 95 KB.
 */
const textPiecesPerJoin = 256;

function appendText(state: ChoiceState, text: string): number {
  if (text === "") return 0;
  state.pendingText.push(text);
  if (state.pendingText.length >= textPiecesPerJoin) flushText(state);
  return text.length;
}

/** Moves the pending text into `parts`, merged with a text part before it. */
function flushText(state: ChoiceState): void {
  if (state.pendingText.length === 0) return;
  const text = state.pendingText.join("");
  state.pendingText = [];
  const parts = state.parts;
  const last = parts.length - 1;
  if (last >= 0 && typeof parts[last] === "string") {
    parts[last] += text;
  } else {
    parts.push(text);
  }
}

function appendChunk(state: ChoiceState, chunk: ContentChunk): number {
  if (chunk.type === "text" && typeof chunk.text === "string") {
    return appendText(state, chunk.text);
  }

  flushText(state);
  const parts = state.parts;
  const last = parts[parts.length - 1];
  if (chunk.type === "thinking" && isThinking(last) && Array.isArray(chunk.thinking)) {
    return mergeThinking(last, chunk);
  }

  const part = chunk.type === "thinking" ? copyThinking(chunk) : chunk;
  parts.push(part);
  return isThinking(part) ? thinkingLength(part.thinking) : 0;
}

type ThinkingChunk = ContentChunk & { type: "thinking"; thinking: ContentChunk[] };

function isThinking(part: string | ContentChunk | undefined): part is ThinkingChunk {
  return typeof part === "object" && part.type === "thinking" && Array.isArray(part.thinking);
}

/**
 * Copies a thinking chunk so later merges never change the object the caller received. Items of
 * `thinking` that are not objects are dropped.
 */
function copyThinking(chunk: ContentChunk): ContentChunk {
  const source = (chunk as { thinking?: unknown }).thinking;
  const thinking = Array.isArray(source) ? source.filter(isObject) : [];
  return { ...chunk, thinking } as ContentChunk;
}

function thinkingLength(parts: ContentChunk[]): number {
  let length = 0;
  for (const part of parts) {
    if (part.type === "text" && typeof part.text === "string") length += part.text.length;
  }

  return length;
}

/** Merges the parts of a thinking chunk into the one before it and returns the text added. */
function mergeThinking(target: ThinkingChunk, chunk: ContentChunk): number {
  let added = 0;
  for (const part of (chunk as { thinking: unknown[] }).thinking) {
    if (!isObject(part)) continue;
    const item = part as ContentChunk;
    const last = target.thinking[target.thinking.length - 1];
    if (item.type === "text" && typeof item.text === "string" && last?.type === "text") {
      target.thinking[target.thinking.length - 1] = { ...last, text: `${last.text}${item.text}` };
      added += item.text.length;
    } else {
      target.thinking.push(item);
      added += thinkingLength([item]);
    }
  }

  if ("closed" in chunk) (target as { closed?: unknown }).closed = chunk.closed;
  return added;
}

/** Plain text stays a string, as in non-streamed responses; anything else becomes a list. */
function assembleContent(parts: Array<string | ContentChunk>): string | ContentChunk[] {
  if (parts.length === 0) return "";
  if (parts.length === 1 && typeof parts[0] === "string") return parts[0];
  return parts.map((part) => (typeof part === "string" ? { type: "text", text: part } : part));
}

/** Checks for a real id: some servers send the string "null" or "" on continuation fragments. */
function isRealId(id: unknown): id is string {
  return typeof id === "string" && id !== "" && id !== "null";
}

/** Merges a tool call fragment and returns the length of the argument text it added. */
function mergeToolCall(calls: ToolCall[], fragment: ToolCallDelta): number {
  const target = findToolCall(calls, fragment);
  if (isRealId(fragment.id) && !isRealId(target.id)) target.id = fragment.id;
  if (typeof fragment.type === "string" && fragment.type !== "") target.type = fragment.type;
  const fn = fragment.function;
  if (!isObject(fn)) return 0;
  if (typeof fn.name === "string" && fn.name !== "" && target.function.name === "") {
    target.function.name = fn.name;
  }

  const args = fn.arguments;
  if (typeof args === "string") {
    target.function.arguments = `${target.function.arguments as string}${args}`;
    return args.length;
  }

  if (typeof args === "object" && args !== null) {
    const previous = (target.function.arguments as string).length;
    target.function.arguments = JSON.stringify(args);
    return Math.max(0, target.function.arguments.length - previous);
  }

  return 0;
}

/**
 * Picks the call a fragment belongs to: by `index` when present (0 included), else by a real id,
 * else the last call (a continuation without index or id).
 */
function findToolCall(calls: ToolCall[], fragment: ToolCallDelta): ToolCall {
  let target: ToolCall | undefined;
  if (typeof fragment.index === "number") {
    target = calls.find((call) => call.index === fragment.index);
    // Two whole calls that both carry index 0 but different real ids are two calls.
    if (target && isRealId(fragment.id) && isRealId(target.id) && target.id !== fragment.id) {
      target = undefined;
    }
  } else if (isRealId(fragment.id)) {
    target = calls.find((call) => call.id === fragment.id);
  } else {
    target = calls[calls.length - 1];
  }

  if (target === undefined) {
    if (calls.length >= maxStreamToolCalls) {
      throw new StreamError(
        `The stream sent more than ${maxStreamToolCalls} tool calls in one choice: the server ` +
          "or a proxy sent an invalid stream; retry the request",
      );
    }

    target = { id: "", type: "function", function: { name: "", arguments: "" } };
    const taken = calls.some((call) => call.index === fragment.index);
    target.index = typeof fragment.index === "number" && !taken ? fragment.index : calls.length;
    calls.push(target);
  }

  return target;
}
