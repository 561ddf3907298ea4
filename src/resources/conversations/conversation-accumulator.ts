import { ResponseTooLargeError } from "../../core/errors/transport-errors.js";
import type {
  ConversationEvent,
  ConversationResponse,
  ConversationUsageInfo,
  KnownConversationEvent,
  OutputContentChunk,
  OutputEntry,
} from "../../types/conversations.js";

type JsonObject = Record<string, unknown>;

/** An output entry being built, with the content of a message kept as ordered parts. */
interface EntryState {
  entry: JsonObject;
  /** Message content: adjacent text merges into one string, other chunks keep their place. */
  parts?: Array<string | OutputContentChunk>;
}

/** Event fields copied onto the entry they build, when the event has them. */
const copiedFields = ["model", "agent_id"] as const;

/**
 * Builds the response of a streamed conversation turn from its events, in the shape the
 * non-streaming call returns. Deltas are merged into entries by entry id, in the order the
 * entries first appear. An empty name or id in a continuation never replaces a known one.
 */
export class ConversationAccumulator {
  #conversationId: string | undefined;
  #usage: ConversationUsageInfo | undefined;
  readonly #entries = new Map<string, EntryState>();
  readonly #maxTextLength: number;
  #textLength = 0;

  /**
   * `maxTextLength` bounds the text, thinking and arguments kept, in UTF-16 code units, which is
   * never more than their size in UTF-8 bytes. Default: no bound.
   */
  constructor(maxTextLength = Number.POSITIVE_INFINITY) {
    this.#maxTextLength = maxTextLength;
  }

  /** Adds one event. Throws a ResponseTooLargeError when the text kept passes the bound. */
  push(event: ConversationEvent): void {
    const known = event as KnownConversationEvent;
    switch (known.type) {
      case "conversation.response.started":
        if (isText(known.conversation_id)) this.#conversationId = known.conversation_id;
        return;
      case "conversation.response.done":
        this.#usage = known.usage;
        return;
      case "message.output.delta":
        this.#messageDelta(known);
        return;
      case "tool.execution.started":
      case "tool.execution.delta":
      case "tool.execution.done":
        this.#toolExecution(known);
        return;
      case "function.call.delta":
        this.#functionCall(known);
        return;
      case "agent.handoff.started":
      case "agent.handoff.done":
        this.#handoff(known);
        return;
      default:
        // Other events carry nothing the response keeps.
        return;
    }
  }

  /**
   * Returns the response assembled so far. `fallbackId` is used when no started event named the
   * conversation, such as the id an append was sent to.
   */
  result(fallbackId: string | undefined): ConversationResponse {
    const outputs = [...this.#entries.values()].map(finishEntry) as OutputEntry[];
    return {
      object: "conversation.response",
      conversation_id: this.#conversationId ?? fallbackId ?? "",
      outputs,
      usage: this.#usage ?? {},
    };
  }

  #entry(type: string, event: JsonObject): EntryState {
    const id = isText(event.id) ? event.id : `#${String(event.output_index ?? 0)}`;
    const key = `${type} ${id}`;
    let state = this.#entries.get(key);
    if (state === undefined) {
      const entry: JsonObject = { object: "entry", type };
      if (isText(event.id)) entry.id = event.id;
      if (event.created_at !== undefined) entry.created_at = event.created_at;
      state = { entry };
      this.#entries.set(key, state);
    }

    for (const field of copiedFields) {
      if (event[field] !== undefined && state.entry[field] === undefined) {
        state.entry[field] = event[field];
      }
    }

    return state;
  }

