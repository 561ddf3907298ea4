/**
 * Typed audit events. None carries the API key: `keyFingerprint` is the first 8 hex characters
 * of the key's SHA-256 hash. Message content appears only under `content`, and only when the
 * `includeContent` option is on.
 */

/** Fields shared by the events of one API call. */
export interface CallEventFields {
  /** Time of the event, in milliseconds since the epoch. */
  time: number;
  /** Correlation id of the call; retries keep it. */
  callId: string;
  /** Bounded operation name, such as `chat.create`. */
  operation: string;
  method: string;
  /** Path as sent, ids included, without the query string. */
  path: string;
  /** Model named in the request. */
  model?: string;
  /** End user named with the `user` request option. */
  user?: string;
  /** First 8 hex characters of the SHA-256 hash of the API key, when known. */
  keyFingerprint?: string;
}

/** Short description of an error, without the request content. */
export interface ErrorSummary {
  /** Stable kind, such as `authentication` or `timeout`. */
  kind: string;
  /** Class name, such as `AuthenticationError`. */
  name: string;
  message: string;
  /** HTTP status, for errors built from a response. */
  status?: number;
}

/** Token counts from the response's `usage`. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface RequestStartEvent extends CallEventFields {
  type: "request.start";
  stream: boolean;
  /** Present only with `includeContent`. */
  content?: { request: unknown };
}

export interface RequestEndEvent extends CallEventFields {
  type: "request.end";
  ok: boolean;
  /** Status of the last response, when one arrived. */
  status?: number;
  /** The API's request id, from the response headers or error body. */
  requestId?: string;
  attempts: number;
  durationMs: number;
  timeToFirstByteMs?: number;
  usage?: TokenUsage;
  /** Model the response names. */
  responseModel?: string;
  error?: ErrorSummary;
  /** Present only with `includeContent`: the response text, or the body when it has no text. */
  content?: { response: unknown };
}

export interface RequestRetryEvent extends CallEventFields {
  type: "request.retry";
  /** Number of the attempt that failed, 1 for the first. */
  attempt: number;
  /** Wait before that attempt, in milliseconds. */
  delayMs: number;
  error: ErrorSummary;
}

export interface RequestThrottledEvent extends CallEventFields {
  type: "request.throttled";
  /** Time the client-side limiter held the call, in milliseconds. */
  waitedMs: number;
  /** Name of the limit that applied. */
  limit: string;
}

/** A call ended with 401 or 403. Sent after the call's `request.end`. */
export interface AuthFailureEvent extends CallEventFields {
  type: "auth.failure";
  status: 401 | 403;
  requestId?: string;
  error: ErrorSummary;
}

/** An option or environment value that works but deserves attention. */
export interface ConfigWarningEvent {
  type: "config.warning";
  time: number;
  /** Option or variable concerned, such as `telemetry.includeContent`. */
  setting: string;
  message: string;
  keyFingerprint?: string;
}

/** Names of the anomaly detectors. */
export type AnomalyKind = "auth_failure_burst" | "error_rate" | "latency" | "user_spike";

/** A detector saw traffic far from its recent level. Fields describe the call that tripped it. */
export interface AnomalyEvent extends CallEventFields {
  type: "anomaly";
  anomaly: AnomalyKind;
  message: string;
  /** Measured value: a count, a rate from 0 to 1, or milliseconds. */
  observed: number;
  /** Threshold it crossed, in the same unit. */
  threshold: number;
  /** Window the value was measured over, in milliseconds, for windowed detectors. */
  windowMs?: number;
}

/**
 * Fields shared by the events of one tool execution in `chat.runTools()`. Tool arguments and
 * results never appear in them.
 */
export interface ToolEventFields {
  /** Time of the event, in milliseconds since the epoch. */
  time: number;
  /** Correlation id of the tool run, shared by all its tools. */
  runId: string;
  /** Model call that requested the tool, from 1. */
  step: number;
  /** Tool name as the model sent it. */
  toolName: string;
  /** The `id` of the model's tool call. */
  toolCallId: string;
  /** First 8 hex characters of the SHA-256 hash of the API key, when known. */
  keyFingerprint?: string;
}

/** A tool's `execute` is about to run. Calls rejected before it get a `tool.end` alone. */
export interface ToolStartEvent extends ToolEventFields {
  type: "tool.start";
}

/** Reasons a tool call failed, as in the tool runner's `tool_error` events. */
export type ToolFailureReason = "unknown_tool" | "invalid_arguments" | "execution_failed";

export interface ToolEndEvent extends ToolEventFields {
  type: "tool.end";
  outcome: "success" | "error";
  /** Time `execute` ran, in milliseconds; 0 when it did not run (unknown tool, invalid arguments). */
  durationMs: number;
  /** Present when `outcome` is `error`. */
  reason?: ToolFailureReason;
}

export type AuditEvent =
  | RequestStartEvent
  | RequestEndEvent
  | RequestRetryEvent
  | RequestThrottledEvent
  | AuthFailureEvent
  | ConfigWarningEvent
  | AnomalyEvent
  | ToolStartEvent
  | ToolEndEvent;

export type AuditEventType = AuditEvent["type"];

/** Receives audit events. A returned promise is awaited before the next event is delivered. */
export type AuditEventHandler = (event: AuditEvent) => void | Promise<void>;
