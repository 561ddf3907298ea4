import type { UsageInfo } from "../types/common.js";
import type { MistralError } from "./errors/mistral-error.js";

/** Identity of one API call, shared by every observer callback of that call. */
export interface CallInfo {
  /** Short correlation id (8 hex characters); retries keep the id of their first attempt. */
  readonly id: string;
  /**
   * Bounded operation name such as `chat.create` or `files.upload`. Calls without a typed method
   * use the method and the path with id-like segments replaced by `{id}`.
   */
  readonly operation: string;
  readonly method: string;
  /** Path as sent, ids included. */
  readonly path: string;
  /** The `model` field of the request body, when it has one. */
  readonly model: string | undefined;
  /** End user named with the `user` request option. */
  readonly user: string | undefined;
  readonly stream: boolean;
  /** Start time, in milliseconds since the epoch. */
  readonly startedAt: number;
  /** The request body as the caller passed it. Observers must not log it unless configured to. */
  readonly requestBody: unknown;
}

/** Status and headers of one attempt's response. */
export interface AttemptResponse {
  attempt: number;
  status: number;
  headers: Headers;
  requestId: string | undefined;
  /** Time from the call's start to the headers, in milliseconds. */
  elapsedMs: number;
  /**
   * Removes the key sent with this attempt from a text. Header values are the server's, and a
   * server may echo the key, so an observer that writes them passes them through this first.
   */
  redact: (text: string) => string;
}

/** Result of a finished call. */
export interface CallOutcome {
  error: MistralError | undefined;
  /** Status of the last response, when one arrived. */
  status: number | undefined;
  requestId: string | undefined;
  /** Token usage from the response body or the last stream chunk, when the server sent it. */
  usage: UsageInfo | undefined;
  /** Model the response names, when it names one. */
  responseModel: string | undefined;
  /** Number of attempts made, 1 when nothing was retried. */
  attempts: number;
  /** Time from the call's start to its last byte (or its failure), in milliseconds. */
  durationMs: number;
  /** Time from the call's start to the first response headers, when they arrived. */
  timeToFirstByteMs: number | undefined;
  /** The parsed response body (JSON calls) or assembled completion (streams). */
  responseBody: unknown;
}

/**
 * One tool execution step of `chat.runTools()` or `chat.runToolsStream()`. It carries no tool
 * arguments or results, so observers cannot leak them.
 */
export interface ToolObservation {
  /**
   * `tool_start` when `execute` is about to run, then `tool_result` or `tool_error` when it ended.
   * A call rejected before `execute` (unknown tool, invalid arguments) sends `tool_error` alone.
   */
  type: "tool_start" | "tool_result" | "tool_error";
  /** Correlation id of the tool run (8 hex characters), shared by all its steps. */
  runId: string;
  /** Model call that requested the tool, from 1. */
  step: number;
  /** Tool name as the model sent it; for `unknown_tool` it names no tool of the run. */
  toolName: string;
  /** The `id` of the model's tool call. */
  toolCallId: string;
  /** Time `execute` ran, in milliseconds; absent on `tool_start` and when it did not run. */
  durationMs?: number;
  /** Failure reason of `tool_error`: `unknown_tool`, `invalid_arguments` or `execution_failed`. */
  reason?: string;
}

/**
 * Callbacks the request pipeline makes during a call. Every callback is optional, runs
 * synchronously, and is isolated: an exception thrown by an observer is caught and ignored, so it
 * can never break or stall a request. Slow work belongs in a queue the observer drains itself.
 */
export interface CallObserver {
  onCallStart?(call: CallInfo): void;
  onRetry?(call: CallInfo, info: { attempt: number; delayMs: number; error: MistralError }): void;
  /** The headers of an attempt as sent, `authorization` included: mask before logging. */
  onRequestHeaders?(
    call: CallInfo,
    request: { attempt: number; headers: Readonly<Record<string, string>> },
  ): void;
  onResponseHeaders?(call: CallInfo, response: AttemptResponse): void;
  /** A client-side limiter made the call wait. */
  onThrottled?(call: CallInfo, info: { waitedMs: number; limit: string }): void;
  onCallEnd?(call: CallInfo, outcome: CallOutcome): void;
  /** A tool of a tool run started or ended. The run's model calls reach the callbacks above. */
  onToolEvent?(event: ToolObservation): void;
}

