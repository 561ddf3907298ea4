/**
 * Estimates the tokens a request will use: about one token per 4 characters of text in the body
 * (messages, prompt, input), plus `max_tokens` when set, else `defaultCompletionTokens`. The
 * 4-character rule fits English prose; code, numbers and non-Latin scripts can need 2 to 3 times
 * more tokens, so limits learn the real figure from `usage` after each call.
 */
export function estimateTokens(body: unknown, defaultCompletionTokens = 0): number {
  if (typeof body !== "object" || body === null) return 0;
  const record = body as Record<string, unknown>;
  const characters =
    textLength(record.messages) +
    textLength(record.prompt) +
    textLength(record.suffix) +
    textLength(record.input);
  const maxTokens =
    typeof record.max_tokens === "number" ? record.max_tokens : defaultCompletionTokens;
  return Math.ceil(characters / 4) + maxTokens;
}

/** Counts the characters of every string inside a value, up to a nesting depth of 8. */
function textLength(value: unknown, depth = 0): number {
  if (typeof value === "string") return value.length;
  if (depth > 8 || typeof value !== "object" || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += textLength(item, depth + 1);
  } else {
    for (const item of Object.values(value)) total += textLength(item, depth + 1);
  }

  return total;
}
