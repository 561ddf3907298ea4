import { inspect } from "node:util";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { ConnectionError } from "../../src/core/errors/transport-errors.js";
import type { AuditEvent } from "../../src/telemetry/audit-events.js";
import { createTelemetry } from "../../src/telemetry/create-telemetry.js";
import { computeKeyFingerprint } from "../../src/telemetry/key-fingerprint.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";
import {
  apiError,
  callInfo,
  failedOutcome,
  MemoryLogger,
  okOutcome,
  playCall,
} from "./call-fixtures.js";

/** Keys of several shapes. Each is searched for whole, and so is the word CANARY they share. */
const canaryKeys = [
  "sk-test-CANARY-7f3a9c1e",
  "CANARYplainKey0123456789abcdef",
  "mk_live_CANARY_9z8y7x6w5v",
  "eyJhbGciOiJIUzI1NiJ9.CANARYpayload.c2lnbmF0dXJl",
];
const secrets = [...canaryKeys, "CANARY"];

describe("secret leaks", () => {
  it.each(canaryKeys)("keep %s out of every output", async (key) => {
    const logger = new MemoryLogger();
    const events: AuditEvent[] = [];
    const spans = new InMemorySpanExporter();
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter: metricExporter,
      exportIntervalMillis: 3_600_000,
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const telemetry = createTelemetry(
      {
        logger,
        logLevel: "debug",
        logRequestBodies: true,
        includeContent: true,
        captureContent: true,
        includeModelLabel: true,
        includeUserLabel: true,
        onEvent: (event) => void events.push(event),
        openTelemetry: {
          tracer: tracer.getTracer("leaks"),
          meter: new MeterProvider({ readers: [reader] }).getMeter("leaks"),
        },
        anomalies: { authFailures: { count: 2 } },
      },
      {
        env: {},
        baseURL: "https://api.mistral.ai",
        keyFingerprint: await computeKeyFingerprint(key),
      },
    );
    const iterated: AuditEvent[] = [];
    const iterator = telemetry.events[Symbol.asyncIterator]();

    const headers = {
      authorization: `Bearer ${key}`,
      "x-api-key": key,
      accept: "application/json",
    };
    const body = {
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Summarize the report" }],
      api_key: key,
    };
    playCall(telemetry.observers, callInfo({ user: "alice", requestBody: body }), okOutcome(), {
      headers,
      retries: [apiError(503)],
      throttles: [12],
    });
    for (let index = 0; index < 3; index++) {
      playCall(telemetry.observers, callInfo({ requestBody: body }), failedOutcome(apiError(401)), {
        headers,
      });
    }
    // A transport error whose message carries the header, as some fetch implementations write.
    const leaky = new ConnectionError(`socket hang up (authorization: Bearer ${key})`);
    playCall(telemetry.observers, callInfo({ requestBody: body }), failedOutcome(leaky), {
      headers,
    });

    for (let next = await iterator.next(); iterated.length < events.length; ) {
      iterated.push(next.value);
      if (iterated.length < events.length) next = await iterator.next();
    }
    await reader.forceFlush();

    expect(logger.lines.length).toBeGreaterThan(10);
    expect(events.some((event) => event.type === "anomaly")).toBe(true);
    expect(logger.lines.some((line) => line.text.includes("Bearer ***"))).toBe(true);
    const outputs: Array<[string, unknown]> = [
      ["log lines", logger.lines],
      ["events", events],
      ["iterated events", iterated],
      ["spans", spans.getFinishedSpans().map((span) => ({ ...span, _spanProcessor: undefined }))],
      ["metric points", metricExporter.getMetrics()],
      ["snapshot", telemetry.metrics.snapshot()],
      ["prometheus", telemetry.metrics.toPrometheus()],
      ["metrics object", telemetry.metrics],
      ["events object", telemetry.events],
      ["telemetry", telemetry],
    ];
    for (const [name, value] of outputs) {
      for (const secret of secrets) {
        const text = `${inspect(value, { depth: 12 })}\n${safeJson(value)}`;
        expect(text.includes(secret), `${name} contains ${secret}`).toBe(false);
      }

      expectNoSecrets(value, secrets);
    }
  });
});

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
