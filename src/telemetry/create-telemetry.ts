import type { CallInfo } from "../core/call-observer.js";
import { readEnvironment } from "../core/config.js";
import { ConfigurationError } from "../core/errors/client-errors.js";
import { AnomalyDetector, type AnomalyReport } from "./anomaly-detector.js";
import { resolveAnomalyOptions } from "./anomaly-options.js";
import { type AuditEventStream, EventHub } from "./audit-event-stream.js";
import { AuditObserver } from "./audit-observer.js";
import { type ServerAddress, serverAddressOf } from "./gen-ai-attributes.js";
import { fingerprintReader, isKeyFingerprint } from "./key-fingerprint.js";
import { LogObserver, type RequestHeadersObserver } from "./log-observer.js";
import { ClientMetrics, type Metrics } from "./metrics.js";
import { MetricsCollector } from "./metrics-collector.js";
import { OpenTelemetryObserver } from "./opentelemetry.js";
import { PrometheusRenderer } from "./prometheus.js";
import { resolveTelemetryOptions, type TelemetryOptions } from "./telemetry-options.js";

/** Facts the client passes to telemetry beyond the caller's options: server URLs and key fingerprint. */
export interface TelemetryContext {
  /** Base URL of the client, for `server.address` and `server.port`. */
  baseURL?: string;
  /** Base URL of fill-in-the-middle calls, when they go to a separate server. */
  fimBaseURL?: string;
  /**
   * First 8 hex characters of the SHA-256 hash of the key, or a function returning it once
   * known (it may change when the key rotates). Anything that is not 8 to 16 hex characters is
   * rejected (a string) or ignored (a function's result), so a key passed here never shows up.
   */
  keyFingerprint?: string | (() => string | undefined);
  /** Environment for `MISTRAL_LOG`. Default: the process environment. */
  env?: Record<string, string | undefined>;
}

/** The telemetry of one client: observers for the pipeline, and what the client exposes. */
export interface Telemetry {
  /** Observers to notify of every call, in this order. */
  readonly observers: RequestHeadersObserver[];
  /** `client.metrics`. */
  readonly metrics: Metrics;
  /** `client.events`. */
  readonly events: AuditEventStream;
  /** Reports a setting that works but deserves attention, as a `config.warning` event and log line. */
  warnConfiguration(setting: string, message: string): void;
}

/**
 * Builds the observers and read sides of the client's telemetry. Throws `ConfigurationError` for
 * an invalid option or `MISTRAL_LOG` value.
 */
export function createTelemetry(
  options: TelemetryOptions | undefined,
  context: TelemetryContext = {},
): Telemetry {
  const resolved = resolveTelemetryOptions(options, context.env ?? readEnvironment());
  if (typeof context.keyFingerprint === "string" && !isKeyFingerprint(context.keyFingerprint)) {
    throw new ConfigurationError("keyFingerprint must be 8 to 16 hex characters of a key hash");
  }

  const keyFingerprint = fingerprintReader(context.keyFingerprint);
  const collector = new MetricsCollector({ maxUsers: resolved.maxTrackedUsers });
  const renderer = new PrometheusRenderer({
    includeModelLabel: resolved.includeModelLabel,
    includeUserLabel: resolved.includeUserLabel,
    maxLabelValues: resolved.maxLabelValues,
  });
  const log =
    resolved.logLevel === "off"
      ? undefined
      : new LogObserver({
          logger: resolved.logger ?? globalThis.console,
          level: resolved.logLevel,
          logRequestBodies: resolved.logRequestBodies,
          keyFingerprint,
        });
  const hub = new EventHub({
    handler: resolved.onEvent,
    bufferSize: resolved.eventBufferSize,
    onHandlerError: (error) => log?.logHandlerError(error),
  });

  const observers: RequestHeadersObserver[] = [
    collector,
    new AuditObserver({ hub, includeContent: resolved.includeContent, keyFingerprint }),
  ];
  const anomalies = resolveAnomalyOptions(resolved.anomalies);
  if (anomalies !== undefined) {
    const report = (found: AnomalyReport, call: CallInfo, time: number) => {
      if (hub.active) hub.emit(anomalyEvent(found, call, time, keyFingerprint()));
      log?.logAnomaly(found, call);
    };
    observers.push(new AnomalyDetector(anomalies, report));
  }

  if (log !== undefined) observers.push(log);
  if (resolved.openTelemetry !== undefined) {
    const servers = serverTable(context);
    observers.push(
      new OpenTelemetryObserver(resolved.openTelemetry, {
        captureContent: resolved.captureContent,
        serverFor: (path) => (/\/v1\/fim\//.test(path) ? servers.fim : servers.main),
      }),
    );
  }

  const warnConfiguration = (setting: string, message: string) => {
    if (hub.active) {
      const fingerprint = keyFingerprint();
      hub.emit({
        type: "config.warning",
        time: Date.now(),
        setting,
        message,
        ...(fingerprint === undefined ? {} : { keyFingerprint: fingerprint }),
      });
    }

    log?.logConfigWarning(setting, message);
  };
  for (const warning of resolved.warnings) warnConfiguration(warning.setting, warning.message);

  return {
    observers,
    metrics: new ClientMetrics(collector, renderer),
    events: hub.stream,
    warnConfiguration,
  };
}

function anomalyEvent(
  report: AnomalyReport,
  call: CallInfo,
  time: number,
  keyFingerprint: string | undefined,
) {
  return {
    type: "anomaly" as const,
    time,
    callId: call.id,
    operation: call.operation,
    method: call.method,
    path: call.path,
    ...(call.model === undefined ? {} : { model: call.model }),
    ...(call.user === undefined ? {} : { user: call.user }),
    ...(keyFingerprint === undefined ? {} : { keyFingerprint }),
    ...report,
  };
}

function serverTable(context: TelemetryContext): {
  main: ServerAddress | undefined;
  fim: ServerAddress | undefined;
} {
  const main = serverAddressOf(context.baseURL);
  return { main, fim: serverAddressOf(context.fimBaseURL) ?? main };
}
