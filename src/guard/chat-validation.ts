import type { InputProblem } from "../core/errors/client-errors.js";
import { describeValue, isRecord } from "./completion-parameters.js";
import { countTextCharacters, formatCount, type ResolvedInputLimits } from "./input-limits.js";

/**
 * Closed: the API selects the message schema by `role` and rejects any other value, such as the
 * OpenAI-only `developer`.
 */
const roles = new Set(["system", "user", "assistant", "tool"]);

/**
 * The only tool-call id format the API accepts, in assistant `tool_calls` and in `tool_call_id`:
 * exactly 9 ASCII letters or digits. The server's own ids always match, so a correct conversation
 * sends them back unchanged; anything else comes back as a 400 `invalid_function_call`.
 */
const toolCallIdPattern = /^[A-Za-z0-9]{9}$/;

/**
 * Adds a problem for each invalid message: a missing or unknown role, content of the wrong type,
 * a tool message without `tool_call_id`, or a tool-call id not in the API's format. It also
 * reports an assistant prefix that is not the last message and messages over the size limits.
 * Returns the characters of text counted, for the request-wide limit.
 */
export function collectMessageProblems(
  messages: unknown,
  limits: ResolvedInputLimits,
  problems: InputProblem[],
): number {
  if (!Array.isArray(messages)) {
    problems.push({ path: "messages", message: "must be an array of messages" });
    return 0;
  }

  if (messages.length === 0) {
    problems.push({ path: "messages", message: "must contain at least one message" });
    return 0;
  }

  if (messages.length > limits.maxMessages) {
    problems.push({
      path: "messages",
      message:
        `has ${formatCount(messages.length)} messages, more than limits.maxMessages ` +
        `(${formatCount(limits.maxMessages)}): send fewer, or raise the limit`,
    });
  }

  let characters = 0;
  messages.forEach((message, index) => {
    const path = `messages[${index}]`;
    if (!isRecord(message)) {
      problems.push({ path, message: "must be an object with a role" });
      return;
    }

    checkMessage(message, path, index === messages.length - 1, problems);
    const size = countTextCharacters(message);
    characters += size;
    if (size > limits.maxMessageChars) {
      problems.push({
        path,
        message:
          `has ${formatCount(size)} characters of text, more than limits.maxMessageChars ` +
          `(${formatCount(limits.maxMessageChars)}): shorten it, or raise the limit`,
      });
    }
  });
  return characters;
}

function checkMessage(
  message: Record<string, unknown>,
  path: string,
  isLast: boolean,
  problems: InputProblem[],
): void {
  const role = message.role;
  if (role === undefined) {
    problems.push({
      path: `${path}.role`,
      message: "is required: system, user, assistant or tool",
    });
    return;
  }

  if (typeof role !== "string" || !roles.has(role)) {
    problems.push({
      path: `${path}.role`,
      message: `must be system, user, assistant or tool; got ${describeValue(role)}`,
    });
    return;
  }

  checkContent(message, path, role, problems);
  if (role === "assistant") checkAssistant(message, path, isLast, problems);
  if (role === "tool") checkToolMessage(message, path, problems);
}

function checkContent(
  message: Record<string, unknown>,
  path: string,
  role: string,
  problems: InputProblem[],
): void {
  const content = message.content;
  if (content === undefined) {
    // An assistant message may carry only tool calls.
    if (role !== "assistant") problems.push({ path: `${path}.content`, message: "is required" });
    return;
  }

  if (typeof content === "string" || (content === null && role !== "system")) return;
  if (!Array.isArray(content)) {
    problems.push({
      path: `${path}.content`,
      message: `must be a string${role === "system" ? "" : ", null"} or an array of content chunks`,
    });
    return;
  }

  content.forEach((chunk, index) => {
    checkChunk(chunk, `${path}.content[${index}]`, problems);
  });
}

/**
 * Checks the fields of the chunk types whose shape is known. Other types pass as they are: the
 * API adds chunk types often, and a chunk received in a response must survive being sent back.
 */
function checkChunk(chunk: unknown, path: string, problems: InputProblem[]): void {
  if (!isRecord(chunk)) {
    problems.push({ path, message: "must be an object with a type" });
    return;
  }

  const type = chunk.type;
  if (typeof type !== "string" || type === "") {
    problems.push({ path: `${path}.type`, message: 'must be a non-empty string such as "text"' });
    return;
  }

  if (type === "text" && typeof chunk.text !== "string") {
    problems.push({ path: `${path}.text`, message: "must be a string" });
  } else if (type === "thinking" && !Array.isArray(chunk.thinking)) {
    problems.push({ path: `${path}.thinking`, message: "must be an array of chunks" });
  } else if (type === "image_url" && !isImageURL(chunk.image_url)) {
    problems.push({ path: `${path}.image_url`, message: "must be a URL string or { url }" });
  }
}

function isImageURL(value: unknown): boolean {
  return typeof value === "string" || (isRecord(value) && typeof value.url === "string");
}

function checkAssistant(
  message: Record<string, unknown>,
  path: string,
  isLast: boolean,
  problems: InputProblem[],
): void {
  const prefix = message.prefix;
  if (prefix !== undefined && typeof prefix !== "boolean") {
    problems.push({ path: `${path}.prefix`, message: "must be true or false" });
  } else if (prefix === true && !isLast) {
    problems.push({
      path: `${path}.prefix`,
      message: "is true, but a prefix must be the last message: move it to the end",
    });
  }

  const calls = message.tool_calls;
  if (calls === undefined || calls === null) return;
  if (!Array.isArray(calls)) {
    problems.push({
      path: `${path}.tool_calls`,
      message: "must be an array of tool calls or null",
    });
    return;
  }

  calls.forEach((call, index) => {
    checkToolCall(call, `${path}.tool_calls[${index}]`, problems);
  });
}

function checkToolCall(call: unknown, path: string, problems: InputProblem[]): void {
  if (!isRecord(call)) {
    problems.push({ path, message: "must be an object with id and function" });
    return;
  }

  checkToolCallId(call.id, `${path}.id`, problems);
  const fn = call.function;
  if (!isRecord(fn)) {
    problems.push({
      path: `${path}.function`,
      message: "must be an object with name and arguments",
    });
    return;
  }

  if (typeof fn.name !== "string" || fn.name === "") {
    problems.push({ path: `${path}.function.name`, message: "must be a non-empty string" });
  }

  if (typeof fn.arguments !== "string" && !isRecord(fn.arguments)) {
    problems.push({
      path: `${path}.function.arguments`,
      message: "must be a JSON string or an object",
    });
  }
}

function checkToolMessage(
  message: Record<string, unknown>,
  path: string,
  problems: InputProblem[],
): void {
  checkToolCallId(message.tool_call_id, `${path}.tool_call_id`, problems);
  const name = message.name;
  if (name !== undefined && name !== null && typeof name !== "string") {
    problems.push({ path: `${path}.name`, message: "must be a string or null" });
  }
}

/** Checks the format only: whether a tool message matches an earlier call is left to the API. */
function checkToolCallId(id: unknown, path: string, problems: InputProblem[]): void {
  if (id === undefined || id === null) {
    problems.push({
      path,
      message: "is required: pass the id of the tool call, as the server returned it",
    });
  } else if (typeof id !== "string" || !toolCallIdPattern.test(id)) {
    problems.push({
      path,
      message:
        `must be 9 letters or digits, the format of the server's ids; got ${describeValue(id)}: ` +
        "send back the id from the assistant message unchanged",
    });
  }
}
