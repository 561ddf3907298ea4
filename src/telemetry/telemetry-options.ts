import { ConfigurationError } from "../core/errors/client-errors.js";
import type { AnomalyOptions } from "./anomaly-options.js";
import type { AuditEventHandler } from "./audit-events.js";
import { checkLogLevel, type LogLevel, parseLogVariable } from "./log-level.js";
import type { Logger } from "./log-observer.js";
import type { OpenTelemetryApi, OpenTelemetryComponents } from "./opentelemetry-types.js";

/**
 * Options of the client's metrics, audit events, anomaly detection, logging and OpenTelemetry
 * bridge (`new MistralClient({ telemetry })`). Metrics are always collected.
 */
export interface TelemetryOptions {
  /** Adds a `model` label to the Prometheus families. Default: false. */
  includeModelLabel?: boolean;
  /** Adds the `mistral_client_user_*` Prometheus families, labelled by end user. Default: false. */
  includeUserLabel?: boolean;
  /** Distinct values per Prometheus label; later values are grouped as `other`. Default: 50. */
  maxLabelValues?: number;
  /** End users tracked apart in `metrics.snapshot()`; later ones are counted together. Default: 1000. */
  maxTrackedUsers?: number;

  /**
   * Receives every audit event. It runs outside the request, one event at a time, and a returned
   * promise is awaited before the next event. Errors it throws are counted and logged, never
   * thrown to the caller.
   */
  onEvent?: AuditEventHandler;
  /** Events kept for a slow `onEvent` handler or reader of `client.events`. Default: 1000. */
  eventBufferSize?: number;
  /** Adds request and response content to the audit events. Default: false. */
  includeContent?: boolean;
  /** Thresholds of the anomaly detectors, or `false` to turn them all off. */
  anomalies?: false | AnomalyOptions;

  /** Receives log lines. Default: `console`, when a level is set. */
  logger?: Logger;
  /** Log level. Default: `MISTRAL_LOG`, else `off`. */
  logLevel?: LogLevel;
  /** Adds request bodies to the `debug` lines. Default: false. */
  logRequestBodies?: boolean;

  /**
   * The `@opentelemetry/api` module (`await import("@opentelemetry/api")`), or a tracer and a
   * meter. Default: no OpenTelemetry.
   */
  openTelemetry?: OpenTelemetryApi | OpenTelemetryComponents;
  /** Records message content on OpenTelemetry spans. Default: false. */
  captureContent?: boolean;
}

/** Telemetry settings after defaults, environment and checks. */
export interface ResolvedTelemetryOptions {
  includeModelLabel: boolean;
  includeUserLabel: boolean;
  maxLabelValues: number;
  maxTrackedUsers: number;
  onEvent: AuditEventHandler | undefined;
  eventBufferSize: number;
  includeContent: boolean;
  anomalies: false | AnomalyOptions | undefined;
  logger: Logger | undefined;
  logLevel: LogLevel;
  logRequestBodies: boolean;
  openTelemetry: OpenTelemetryApi | OpenTelemetryComponents | undefined;
  captureContent: boolean;
  /** Settings that work but deserve a `config.warning`. */
  warnings: Array<{ setting: string; message: string }>;
}

const knownOptions = [
  "includeModelLabel",
  "includeUserLabel",
  "maxLabelValues",
  "maxTrackedUsers",
  "onEvent",
  "eventBufferSize",
  "includeContent",
  "anomalies",
  "logger",
  "logLevel",
  "logRequestBodies",
  "openTelemetry",
  "captureContent",
];

type Environment = Record<string, string | undefined>;

