import { abortErrorFrom } from "../../core/abort.js";
import type { CallObserver } from "../../core/call-observer.js";
import type { RequestOptions } from "../../core/client-options.js";
import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import { ToolRunnerError } from "../../core/errors/tool-runner-error.js";
import type {
  ChatCompletionRequest,
  ChatCompletionResponse,
  ChatMessage,
  ToolCall,
  ToolMessage,
} from "../../types/chat.js";
import type { UsageInfo } from "../../types/common.js";
import type { Chat } from "./chat.js";
import type { AssembledCompletion } from "./completion-accumulator.js";
import { contentText } from "./message-content.js";
import { type PreparedTool, prepareTools, type RunnableTool } from "./tool-definition.js";
import { executeToolCalls } from "./tool-execution.js";
import { createToolEventNotifier, type ToolEventNotifier } from "./tool-observers.js";
import type { ToolRunEvent } from "./tool-run-events.js";

/** Default of `maxSteps`: model calls per run. */
const DEFAULT_MAX_STEPS = 10;

/** Default of `maxParallel`: tool calls of one step run at the same time. */
const DEFAULT_MAX_PARALLEL = 4;

/** A chat request for a tool run. `tools` comes from the run's options instead. */
export type ToolRunRequest = Omit<ChatCompletionRequest, "tools">;

/** Options of `chat.runTools()`. The request options apply to every model call. */
export interface ToolRunOptions extends RequestOptions {
  tools: readonly RunnableTool[];
  /** Model calls at most; the run fails with a `max_steps` ToolRunnerError after them. Default: 10. */
  maxSteps?: number;
  /** Tool calls of one step that run at the same time. Default: 4. */
  maxParallel?: number;
  /**
   * Receives every event as it happens. An exception it throws ends the run with that
   * exception.
   */
  onEvent?: (event: ToolRunEvent) => void;
  /**
   * When true, a tool that throws ends the run with a `tool_failed` ToolRunnerError. Default:
   * false, which sends the failure to the model as the tool's result.
   */
  stopOnToolError?: boolean;
}

/** Outcome of a tool run that ended with a reply without tool calls. */
export interface ToolRunResult {
  /** The last completion, whose reply has no tool calls. */
  completion: ChatCompletionResponse | AssembledCompletion;
  /** The whole conversation: the request's messages, each step's messages, and the reply. */
  messages: ChatMessage[];
  /** Text of the final reply, without thinking. */
  text: string;
  /** Model calls made. */
  steps: number;
  /** Token counts summed over every model call that reported them. */
  usage: UsageInfo;
}

interface RunSettings {
  maxSteps: number;
  maxParallel: number;
  stopOnToolError: boolean;
  tools: Map<string, PreparedTool>;
  requestOptions: RequestOptions;
}

/**
 * Runs the loop and yields its events; the generator's return value is the result. It calls the
 * model, runs the tool calls of its reply, appends the assistant message unchanged and one tool
 * message per call (with the server's id unchanged), and repeats until a reply has no tool
 * calls. With `streaming`, model calls are streamed and their text is yielded as it arrives.
 * Leaving the loop early aborts running tools and any open stream. Tool events also go to the
 * `onToolEvent` callback of `observers`; model calls reach them through the request pipeline.
 */
export async function* toolRunEvents(
  chat: Chat,
  request: ToolRunRequest,
  options: ToolRunOptions,
  streaming: boolean,
  observers: readonly CallObserver[] = [],
): AsyncGenerator<ToolRunEvent, ToolRunResult, undefined> {
  const settings = checkRun(request, options);
  const notify = createToolEventNotifier(observers);
  const controller = new AbortController();
  const callerSignal = options.signal;
  const forwardAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) forwardAbort();
  callerSignal?.addEventListener("abort", forwardAbort, { once: true });
  const requestOptions = { ...settings.requestOptions, signal: controller.signal };
  const wireTools = [...settings.tools.values()].map((prepared) => prepared.wire);
  const messages: ChatMessage[] = [...request.messages];
  const usage: UsageInfo = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  try {
    for (let step = 1; step <= settings.maxSteps; step++) {
      if (controller.signal.aborted) throw abortErrorFrom(controller.signal);
      const body: ChatCompletionRequest = { ...request, messages: [...messages], tools: wireTools };
      yield { type: "model_call", step, request: body };
      const completion = yield* callModel(chat, body, requestOptions, step, streaming);
      addUsage(usage, completion.usage);
      const message = completion.choices[0]?.message;
      const toolCalls = message?.tool_calls ?? [];
      if (message !== undefined) messages.push(message);
      yield { type: "model_response", step, completion, toolCalls };
      if (toolCalls.length === 0) {
        return { completion, messages, text: contentText(message?.content), steps: step, usage };
      }

      const results = yield* runStepTools(
        toolCalls,
        step,
        settings,
        controller.signal,
        messages,
        notify,
      );
      messages.push(...results);
    }

    throw new ToolRunnerError(
      `The model still called tools after ${settings.maxSteps} steps: raise maxSteps, or send ` +
        "error.messages again to continue the run",
      { reason: "max_steps", steps: settings.maxSteps, messages },
    );
  } finally {
    callerSignal?.removeEventListener("abort", forwardAbort);
    controller.abort(new Error("The tool run ended"));
  }
}

