import type { LatencySummary } from "./latency-histogram.js";

export type { LatencySummary } from "./latency-histogram.js";

/** Status class of a failed call: the HTTP status of the error response, or `none` without one. */
export type StatusClass = "3xx" | "4xx" | "5xx" | "none";

/** Counters of a group of calls, as plain data. */
export interface CallCounts {
  /** Calls started. */
  calls: number;
  successes: number;
  errors: number;
  errorsByStatusClass: Record<StatusClass, number>;
  /** Errors per `error.kind`, such as `authentication` or `timeout`. */
  errorsByKind: Record<string, number>;
  /** Calls that ended with 401 or 403. */
  authFailures: number;
  authFailuresByStatus: { 401: number; 403: number };
  /** Attempts repeated after a retryable failure. */
  retries: number;
  /** Waits imposed by a client-side limiter. */
  throttled: number;
  /** Total time spent in those waits, in milliseconds. */
  throttleWaitMs: number;
  /** Prompt tokens reported in `usage`. */
  inputTokens: number;
  /** Completion tokens reported in `usage`. */
  outputTokens: number;
}

/** Counters and latencies of one operation with one model. */
export interface OperationMetrics extends CallCounts {
  /** Bounded operation name, such as `chat.create`. */
  operation: string;
  /** Model named in the request, `null` for calls without one. */
  model: string | null;
  /** Time from the start of the call to its last byte or failure. */
  latency: LatencySummary;
  /** Time from the start of the call to the first response headers. */
  timeToFirstByte: LatencySummary;
}

/** Counters of the calls made for one end user (the `user` request option). */
export interface UserMetrics extends CallCounts {
  user: string;
}

/** Tool executions of `chat.runTools()` runs under one tool name. */
export interface ToolMetrics {
  /** Tool name, or `other` for names beyond the cap of 50 and for calls of unknown tools. */
  tool: string;
  /** Tool calls that ended, successful or not. */
  calls: number;
  successes: number;
  errors: number;
  /** Errors per reason: `unknown_tool`, `invalid_arguments` or `execution_failed`. */
  errorsByReason: Record<string, number>;
  /** Time `execute` ran, for the calls that reached it. */
  duration: LatencySummary;
}

/** Everything the client measured since it was created or last reset, as plain data. */
export interface MetricsSnapshot {
  /** Time of the snapshot, in milliseconds since the epoch. */
  takenAt: number;
  /** Time of the creation or last reset, in milliseconds since the epoch. */
  since: number;
  /** Calls started and not yet ended. This gauge survives `reset()`. */
  inFlight: number;
  /** Sum over every operation and model. */
  totals: CallCounts & { latency: LatencySummary; timeToFirstByte: LatencySummary };
  operations: OperationMetrics[];
  users: UserMetrics[];
  /** Users beyond the tracking limit, counted together; `null` when the limit was not reached. */
  otherUsers: CallCounts | null;
  /** Tool executions of tool runs, per tool name, in the order first seen. */
  tools: ToolMetrics[];
}
