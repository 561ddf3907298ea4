import type {
  CallInfo,
  CallObserver,
  CallOutcome,
  ToolObservation,
} from "../core/call-observer.js";
import type { MistralError } from "../core/errors/mistral-error.js";
import type { EventHub } from "./audit-event-stream.js";
import type {
  CallEventFields,
  ErrorSummary,
  TokenUsage,
  ToolEventFields,
  ToolFailureReason,
} from "./audit-events.js";
import { errorStatus } from "./call-counters.js";
import { copyContent, maskTokens } from "./redaction.js";

export interface AuditObserverOptions {
  hub: EventHub;
  /** Adds request and response content to the events. */
  includeContent: boolean;
  keyFingerprint: () => string | undefined;
}

/**
 * Observer that turns the pipeline's callbacks into audit events. It builds no event while no
 * handler or iterator receives them.
 */
export class AuditObserver implements CallObserver {
  readonly #hub: EventHub;
  readonly #includeContent: boolean;
  readonly #keyFingerprint: () => string | undefined;

  constructor(options: AuditObserverOptions) {
    this.#hub = options.hub;
    this.#includeContent = options.includeContent;
    this.#keyFingerprint = options.keyFingerprint;
  }

  onCallStart(call: CallInfo): void {
    if (!this.#hub.active) return;
    this.#hub.emit({
      type: "request.start",
      ...this.#fields(call, call.startedAt),
      stream: call.stream,
      ...(this.#includeContent ? { content: { request: copyContent(call.requestBody) } } : {}),
    });
  }

  onRetry(call: CallInfo, info: { attempt: number; delayMs: number; error: MistralError }): void {
    if (!this.#hub.active) return;
    this.#hub.emit({
      type: "request.retry",
      ...this.#fields(call, Date.now()),
      attempt: info.attempt,
      delayMs: info.delayMs,
      error: summarizeError(info.error),
    });
  }

  onThrottled(call: CallInfo, info: { waitedMs: number; limit: string }): void {
    if (!this.#hub.active) return;
    this.#hub.emit({
      type: "request.throttled",
      ...this.#fields(call, Date.now()),
      waitedMs: info.waitedMs,
      limit: info.limit,
    });
  }

  onCallEnd(call: CallInfo, outcome: CallOutcome): void {
    if (!this.#hub.active) return;
    const fields = this.#fields(call, call.startedAt + outcome.durationMs);
    const error = outcome.error === undefined ? undefined : summarizeError(outcome.error);
    this.#hub.emit({
      type: "request.end",
      ...fields,
      ok: error === undefined,
      ...optional("status", outcome.status),
      ...optional("requestId", outcome.requestId),
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
      ...optional("timeToFirstByteMs", outcome.timeToFirstByteMs),
      ...optional("usage", tokenUsage(outcome)),
      ...optional("responseModel", outcome.responseModel),
      ...optional("error", error),
      ...(this.#includeContent ? { content: { response: responseContent(outcome) } } : {}),
    });

    const status = error?.status;
    if (error !== undefined && (status === 401 || status === 403)) {
      this.#hub.emit({
        type: "auth.failure",
        ...fields,
        status,
        ...optional("requestId", outcome.requestId),
        error,
      });
    }
  }

  onToolEvent(event: ToolObservation): void {
    if (!this.#hub.active) return;
    const fields: ToolEventFields = {
      time: Date.now(),
      runId: event.runId,
      step: event.step,
      toolName: event.toolName,
      toolCallId: event.toolCallId,
      ...optional("keyFingerprint", this.#keyFingerprint()),
    };
    if (event.type === "tool_start") {
      this.#hub.emit({ type: "tool.start", ...fields });
      return;
    }

    this.#hub.emit({
      type: "tool.end",
      ...fields,
      outcome: event.type === "tool_result" ? "success" : "error",
      durationMs: event.durationMs ?? 0,
      ...optional("reason", event.reason as ToolFailureReason | undefined),
    });
  }

  #fields(call: CallInfo, time: number): CallEventFields {
    return {
      time,
      callId: call.id,
      operation: call.operation,
      method: call.method,
      path: call.path,
      ...optional("model", call.model),
      ...optional("user", call.user),
      ...optional("keyFingerprint", this.#keyFingerprint()),
    };
  }
}

/** Describes an error by kind, class, status and message, with any token in the message masked. */
export function summarizeError(error: MistralError): ErrorSummary {
  return {
    kind: error.kind,
    name: error.name,
    message: maskTokens(error.message),
    ...optional("status", errorStatus(error)),
  };
}

function tokenUsage(outcome: CallOutcome): TokenUsage | undefined {
  const usage = outcome.usage;
  if (usage === undefined) {
    return undefined;
  }

  const inputTokens = numberOrZero(usage.prompt_tokens);
  const outputTokens = numberOrZero(usage.completion_tokens);
  const total = numberOrZero(usage.total_tokens);
  return { inputTokens, outputTokens, totalTokens: total || inputTokens + outputTokens };
}

/** Returns the text of each choice for completions, otherwise a masked copy of the whole body. */
function responseContent(outcome: CallOutcome): unknown {
  const body = outcome.responseBody;
  const choices = (body as { choices?: unknown } | null | undefined)?.choices;
  if (!Array.isArray(choices)) {
    return copyContent(body);
  }

  const texts = choices.map((choice) => copyContent(choiceText(choice)));
  return texts.length === 1 ? texts[0] : texts;
}

function choiceText(choice: unknown): unknown {
  const message = (choice as { message?: { content?: unknown } } | null)?.message;
  const content = message?.content;
  if (!Array.isArray(content)) {
    return content ?? null;
  }

  const parts = content.map((chunk) =>
    typeof (chunk as { text?: unknown }).text === "string" ? (chunk as { text: string }).text : "",
  );
  return parts.join("");
}

function numberOrZero(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** `{ [name]: value }`, or an empty object when the value is undefined. */
function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}
