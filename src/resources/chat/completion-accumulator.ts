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
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
}

/**
 * Builds the final completion from stream chunks. Tool calls are merged by `index`, or by a real
 * `id` when there is no index; placeholders (`id: "null"`, empty names) never replace known
 * values. Thinking chunks stay apart from the answer text.
 */
export class CompletionAccumulator {
  #first: ChatCompletionChunk | undefined;
  #usage: UsageInfo | undefined;
  readonly #choices = new Map<number, ChoiceState>();

  push(chunk: ChatCompletionChunk): void {
    this.#first ??= chunk;
    if (chunk.usage) this.#usage = chunk.usage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      const state = this.#choice(typeof choice.index === "number" ? choice.index : 0);
      if (choice.delta) applyDelta(state, choice.delta);
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
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
      state = { role: "assistant", parts: [], toolCalls: [], finishReason: null };
      this.#choices.set(index, state);
    }

    return state;
  }
}

function applyDelta(state: ChoiceState, delta: DeltaMessage): void {
  if (typeof delta.role === "string") state.role = delta.role;
  const content = delta.content;
  if (typeof content === "string") {
    appendText(state.parts, content);
  } else if (Array.isArray(content)) {
    for (const chunk of content) appendChunk(state.parts, chunk);
  }

  if (Array.isArray(delta.tool_calls)) {
    for (const fragment of delta.tool_calls) mergeToolCall(state.toolCalls, fragment);
  }
}

function appendText(parts: Array<string | ContentChunk>, text: string): void {
  if (text === "") return;
  const last = parts.length - 1;
  if (last >= 0 && typeof parts[last] === "string") {
    parts[last] += text;
  } else {
    parts.push(text);
  }
}

function appendChunk(parts: Array<string | ContentChunk>, chunk: ContentChunk): void {
  if (chunk.type === "text" && typeof chunk.text === "string") {
    appendText(parts, chunk.text);
    return;
  }

  const last = parts[parts.length - 1];
  if (chunk.type === "thinking" && isThinking(last) && Array.isArray(chunk.thinking)) {
    mergeThinking(last, chunk);
    return;
  }

  parts.push(chunk.type === "thinking" ? copyThinking(chunk) : chunk);
}

type ThinkingChunk = ContentChunk & { type: "thinking"; thinking: ContentChunk[] };

function isThinking(part: string | ContentChunk | undefined): part is ThinkingChunk {
  return typeof part === "object" && part.type === "thinking" && Array.isArray(part.thinking);
}

/** Copies a thinking chunk so later merges never change the object the caller received. */
function copyThinking(chunk: ContentChunk): ContentChunk {
  const source = (chunk as { thinking?: unknown }).thinking;
  const thinking = Array.isArray(source) ? [...(source as ContentChunk[])] : [];
  return { ...chunk, thinking } as ContentChunk;
}

function mergeThinking(target: ThinkingChunk, chunk: ContentChunk): void {
  for (const part of (chunk as { thinking: ContentChunk[] }).thinking) {
    const last = target.thinking[target.thinking.length - 1];
    if (part.type === "text" && last?.type === "text") {
      target.thinking[target.thinking.length - 1] = { ...last, text: `${last.text}${part.text}` };
    } else {
      target.thinking.push(part);
    }
  }

  if ("closed" in chunk) (target as { closed?: unknown }).closed = chunk.closed;
}

/** Plain text stays a string, as in non-streamed responses; anything else becomes a list. */
function assembleContent(parts: Array<string | ContentChunk>): string | ContentChunk[] {
  if (parts.length === 0) return "";
  if (parts.length === 1 && typeof parts[0] === "string") return parts[0];
  return parts.map((part) => (typeof part === "string" ? { type: "text", text: part } : part));
}

/** A real id: some servers send the string "null" or "" on continuation fragments. */
function isRealId(id: unknown): id is string {
  return typeof id === "string" && id !== "" && id !== "null";
}

function mergeToolCall(calls: ToolCall[], fragment: ToolCallDelta): void {
  const target = findToolCall(calls, fragment);
  if (isRealId(fragment.id) && !isRealId(target.id)) target.id = fragment.id;
  if (typeof fragment.type === "string" && fragment.type !== "") target.type = fragment.type;
  const fn = fragment.function;
  if (fn === undefined || fn === null) return;
  if (typeof fn.name === "string" && fn.name !== "" && target.function.name === "") {
    target.function.name = fn.name;
  }

  const args = fn.arguments;
  if (typeof args === "string") {
    target.function.arguments = `${target.function.arguments as string}${args}`;
  } else if (typeof args === "object" && args !== null) {
    target.function.arguments = JSON.stringify(args);
  }
}

/**
 * Picks the call a fragment belongs to: by `index` when present (0 included), else by a real id,
 * else the last call (a continuation without index or id).
 */
function findToolCall(calls: ToolCall[], fragment: ToolCallDelta): ToolCall {
  let target: ToolCall | undefined;
  if (typeof fragment.index === "number") {
    target = calls.find((call) => call.index === fragment.index);
    // Two whole calls that both say index 0 but carry different real ids are two calls.
    if (target && isRealId(fragment.id) && isRealId(target.id) && target.id !== fragment.id) {
      target = undefined;
    }
  } else if (isRealId(fragment.id)) {
    target = calls.find((call) => call.id === fragment.id);
  } else {
    target = calls[calls.length - 1];
  }

  if (target === undefined) {
    target = { id: "", type: "function", function: { name: "", arguments: "" } };
    const taken = calls.some((call) => call.index === fragment.index);
    target.index = typeof fragment.index === "number" && !taken ? fragment.index : calls.length;
    calls.push(target);
  }

  return target;
}