/** Returns true when an observer has the callback `method`, so a call builds no unread event. */
export function anyObserves(
  observers: readonly CallObserver[],
  method: keyof CallObserver,
): boolean {
  for (const observer of observers) {
    if (observer[method] !== undefined) return true;
  }

  return false;
}

/** Calls `callback` on each observer, swallowing anything an observer throws. */
export function notifyObservers<K extends keyof CallObserver>(
  observers: readonly CallObserver[],
  method: K,
  ...args: Parameters<NonNullable<CallObserver[K]>>
): void {
  for (const observer of observers) {
    const callback = observer[method] as ((first: unknown, second: unknown) => void) | undefined;
    if (callback === undefined) continue;
    try {
      // Every callback takes one or two arguments; `call` is cheaper than `apply` with an array.
      callback.call(observer, args[0], args[1]);
    } catch {
      // An observer failure must never affect the call it observes.
    }
  }
}

/** Every literal path segment of the Mistral API's routes (from its OpenAPI description). */
const routeWords = new Set([
  "agents",
  "aliases",
  "archive",
  "audio",
  "auth_url",
  "authentication_methods",
  "batch",
  "bulk-delete",
  "call",
  "campaigns",
  "cancel",
  "chat",
  "chat-completion-events",
  "chat-completion-fields",
  "classifications",
  "completions",
  "connectors",
  "content",
  "conversations",
  "credentials",
  "dataset-records",
  "datasets",
  "deployments",
  "documents",
  "embeddings",
  "events",
  "execute",
  "executions",
  "exports",
  "extracted-text-signed-url",
  "files",
  "fim",
  "fine_tuning",
  "from-campaign",
  "from-dataset",
  "from-explorer",
  "from-file",
  "from-playground",
  "history",
  "imports",
  "jobs",
  "judges",
  "libraries",
  "list",
  "live-judging",
  "messages",
  "metrics",
  "models",
  "moderations",
  "observability",
  "ocr",
  "options",
  "options-counts",
  "organization",
  "otel",
  "pages",
  "payload",
  "properties",
  "queries",
  "records",
  "registrations",
  "reprocess",
  "reset",
  "restart",
  "runs",
  "sample",
  "schedules",
  "search",
  "search-ids",
  "selected-events",
  "share",
  "signals",
  "signed-url",
  "similar-events",
  "speech",
  "start",
  "status",
  "stream",
  "summary",
  "tasks",
  "terminate",
  "text_content",
  "to-jsonl",
  "tools",
  "trace",
  "transcriptions",
  "unarchive",
  "updates",
  "url",
  "user",
  "v1",
  "version",
  "versions",
  "voices",
  "whoami",
  "workers",
  "workflows",
  "workspace",
]);

/**
 * Replaces each path segment that is not a literal word of the API's routes with `{id}`, so
 * operation names stay a bounded set: `GET /v1/files/abc/content` → `GET /v1/files/{id}/content`.
 */
export function operationFromPath(method: string, path: string): string {
  let byPath = operationsByMethod.get(method);
  if (byPath === undefined) {
    byPath = new Map();
    operationsByMethod.set(method, byPath);
  }

  // Keyed by the path alone: a path written as a literal keeps its hash, where a joined key
  // would be hashed again on every call.
  const known = byPath.get(path);
  if (known !== undefined) return known;
  const template = path
    .split("/")
    .map((segment) => (segment === "" || routeWords.has(segment) ? segment : "{id}"))
    .join("/");
  const operation = `${method} ${template}`;
  if (byPath.size < maxRememberedPaths) byPath.set(path, operation);
  return operation;
}

/** Largest number of paths per method whose operation is remembered, since ids vary. */
const maxRememberedPaths = 256;
const operationsByMethod = new Map<string, Map<string, string>>();
