import { describe, expect, it } from "vitest";
import type { CallObserver, ToolObservation } from "../../src/core/call-observer.js";
import type { RunnableTool } from "../../src/resources/chat/tool-definition.js";
import type { ToolRunEvent } from "../../src/resources/chat/tool-run-events.js";
import type { ToolRunRequest } from "../../src/resources/chat/tool-runner.js";
import type { AuditEvent, ToolEndEvent } from "../../src/telemetry/audit-events.js";
import { MetricsCollector } from "../../src/telemetry/metrics-collector.js";
import { PrometheusRenderer } from "../../src/telemetry/prometheus.js";
import type { MockMistralServer } from "../../src/testing/index.js";
import {
  type CleanupContext,
  clientFor,
  startLoopbackServer,
} from "../helpers/loopback-fixture.js";
import { MemoryLogger } from "../telemetry/call-fixtures.js";

/** Values that must stay out of events, metrics and logs unless content capture is on. */
const argumentCanary = "ARGUMENT-CANARY-4b1d";
const resultCanary = "RESULT-CANARY-9c2e";
const thrownCanary = "THROWN-CANARY-5a7f";

/** The mock server fills arguments with the first `enum` value, so the canary is the argument. */
const parameters = {
  type: "object",
  properties: { city: { type: "string", enum: [argumentCanary] } },
  required: ["city"],
};

/** Called first by the mock model, and always throws. */
const failingTool: RunnableTool = {
  name: "lookup_stock",
  parameters,
  execute: () => {
    throw new Error(thrownCanary);
  },
};

const weatherTool: RunnableTool = {
  name: "get_weather",
  parameters,
  execute: () => ({ forecast: resultCanary }),
};

/** With `parallel_tool_calls`, the mock model calls every tool once, then answers in text. */
const request: ToolRunRequest = {
  model: "mistral-large-latest",
  messages: [{ role: "user", content: "Stock and weather?" }],
  parallel_tool_calls: true,
};

