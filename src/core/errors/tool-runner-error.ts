import type { ChatMessage } from "../../types/chat.js";
import { MistralError } from "./mistral-error.js";

/**
 * Reason a tool run stopped before a reply without tool calls.
 *
 * - `max_steps`: the model still asked for tools after `maxSteps` model calls.
 * - `tool_failed`: a tool threw and `stopOnToolError` was set; `cause` is the tool's error.
 */
export type ToolRunnerFailure = "max_steps" | "tool_failed";

export interface ToolRunnerErrorDetails {
  reason: ToolRunnerFailure;
  /** Model calls made. */
  steps: number;
  /** The conversation so far, the caller's messages included. */
  messages: readonly ChatMessage[];
  /** Name of the tool that failed, for `tool_failed`. */
  toolName?: string | undefined;
  cause?: unknown;
  requestId?: string | undefined;
}

/**
 * A tool run (`chat.runTools()`) ended before the model sent a reply without tool calls.
 *
 * `messages` is a getter rather than a field, so `JSON.stringify`, `toJSON` and `util.inspect` of
 * the error leave the conversation out of logs. Sending `messages` again continues the run.
 */
export class ToolRunnerError extends MistralError {
  override readonly kind = "tool_runner";
  readonly reason: ToolRunnerFailure;
  readonly steps: number;
  readonly toolName: string | undefined;
  readonly #messages: readonly ChatMessage[];

  constructor(message: string, details: ToolRunnerErrorDetails) {
    super(message, { cause: details.cause, requestId: details.requestId });
    this.reason = details.reason;
    this.steps = details.steps;
    this.toolName = details.toolName;
    this.#messages = details.messages;
  }

  /** The conversation so far: the request's messages, then each assistant and tool message. */
  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }
}
