import type {
  AttemptResponse,
  CallInfo,
  CallObserver,
  CallOutcome,
  ToolObservation,
} from "../core/call-observer.js";
import type { MistralError } from "../core/errors/mistral-error.js";
import type { AnomalyReport } from "./anomaly-detector.js";
import { errorStatus } from "./call-counters.js";
import { type LogLevel, logLevelRank } from "./log-level.js";
import { copyContent, maskHeaders, maskTokens } from "./redaction.js";
import { RepeatFilter } from "./repeat-filter.js";

/** Any console-compatible logger: `console`, pino, winston and most others fit. */
export interface Logger {
  error(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}

/** Headers of one attempt, for a pipeline that reports them before sending. */
export interface RequestHeadersInfo {
  /** Attempt number, 1 for the first. */
  attempt: number;
  /** Headers as sent. Credentials in them are masked before anything is written. */
  headers: Headers | Readonly<Record<string, string>>;
}

/** `CallObserver` plus the callback that receives request headers for debug lines. */
export interface RequestHeadersObserver extends CallObserver {
  onRequestHeaders?(call: CallInfo, request: RequestHeadersInfo): void;
}

export interface LogObserverOptions {
  logger: Logger;
  /** Must not be `off`: the observer is left out then. */
  level: LogLevel;
  /** Adds request bodies to the debug lines. */
  logRequestBodies: boolean;
  keyFingerprint: () => string | undefined;
  /** Clock of the repeat filter. Default: `Date.now`. */
  now?: () => number;
}

/** Maximum length of a request body in a debug line, in characters. */
const maxBodyCharacters = 8192;

const prefix = "mistral:";

/**
 * Writes log lines about calls and tool executions. `info` gets one line per finished call and
 * per successful tool execution. `warn` gets retries, client-side waits, anomalies and failed tool
 * executions, with repeats limited to one per 10 s per kind. `error` gets failed calls, and
 * `debug` gets starts and headers with credentials masked. Text is built only for levels that
 * are on, and a logger that throws is ignored.
 */
export class LogObserver implements RequestHeadersObserver {
  readonly #logger: Logger;
  readonly #rank: number;
  readonly #logRequestBodies: boolean;
  readonly #keyFingerprint: () => string | undefined;
  readonly #repeats: RepeatFilter;

  constructor(options: LogObserverOptions) {
    this.#logger = options.logger;
    this.#rank = logLevelRank[options.level];
    this.#logRequestBodies = options.logRequestBodies;
    this.#keyFingerprint = options.keyFingerprint;
    this.#repeats = new RepeatFilter(10_000, options.now);
  }

  onCallStart(call: CallInfo): void {
    if (this.#rank < logLevelRank.debug) return;
    const details = [`call ${call.id}`, `operation ${call.operation}`];
    if (call.model !== undefined) details.push(`model ${call.model}`);
    if (call.stream) details.push("stream");
    const fingerprint = this.#keyFingerprint();
    if (fingerprint !== undefined) details.push(`key ${fingerprint}`);
    this.#write("debug", `${prefix} ${call.method} ${call.path} started (${details.join(", ")})`);
    if (this.#logRequestBodies && call.requestBody !== undefined) {
      const body = truncate(JSON.stringify(copyContent(call.requestBody)) ?? "undefined");
      this.#write(
        "debug",
        `${prefix} ${call.method} ${call.path} request body (call ${call.id}): ${body}`,
      );
    }
  }

  onRequestHeaders(call: CallInfo, request: RequestHeadersInfo): void {
    if (this.#rank < logLevelRank.debug) return;
    const headers = JSON.stringify(maskHeaders(request.headers));
    this.#write(
      "debug",
      `${prefix} ${call.method} ${call.path} request headers ` +
        `(call ${call.id}, attempt ${request.attempt}): ${headers}`,
    );
  }

  onResponseHeaders(call: CallInfo, response: AttemptResponse): void {
    if (this.#rank < logLevelRank.debug) return;
    const headers = JSON.stringify(maskHeaders(response.headers, response.redact));
    this.#write(
      "debug",
      `${prefix} ${call.method} ${call.path} response ${response.status} after ` +
        `${Math.round(response.elapsedMs)} ms (call ${call.id}, attempt ${response.attempt}` +
        `${requestIdPart(response.requestId)}): ${headers}`,
    );
  }

  onRetry(call: CallInfo, info: { attempt: number; delayMs: number; error: MistralError }): void {
    if (this.#rank < logLevelRank.warn) return;
    const cause = String(errorStatus(info.error) ?? info.error.kind);
    this.#warnLimited(
      `retry ${call.operation} ${cause}`,
      `${prefix} retrying ${call.method} ${call.path} after ${cause} on attempt ${info.attempt} ` +
        `(waiting ${Math.round(info.delayMs)} ms, call ${call.id})`,
    );
  }

