import type { CallOutcome } from "../core/call-observer.js";
import type { MistralError } from "../core/errors/mistral-error.js";
import type { CallCounts, StatusClass } from "./metrics-snapshot.js";

/** Status classes in storage order. */
export const statusClasses: readonly StatusClass[] = ["3xx", "4xx", "5xx", "none"];

/** Distinct error kinds kept apart; later ones are counted under `other`. */
const maxErrorKinds = 32;

/** Mutable counters of one group of calls. Recording allocates only for a new error kind. */
export class CallCounters {
  calls = 0;
  successes = 0;
  errors = 0;
  /** Errors per kind, each split by status class in the order of `statusClasses`. */
  readonly errorsByKind = new Map<string, Float64Array>();
  auth401 = 0;
  auth403 = 0;
  retries = 0;
  throttled = 0;
  throttleWaitMs = 0;
  inputTokens = 0;
  outputTokens = 0;

  recordEnd(outcome: CallOutcome): void {
    const error = outcome.error;
    if (error === undefined) {
      this.successes += 1;
    } else {
      this.#recordError(error);
    }

    const usage = outcome.usage;
    if (usage !== undefined) {
      this.inputTokens += tokenCount(usage.prompt_tokens);
      this.outputTokens += tokenCount(usage.completion_tokens);
    }
  }

  recordThrottle(waitedMs: number): void {
    this.throttled += 1;
    if (waitedMs > 0) this.throttleWaitMs += waitedMs;
  }

  /** Adds the counters of `other` to these. */
  add(other: CallCounters): void {
    this.calls += other.calls;
    this.successes += other.successes;
    this.errors += other.errors;
    for (const [kind, byClass] of other.errorsByKind) {
      const target = this.#kindCounts(kind);
      for (let index = 0; index < byClass.length; index++) target[index]! += byClass[index]!;
    }

    this.auth401 += other.auth401;
    this.auth403 += other.auth403;
    this.retries += other.retries;
    this.throttled += other.throttled;
    this.throttleWaitMs += other.throttleWaitMs;
    this.inputTokens += other.inputTokens;
    this.outputTokens += other.outputTokens;
  }

  toCounts(): CallCounts {
    const errorsByStatusClass: Record<StatusClass, number> = {
      "3xx": 0,
      "4xx": 0,
      "5xx": 0,
      none: 0,
    };
    const errorsByKind: Record<string, number> = {};
    for (const [kind, byClass] of this.errorsByKind) {
      let total = 0;
      statusClasses.forEach((statusClass, index) => {
        errorsByStatusClass[statusClass] += byClass[index]!;
        total += byClass[index]!;
      });
      errorsByKind[kind] = total;
    }

    return {
      calls: this.calls,
      successes: this.successes,
      errors: this.errors,
      errorsByStatusClass,
      errorsByKind,
      authFailures: this.auth401 + this.auth403,
      authFailuresByStatus: { 401: this.auth401, 403: this.auth403 },
      retries: this.retries,
      throttled: this.throttled,
      throttleWaitMs: this.throttleWaitMs,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
    };
  }

  #recordError(error: MistralError): void {
    this.errors += 1;
    const status = errorStatus(error);
    this.#kindCounts(error.kind)[statusClassIndex(status)]! += 1;
    if (status === 401) this.auth401 += 1;
    if (status === 403) this.auth403 += 1;
  }

  #kindCounts(kind: string): Float64Array {
    let counts = this.errorsByKind.get(kind);
    if (counts === undefined) {
      const key = this.errorsByKind.size < maxErrorKinds ? kind : "other";
      counts = this.errorsByKind.get(key) ?? new Float64Array(statusClasses.length);
      this.errorsByKind.set(key, counts);
    }

    return counts;
  }
}

/** Returns the HTTP status of an API error, or `undefined` for errors without a response. */
export function errorStatus(error: MistralError): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

export function statusClassOf(status: number | undefined): StatusClass {
  return statusClasses[statusClassIndex(status)]!;
}

function statusClassIndex(status: number | undefined): number {
  if (status === undefined) return 3;
  if (status >= 500) return 2;
  if (status >= 400) return 1;
  if (status >= 300) return 0;
  return 3;
}

function tokenCount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}
