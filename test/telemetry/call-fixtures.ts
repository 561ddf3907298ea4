import type { AttemptResponse, CallInfo, CallOutcome } from "../../src/core/call-observer.js";
import { createApiError } from "../../src/core/errors/api-error.js";
import type { MistralError } from "../../src/core/errors/mistral-error.js";
import {
  AbortError,
  ConnectionError,
  TimeoutError,
} from "../../src/core/errors/transport-errors.js";
import type { RequestHeadersObserver } from "../../src/telemetry/log-observer.js";

let nextId = 1;

/** Builds the `CallInfo` of a chat call; fields given win. */
export function callInfo(fields: Partial<CallInfo> = {}): CallInfo {
  const id = (nextId++).toString(16).padStart(8, "0");
  return {
    id,
    operation: "chat.create",
    method: "POST",
    path: "/v1/chat/completions",
    model: "mistral-small-latest",
    user: undefined,
    stream: false,
    startedAt: 1_700_000_000_000,
    requestBody: {
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Say hello" }],
    },
    ...fields,
  };
}

/** Builds a successful outcome with usage; fields given win. */
export function okOutcome(fields: Partial<CallOutcome> = {}): CallOutcome {
  return {
    error: undefined,
    status: 200,
    requestId: "req-0001",
    usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
    responseModel: "mistral-small-2503",
    attempts: 1,
    durationMs: 120,
    timeToFirstByteMs: 40,
    responseBody: {
      id: "cmpl-1",
      model: "mistral-small-2503",
      choices: [
        { index: 0, message: { role: "assistant", content: "Hello there" }, finish_reason: "stop" },
      ],
    },
    ...fields,
  };
}

/** Builds a failed outcome for `error`; fields given win. */
export function failedOutcome(error: MistralError, fields: Partial<CallOutcome> = {}): CallOutcome {
  const status = (error as { status?: number }).status;
  return {
    error,
    status,
    requestId: error.requestId,
    usage: undefined,
    responseModel: undefined,
    attempts: 1,
    durationMs: 80,
    timeToFirstByteMs: status === undefined ? undefined : 30,
    responseBody: undefined,
    ...fields,
  };
}

/** Builds an API error as the transport builds it from a response. */
export function apiError(status: number, message = "Request failed"): MistralError {
  return createApiError({ status, message, requestId: `req-${status}` });
}

export const timeoutError = (): MistralError =>
  new TimeoutError("Timed out waiting for response headers", { phase: "headers", timeoutMs: 50 });

export const connectionError = (): MistralError =>
  new ConnectionError("Could not reach 127.0.0.1 (ECONNREFUSED)");

export const abortError = (): MistralError => new AbortError("The caller aborted the request");

/** Builds the response headers of one attempt; fields given win. */
export function attemptResponse(fields: Partial<AttemptResponse> = {}): AttemptResponse {
  return {
    attempt: 1,
    status: 200,
    headers: new Headers({ "content-type": "application/json", "x-request-id": "req-0001" }),
    requestId: "req-0001",
    elapsedMs: 40,
    redact: (text) => text,
    ...fields,
  };
}

/** Plays one call through the observers: start, optional retries and throttles, then the end. */
export function playCall(
  observers: readonly RequestHeadersObserver[],
  call: CallInfo,
  outcome: CallOutcome,
  steps: { retries?: MistralError[]; throttles?: number[]; headers?: Record<string, string> } = {},
): void {
  for (const observer of observers) observer.onCallStart?.(call);
  for (const waitedMs of steps.throttles ?? []) {
    for (const observer of observers) {
      observer.onThrottled?.(call, { waitedMs, limit: "requests_per_second" });
    }
  }

  if (steps.headers !== undefined) {
    for (const observer of observers) {
      observer.onRequestHeaders?.(call, { attempt: 1, headers: steps.headers });
    }
  }

  (steps.retries ?? []).forEach((error, index) => {
    for (const observer of observers) {
      observer.onRetry?.(call, { attempt: index + 1, delayMs: 25, error });
    }
  });
  if (outcome.status !== undefined) {
    const response = attemptResponse({
      attempt: outcome.attempts,
      status: outcome.status,
      requestId: outcome.requestId,
    });
    for (const observer of observers) observer.onResponseHeaders?.(call, response);
  }

  for (const observer of observers) observer.onCallEnd?.(call, outcome);
}

/** A console-compatible logger that records every line with its level. */
export class MemoryLogger {
  readonly lines: Array<{ level: string; text: string }> = [];

  error(...data: unknown[]): void {
    this.#add("error", data);
  }

  warn(...data: unknown[]): void {
    this.#add("warn", data);
  }

  info(...data: unknown[]): void {
    this.#add("info", data);
  }

  debug(...data: unknown[]): void {
    this.#add("debug", data);
  }

  at(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.text);
  }

  #add(level: string, data: unknown[]): void {
    this.lines.push({ level, text: data.map(String).join(" ") });
  }
}
