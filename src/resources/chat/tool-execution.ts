import { abortErrorFrom } from "../../core/abort.js";
import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import { ToolRunnerError } from "../../core/errors/tool-runner-error.js";
import type { ChatMessage, ToolCall, ToolMessage } from "../../types/chat.js";
import type { PreparedTool, ToolContext } from "./tool-definition.js";
import type { ToolErrorReason, ToolRunEvent } from "./tool-run-events.js";

/** Settings of one step's tool calls. */
export interface ToolStep {
  step: number;
  tools: Map<string, PreparedTool>;
  /** Aborts every running tool; checked before each call starts. */
  signal: AbortSignal;
  maxParallel: number;
  stopOnToolError: boolean;
  /** The conversation up to the assistant message that asked for the calls. */
  messages: readonly ChatMessage[];
  emit: (event: ToolRunEvent) => void;
}

/**
 * Runs the tool calls of one assistant message, at most `maxParallel` at a time, and returns one
 * tool message per call in the order of the calls, each with the server's id unchanged.
 *
 * @throws AbortError as soon as `signal` aborts, without waiting for running tools.
 * @throws ToolRunnerError when a tool throws and `stopOnToolError` is set.
 */
export async function executeToolCalls(
  calls: readonly ToolCall[],
  step: ToolStep,
): Promise<ToolMessage[]> {
  const results = new Array<ToolMessage>(calls.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls.length) {
      if (step.signal.aborted) throw abortErrorFrom(step.signal);
      const index = next++;
      results[index] = await executeToolCall(calls[index]!, step);
    }
  };

  const workers = Array.from({ length: Math.min(step.maxParallel, calls.length) }, worker);
  await untilAborted(Promise.all(workers), step.signal);
  return results;
}

async function executeToolCall(call: ToolCall, step: ToolStep): Promise<ToolMessage> {
  const name = call.function?.name;
  const prepared = typeof name === "string" ? step.tools.get(name) : undefined;
  if (prepared === undefined) {
    const known = [...step.tools.keys()].join(", ");
    const problem = {
      path: "function.name",
      message: `is not a known tool; the tools are ${known}`,
    };
    return reportError(call, step, "unknown_tool", new ValidationError([problem], "Unknown tool"));
  }

  const check = await checkArguments(call, prepared);
  if (!check.ok) {
    const error = new ValidationError(check.problems, `Invalid arguments for tool ${name}`);
    return reportError(call, step, "invalid_arguments", error);
  }

  step.emit({ type: "tool_start", step: step.step, toolCall: call, arguments: check.value });
  const started = performance.now();
  try {
    const context: ToolContext = {
      signal: step.signal,
      toolCallId: call.id,
      step: step.step,
      messages: step.messages,
    };
    const result = await untilAborted(
      Promise.resolve().then(() => prepared.tool.execute(check.value, context)),
      step.signal,
    );
    const content = resultContent(result);
    const durationMs = performance.now() - started;
    step.emit({
      type: "tool_result",
      step: step.step,
      toolCall: call,
      result,
      content,
      durationMs,
    });
    return toolMessage(call, content);
  } catch (error) {
    if (step.signal.aborted) throw abortErrorFrom(step.signal);
    return handleFailure(call, step, error);
  }
}

type ArgumentCheck = { ok: true; value: unknown } | { ok: false; problems: InputProblem[] };

async function checkArguments(call: ToolCall, prepared: PreparedTool): Promise<ArgumentCheck> {
  const raw = call.function.arguments;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      // Some models send an empty string for a call without arguments.
      value = raw.trim() === "" ? {} : JSON.parse(raw);
    } catch {
      return { ok: false, problems: [{ path: "$", message: "is not valid JSON" }] };
    }
  }

  return prepared.schema.validate(value);
}

/** Reports the failure as an event, then stops the run or hands the failure to the model. */
function handleFailure(call: ToolCall, step: ToolStep, error: unknown): ToolMessage {
  const message = reportError(call, step, "execution_failed", error);
  if (step.stopOnToolError) {
    throw new ToolRunnerError(
      `Tool ${call.function.name} failed at step ${step.step}, and stopOnToolError is set: ` +
        "see the cause, or unset stopOnToolError to let the model see the failure",
      {
        reason: "tool_failed",
        steps: step.step,
        messages: step.messages,
        toolName: call.function.name,
        cause: error,
      },
    );
  }

  return message;
}

/** Emits the error event and builds the tool message that describes the failure to the model. */
function reportError(
  call: ToolCall,
  step: ToolStep,
  reason: ToolErrorReason,
  error: unknown,
): ToolMessage {
  const content = errorContent(call, reason, error);
  step.emit({ type: "tool_error", step: step.step, toolCall: call, reason, error, content });
  return toolMessage(call, content);
}

/**
 * Describes a failed call to the model so it can correct itself. For `execution_failed` this
 * includes the thrown error's message: tools should not throw messages that the model must not see.
 */
function errorContent(call: ToolCall, reason: ToolErrorReason, error: unknown): string {
  const name = call.function?.name;
  if (reason === "execution_failed") {
    const message = error instanceof Error ? error.message : String(error);
    return `Error: tool ${name} failed: ${message}`;
  }

  const problems = error instanceof ValidationError ? error.problems : [];
  const lines = problems.map((problem) => `- ${problem.path}: ${problem.message}`);
  const summary =
    reason === "unknown_tool"
      ? `Error: there is no tool named ${JSON.stringify(name)}.`
      : `Error: the arguments of tool ${name} are invalid. Call it again with arguments that ` +
        "match its parameters.";
  return [summary, ...lines].join("\n");
}

/** Strings go as is; other values as JSON, so the model reads the same text a log would show. */
function resultContent(result: unknown): string {
  if (typeof result === "string") return result;
  const json = JSON.stringify(result ?? null);
  if (json === undefined) throw new TypeError("The tool returned a value that has no JSON form");
  return json;
}

function toolMessage(call: ToolCall, content: string): ToolMessage {
  return { role: "tool", tool_call_id: call.id, name: call.function.name, content };
}

/** Settles like `promise`, or rejects with an AbortError as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortErrorFrom(signal));
  }

  return new Promise((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(abortErrorFrom(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
