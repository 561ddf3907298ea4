import type { CallOutcome } from "../core/call-observer.js";
import { bodyField } from "./gen-ai-attributes.js";
import { copyContent, maskTokens } from "./redaction.js";

/**
 * Conversion of Mistral request and response bodies to the message shape of the GenAI semantic
 * conventions (`gen_ai.input.messages`, `gen_ai.output.messages`): a list of `{ role, parts }`,
 * where a part is `{ type: "text", content }`, `{ type: "tool_call", id, name, arguments }`,
 * `{ type: "tool_call_response", id, response }`, or another typed chunk copied as it is.
 */

type Part = Record<string, unknown> & { type: string };

interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

/** Returns the input messages of a chat, agent, conversation or FIM request, or `undefined`. */
export function inputMessages(body: unknown): Message[] | undefined {
  const messages = bodyField(body, "messages");
  if (Array.isArray(messages)) {
    return messages.map(toMessage);
  }

  const prompt = bodyField(body, "prompt");
  if (typeof prompt === "string") {
    const parts: Part[] = [{ type: "text", content: maskTokens(prompt) }];
    const suffix = bodyField(body, "suffix");
    if (typeof suffix === "string") parts.push({ type: "suffix", content: maskTokens(suffix) });
    return [{ role: "user", parts }];
  }

  const inputs = bodyField(body, "inputs");
  if (typeof inputs === "string") {
    return [{ role: "user", parts: [{ type: "text", content: maskTokens(inputs) }] }];
  }

  if (Array.isArray(inputs)) {
    return inputs.filter((entry) => typeof bodyField(entry, "role") === "string").map(toMessage);
  }

  return undefined;
}

/** Returns one output message per choice of a completion, or `undefined` without choices. */
export function outputMessages(outcome: CallOutcome): Message[] | undefined {
  const choices = bodyField(outcome.responseBody, "choices");
  if (!Array.isArray(choices)) {
    return undefined;
  }

  return choices.map((choice) => {
    const message = toMessage(bodyField(choice, "message") ?? {});
    const reason = bodyField(choice, "finish_reason");
    return {
      role: message.role,
      parts: message.parts,
      finish_reason: typeof reason === "string" ? reason : "",
    };
  });
}

function toMessage(message: unknown): Message {
  const role = bodyField(message, "role");
  const parts = contentParts(bodyField(message, "content"));
  const toolCalls = bodyField(message, "tool_calls");
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls) parts.push(toolCallPart(call));
  }

  if (role === "tool") {
    const response = parts.map((part) => (part.type === "text" ? part.content : "")).join("");
    const id = bodyField(message, "tool_call_id");
    return {
      role,
      parts: [{ type: "tool_call_response", id: typeof id === "string" ? id : null, response }],
    };
  }

  return { role: typeof role === "string" ? role : "assistant", parts };
}

function contentParts(content: unknown): Part[] {
  if (typeof content === "string") {
    return [{ type: "text", content: maskTokens(content) }];
  }

  if (!Array.isArray(content)) {
    return [];
  }

  return content.map((chunk): Part => {
    const text = bodyField(chunk, "text");
    if (bodyField(chunk, "type") === "text" && typeof text === "string") {
      return { type: "text", content: maskTokens(text) };
    }

    const copy = copyContent(chunk) as Record<string, unknown>;
    return { ...copy, type: String(bodyField(chunk, "type") ?? "unknown") };
  });
}

function toolCallPart(call: unknown): Part {
  const id = bodyField(call, "id");
  const name = bodyField(bodyField(call, "function"), "name");
  const rawArguments = bodyField(bodyField(call, "function"), "arguments");
  return {
    type: "tool_call",
    id: typeof id === "string" ? id : null,
    name: typeof name === "string" ? name : "",
    arguments: copyContent(parseArguments(rawArguments)),
  };
}

/** Tool arguments arrive as a JSON string; they are recorded parsed when they parse. */
function parseArguments(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
