import { ConfigurationError } from "../core/errors/client-errors.js";

/**
 * Size limits checked before a request is sent, so an oversized input fails locally and costs
 * nothing. Each default is far above what a real request needs. Set a limit to a larger number to
 * raise it or to `false` to turn that check off, or pass `limits: false` to turn them all off.
 */
export interface InputLimits {
  /**
   * Characters of text in one chat message: its text content, thinking, tool-call arguments and
   * tool results. Image, document and audio data are not counted. Default: 1,000,000.
   */
  maxMessageChars?: number | false;
  /**
   * Characters of text in one request: every message counted as above, the FIM `prompt` and
   * `suffix`, and the embeddings `input`. Default: 4,000,000, an estimated 1 million tokens of
   * English text at 4 characters per token, 4 times the largest Mistral context window (256k
   * tokens in 2026).
   */
  maxRequestChars?: number | false;
  /** Messages in one chat or agents request. Default: 10,000. */
  maxMessages?: number | false;
  /** Bytes of one uploaded file. Default: 512 MiB, the API's own file size limit. */
  maxUploadBytes?: number | false;
}

/** Limits after defaults were applied. A check that is off has the value `Infinity`. */
export interface ResolvedInputLimits {
  maxMessageChars: number;
  maxRequestChars: number;
  maxMessages: number;
  maxUploadBytes: number;
}

export const defaultInputLimits: Readonly<ResolvedInputLimits> = Object.freeze({
  maxMessageChars: 1_000_000,
  maxRequestChars: 4_000_000,
  maxMessages: 10_000,
  maxUploadBytes: 512 * 1024 * 1024,
});

const limitNames = Object.keys(defaultInputLimits) as Array<keyof ResolvedInputLimits>;

/** Checks the `limits` client option and fills in the defaults. */
export function resolveInputLimits(option: InputLimits | false | undefined): ResolvedInputLimits {
  if (option === undefined) return { ...defaultInputLimits };
  if (option === false) {
    return {
      maxMessageChars: Number.POSITIVE_INFINITY,
      maxRequestChars: Number.POSITIVE_INFINITY,
      maxMessages: Number.POSITIVE_INFINITY,
      maxUploadBytes: Number.POSITIVE_INFINITY,
    };
  }

  if (typeof option !== "object" || option === null || Array.isArray(option)) {
    throw new ConfigurationError("The limits option must be an object, or false");
  }

  const unknown = Object.keys(option).filter(
    (name) => !limitNames.includes(name as keyof ResolvedInputLimits),
  );
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `Unknown limits option ${unknown.map((name) => JSON.stringify(name)).join(", ")}: ` +
        `valid names are ${limitNames.join(", ")}`,
    );
  }

  const resolved = { ...defaultInputLimits };
  for (const name of limitNames) {
    resolved[name] = resolveLimit(option[name], name);
  }

  return resolved;
}

function resolveLimit(value: unknown, name: keyof ResolvedInputLimits): number {
  if (value === undefined) return defaultInputLimits[name];
  if (value === false) return Number.POSITIVE_INFINITY;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigurationError(
      `limits.${name} must be a positive whole number, or false to turn the check off; ` +
        `got ${String(value)}`,
    );
  }

  return value;
}

/** Formats a count with thousands separators, such as `1,000,000`, for error messages. */
export function formatCount(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Chunk types whose payload is binary data (URL or base64), not text the model reads as such. */
const dataChunkTypes = new Set(["image_url", "document_url", "input_audio"]);

/**
 * Counts the characters of text in a message or any part of it: every string value, except the
 * payload of image, document and audio chunks and the `role`, `type` and id fields. Nesting
 * deeper than 16 levels is not counted.
 */
export function countTextCharacters(value: unknown, depth = 0): number {
  if (typeof value === "string") return value.length;
  if (depth > 16 || typeof value !== "object" || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += countTextCharacters(item, depth + 1);
    return total;
  }

  const record = value as Record<string, unknown>;
  if (typeof record.type === "string" && dataChunkTypes.has(record.type)) return 0;
  for (const [key, item] of Object.entries(record)) {
    if (key === "role" || key === "type" || key === "id" || key === "tool_call_id") continue;
    total += countTextCharacters(item, depth + 1);
  }

  return total;
}
