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
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import type { MistralClient } from "../../src/client.js";
import type { CallOutcome } from "../../src/core/call-observer.js";
import type { ClientOptions, RequestOptions } from "../../src/core/client-options.js";
import type { AuditEvent } from "../../src/telemetry/audit-events.js";
import { createTelemetry } from "../../src/telemetry/create-telemetry.js";
import { percentileRelativeError } from "../../src/telemetry/latency-histogram.js";
import type { CallCounts } from "../../src/telemetry/metrics-snapshot.js";
import type { TelemetryOptions } from "../../src/telemetry/telemetry-options.js";
import type { MockMistralServer, ScriptedReply } from "../../src/testing/index.js";
import { helloRequest, okChunks, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";
import {
  type CleanupContext,
  clientFor,
  startLoopbackServer,
  testApiKey,
} from "../helpers/loopback-fixture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";
import { MemoryLogger } from "./call-fixtures.js";

/** Scripts a completion whose usage is `input` prompt tokens and `output` completion tokens. */
function completion(input: number, output: number, model = "mistral-small-latest"): ScriptedReply {
  return {
    status: 200,
    body: {
      ...okCompletion,
      model,
      usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
    },
  };
}

function failure(status: number): ScriptedReply {
  return {
    status,
    body: { object: "error", message: `failure ${status}`, type: "test_error", code: null },
  };
}

/**
 * Builds a client for the server whose pipeline notifies the telemetry's observers, the way
 * `new MistralClient({ telemetry })` wires them.
 */
function instrumentedClient(
  server: MockMistralServer,
  telemetryOptions: TelemetryOptions = {},
  options: ClientOptions = {},
) {
  const telemetry = createTelemetry(telemetryOptions, { env: {}, baseURL: server.url });
  const client = clientFor(server, { ...options, observers: telemetry.observers });
  return { client, metrics: telemetry.metrics, events: telemetry.events };
}

/** Lets the event handlers and iterators catch up. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Returns the counters with the total wait reduced to 1 when positive, since its length varies. */
function countsOf(value: CallCounts): CallCounts {
  const {
    calls,
    successes,
    errors,
    errorsByStatusClass,
    errorsByKind,
    authFailures,
    authFailuresByStatus,
    retries,
    throttled,
    inputTokens,
    outputTokens,
  } = value;
  return {
    calls,
    successes,
    errors,
    errorsByStatusClass,
    errorsByKind,
    authFailures,
    authFailuresByStatus,
    retries,
    throttled,
    throttleWaitMs: value.throttleWaitMs > 0 ? 1 : 0,
    inputTokens,
    outputTokens,
  };
}

/**
 * Runs eleven calls through the client: users' calls are grouped, so with one call per second
 * per user each user's second and third calls wait for the limiter.
 */
async function scriptedRun(client: MistralClient, server: MockMistralServer) {
  const alice: RequestOptions = { user: "alice" };
  const bob: RequestOptions = { user: "bob" };
  const once: RequestOptions = { maxRetries: 0 };

  server.enqueue(failure(503), completion(12, 30));
  await client.chat.create(helloRequest, alice);
  server.enqueue(failure(401));
  await captureRejection(client.chat.create(helloRequest, alice));
  server.enqueue({ fault: "black-hole" });
  await captureRejection(
    client.chat.stream(helloRequest, { ...alice, ...once, headersTimeoutMs: 100 }),
  );

  server.enqueue(failure(403));
  await captureRejection(client.chat.create(helloRequest, bob));
  server.enqueue({
    status: 200,
    body: {
      id: "emb-1",
      object: "list",
      model: "mistral-embed",
      data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }],
      usage: { prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 },
    },
  });
  await client.embeddings.create({ model: "mistral-embed", input: ["one"] }, bob);
  server.enqueue(failure(429));
  await captureRejection(client.chat.create(helloRequest, { ...bob, ...once }));

  server.enqueue(completion(100, 5, "mistral-large-latest"));
  await client.chat.create({ ...helloRequest, model: "mistral-large-latest" });
  server.enqueue(failure(500), failure(500), failure(500));
  await captureRejection(client.chat.create(helloRequest));
  server.enqueue({ fault: "close-before-headers" });
  await captureRejection(client.models.list(once));
  server.enqueue({ delayBeforeHeadersMs: 2_000 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 30);
  await captureRejection(client.chat.create(helloRequest, { signal: controller.signal }));
  server.enqueue({ events: okChunks });
  const stream = await client.chat.stream(helloRequest);
  for await (const _ of stream) {
    // Reading to the end closes the call.
  }
}

const expectedTotals: CallCounts = {
  calls: 11,
  successes: 4,
  errors: 7,
  errorsByStatusClass: { "3xx": 0, "4xx": 3, "5xx": 1, none: 3 },
  errorsByKind: {
    authentication: 1,
    timeout: 1,
    permission_denied: 1,
    rate_limit: 1,
    server_error: 1,
    connection: 1,
    abort: 1,
  },
  authFailures: 2,
  authFailuresByStatus: { 401: 1, 403: 1 },
  retries: 3,
  throttled: 4,
  throttleWaitMs: 1,
  inputTokens: 12 + 8 + 100 + 1,
  outputTokens: 30 + 5 + 1,
};