/** Checks the options and applies defaults; `MISTRAL_LOG` is read only without `logLevel`. */
export function resolveTelemetryOptions(
  options: TelemetryOptions = {},
  env: Environment = {},
): ResolvedTelemetryOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigurationError("The telemetry option must be an object");
  }

  const unknown = Object.keys(options).filter((name) => !knownOptions.includes(name));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `Unknown telemetry option ${JSON.stringify(unknown[0])}: valid names are ${knownOptions.join(", ")}`,
    );
  }

  const resolved: ResolvedTelemetryOptions = {
    includeModelLabel: flag(options.includeModelLabel, "includeModelLabel"),
    includeUserLabel: flag(options.includeUserLabel, "includeUserLabel"),
    maxLabelValues: count(options.maxLabelValues, "maxLabelValues", 50, 10_000),
    maxTrackedUsers: count(options.maxTrackedUsers, "maxTrackedUsers", 1000, 1_000_000),
    onEvent: optionalFunction(options.onEvent, "onEvent"),
    eventBufferSize: count(options.eventBufferSize, "eventBufferSize", 1000, 1_000_000),
    includeContent: flag(options.includeContent, "includeContent"),
    anomalies: options.anomalies,
    logger: checkLogger(options.logger),
    logLevel:
      options.logLevel !== undefined
        ? checkLogLevel(options.logLevel)
        : (parseLogVariable(env.MISTRAL_LOG) ?? "off"),
    logRequestBodies: flag(options.logRequestBodies, "logRequestBodies"),
    openTelemetry: checkOpenTelemetry(options.openTelemetry),
    captureContent: flag(options.captureContent, "captureContent"),
    warnings: [],
  };
  resolved.warnings = warningsFor(resolved);
  return resolved;
}

function warningsFor(
  options: ResolvedTelemetryOptions,
): Array<{ setting: string; message: string }> {
  const warnings: Array<{ setting: string; message: string }> = [];
  const warn = (setting: string, message: string) =>
    warnings.push({ setting: `telemetry.${setting}`, message });
  if (options.includeContent) {
    warn("includeContent", "audit events contain request and response content");
  }

  if (options.captureContent && options.openTelemetry !== undefined) {
    warn("captureContent", "OpenTelemetry spans contain message content");
  }

  if (options.captureContent && options.openTelemetry === undefined) {
    warn("captureContent", "has no effect without telemetry.openTelemetry");
  }

  if (options.logRequestBodies && options.logLevel === "debug") {
    warn("logRequestBodies", "debug log lines contain request bodies");
  }

  if (options.logRequestBodies && options.logLevel !== "debug") {
    warn("logRequestBodies", "has no effect unless the log level is debug");
  }

  if (options.logger !== undefined && options.logLevel === "off") {
    warn("logger", "logging is off: set telemetry.logLevel or MISTRAL_LOG to use the logger");
  }

  return warnings;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  throw new ConfigurationError(`telemetry.${name} must be true or false; got ${typeof value}`);
}

function count(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= max) {
    return value;
  }

  throw new ConfigurationError(
    `telemetry.${name} must be a whole number from 1 to ${max}; got ${String(value)}`,
  );
}

function optionalFunction<T>(value: T | undefined, name: string): T | undefined {
  if (value === undefined || typeof value === "function") return value;
  throw new ConfigurationError(`telemetry.${name} must be a function; got ${typeof value}`);
}

function checkLogger(value: unknown): Logger | undefined {
  if (value === undefined) return undefined;
  const methods = ["error", "warn", "info", "debug"] as const;
  const missing = methods.filter(
    (method) => typeof (value as Record<string, unknown> | null)?.[method] !== "function",
  );
  if (missing.length > 0) {
    throw new ConfigurationError(
      `telemetry.logger must have error, warn, info and debug methods; missing ${missing.join(", ")}`,
    );
  }

  return value as Logger;
}

function checkOpenTelemetry(
  value: unknown,
): OpenTelemetryApi | OpenTelemetryComponents | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Record<string, { [name: string]: unknown } | undefined> | null;
  const isApi =
    typeof candidate?.trace?.getTracer === "function" &&
    typeof candidate?.metrics?.getMeter === "function";
  const hasTracer = typeof candidate?.tracer?.startSpan === "function";
  const hasMeter = typeof candidate?.meter?.createHistogram === "function";
  if (isApi || hasTracer || hasMeter) {
    return value as OpenTelemetryApi | OpenTelemetryComponents;
  }

  throw new ConfigurationError(
    "telemetry.openTelemetry must be the @opentelemetry/api module " +
      '(await import("@opentelemetry/api")) or an object with a tracer and/or a meter',
  );
}
