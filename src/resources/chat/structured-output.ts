import { StructuredOutputError } from "../../core/errors/structured-output-error.js";
import type { ResponseMeta, WithResponseMeta } from "../../core/json-response.js";
import type { AdaptedSchema, InferSchemaOutput } from "../../schema/schema-adapter.js";
import type {
  ChatCompletionChoice,
  ChatCompletionMessage,
  ChatCompletionRequest,
  ChatCompletionResponse,
} from "../../types/chat.js";
import type { AssembledCompletion } from "./completion-accumulator.js";
import { contentText } from "./message-content.js";
import { resolveResponseFormat, type TypedResponseFormat } from "./response-format.js";

/**
 * A chat request for `chat.parse()`: `response_format` is a zod schema, a Standard Schema
 * validator, a format from `schemaResponseFormat()` or `jsonSchemaResponseFormat()`, or a
 * `json_schema` / `json_object` response format written by hand.
 */
export interface ParseRequest<F extends object>
  extends Omit<ChatCompletionRequest, "response_format"> {
  response_format: F;
}

/** Type of `parsed` for a `response_format` of type `F`; `unknown` for a hand-written format. */
export type ParsedOutput<F> = F extends
  | { readonly "~standard": object }
  | { readonly _output: unknown }
  ? InferSchemaOutput<F>
  : F extends TypedResponseFormat<infer T>
    ? T
    : unknown;

/**
 * A response message with its parsed output. `parsed` is not enumerable, so the message can be
 * appended to `messages` and sent back as is: the API rejects unknown message fields.
 */
export interface ParsedChatCompletionMessage<T> extends ChatCompletionMessage {
  readonly parsed: T;
}

export interface ParsedChatCompletionChoice<T> extends ChatCompletionChoice {
  message: ParsedChatCompletionMessage<T>;
}

/** The completion `chat.parse()` returns: each choice's message has `parsed`. */
export interface ParsedChatCompletion<T> extends ChatCompletionResponse {
  choices: ParsedChatCompletionChoice<T>[];
}

/** The completion a structured output stream resolves to. */
export interface ParsedAssembledCompletion<T> extends Omit<AssembledCompletion, "choices"> {
  choices: ParsedChatCompletionChoice<T>[];
}

/** The request to send and the schema that checks its output. */
export interface PreparedParseRequest {
  request: ChatCompletionRequest;
  schema: AdaptedSchema | undefined;
}

/** Replaces `response_format` with its wire form; every other field is kept as the caller set it. */
export function prepareParseRequest(request: ParseRequest<object>): PreparedParseRequest {
  const resolved = resolveResponseFormat(request.response_format);
  return { request: { ...request, response_format: resolved.wire }, schema: resolved.schema };
}

/** Parses every choice of a completion; see {@link parseChoices}. */
export async function parseChatCompletion<T>(
  completion: WithResponseMeta<ChatCompletionResponse>,
  schema: AdaptedSchema | undefined,
): Promise<WithResponseMeta<ParsedChatCompletion<T>>> {
  await parseChoices(completion, schema);
  return completion as WithResponseMeta<ParsedChatCompletion<T>>;
}

/** Parses every choice of an assembled stream; see {@link parseChoices}. */
export async function parseAssembledCompletion<T>(
  completion: AssembledCompletion,
  schema: AdaptedSchema | undefined,
): Promise<ParsedAssembledCompletion<T>> {
  await parseChoices(completion, schema);
  return completion as ParsedAssembledCompletion<T>;
}

/**
 * Parses and checks the text of every choice, and sets `parsed` on each message in place.
 *
 * @throws StructuredOutputError for the first choice that was cut off, ended in error, was
 *   refused, is empty, is not JSON or does not match the schema. Also thrown when there is no
 *   choice at all.
 */
async function parseChoices(
  completion: { choices: ChatCompletionChoice[] },
  schema: AdaptedSchema | undefined,
): Promise<void> {
  const requestId = (completion as ResponseMeta).requestId;
  if (completion.choices.length === 0) {
    throw new StructuredOutputError({
      reason: "empty",
      choiceIndex: 0,
      finishReason: undefined,
      rawText: "",
      completion,
      requestId,
    });
  }

  for (const choice of completion.choices) {
    const parsed = await parseChoice(choice, schema, (details) => {
      return new StructuredOutputError({ ...details, completion, requestId });
    });
    Object.defineProperty(choice.message, "parsed", {
      value: parsed,
      enumerable: false,
      configurable: true,
    });
  }
}

type FailureDetails = Pick<
  ConstructorParameters<typeof StructuredOutputError>[0],
  "reason" | "choiceIndex" | "finishReason" | "rawText" | "issues"
>;

async function parseChoice(
  choice: ChatCompletionChoice,
  schema: AdaptedSchema | undefined,
  fail: (details: FailureDetails) => StructuredOutputError,
): Promise<unknown> {
  const finishReason = choice.finish_reason;
  const rawText = contentText(choice.message?.content);
  const base = { choiceIndex: choice.index ?? 0, finishReason, rawText };
  if (finishReason === "length" || finishReason === "model_length") {
    throw fail({ ...base, reason: "truncated" });
  }

  if (finishReason === "error") throw fail({ ...base, reason: "model_error" });
  const refusal = choice.message?.["refusal"];
  if (typeof refusal === "string" && refusal !== "") throw fail({ ...base, reason: "refusal" });
  if (rawText.trim() === "") throw fail({ ...base, reason: "empty" });

  let value: unknown;
  try {
    value = JSON.parse(rawText);
  } catch {
    // The SyntaxError is dropped on purpose: its message quotes the model's output.
    throw fail({ ...base, reason: "invalid_json" });
  }

  if (schema === undefined) return value;
  const check = await schema.validate(value);
  if (!check.ok) throw fail({ ...base, reason: "schema_mismatch", issues: check.problems });
  return check.value;
}