  onThrottled(call: CallInfo, info: { waitedMs: number; limit: string }): void {
    if (this.#rank < logLevelRank.warn) return;
    this.#warnLimited(
      `throttle ${call.operation} ${info.limit}`,
      `${prefix} ${call.method} ${call.path} waited ${Math.round(info.waitedMs)} ms ` +
        `for the client-side limit ${info.limit} (call ${call.id})`,
    );
  }

  onCallEnd(call: CallInfo, outcome: CallOutcome): void {
    const error = outcome.error;
    if (error === undefined) {
      if (this.#rank < logLevelRank.info) return;
      this.#write(
        "info",
        `${prefix} ${call.method} ${call.path} ${outcome.status ?? "done"} in ` +
          `${Math.round(outcome.durationMs)} ms (${callDetails(call, outcome)})`,
      );
      return;
    }

    // An abort is the caller's own decision, so it is not logged as an error.
    const level = error.kind === "abort" ? "info" : "error";
    if (this.#rank < logLevelRank[level]) return;
    const status = errorStatus(error);
    this.#write(
      level,
      `${prefix} ${call.method} ${call.path} failed${status === undefined ? "" : ` with ${status}`}` +
        ` after ${Math.round(outcome.durationMs)} ms (${error.kind}, ${callDetails(call, outcome)})` +
        `: ${oneLine(error.message)}`,
    );
  }

  /** Writes tool starts at `debug`, successes at `info` and failures at `warn`. */
  onToolEvent(event: ToolObservation): void {
    const level = toolLogLevel(event);
    if (this.#rank < logLevelRank[level]) return;
    // The model chooses the name of an unknown tool, so it is quoted to keep it on one line.
    const tool = `tool ${JSON.stringify(event.toolName)}`;
    const ids = `run ${event.runId}, step ${event.step}, tool call ${JSON.stringify(event.toolCallId)}`;
    const duration =
      event.durationMs === undefined ? "" : ` after ${Math.round(event.durationMs)} ms`;
    if (event.type === "tool_start") {
      this.#write("debug", `${prefix} ${tool} started (${ids})`);
    } else if (event.type === "tool_result") {
      this.#write("info", `${prefix} ${tool} succeeded${duration} (${ids})`);
    } else {
      const reason = event.reason ?? "unknown reason";
      this.#warnLimited(
        `tool ${event.toolName} ${reason}`,
        `${prefix} ${tool} failed${duration} (${reason}, ${ids})`,
      );
    }
  }

  /** Writes a detector's finding at `warn`. */
  logAnomaly(report: AnomalyReport, call: CallInfo): void {
    if (this.#rank < logLevelRank.warn) return;
    const user = call.user === undefined ? "" : `, user ${JSON.stringify(call.user)}`;
    this.#warnLimited(
      `anomaly ${report.anomaly} ${call.operation}`,
      `${prefix} anomaly ${report.anomaly}: ${report.message} (call ${call.id}${user})`,
    );
  }

  /** Writes a configuration warning at `warn`. */
  logConfigWarning(setting: string, message: string): void {
    if (this.#rank < logLevelRank.warn) return;
    this.#warnLimited(`config ${setting}`, `${prefix} ${setting}: ${message}`);
  }

  /** Writes the failure of the `onEvent` handler at `warn`. */
  logHandlerError(error: unknown): void {
    if (this.#rank < logLevelRank.warn) return;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.#warnLimited("event handler", `${prefix} the onEvent handler failed: ${oneLine(text)}`);
  }

  #warnLimited(key: string, message: string): void {
    const suppressed = this.#repeats.admit(key);
    if (suppressed === undefined) return;
    const note = suppressed > 0 ? ` (${suppressed} similar warnings suppressed)` : "";
    this.#write("warn", message + note);
  }

  #write(level: Exclude<LogLevel, "off">, message: string): void {
    try {
      this.#logger[level](maskTokens(message));
    } catch {
      // A failing logger must not affect the call being logged.
    }
  }
}

function toolLogLevel(event: ToolObservation): "debug" | "info" | "warn" {
  if (event.type === "tool_start") return "debug";
  return event.type === "tool_result" ? "info" : "warn";
}

function callDetails(call: CallInfo, outcome: CallOutcome): string {
  const attempts = `${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"}`;
  return `call ${call.id}${requestIdPart(outcome.requestId)}, ${attempts}`;
}

function requestIdPart(requestId: string | undefined): string {
  return requestId === undefined ? "" : `, request_id ${requestId}`;
}

function oneLine(text: string): string {
  return maskTokens(text).replace(/\s*\n\s*/g, "; ");
}

function truncate(text: string): string {
  if (text.length <= maxBodyCharacters) return text;
  const rest = text.length - maxBodyCharacters;
  return `${text.slice(0, maxBodyCharacters)}... (${rest} more characters)`;
}