async function scriptedClient(context: CleanupContext) {
  const server = await startLoopbackServer(context);
  const rateLimits = { perUser: { requestsPerSecond: 1, burst: 1 }, learnFromServer: false };
  return { server, ...instrumentedClient(server, {}, { rateLimits }) };
}

describe("telemetry through the client", () => {
  it("counts a scripted run exactly", async (context) => {
    const { server, client, metrics } = await scriptedClient(context);
    await scriptedRun(client, server);
    const snapshot = metrics.snapshot();

    expect(countsOf(snapshot.totals)).toEqual(expectedTotals);
    expect(snapshot.inFlight).toBe(0);
    const users = Object.fromEntries(snapshot.users.map((entry) => [entry.user, countsOf(entry)]));
    expect(users.alice).toMatchObject({
      calls: 3,
      successes: 1,
      errors: 2,
      errorsByKind: { authentication: 1, timeout: 1 },
      retries: 1,
      throttled: 2,
      inputTokens: 12,
      outputTokens: 30,
    });
    expect(users.bob).toMatchObject({
      calls: 3,
      successes: 1,
      errors: 2,
      errorsByKind: { permission_denied: 1, rate_limit: 1 },
      retries: 0,
      throttled: 2,
      inputTokens: 8,
      outputTokens: 0,
    });

    // Operation names come from the resources, so only the models and counts are checked.
    const models = snapshot.operations.map((entry) => [entry.model, entry.calls]);
    expect(models).toContainEqual(["mistral-large-latest", 1]);
    expect(models).toContainEqual(["mistral-embed", 1]);
    expect(models).toContainEqual([null, 1]);
    expect(models.reduce((total, row) => total + (row[1] as number), 0)).toBe(11);
  });

  it("exposes parseable Prometheus text", async (context) => {
    const { server, client, metrics } = await scriptedClient(context);
    await scriptedRun(client, server);
    const families = parsePrometheusTextFormat(metrics.toPrometheus());
    const requests = families.find((entry) => entry.name === "mistral_client_requests_total");
    const total = requests!.metrics.reduce((sum, sample) => sum + Number(sample.value), 0);
    expect(total).toBe(11);
    expect(metrics.toPrometheus()).not.toContain("alice");

    metrics.reset();
    expect(metrics.snapshot().totals.calls).toBe(0);
  });

  it("keeps percentiles within the stated error", async (context) => {
    const server = await startLoopbackServer(context);
    const measured: CallOutcome[] = [];
    const telemetry = createTelemetry({}, { env: {} });
    const recorder = {
      onCallEnd: (_call: unknown, outcome: CallOutcome) => void measured.push(outcome),
    };
    const client = clientFor(server, { observers: [...telemetry.observers, recorder] });
    // 40 calls: 30 at 20 ms, 8 at 150 ms and 2 at 600 ms before the headers.
    const delays = [...Array(30).fill(20), ...Array(8).fill(150), ...Array(2).fill(600)];
    for (const delayBeforeHeadersMs of delays) {
      server.enqueue({ ...completion(1, 1), delayBeforeHeadersMs });
      await client.chat.create(helloRequest);
    }

    const entry = telemetry.metrics.snapshot().operations[0]!;
    const exact = (values: number[], quantile: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1]!;
    };
    const totals = measured.map((outcome) => outcome.durationMs);
    const firstBytes = measured.map((outcome) => outcome.timeToFirstByteMs!);
    for (const [quantile, key] of [
      [0.5, "p50Ms"],
      [0.95, "p95Ms"],
      [0.99, "p99Ms"],
    ] as const) {
      for (const [summary, values] of [
        [entry.latency, totals],
        [entry.timeToFirstByte, firstBytes],
      ] as const) {
        const truth = exact(values, quantile);
        const estimate = summary[key]!;
        expect(
          Math.abs(estimate - truth) / truth,
          `${key}: ${estimate} vs ${truth}`,
        ).toBeLessThanOrEqual(percentileRelativeError);
      }
    }

    // The injected delays bound the measured ones from below.
    expect(entry.timeToFirstByte.p50Ms!).toBeGreaterThanOrEqual(20 * (1 - percentileRelativeError));
    expect(entry.timeToFirstByte.p95Ms!).toBeGreaterThanOrEqual(
      150 * (1 - percentileRelativeError),
    );
    expect(entry.timeToFirstByte.p99Ms!).toBeGreaterThanOrEqual(
      600 * (1 - percentileRelativeError),
    );
  });

  it("reports a burst of 401s and not a normal run", async (context) => {
    const server = await startLoopbackServer(context);
    const events: AuditEvent[] = [];
    const { client } = instrumentedClient(server, { onEvent: (event) => void events.push(event) });
    for (let index = 0; index < 25; index++) {
      server.enqueue(completion(3, 4));
      await client.chat.create(helloRequest, { user: "carol" });
    }

    await settle();
    expect(events.filter((event) => event.type === "anomaly")).toEqual([]);

    for (let index = 0; index < 3; index++) {
      server.enqueue(failure(401));
      await captureRejection(client.chat.create(helloRequest));
    }

    await settle();
    const anomalies = events.filter((event) => event.type === "anomaly");
    expect(anomalies.map((event) => event.type === "anomaly" && event.anomaly)).toEqual([
      "auth_failure_burst",
    ]);
    expect(events.filter((event) => event.type === "auth.failure")).toHaveLength(3);
  });

  it("leaves requests unaffected by a throwing or slow handler", async (context) => {
    const server = await startLoopbackServer(context);
    const throwing = instrumentedClient(server, {
      onEvent: () => {
        throw new Error("handler failure");
      },
    });
    const slow = instrumentedClient(server, {
      onEvent: () => new Promise<void>(() => {}),
      eventBufferSize: 2,
    });
    for (const { client } of [throwing, slow]) {
      for (let index = 0; index < 5; index++) {
        server.enqueue(completion(1, 1));
        const started = performance.now();
        const result = await client.chat.create(helloRequest);
        expect(result.choices[0]?.message.content).toBe("ok");
        expect(performance.now() - started).toBeLessThan(1_000);
      }
    }

    await settle();
    expect(throwing.events.stats.handlerErrors).toBe(10);
    expect(slow.events.stats.dropped).toBeGreaterThan(0);
    expect(throwing.metrics.snapshot().totals.successes).toBe(5);
  });

  it("records GenAI spans and metrics", async (context) => {
    const server = await startLoopbackServer(context);
    const spans = new InMemorySpanExporter();
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter: metricExporter,
      exportIntervalMillis: 3_600_000,
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const { client } = instrumentedClient(server, {
      openTelemetry: {
        tracer: tracer.getTracer("client"),
        meter: new MeterProvider({ readers: [reader] }).getMeter("client"),
      },
    });
    server.enqueue(completion(5, 7));
    await client.chat.create({ ...helloRequest, max_tokens: 20 });
    server.enqueue({ events: okChunks });
    const stream = await client.chat.stream(helloRequest);
    for await (const _ of stream) {
      // Reading to the end closes the call.
    }

    const [created, streamed] = spans.getFinishedSpans();
    expect(created!.name).toBe("chat mistral-small-latest");
    expect(created!.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "mistral_ai",
      "gen_ai.request.max_tokens": 20,
      "gen_ai.usage.input_tokens": 5,
      "gen_ai.usage.output_tokens": 7,
      "gen_ai.response.finish_reasons": ["stop"],
      "server.address": "127.0.0.1",
    });
    expect(streamed!.attributes["gen_ai.usage.output_tokens"]).toBe(1);
    expect(JSON.stringify(spans.getFinishedSpans().map((span) => span.attributes))).not.toContain(
      "Hello",
    );

    await reader.forceFlush();
    const names = metricExporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
      .map((metric) => metric.descriptor.name);
    expect(names.sort()).toEqual(["gen_ai.client.operation.duration", "gen_ai.client.token.usage"]);
  });

  it("keeps the key out of every output", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: testApiKey });
    const logger = new MemoryLogger();
    const events: AuditEvent[] = [];
    const spans = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const options: TelemetryOptions = {
      logger,
      logLevel: "debug",
      logRequestBodies: true,
      includeContent: true,
      captureContent: true,
      includeUserLabel: true,
      includeModelLabel: true,
      onEvent: (event) => void events.push(event),
      openTelemetry: { tracer: tracer.getTracer("leaks") },
    };
    const good = instrumentedClient(server, options);
    const wrong = instrumentedClient(server, options, { apiKey: "sk-test-CANARY-wrong-5e6f7a8b" });
    const client = good.client;
    const wrongKey = wrong.client;
    await client.chat.create(helloRequest, { user: "dana" });
    const stream = await client.chat.stream(helloRequest);
    for await (const _ of stream) {
      // Reading to the end closes the call.
    }
    for (let index = 0; index < 3; index++) {
      await captureRejection(wrongKey.chat.create(helloRequest));
    }
    await settle();

    expect(logger.at("debug").length).toBeGreaterThan(0);
    const secrets = [testApiKey, "sk-test-CANARY-wrong-5e6f7a8b", "CANARY"];
    for (const value of [
      logger.lines,
      events,
      spans.getFinishedSpans().map((span) => span.attributes),
      good.metrics.snapshot(),
      good.metrics.toPrometheus(),
      wrong.metrics.snapshot(),
      wrong.metrics.toPrometheus(),
      good.events,
      good.metrics,
    ]) {
      expectNoSecrets(value, secrets);
    }
  });
});