/** Lets the audit event handler catch up. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function instrumentedClient(context: CleanupContext, observers: CallObserver[] = []) {
  const server: MockMistralServer = await startLoopbackServer(context);
  const events: AuditEvent[] = [];
  const logger = new MemoryLogger();
  const client = clientFor(server, {
    observers,
    telemetry: { onEvent: (event) => void events.push(event), logger, logLevel: "info" },
  });
  return { server, client, events, logger };
}

function toolEnd(events: AuditEvent[], toolName: string): ToolEndEvent {
  const found = events.find((event) => event.type === "tool.end" && event.toolName === toolName);
  if (found === undefined) throw new Error(`No tool.end event for ${toolName}`);
  return found as ToolEndEvent;
}

describe("tool runner telemetry", () => {
  it("sends audit events for model calls and tools", async (context) => {
    const { client, events } = await instrumentedClient(context);
    const runEvents: ToolRunEvent[] = [];

    const result = await client.chat.runTools(request, {
      tools: [failingTool, weatherTool],
      maxParallel: 1,
      onEvent: (event) => runEvents.push(event),
    });
    await settle();

    expect(result.steps).toBe(2);
    expect(events.map((event) => event.type)).toEqual([
      "request.start",
      "request.end",
      "tool.start",
      "tool.end",
      "tool.start",
      "tool.end",
      "request.start",
      "request.end",
    ]);

    const failed = toolEnd(events, "lookup_stock");
    expect(failed.outcome).toBe("error");
    expect(failed.reason).toBe("execution_failed");
    expect(failed.durationMs).toBeGreaterThanOrEqual(0);
    expect(failed.step).toBe(1);

    const succeeded = toolEnd(events, "get_weather");
    expect(succeeded.outcome).toBe("success");
    expect(succeeded.reason).toBeUndefined();
    expect(succeeded.durationMs).toBeGreaterThanOrEqual(0);

    const toolEvents = events.filter((event) => event.type.startsWith("tool."));
    const runIds = new Set(toolEvents.map((event) => (event as ToolEndEvent).runId));
    expect(runIds.size).toBe(1);
    expect([...runIds][0]).toMatch(/^[0-9a-f]{8}$/);

    const callIds = runEvents.flatMap((event) =>
      event.type === "tool_start" ? [event.toolCall.id] : [],
    );
    const eventCallIds = toolEvents.map((event) => (event as ToolEndEvent).toolCallId);
    expect(eventCallIds).toEqual([callIds[0], callIds[0], callIds[1], callIds[1]]);
  });

  it("keeps tool content out of telemetry", async (context) => {
    const { client, events, logger } = await instrumentedClient(context);
    const runEvents: ToolRunEvent[] = [];

    await client.chat.runTools(request, {
      tools: [failingTool, weatherTool],
      onEvent: (event) => runEvents.push(event),
    });
    await settle();

    // The canaries did pass through the run, so their absence below means something.
    const runText = JSON.stringify(runEvents);
    expect(runText).toContain(argumentCanary);
    expect(runText).toContain(resultCanary);

    const eventText = JSON.stringify(events);
    const logText = JSON.stringify(logger.lines);
    const metricsText = client.metrics.toPrometheus() + JSON.stringify(client.metrics.snapshot());
    for (const canary of [argumentCanary, resultCanary, thrownCanary]) {
      expect(eventText).not.toContain(canary);
      expect(logText).not.toContain(canary);
      expect(metricsText).not.toContain(canary);
    }
  });

  it("counts tools in metrics and Prometheus", async (context) => {
    const { client } = await instrumentedClient(context);

    await client.chat.runTools(request, { tools: [failingTool, weatherTool], maxParallel: 1 });

    const snapshot = client.metrics.snapshot();
    expect(snapshot.totals.calls).toBe(2);
    expect(snapshot.tools.map((entry) => entry.tool)).toEqual(["lookup_stock", "get_weather"]);

    const [failed, succeeded] = snapshot.tools;
    expect(failed?.calls).toBe(1);
    expect(failed?.errors).toBe(1);
    expect(failed?.successes).toBe(0);
    expect(failed?.errorsByReason).toEqual({ execution_failed: 1 });
    expect(failed?.duration.count).toBe(1);
    expect(succeeded?.calls).toBe(1);
    expect(succeeded?.successes).toBe(1);
    expect(succeeded?.errorsByReason).toEqual({});
    expect(succeeded?.duration.count).toBe(1);

    const text = client.metrics.toPrometheus();
    expect(text).toContain(
      'mistral_client_tool_calls_total{tool="lookup_stock",outcome="error"} 1',
    );
    expect(text).toContain(
      'mistral_client_tool_calls_total{tool="get_weather",outcome="success"} 1',
    );
    expect(text).toContain(
      'mistral_client_tool_errors_total{tool="lookup_stock",reason="execution_failed"} 1',
    );
    expect(text).toContain('mistral_client_tool_duration_seconds_count{tool="get_weather"} 1');

    client.metrics.reset();
    expect(client.metrics.snapshot().tools).toEqual([]);
  });

  it("writes a log line per tool", async (context) => {
    const { client, logger } = await instrumentedClient(context);

    await client.chat.runTools(request, { tools: [failingTool, weatherTool] });

    const infos = logger.at("info").filter((line) => line.includes("tool "));
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatch(
      /^mistral: tool "get_weather" succeeded after \d+ ms \(run [0-9a-f]{8}, step 1, /,
    );
    const warnings = logger.at("warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('tool "lookup_stock" failed');
    expect(warnings[0]).toContain("execution_failed");
  });

  it("reaches observers from a streamed run", async (context) => {
    const { client, events } = await instrumentedClient(context);

    const stream = client.chat.runToolsStream(request, { tools: [weatherTool] });
    await stream.finalResult();
    await settle();

    const types = events.map((event) => event.type);
    expect(types.filter((type) => type === "tool.start")).toHaveLength(1);
    expect(types.filter((type) => type === "tool.end")).toHaveLength(1);
    expect(client.metrics.snapshot().tools[0]?.successes).toBe(1);
  });

  it("survives a throwing observer", async (context) => {
    const seen: ToolObservation[] = [];
    const throwing: CallObserver = {
      onCallStart: () => {
        throw new Error("observer failure");
      },
      onToolEvent: (event) => {
        seen.push(event);
        throw new Error("observer failure");
      },
    };
    const { client } = await instrumentedClient(context, [throwing]);

    const result = await client.chat.runTools(request, { tools: [failingTool, weatherTool] });

    expect(result.steps).toBe(2);
    expect(result.text.length).toBeGreaterThan(0);
    expect(seen.map((event) => event.type).sort()).toEqual([
      "tool_error",
      "tool_result",
      "tool_start",
      "tool_start",
    ]);
    expect(client.metrics.snapshot().tools).toHaveLength(2);
  });
});

describe("tool metrics bounds", () => {
  function ended(toolName: string, reason?: string): ToolObservation {
    return {
      type: reason === undefined ? "tool_result" : "tool_error",
      runId: "0000abcd",
      step: 1,
      toolName,
      toolCallId: "call1",
      durationMs: 2,
      ...(reason === undefined ? {} : { reason }),
    };
  }

  it("groups tools beyond 50 as other", () => {
    const collector = new MetricsCollector();
    for (let index = 0; index < 60; index++) collector.onToolEvent(ended(`tool_${index}`));

    const tools = collector.snapshot().tools;
    expect(tools).toHaveLength(51);
    expect(tools[49]?.tool).toBe("tool_49");
    expect(tools[50]?.tool).toBe("other");
    expect(tools[50]?.calls).toBe(10);
  });

  it("counts unknown tools as other", () => {
    const collector = new MetricsCollector();
    collector.onToolEvent(ended("made_up_by_model", "unknown_tool"));

    const tools = collector.snapshot().tools;
    expect(tools.map((entry) => entry.tool)).toEqual(["other"]);
    expect(tools[0]?.errorsByReason).toEqual({ unknown_tool: 1 });
    expect(tools[0]?.duration.count).toBe(1);
  });

  it("caps the Prometheus tool label", () => {
    const collector = new MetricsCollector();
    for (const name of ["a", "b", "c"]) collector.onToolEvent(ended(name));
    const renderer = new PrometheusRenderer({
      includeModelLabel: false,
      includeUserLabel: false,
      maxLabelValues: 2,
    });

    const text = renderer.render(collector);

    expect(text).toContain('mistral_client_tool_calls_total{tool="a",outcome="success"} 1');
    expect(text).toContain('mistral_client_tool_calls_total{tool="b",outcome="success"} 1');
    expect(text).toContain('mistral_client_tool_calls_total{tool="other",outcome="success"} 1');
    expect(text).not.toContain('tool="c"');
  });
});
