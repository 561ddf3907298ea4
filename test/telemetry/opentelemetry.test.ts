import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as api from "@opentelemetry/api";
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import type { CallInfo, CallOutcome } from "../../src/core/call-observer.js";
import type { MistralError } from "../../src/core/errors/mistral-error.js";
import { createTelemetry, type TelemetryContext } from "../../src/telemetry/create-telemetry.js";
import type { TelemetryOptions } from "../../src/telemetry/telemetry-options.js";
import { apiError, callInfo, failedOutcome, okOutcome, playCall } from "./call-fixtures.js";

/** SDK pipelines that keep spans and metric points in memory. */
function otelHarness() {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = () => spanExporter.getFinishedSpans();
  const histograms = async () => {
    await reader.forceFlush();
    const all = metricExporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
    metricExporter.reset();
    return all;
  };
  return { tracerProvider, meterProvider, spans, histograms };
}

type Harness = ReturnType<typeof otelHarness>;

function bridge(harness: Harness, options: TelemetryOptions = {}, context: TelemetryContext = {}) {
  return createTelemetry(
    {
      openTelemetry: {
        tracer: harness.tracerProvider.getTracer("test"),
        meter: harness.meterProvider.getMeter("test"),
      },
      anomalies: false,
      ...options,
    },
    { env: {}, baseURL: "https://api.mistral.ai", ...context },
  );
}

function run(
  telemetry: ReturnType<typeof createTelemetry>,
  call: CallInfo,
  outcome: CallOutcome,
  retries?: MistralError[],
) {
  playCall(telemetry.observers, call, outcome, { retries, throttles: [7] });
}

