/**
 * The parts of the `@opentelemetry/api` module (1.x) the bridge uses, described by shape so the
 * library needs neither the package nor its types. The real module, tracers and meters fit.
 */

export type OpenTelemetryAttributeValue = string | number | boolean | string[] | number[];

export type OpenTelemetryAttributes = Record<string, OpenTelemetryAttributeValue>;

export interface OpenTelemetrySpan {
  setAttribute(key: string, value: OpenTelemetryAttributeValue): unknown;
  setAttributes(attributes: OpenTelemetryAttributes): unknown;
  addEvent(name: string, attributes?: OpenTelemetryAttributes, time?: number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: number): void;
}

export interface OpenTelemetryTracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: OpenTelemetryAttributes; startTime?: number },
  ): OpenTelemetrySpan;
}

export interface OpenTelemetryHistogram {
  record(value: number, attributes?: OpenTelemetryAttributes): void;
}

export interface OpenTelemetryMeter {
  createHistogram(
    name: string,
    options?: {
      description?: string;
      unit?: string;
      advice?: { explicitBucketBoundaries?: number[] };
    },
  ): OpenTelemetryHistogram;
}

/** The `@opentelemetry/api` module, as returned by `await import("@opentelemetry/api")`. */
export interface OpenTelemetryApi {
  trace: { getTracer(name: string, version?: string): OpenTelemetryTracer };
  metrics: { getMeter(name: string, version?: string): OpenTelemetryMeter };
  SpanKind?: { CLIENT: number };
  SpanStatusCode?: { ERROR: number };
}

/** A tracer, a meter, or both, for callers who build them themselves. */
export interface OpenTelemetryComponents {
  tracer?: OpenTelemetryTracer;
  meter?: OpenTelemetryMeter;
}
