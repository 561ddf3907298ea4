import type { ChatCompletionRequest, ChatCompletionResponse, ToolCall } from "../../types/chat.js";
import type { AssembledCompletion } from "./completion-accumulator.js";

/**
 * Reason a tool call produced an error result for the model.
 *
 * - `unknown_tool`: the model called a name that is not among the run's tools.
 * - `invalid_arguments`: the arguments are not JSON or do not match `parameters`; `execute` did
 *   not run.
 * - `execution_failed`: `execute` threw or returned a value that cannot be sent as JSON.
 */
export type ToolErrorReason = "unknown_tool" | "invalid_arguments" | "execution_failed";

/** One thing that happened during a tool run, in order. Each event carries its step (from 1). */
export type ToolRunEvent =
  | {
      type: "model_call";
      step: number;
      /** The exact request body about to be sent. */
      request: ChatCompletionRequest;
    }
  | {
      /** A piece of the reply text; only in streamed runs. */
      type: "text";
      step: number;
      text: string;
    }
  | {
      type: "model_response";
      step: number;
      completion: ChatCompletionResponse | AssembledCompletion;
      /** Tool calls of the first choice; empty on the last step. */
      toolCalls: ToolCall[];
    }
  | {
      type: "tool_start";
      step: number;
      toolCall: ToolCall;
      /** Arguments after checking, as `execute` receives them. */
      arguments: unknown;
    }
  | {
      type: "tool_result";
      step: number;
      toolCall: ToolCall;
      /** The value `execute` returned. */
      result: unknown;
      /** The tool message content sent to the model. */
      content: string;
      /** Time `execute` took, in milliseconds. */
      durationMs: number;
    }
  | {
      type: "tool_error";
      step: number;
      toolCall: ToolCall;
      reason: ToolErrorReason;
      /** A ValidationError for `unknown_tool` and `invalid_arguments`, else what `execute` threw. */
      error: unknown;
      /** The tool message content sent to the model. */
      content: string;
    };