const chatBody = {
  model: "mistral-small-latest",
  messages: [
    { role: "system", content: "Answer briefly." },
    { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
    {
      role: "assistant",
      content: "",
      tool_calls: [
        { id: "call_1", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "rainy, 14 C" },
  ],
  max_tokens: 64,
  temperature: 0.2,
  top_p: 0.9,
  random_seed: 42,
  stop: ["END"],
};

/** Converts an OpenTelemetry time (seconds and nanoseconds) to milliseconds. */
function milliseconds([seconds, nanoseconds]: api.HrTime): number {
  return seconds * 1000 + nanoseconds / 1e6;
}

function onlySpan(harness: Harness): ReadableSpan {
  const spans = harness.spans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe("OpenTelemetry bridge", () => {
  it("creates a chat span with the GenAI attributes", () => {
    const harness = otelHarness();
    const telemetry = bridge(harness);
    run(telemetry, callInfo({ requestBody: chatBody, startedAt: 1_700_000_000_000 }), okOutcome());

    const span = onlySpan(harness);
    expect(span.name).toBe("chat mistral-small-latest");
    expect(span.kind).toBe(api.SpanKind.CLIENT);
    expect(span.instrumentationScope.name).toBe("test");
    expect(span.attributes).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "mistral_ai",
      "gen_ai.request.model": "mistral-small-latest",
      "gen_ai.request.max_tokens": 64,
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.request.seed": 42,
      "gen_ai.request.stop_sequences": ["END"],
      "server.address": "api.mistral.ai",
      "server.port": 443,
      "gen_ai.response.id": "cmpl-1",
      "gen_ai.response.model": "mistral-small-2503",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 30,
      "http.response.status_code": 200,
    });
    expect(span.status.code).toBe(api.SpanStatusCode.UNSET);
    expect(milliseconds(span.startTime)).toBe(1_700_000_000_000);
    expect(milliseconds(span.endTime)).toBe(1_700_000_000_120);
    expect(span.events.map((event) => event.name)).toEqual(["mistral_ai.throttled"]);
  });

  it("records no content by default", () => {
    const harness = otelHarness();
    run(bridge(harness), callInfo({ requestBody: chatBody }), okOutcome());
    const span = onlySpan(harness);
    const text = JSON.stringify({ attributes: span.attributes, events: span.events });
    expect(text).not.toContain("Paris");
    expect(text).not.toContain("Hello there");
    expect(span.attributes).not.toHaveProperty("gen_ai.input.messages");
    expect(span.attributes).not.toHaveProperty("gen_ai.output.messages");
  });

  it("records messages with captureContent", () => {
    const harness = otelHarness();
    run(
      bridge(harness, { captureContent: true }),
      callInfo({ requestBody: chatBody }),
      okOutcome(),
    );
    const span = onlySpan(harness);
    expect(JSON.parse(String(span.attributes["gen_ai.input.messages"]))).toEqual([
      { role: "system", parts: [{ type: "text", content: "Answer briefly." }] },
      { role: "user", parts: [{ type: "text", content: "Weather in Paris?" }] },
      {
        role: "assistant",
        parts: [
          { type: "text", content: "" },
          { type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
        ],
      },
      {
        role: "tool",
        parts: [{ type: "tool_call_response", id: "call_1", response: "rainy, 14 C" }],
      },
    ]);
    expect(JSON.parse(String(span.attributes["gen_ai.output.messages"]))).toEqual([
      {
        role: "assistant",
        parts: [{ type: "text", content: "Hello there" }],
        finish_reason: "stop",
      },
    ]);
  });

  it("names FIM and embeddings operations", () => {
    const harness = otelHarness();
    const telemetry = bridge(harness, {}, { fimBaseURL: "https://codestral.mistral.ai:8443" });
    run(
      telemetry,
      callInfo({
        operation: "fim.create",
        path: "/v1/fim/completions",
        model: "codestral-latest",
        requestBody: { model: "codestral-latest", prompt: "def f(", suffix: "return 1" },
      }),
      okOutcome(),
    );
    run(
      telemetry,
      callInfo({
        operation: "embeddings.create",
        path: "/v1/embeddings",
        model: "mistral-embed",
        requestBody: {
          model: "mistral-embed",
          input: ["a"],
          output_dtype: "int8",
          output_dimension: 256,
        },
      }),
      okOutcome({ responseBody: { id: "emb-1", model: "mistral-embed", data: [] } }),
    );

    const [fim, embeddings] = harness.spans();
    expect(fim!.name).toBe("text_completion codestral-latest");
    expect(fim!.attributes["server.address"]).toBe("codestral.mistral.ai");
    expect(fim!.attributes["server.port"]).toBe(8443);
    expect(embeddings!.name).toBe("embeddings mistral-embed");
    expect(embeddings!.attributes["gen_ai.request.encoding_formats"]).toEqual(["int8"]);
    expect(embeddings!.attributes["gen_ai.embeddings.dimension.count"]).toBe(256);
    expect(embeddings!.attributes["server.address"]).toBe("api.mistral.ai");
  });

  it("marks failed calls with error.type", async () => {
    const harness = otelHarness();
    run(
      bridge(harness),
      callInfo({ requestBody: chatBody }),
      failedOutcome(apiError(429, "Rate limit exceeded"), { attempts: 2 }),
      [apiError(429)],
    );
    const span = onlySpan(harness);
    expect(span.status).toEqual({
      code: api.SpanStatusCode.ERROR,
      message: "RateLimitError (rate_limit, status 429)",
    });
    expect(span.attributes["error.type"]).toBe("rate_limit");
    expect(span.events.map((event) => event.name)).toEqual([
      "mistral_ai.throttled",
      "mistral_ai.retry",
    ]);
    expect(span.events[1]!.attributes).toEqual({
      "mistral_ai.retry.attempt": 1,
      "mistral_ai.retry.delay_ms": 25,
      "error.type": "rate_limit",
    });

    const duration = (await harness.histograms()).find(
      (metric) => metric.descriptor.name === "gen_ai.client.operation.duration",
    );
    expect(duration?.dataPoints[0]?.attributes["error.type"]).toBe("rate_limit");
  });

  it("records the duration and token histograms", async () => {
    const harness = otelHarness();
    const telemetry = bridge(harness);
    run(telemetry, callInfo({ requestBody: chatBody }), okOutcome({ durationMs: 1500 }));
    run(telemetry, callInfo({ requestBody: chatBody }), okOutcome({ durationMs: 500 }));

    const metrics = await harness.histograms();
    expect(metrics.map((metric) => metric.descriptor.name).sort()).toEqual([
      "gen_ai.client.operation.duration",
      "gen_ai.client.token.usage",
    ]);
    const duration = metrics.find((m) => m.descriptor.name === "gen_ai.client.operation.duration")!;
    expect(duration.descriptor.unit).toBe("s");
    const point = duration.dataPoints[0] as DataPoint<Histogram>;
    expect(point.value.count).toBe(2);
    expect(point.value.sum).toBeCloseTo(2);
    expect(point.value.buckets.boundaries).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    expect(point.attributes).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "mistral_ai",
      "gen_ai.request.model": "mistral-small-latest",
      "gen_ai.response.model": "mistral-small-2503",
      "server.address": "api.mistral.ai",
      "server.port": 443,
    });

    const tokens = metrics.find((m) => m.descriptor.name === "gen_ai.client.token.usage")!;
    expect(tokens.descriptor.unit).toBe("{token}");
    const byType = Object.fromEntries(
      (tokens.dataPoints as Array<DataPoint<Histogram>>).map((entry) => [
        entry.attributes["gen_ai.token.type"],
        entry.value.sum,
      ]),
    );
    expect(byType).toEqual({ input: 24, output: 60 });
  });

  it("accepts the api module with global providers", async () => {
    const harness = otelHarness();
    api.trace.setGlobalTracerProvider(harness.tracerProvider);
    api.metrics.setGlobalMeterProvider(harness.meterProvider);
    const telemetry = createTelemetry({ openTelemetry: api }, { env: {} });
    run(telemetry, callInfo({ requestBody: chatBody }), okOutcome());

    const span = onlySpan(harness);
    expect(span.instrumentationScope.name).toBe("mistralai-ts");
    expect(span.name).toBe("chat mistral-small-latest");
    expect((await harness.histograms()).length).toBe(2);
  });

  it("rejects a value that is neither the api nor a tracer or meter", () => {
    expect(() => createTelemetry({ openTelemetry: {} as never }, { env: {} })).toThrow(
      /telemetry.openTelemetry must be the @opentelemetry\/api module/,
    );
  });

  afterEach(() => {
    api.trace.disable();
    api.metrics.disable();
  });
});

describe("library imports", () => {
  it("never import @opentelemetry from the entry points", () => {
    const root = resolve(import.meta.dirname, "../../src");
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      // The compiler's own scan finds static and dynamic imports, and skips comments and strings.
      const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      for (const { fileName } of importedFiles) {
        if (fileName.startsWith("@opentelemetry")) offenders.push(`${file}: ${fileName}`);
        if (fileName.startsWith("."))
          visit(resolve(dirname(file), fileName.replace(/\.js$/, ".ts")));
      }
    };
    visit(resolve(root, "index.ts"));
    visit(resolve(root, "telemetry/create-telemetry.ts"));

    expect(seen.has(resolve(root, "telemetry/opentelemetry.ts"))).toBe(true);
    expect(offenders).toEqual([]);
  });
});
