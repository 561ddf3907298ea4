import { describe, expect, it } from "vitest";
import type {
  AuditEvent,
  RequestEndEvent,
  RequestRetryEvent,
  RequestStartEvent,
  RequestThrottledEvent,
} from "../../src/telemetry/audit-events.js";
import { createTelemetry } from "../../src/telemetry/create-telemetry.js";
import { computeKeyFingerprint } from "../../src/telemetry/key-fingerprint.js";
import type { TelemetryOptions } from "../../src/telemetry/telemetry-options.js";
import {
  apiError,
  callInfo,
  failedOutcome,
  MemoryLogger,
  okOutcome,
  playCall,
} from "./call-fixtures.js";

const fingerprint = "1a2b3c4d";

function telemetryWith(options: TelemetryOptions = {}, keyFingerprint: string = fingerprint) {
  return createTelemetry(options, { env: {}, keyFingerprint });
}

/** Lets queued microtasks and timers run, so handlers receive what was emitted. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function collecting(options: TelemetryOptions = {}) {
  const events: AuditEvent[] = [];
  const telemetry = telemetryWith({ onEvent: (event) => void events.push(event), ...options });
  return { telemetry, events };
}

describe("audit events", () => {
  it("describe a call from start to end", async () => {
    const { telemetry, events } = collecting();
    const call = callInfo({ user: "alice", startedAt: 1_000_000 });
    playCall(telemetry.observers, call, okOutcome({ attempts: 2 }), {
      throttles: [15],
      retries: [apiError(503)],
    });
    await settle();

    expect(events.map((event) => event.type)).toEqual([
      "request.start",
      "request.throttled",
      "request.retry",
      "request.end",
    ]);
    const [start, throttled, retry, end] = events as [
      RequestStartEvent,
      RequestThrottledEvent,
      RequestRetryEvent,
      RequestEndEvent,
    ];
    for (const event of events) {
      expect(event).toMatchObject({
        callId: call.id,
        operation: "chat.create",
        method: "POST",
        path: "/v1/chat/completions",
        model: "mistral-small-latest",
        user: "alice",
        keyFingerprint: fingerprint,
      });
    }

    expect(start.time).toBe(1_000_000);
    expect(start.stream).toBe(false);
    expect(throttled).toMatchObject({ waitedMs: 15, limit: "requests_per_second" });
    expect(retry).toMatchObject({ attempt: 1, delayMs: 25 });
    expect(retry.error).toMatchObject({ kind: "server_error", status: 503 });
    expect(end).toEqual({
      type: "request.end",
      time: 1_000_120,
      callId: call.id,
      operation: "chat.create",
      method: "POST",
      path: "/v1/chat/completions",
      model: "mistral-small-latest",
      user: "alice",
      keyFingerprint: fingerprint,
      ok: true,
      status: 200,
      requestId: "req-0001",
      attempts: 2,
      durationMs: 120,
      timeToFirstByteMs: 40,
      usage: { inputTokens: 12, outputTokens: 30, totalTokens: 42 },
      responseModel: "mistral-small-2503",
    });
  });

  it("carry no content by default", async () => {
    const { telemetry, events } = collecting();
    playCall(telemetry.observers, callInfo(), okOutcome());
    await settle();
    const text = JSON.stringify(events);
    expect(text).not.toContain("Say hello");
    expect(text).not.toContain("Hello there");
    expect(events.some((event) => "content" in event)).toBe(false);
  });

  it("carry content with includeContent", async () => {
    const { telemetry, events } = collecting({ includeContent: true });
    playCall(telemetry.observers, callInfo(), okOutcome());
    await settle();
    const start = events.find((event) => event.type === "request.start") as RequestStartEvent;
    const end = events.find((event) => event.type === "request.end") as RequestEndEvent;
    expect(start.content).toEqual({
      request: {
        model: "mistral-small-latest",
        messages: [{ role: "user", content: "Say hello" }],
      },
    });
    expect(end.content).toEqual({ response: "Hello there" });
  });

  it("add an auth failure after a 401", async () => {
    const { telemetry, events } = collecting();
    playCall(telemetry.observers, callInfo(), failedOutcome(apiError(401, "Unauthorized")));
    await settle();
    expect(events.map((event) => event.type)).toEqual([
      "request.start",
      "request.end",
      "auth.failure",
    ]);
    expect(events[2]).toMatchObject({
      status: 401,
      requestId: "req-401",
      error: { kind: "authentication", name: "AuthenticationError", status: 401 },
    });
    expect(events[1]).toMatchObject({ ok: false, status: 401 });
  });

  it("warn about content in a config event", async () => {
    const { events } = collecting({ includeContent: true });
    await settle();
    expect(events).toEqual([
      expect.objectContaining({
        type: "config.warning",
        setting: "telemetry.includeContent",
        keyFingerprint: fingerprint,
      }),
    ]);
  });

  it("are built only while someone listens", async () => {
    const telemetry = telemetryWith();
    playCall(telemetry.observers, callInfo(), okOutcome());
    expect(telemetry.events.stats.delivered).toBe(0);

    const iterator = telemetry.events[Symbol.asyncIterator]();
    playCall(telemetry.observers, callInfo(), okOutcome());
    const first = await iterator.next();
    expect(first.value?.type).toBe("request.start");
    await iterator.return?.();

    playCall(telemetry.observers, callInfo(), okOutcome());
    expect(telemetry.events.stats.delivered).toBe(2);
  });

  it("drop the oldest events of a reader that falls behind", async () => {
    const telemetry = telemetryWith({ eventBufferSize: 4 });
    const iterator = telemetry.events[Symbol.asyncIterator]();
    for (let index = 0; index < 5; index++) playCall(telemetry.observers, callInfo(), okOutcome());

    expect(telemetry.events.stats.dropped).toBe(6);
    const types: string[] = [];
    for (let index = 0; index < 4; index++) types.push((await iterator.next()).value.type);
    expect(types).toEqual(["request.start", "request.end", "request.start", "request.end"]);
    await iterator.return?.();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it("end a for-await loop on break", async () => {
    const telemetry = telemetryWith();
    const received: string[] = [];
    const reading = (async () => {
      for await (const event of telemetry.events) {
        received.push(event.type);
        if (event.type === "request.end") break;
      }
    })();
    playCall(telemetry.observers, callInfo(), okOutcome());
    await reading;
    expect(received).toEqual(["request.start", "request.end"]);
    playCall(telemetry.observers, callInfo(), okOutcome());
    expect(telemetry.events.stats.delivered).toBe(2);
  });

  it("survive a throwing handler", async () => {
    const logger = new MemoryLogger();
    const telemetry = telemetryWith({
      onEvent: () => {
        throw new Error("handler broke");
      },
      logger,
      logLevel: "warn",
    });
    expect(() => playCall(telemetry.observers, callInfo(), okOutcome())).not.toThrow();
    await settle();
    expect(telemetry.events.stats.handlerErrors).toBe(2);
    expect(logger.at("warn")).toEqual([
      "mistral: the onEvent handler failed: Error: handler broke",
    ]);
  });

  it("deliver to an async handler in order", async () => {
    const seen: string[] = [];
    let running = 0;
    let overlapping = false;
    const telemetry = telemetryWith({
      onEvent: async (event) => {
        running += 1;
        overlapping ||= running > 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(event.type);
        running -= 1;
      },
    });
    playCall(telemetry.observers, callInfo(), okOutcome());
    playCall(telemetry.observers, callInfo(), failedOutcome(apiError(500)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(["request.start", "request.end", "request.start", "request.end"]);
    expect(overlapping).toBe(false);
  });

  it("never wait for a handler that never settles", async () => {
    const telemetry = telemetryWith({
      onEvent: () => new Promise<void>(() => {}),
      eventBufferSize: 3,
    });
    const started = performance.now();
    for (let index = 0; index < 10; index++) playCall(telemetry.observers, callInfo(), okOutcome());
    expect(performance.now() - started).toBeLessThan(100);
    await settle();
    // The 20 events are emitted before the handler first runs: the 3 newest are kept, the handler
    // keeps waiting on the first of them, and the 17 others are dropped.
    expect(telemetry.events.stats.dropped).toBe(17);
    expect(telemetry.events.stats.delivered).toBe(0);
  });

  it("reject a fingerprint that is not a short hash", async () => {
    expect(() => createTelemetry({}, { keyFingerprint: "sk-test-CANARY-7f3a9c1e" })).toThrow(
      /keyFingerprint must be 8 to 16 hex characters/,
    );
    const { telemetry, events } = (() => {
      const received: AuditEvent[] = [];
      const created = createTelemetry(
        { onEvent: (event) => void received.push(event) },
        { env: {}, keyFingerprint: () => "sk-test-CANARY-7f3a9c1e" },
      );
      return { telemetry: created, events: received };
    })();
    playCall(telemetry.observers, callInfo(), okOutcome());
    await settle();
    expect(events[0]).not.toHaveProperty("keyFingerprint");
  });

  it("fingerprint a key with 8 hex characters of SHA-256", async () => {
    // The SHA-256 digest of "abc" is ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.
    expect(await computeKeyFingerprint("abc")).toBe("ba7816bf");
  });
});