  #messageDelta(event: KnownConversationEvent & { type: "message.output.delta" }): void {
    const state = this.#entry("message.output", event);
    state.entry.role = "assistant";
    state.parts ??= [];
    const content = event.content;
    if (typeof content === "string") {
      this.#countText(content.length);
      appendText(state.parts, content);
    } else if (typeof content === "object" && content !== null) {
      this.#countText(chunkTextLength(content));
      appendChunk(state.parts, content);
    }
  }

  #toolExecution(event: KnownConversationEvent & { type: `tool.execution.${string}` }): void {
    const state = this.#entry("tool.execution", event);
    const entry = state.entry;
    if (isText(event.name) && !isText(entry.name)) entry.name = event.name;
    entry.arguments ??= "";
    if ("arguments" in event && typeof event.arguments === "string") {
      this.#countText(event.arguments.length);
      entry.arguments = `${entry.arguments as string}${event.arguments}`;
    }

    if (event.type === "tool.execution.done") {
      if (event.info !== undefined) entry.info = event.info;
      // The entry completed when its done event was sent.
      if (event.created_at !== undefined) entry.completed_at = event.created_at;
    }
  }

  #functionCall(event: KnownConversationEvent & { type: "function.call.delta" }): void {
    const entry = this.#entry("function.call", event).entry;
    if (isText(event.tool_call_id) && !isText(entry.tool_call_id)) {
      entry.tool_call_id = event.tool_call_id;
    }

    if (isText(event.name) && !isText(entry.name)) entry.name = event.name;
    if (typeof event.arguments === "string") {
      this.#countText(event.arguments.length);
      entry.arguments = `${(entry.arguments as string | undefined) ?? ""}${event.arguments}`;
    }

    if (event.confirmation_status !== undefined) {
      entry.confirmation_status = event.confirmation_status;
    }
  }

  #handoff(event: KnownConversationEvent & { type: `agent.handoff.${string}` }): void {
    const entry = this.#entry("agent.handoff", event).entry;
    if (event.type === "agent.handoff.started") {
      entry.previous_agent_id = event.previous_agent_id;
      entry.previous_agent_name = event.previous_agent_name;
      return;
    }

    entry.next_agent_id = event.next_agent_id;
    entry.next_agent_name = event.next_agent_name;
    if (event.created_at !== undefined) entry.completed_at = event.created_at;
  }

  #countText(length: number): void {
    this.#textLength += length;
    if (this.#textLength <= this.#maxTextLength) return;
    throw new ResponseTooLargeError(
      `The streamed conversation turn is longer than ${this.#maxTextLength} characters ` +
        "(maxResponseBytes): raise maxResponseBytes or lower completion_args.max_tokens",
      { limitBytes: this.#maxTextLength },
    );
  }
}

/** Length of the text a content chunk adds: its `text`, or the text pieces of its thinking. */
function chunkTextLength(chunk: OutputContentChunk): number {
  const text = (chunk as JsonObject).text;
  if (typeof text === "string") return text.length;
  if (!isThinking(chunk)) return 0;
  let length = 0;
  for (const piece of chunk.thinking) {
    const pieceText = (piece as JsonObject).text;
    if (typeof pieceText === "string") length += pieceText.length;
  }

  return length;
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function appendText(parts: Array<string | OutputContentChunk>, text: string): void {
  if (text === "") return;
  const last = parts.length - 1;
  if (last >= 0 && typeof parts[last] === "string") {
    parts[last] += text;
  } else {
    parts.push(text);
  }
}

type ThinkingChunk = OutputContentChunk & { type: "thinking"; thinking: OutputContentChunk[] };

function isThinking(part: string | OutputContentChunk | undefined): part is ThinkingChunk {
  return typeof part === "object" && part.type === "thinking" && Array.isArray(part.thinking);
}

/** Text chunks join the text; a thinking chunk right after another one merges into it. */
function appendChunk(parts: Array<string | OutputContentChunk>, chunk: OutputContentChunk): void {
  if (chunk.type === "text" && typeof chunk.text === "string") {
    appendText(parts, chunk.text);
    return;
  }

  if (!isThinking(chunk)) {
    parts.push(chunk);
    return;
  }

  const last = parts[parts.length - 1];
  if (!isThinking(last)) {
    // A copy, so later merges never change the object the caller received with the event.
    parts.push({ ...chunk, thinking: [...chunk.thinking] } as OutputContentChunk);
    return;
  }

  for (const piece of chunk.thinking) {
    const previous = last.thinking[last.thinking.length - 1];
    if (piece.type === "text" && previous?.type === "text") {
      last.thinking[last.thinking.length - 1] = {
        ...previous,
        text: `${previous.text as string}${piece.text as string}`,
      } as OutputContentChunk;
    } else {
      last.thinking.push(piece);
    }
  }

  if ("closed" in chunk) (last as JsonObject).closed = chunk.closed;
}

/** Plain text stays a string, as in non-streamed responses; anything else becomes a list. */
function finishEntry(state: EntryState): JsonObject {
  const parts = state.parts;
  if (parts === undefined) return state.entry;
  let content: string | OutputContentChunk[];
  if (parts.length === 0) {
    content = "";
  } else if (parts.length === 1 && typeof parts[0] === "string") {
    content = parts[0];
  } else {
    content = parts.map((part) => (typeof part === "string" ? { type: "text", text: part } : part));
  }

  return { ...state.entry, content };
}
