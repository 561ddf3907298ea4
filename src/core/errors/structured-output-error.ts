import type { InputProblem } from "./client-errors.js";
import { MistralError } from "./mistral-error.js";

/**
 * Reason a structured output could not be used.
 *
 * - `truncated`: generation stopped at `max_tokens` or at the context length (`finish_reason`
 *   `length` or `model_length`), so the JSON is incomplete.
 * - `model_error`: the server ended the choice with `finish_reason` `error`.
 * - `refusal`: the message carries a `refusal` text instead of content.
 * - `empty`: the message has no text content, for example because the model called tools.
 * - `invalid_json`: the text is not valid JSON.
 * - `schema_mismatch`: the JSON does not match the schema; see `issues`.
 */
export type StructuredOutputFailure =
  | "truncated"
  | "model_error"
  | "refusal"
  | "empty"
  | "invalid_json"
  | "schema_mismatch";

export interface StructuredOutputErrorDetails {
  reason: StructuredOutputFailure;
  /** Index of the choice that failed. */
  choiceIndex: number;
  finishReason: string | null | undefined;
  /** The text content of the failed choice, exactly as received. */
  rawText: string;
  /** The whole completion, as received. */
  completion: unknown;
  issues?: InputProblem[];
  requestId?: string | undefined;
}

/**
 * A completion requested with a response schema could not be turned into a value: the reply was
 * cut off, empty, refused, not JSON, or did not match the schema.
 *
 * `rawText` and `completion` are getters rather than fields, so `JSON.stringify`, `toJSON` and
 * `util.inspect` of the error leave the model's output out of logs.
 *
 * NOTE: for `schema_mismatch`, the message and `issues` carry the validator's own issue messages,
 * and some validators (valibot, for one) quote the invalid value in them.
 */
export class StructuredOutputError extends MistralError {
  override readonly kind = "structured_output";
  readonly reason: StructuredOutputFailure;
  readonly choiceIndex: number;
  /** `finish_reason` of the failed choice, as sent by the server. */
  readonly finishReason: string | null | undefined;
  /** Each schema problem with its path (`$.authors[0].name`); empty unless `schema_mismatch`. */
  readonly issues: InputProblem[];
  readonly #rawText: string;
  readonly #completion: unknown;

  constructor(details: StructuredOutputErrorDetails) {
    super(describeFailure(details), { requestId: details.requestId });
    this.reason = details.reason;
    this.choiceIndex = details.choiceIndex;
    this.finishReason = details.finishReason;
    this.issues = details.issues ?? [];
    this.#rawText = details.rawText;
    this.#completion = details.completion;
  }

  /** The text content of the failed choice, exactly as received. */
  get rawText(): string {
    return this.#rawText;
  }

  /** The whole completion as received, before any parsing. */
  get completion(): unknown {
    return this.#completion;
  }
}

function describeFailure(details: StructuredOutputErrorDetails): string {
  const subject = `The structured output of choice ${details.choiceIndex}`;
  const length = details.rawText.length;
  switch (details.reason) {
    case "truncated":
      return (
        `${subject} was cut off after ${length} characters (finish_reason ` +
        `"${details.finishReason}"): raise max_tokens, or ask for a shorter answer`
      );
    case "model_error":
      return `${subject} ended with finish_reason "error": send the request again`;
    case "refusal":
      return `${subject} is a refusal, not an answer: rephrase the request`;
    case "empty":
      return (
        `${subject} has no text content (finish_reason "${details.finishReason}"): ` +
        "check that the request asks for an answer, not for tool calls"
      );
    case "invalid_json":
      return (
        `${subject} is not valid JSON (${length} characters): use a model that supports ` +
        'response_format "json_schema", or set strict: true'
      );
    case "schema_mismatch":
      return formatIssues(`${subject} does not match the schema`, details.issues ?? []);
  }
}

/** Lists at most 10 issues, so a large mismatch keeps the message readable. */
function formatIssues(summary: string, issues: InputProblem[]): string {
  const shown = issues.slice(0, 10).map((issue) => `  - ${issue.path}: ${issue.message}`);
  if (issues.length > shown.length) shown.push(`  - and ${issues.length - shown.length} more`);
  return `${summary}: ${issues.length} problem(s)\n${shown.join("\n")}`;
}
