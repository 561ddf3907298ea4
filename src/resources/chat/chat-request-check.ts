import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";

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
 * Checks the shape every completion request needs before anything is sent, listing each problem
 * with its path. `stream` is rejected because the method chosen decides it.
 */
export function checkCompletionRequest(request: unknown, required: string[]): void {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }]);
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
    const wireName = camelCaseNames[name];
    if (wireName) problems.push({ path: name, message: `is not an API field: use ${wireName}` });
    const reason = foreignFields[name];
    if (reason)
      problems.push({ path: name, message: `is not accepted by the Mistral API: ${reason}` });
  }

  if (problems.length > 0) {
    throw new ValidationError(problems);
  }
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

/** Adds the message checks of chat and agent requests to the common ones. */
export function checkMessages(messages: unknown): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ValidationError([{ path: "messages", message: "must be a non-empty array" }]);
  }

  const problems: InputProblem[] = [];
  messages.forEach((message, index) => {
    const path = `messages[${index}]`;
    if (typeof message !== "object" || message === null) {
      problems.push({ path, message: "must be an object" });
      return;
    }

    const role = (message as { role?: unknown }).role;
    if (typeof role !== "string") {
      problems.push({
        path: `${path}.role`,
        message: "is required: system, user, assistant or tool",
      });
    }
  });
  if (problems.length > 0) {
    throw new ValidationError(problems);
  }
}