/** Runs a tool loop to its end, passing each event to `onEvent`; see {@link toolRunEvents}. */
export async function runTools(
  chat: Chat,
  request: ToolRunRequest,
  options: ToolRunOptions,
  observers: readonly CallObserver[] = [],
): Promise<ToolRunResult> {
  const events = toolRunEvents(chat, request, options, false, observers);
  for (;;) {
    const next = await events.next();
    if (next.done) return next.value;
    options.onEvent?.(next.value);
  }
}

async function* callModel(
  chat: Chat,
  body: ChatCompletionRequest,
  options: RequestOptions,
  step: number,
  streaming: boolean,
): AsyncGenerator<ToolRunEvent, ChatCompletionResponse | AssembledCompletion, undefined> {
  if (!streaming) return await chat.create(body, options);
  const stream = await chat.stream(body, options);
  for await (const text of stream.textDeltas()) {
    yield { type: "text", step, text };
  }

  return await stream.finalCompletion();
}

/**
 * Runs one step's tool calls and yields their events as they happen, in any order. Observers are
 * notified when an event happens, not when the reader takes it.
 */
async function* runStepTools(
  calls: ToolCall[],
  step: number,
  settings: RunSettings,
  signal: AbortSignal,
  messages: ChatMessage[],
  notify: ToolEventNotifier | undefined,
): AsyncGenerator<ToolRunEvent, ToolMessage[], undefined> {
  const channel = new EventChannel<ToolRunEvent>();
  const done = executeToolCalls(calls, {
    step,
    tools: settings.tools,
    signal,
    maxParallel: settings.maxParallel,
    stopOnToolError: settings.stopOnToolError,
    messages: [...messages],
    emit: (event) => {
      channel.push(event);
      notify?.(event);
    },
  }).finally(() => channel.close());
  // Observed here so an early exit from the loop leaves no unhandled rejection.
  done.catch(() => {});
  yield* channel;
  return await done;
}

function checkRun(request: ToolRunRequest, options: ToolRunOptions): RunSettings {
  const problems: InputProblem[] = [];
  if (typeof request !== "object" || request === null) {
    throw new ValidationError([{ path: "request", message: "must be an object" }]);
  }

  if ("tools" in request && request.tools !== undefined) {
    problems.push({ path: "tools", message: "is set by the runner: pass tools in the options" });
  }

  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    problems.push({ path: "messages", message: "must be a non-empty array" });
  }

  const { tools, maxSteps, maxParallel, onEvent, stopOnToolError, ...requestOptions } = options;
  const steps = countOption(problems, "maxSteps", maxSteps, DEFAULT_MAX_STEPS);
  const parallel = countOption(problems, "maxParallel", maxParallel, DEFAULT_MAX_PARALLEL);
  if (onEvent !== undefined && typeof onEvent !== "function") {
    problems.push({ path: "onEvent", message: "must be a function" });
  }

  if (problems.length > 0) throw new ValidationError(problems);
  return {
    maxSteps: steps,
    maxParallel: parallel,
    stopOnToolError: stopOnToolError === true,
    tools: prepareTools(tools),
    requestOptions,
  };
}

/** Accepts an integer of at least 1 (or Infinity for `maxParallel`), else records a problem. */
function countOption(
  problems: InputProblem[],
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const valid =
    (Number.isInteger(value) && value >= 1) ||
    (name === "maxParallel" && value === Number.POSITIVE_INFINITY);
  if (!valid)
    problems.push({ path: name, message: `must be an integer of at least 1, got ${value}` });
  return value;
}

function addUsage(total: UsageInfo, usage: Partial<UsageInfo> | null | undefined): void {
  total.prompt_tokens += usage?.prompt_tokens ?? 0;
  total.completion_tokens += usage?.completion_tokens ?? 0;
  total.total_tokens += usage?.total_tokens ?? 0;
}

/** An unbounded queue read with `for await`, fed by tools that finish in any order. */
class EventChannel<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #closed = false;
  #wake: (() => void) | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        yield item;
      } else if (this.#closed) {
        return;
      } else {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    }
  }
}
