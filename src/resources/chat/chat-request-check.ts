import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import { ownValue } from "../../core/own-value.js";
import { collectMessageProblems } from "../../guard/chat-validation.js";
import { collectParameterProblems } from "../../guard/completion-parameters.js";
import {
  defaultInputLimits,
  formatCount,
  type ResolvedInputLimits,
} from "../../guard/input-limits.js";

/**
 * camelCase spellings that other Mistral clients accept, mapped to the wire name this library
 * uses. Sending them as is would get an `extra_forbidden` 422 from the server.
 */
const camelCaseNames: Record<string, string> = {
  maxTokens: "max_tokens",
  minTokens: "min_tokens",
  topP: "top_p",
  randomSeed: "random_seed",
  responseFormat: "response_format",
  toolChoice: "tool_choice",
  parallelToolCalls: "parallel_tool_calls",
  presencePenalty: "presence_penalty",
  frequencyPenalty: "frequency_penalty",
  safePrompt: "safe_prompt",
  promptMode: "prompt_mode",
  reasoningEffort: "reasoning_effort",
  promptCacheKey: "prompt_cache_key",
};

/** OpenAI-only fields the Mistral API rejects. */
const foreignFields: Record<string, string> = {
  stream_options: "streaming always reports usage on the last chunk",
  store: "the Mistral API has no stored completions",
  max_completion_tokens: "use max_tokens",
  user: "pass the end user as a request option instead",
};

/**
 * Checks a completion request (chat, FIM, agents, embeddings) before anything is sent and throws
 * one ValidationError listing every problem with its path: required fields, field types, the
 * ranges and enums the API states, the messages, and the size limits. `stream` is rejected
 * because the method chosen decides it.
 */
export function checkCompletionRequest(
  request: unknown,
  required: string[],
  limits: ResolvedInputLimits = defaultInputLimits,
  summary = "Invalid request",
): void {
  const problems = collectCompletionProblems(request, required, limits);
  if (problems.length > 0) {
    throw new ValidationError(problems, summary);
  }
}

/** Returns the problems `checkCompletionRequest` reports, for checks that add their own. */
export function collectCompletionProblems(
  request: unknown,
  required: string[],
  limits: ResolvedInputLimits,
): InputProblem[] {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    return [{ path: "request", message: "must be an object" }];
  }

  const problems: InputProblem[] = [];
  const body = request as Record<string, unknown>;
  for (const name of required) {
    if (body[name] === undefined) problems.push({ path: name, message: "is required" });
  }

  if (body.model !== undefined && (typeof body.model !== "string" || body.model.trim() === "")) {
    problems.push({ path: "model", message: "must be a non-empty string" });
  }

  if ("stream" in body) {
    problems.push({
      path: "stream",
      message: "is set by the method: call stream() for a stream, create() otherwise",
    });
  }

  for (const name of Object.keys(body)) {
    const wireName = ownValue(camelCaseNames, name);
    if (wireName) problems.push({ path: name, message: `is not an API field: use ${wireName}` });
    const reason = ownValue(foreignFields, name);
    if (reason)
      problems.push({ path: name, message: `is not accepted by the Mistral API: ${reason}` });
  }

  collectParameterProblems(body, problems);
  const characters = collectTextProblems(body, required, limits, problems);
  if (characters > limits.maxRequestChars) {
    problems.push({
      path: "request",
      message:
        `has ${formatCount(characters)} characters of text, more than limits.maxRequestChars ` +
        `(${formatCount(limits.maxRequestChars)}): shorten the input, or raise the limit`,
    });
  }

  return problems;
}

/** Checks the text inputs the endpoint requires and returns their size in characters. */
function collectTextProblems(
  body: Record<string, unknown>,
  required: string[],
  limits: ResolvedInputLimits,
  problems: InputProblem[],
): number {
  let characters = 0;
  if (required.includes("messages") && body.messages !== undefined) {
    characters += collectMessageProblems(body.messages, limits, problems);
  }

  if (required.includes("prompt") && body.prompt !== undefined) {
    characters += countPrompt(body, problems);
  }

  if (required.includes("input") && body.input !== undefined) {
    characters += countInputs(body.input, problems);
  }

  return characters;
}

/** FIM: the prompt must be text. The suffix is checked with the other fields. */
function countPrompt(body: Record<string, unknown>, problems: InputProblem[]): number {
  if (typeof body.prompt !== "string") {
    problems.push({ path: "prompt", message: "must be a string" });
    return 0;
  }

  return body.prompt.length + (typeof body.suffix === "string" ? body.suffix.length : 0);
}

/** Embeddings: one text or a list of texts. */
function countInputs(input: unknown, problems: InputProblem[]): number {
  const isList = Array.isArray(input);
  let characters = 0;
  (isList ? input : [input]).forEach((item: unknown, index: number) => {
    if (typeof item === "string") {
      characters += item.length;
    } else {
      problems.push({ path: isList ? `input[${index}]` : "input", message: "must be a string" });
    }
  });
  return characters;
}

/** Rejects an `extraBody` that sets `stream`, which would make the response parser mismatch. */
export function checkExtraBody(extraBody: Record<string, unknown> | undefined): void {
  if (extraBody !== undefined && "stream" in extraBody) {
    throw new ValidationError([
      {
        path: "extraBody.stream",
        message: "is set by the method: call stream() for a stream, create() otherwise",
      },
    ]);
  }
}
