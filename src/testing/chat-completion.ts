import { createHash, randomUUID } from "node:crypto";
import { type ValidationIssue, validationErrorPlan } from "./error-envelope.js";
import { type IncomingCall, isJsonContentType } from "./incoming-request.js";
import { jsonPlan, type ResponsePlan, ssePlan } from "./reply-plan.js";
import { exampleForSchema } from "./schema-example.js";

type JsonObject = { [key: string]: unknown };

interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
  index: number;
}

/** Reply of the default model: text, or calls of requested tools. */
type Turn = { kind: "text"; text: string } | { kind: "tool"; calls: ToolCall[] };

/** Maximum length of a text reply in characters (code points). */
const MAX_ANSWER_LENGTH = 200;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Builds the default `POST /v1/chat/completions` response: a deterministic answer derived from
 * the request, as JSON or, with `"stream": true`, as an event stream.
 *
 * The answer is `Echo: <last user message>`. After a `tool` message it reports the tool result
 * instead. With `response_format` `json_schema` the answer is a JSON value generated from the
 * schema, and with `json_object` it is `{"echo": <that text>}`. When the request offers tools,
 * `tool_choice` is not `"none"` and the last message is not a tool result, the answer is one call
 * of the first tool (or of the tool that `tool_choice` names), with arguments generated from its
 * parameter schema; with `parallel_tool_calls: true` and no named tool, it calls every tool once.
 * Token counts are word counts.
 */
export function chatCompletionPlan(call: IncomingCall, nowMs: number): ResponsePlan {
  const issues = validateChatRequest(call);
  if (issues.length > 0) {
    return validationErrorPlan(issues);
  }

  const request = call.body as JsonObject;
  const messages = request["messages"] as unknown[];
  const turn = decideTurn(request, messages, call.rawBody);
  const promptTokens = Math.max(
    1,
    messages.reduce<number>((sum, message) => sum + messageWords(message), 0),
  );
  const completionTokens = Math.max(1, countWords(turnText(turn)));
  const context: ReplyContext = {
    id: randomUUID().replaceAll("-", ""),
    created: Math.floor(nowMs / 1000),
    model: request["model"] as string,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };

  return request["stream"] === true
    ? streamPlan(turn, context)
    : jsonPlan(200, body(turn, context));
}

interface ReplyContext {
  id: string;
  created: number;
  model: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function validateChatRequest(call: IncomingCall): ValidationIssue[] {
  const contentType = call.headers["content-type"] ?? "";
  if (call.body === undefined) {
    return [{ type: "missing", loc: ["body"], msg: "Field required", input: null }];
  }

  if (!isJsonContentType(contentType)) {
    const msg = `Body must be JSON, but the content type is "${contentType}"`;
    return [{ type: "model_attributes_type", loc: ["body"], msg, input: null }];
  }

  // A body that failed to parse is kept as the raw text; a JSON string literal would differ.
  if (typeof call.body === "string" && call.body === call.rawBody.toString("utf8")) {
    return [{ type: "json_invalid", loc: ["body", 0], msg: "Invalid JSON", input: {} }];
  }

  if (!isObject(call.body)) {
    const msg = "Body must be a JSON object";
    return [{ type: "model_attributes_type", loc: ["body"], msg, input: call.body }];
  }

  const issues: ValidationIssue[] = [];
  const { model, messages } = call.body;
  if (model === undefined) {
    issues.push({ type: "missing", loc: ["body", "model"], msg: "Field required", input: null });
  } else if (typeof model !== "string") {
    issues.push({
      type: "string_type",
      loc: ["body", "model"],
      msg: "Must be a string",
      input: model,
    });
  }

  if (messages === undefined) {
    issues.push({ type: "missing", loc: ["body", "messages"], msg: "Field required", input: null });
  } else if (!Array.isArray(messages)) {
    const msg = "Must be a list";
    issues.push({ type: "list_type", loc: ["body", "messages"], msg, input: messages });
  } else if (messages.length === 0) {
    const msg = "List must contain at least 1 item";
    issues.push({ type: "too_short", loc: ["body", "messages"], msg, input: messages });
  }

  return issues;
}

function decideTurn(request: JsonObject, messages: unknown[], rawBody: Buffer): Turn {
  const last = messages.at(-1);
  const lastIsToolResult = isObject(last) && last["role"] === "tool";
  const tools = chooseTools(request);
  if (tools.length > 0 && !lastIsToolResult) {
    const calls = tools.map((tool, index): ToolCall => {
      const parameters = tool["parameters"] ?? { type: "object" };
      return {
        id: toolCallId(rawBody, index),
        type: "function",
        function: {
          name: String(tool["name"]),
          arguments: JSON.stringify(exampleForSchema(parameters)),
        },
        index,
      };
    });
    return { kind: "tool", calls };
  }

  let text: string;
  if (lastIsToolResult) {
    const name = toolResultName(last, messages);
    text = truncate(`Tool ${name} returned: ${contentText(last["content"])}`);
  } else {
    const lastUser = messages.findLast((m) => isObject(m) && m["role"] === "user");
    const prompt = isObject(lastUser) ? contentText(lastUser["content"]).trim() : "";
    text = truncate(`Echo: ${prompt}`.trim());
  }

  return { kind: "text", text: formatAnswer(request["response_format"], text) };
}

/** Shapes the answer as `response_format` asks; JSON answers are never truncated. */
function formatAnswer(format: unknown, text: string): string {
  if (!isObject(format)) {
    return text;
  }

  if (format["type"] === "json_schema") {
    const jsonSchema = format["json_schema"];
    const schema = isObject(jsonSchema) ? jsonSchema["schema"] : undefined;
    return JSON.stringify(exampleForSchema(schema ?? { type: "object" }));
  }

  return format["type"] === "json_object" ? JSON.stringify({ echo: text }) : text;
}

/** The function definitions the model calls, none when it replies in text. */
function chooseTools(request: JsonObject): JsonObject[] {
  const choice = request["tool_choice"];
  const tools = Array.isArray(request["tools"]) ? request["tools"] : [];
  const functions = tools
    .map((tool) => (isObject(tool) ? tool["function"] : undefined))
    .filter((fn): fn is JsonObject => isObject(fn) && typeof fn["name"] === "string");
  if (functions.length === 0 || choice === "none") {
    return [];
  }

  const named = isObject(choice) && isObject(choice["function"]) ? choice["function"]["name"] : "";
  const namedFunction = functions.find((fn) => fn["name"] === named);
  if (namedFunction === undefined && request["parallel_tool_calls"] === true) {
    return functions;
  }

  return [namedFunction ?? functions[0]!];
}

/** Returns the tool name of a tool message, from its `name` or the assistant call it matches. */
function toolResultName(message: JsonObject, messages: unknown[]): string {
  if (typeof message["name"] === "string" && message["name"] !== "") {
    return message["name"];
  }

  for (const candidate of messages) {
    const calls = isObject(candidate) ? candidate["tool_calls"] : undefined;
    for (const call of Array.isArray(calls) ? calls : []) {
      if (isObject(call) && call["id"] === message["tool_call_id"] && isObject(call["function"])) {
        return String(call["function"]["name"]);
      }
    }
  }

  return "tool";
}

/**
 * Derives a tool-call id from the request bytes and the call's index: 9 characters from
 * [A-Za-z0-9], the format the API requires for ids sent back in later requests.
 */
function toolCallId(rawBody: Buffer, index: number): string {
  const hash = createHash("sha256").update(rawBody);
  // Index 0 hashes the body alone, so single calls keep the ids of earlier versions.
  if (index > 0) {
    hash.update(`#${index}`);
  }

  const digest = hash.digest();
  let id = "";
  for (let position = 0; position < 9; position++) {
    id += BASE62[digest[position]! % BASE62.length];
  }

  return id;
}

function body(turn: Turn, context: ReplyContext) {
  const isTool = turn.kind === "tool";
  return {
    id: context.id,
    object: "chat.completion",
    created: context.created,
    model: context.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: isTool ? "" : turn.text,
          tool_calls: isTool ? turn.calls : null,
        },
        finish_reason: isTool ? "tool_calls" : "stop",
      },
    ],
    usage: context.usage,
  };
}

/**
 * Builds the stream: a role delta, then the text in word-sized deltas or the whole tool calls in
 * one delta (as Mistral's own models send it). The last delta carries `finish_reason` and usage.
 */
function streamPlan(turn: Turn, context: ReplyContext): ResponsePlan {
  const chunk = (delta: JsonObject, finishReason: string | null, withUsage: boolean) => ({
    id: context.id,
    object: "chat.completion.chunk",
    created: context.created,
    model: context.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    ...(withUsage ? { usage: context.usage } : {}),
  });

  const events = [chunk({ role: "assistant", content: "" }, null, false)];
  if (turn.kind === "tool") {
    events.push(chunk({ content: "", tool_calls: turn.calls }, "tool_calls", true));
    return ssePlan(events);
  }

  const pieces = turn.text.match(/\s*\S+/g) ?? [turn.text];
  pieces.forEach((piece, index) => {
    const isLast = index === pieces.length - 1;
    events.push(chunk({ content: piece }, isLast ? "stop" : null, isLast));
  });
  return ssePlan(events);
}

function turnText(turn: Turn): string {
  return turn.kind === "text"
    ? turn.text
    : turn.calls.map((call) => `${call.function.name} ${call.function.arguments}`).join(" ");
}

function messageWords(message: unknown): number {
  return isObject(message) ? countWords(contentText(message["content"])) : 0;
}

/** Returns the text of a message content: a string, or the `text` fields of a list of chunks. */
function contentText(content: unknown): string {
  if (typeof content === "string") {
    return content;
  }

  if (!Array.isArray(content)) {
    return "";
  }

  const texts = content.map((part) =>
    isObject(part) && typeof part["text"] === "string" ? part["text"] : "",
  );
  return texts.filter((text) => text !== "").join(" ");
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Cuts text to `MAX_ANSWER_LENGTH` code points, so no surrogate pair is split. */
function truncate(text: string): string {
  const codePoints = Array.from(text);
  return codePoints.length <= MAX_ANSWER_LENGTH
    ? text
    : codePoints.slice(0, MAX_ANSWER_LENGTH).join("");
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
