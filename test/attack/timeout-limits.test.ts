import { afterEach, describe, expect, it, vi } from "vitest";
import { AttemptTimer } from "../../src/core/attempt-timer.js";
import { resolveConfig } from "../../src/core/config.js";
import { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { TimeoutError, type TimeoutPhase } from "../../src/core/errors/transport-errors.js";
import type { ScriptedReply } from "../../src/testing/index.js";
import { helloRequest, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, drain } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer } from "../helpers/loopback-fixture.js";

const chunkEvent =
  'data: {"id":"s1","object":"chat.completion.chunk","created":1764806400,' +
  '"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"a"},' +
  '"finish_reason":null}]}\n\n';

/** Builds a stream reply of one event every `everyMs`, lasting far longer than any limit below. */
function drippingStream(everyMs: number): ScriptedReply {
  return {
    headers: { "content-type": "text/event-stream" },
    writes: Array.from({ length: 60 }, () => chunkEvent),
    writeDelayMs: everyMs,
  };
}

/** Builds a JSON reply sent one byte every `everyMs`. */
function drippingJson(everyMs: number): ScriptedReply {
  const text = JSON.stringify(okCompletion);
  return {
    headers: { "content-type": "application/json" },
    writes: Array.from(text),
    writeDelayMs: everyMs,
  };
}

interface LimitCase {
  name: string;
  limits: { timeoutMs: number; headersTimeoutMs?: number; idleTimeoutMs?: number };
  reply: ScriptedReply;
  call: "json" | "stream";
  phase: TimeoutPhase;
  timeoutMs: number;
  /** Earliest and latest accepted elapsed time, in milliseconds. */
  window: [number, number];
}

const cases: LimitCase[] = [
  {
    name: "idle < headers < total, black hole",
    limits: { timeoutMs: 2000, headersTimeoutMs: 400, idleTimeoutMs: 100 },
    reply: { fault: "black-hole" },
    call: "json",
    phase: "headers",
    timeoutMs: 400,
    window: [390, 3000],
  },
  {
    name: "idle > total, black hole",
    limits: { timeoutMs: 300, headersTimeoutMs: 5000, idleTimeoutMs: 5000 },
    reply: { fault: "black-hole" },
    call: "json",
    phase: "headers",
    timeoutMs: 300,
    window: [290, 3000],
  },
  {
    name: "all equal, black hole",
    limits: { timeoutMs: 300, headersTimeoutMs: 300, idleTimeoutMs: 300 },
    reply: { fault: "black-hole" },
    call: "json",
    phase: "headers",
    timeoutMs: 300,
    window: [290, 3000],
  },
  {
    name: "all 1 ms, black hole",
    limits: { timeoutMs: 1, headersTimeoutMs: 1, idleTimeoutMs: 1 },
    reply: { fault: "black-hole" },
    call: "json",
    phase: "headers",
    timeoutMs: 1,
    window: [0, 3000],
  },
  {
    name: "drip every 100 ms outlives total",
    limits: { timeoutMs: 800, headersTimeoutMs: 400, idleTimeoutMs: 300 },
    reply: drippingStream(100),
    call: "stream",
    phase: "total",
    timeoutMs: 800,
    window: [790, 3000],
  },
  {
    name: "JSON drip outlives total",
    limits: { timeoutMs: 600, idleTimeoutMs: 300 },
    reply: drippingJson(50),
    call: "json",
    phase: "total",
    timeoutMs: 600,
    window: [590, 3000],
  },
  {
    name: "stall after one event, idle < total",
    limits: { timeoutMs: 5000, idleTimeoutMs: 250 },
    reply: { writes: [chunkEvent], fault: "stall-mid-body", faultAfterWrites: 1 },
    call: "stream",
    phase: "idle",
    timeoutMs: 250,
    window: [240, 3000],
  },
  {
    name: "stall after one event, idle > total",
    limits: { timeoutMs: 400, idleTimeoutMs: 5000 },
    reply: { writes: [chunkEvent], fault: "stall-mid-body", faultAfterWrites: 1 },
    call: "stream",
    phase: "total",
    timeoutMs: 400,
    window: [390, 3000],
  },
  {
    name: "stall after one event, idle = total",
    limits: { timeoutMs: 400, idleTimeoutMs: 400 },
    reply: { writes: [chunkEvent], fault: "stall-mid-body", faultAfterWrites: 1 },
    call: "stream",
    phase: "total",
    timeoutMs: 400,
    window: [390, 3000],
  },
];

describe.concurrent("timeout limit combinations", () => {
  for (const limitCase of cases) {
    it(`${limitCase.call}: ${limitCase.name}`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue(limitCase.reply);
      const client = clientFor(server, { ...limitCase.limits, maxRetries: 0 });
      const started = Date.now();

      const error =
        limitCase.call === "json"
          ? await captureRejection(client.chat.create(helloRequest))
          : (await drain(await client.chat.stream(helloRequest))).error;
      const elapsedMs = Date.now() - started;

      expect(error).toBeInstanceOf(TimeoutError);
      const timeout = error as TimeoutError;
      expect(timeout.phase).toBe(limitCase.phase);
      expect(timeout.timeoutMs).toBe(limitCase.timeoutMs);
      expect(timeout.message).toContain(`${limitCase.timeoutMs} ms`);
      expect(elapsedMs).toBeGreaterThanOrEqual(limitCase.window[0]);
      expect(elapsedMs).toBeLessThanOrEqual(limitCase.window[1]);
    });
  }

  it("headers just before their deadline pass", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ delayBeforeHeadersMs: 300, body: okCompletion });
    const client = clientFor(server, { headersTimeoutMs: 500, idleTimeoutMs: 50, maxRetries: 0 });

    const completion = await client.chat.create(helloRequest);

    expect(completion.id).toBe("ok1");
  });

  it("stalled 500 body ends by status after idle", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      status: 500,
      headers: { "content-type": "application/json" },
      writes: ['{"message":"boom'],
      fault: "stall-mid-body",
      faultAfterWrites: 1,
    });
    const client = clientFor(server, { idleTimeoutMs: 200, maxRetries: 0 });
    const started = Date.now();

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(isMistralError(error, "server_error")).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("download drip outlives total", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      match: { path: "/v1/files/file-1/content" },
      headers: { "content-type": "application/octet-stream" },
      writes: Array.from({ length: 40 }, () => "ab"),
      writeDelayMs: 50,
    });
    const client = clientFor(server, { timeoutMs: 500, idleTimeoutMs: 200, maxRetries: 0 });

    const download = await client.files.download("file-1");
    const error = await captureRejection(download.arrayBuffer());

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("total");
  });
});

describe("configured limits", () => {
  // MISTRAL_TIMEOUT is in seconds and rounded to whole milliseconds.
  it("MISTRAL_TIMEOUT rounding to 0 ms is rejected", () => {
    const resolve = () =>
      resolveConfig({ apiKey: "sk-test-CANARY-1234567890" }, { MISTRAL_TIMEOUT: "0.0004" });

    expect(resolve).toThrow(/MISTRAL_TIMEOUT/);
  });

  it("MISTRAL_TIMEOUT above the option's maximum is rejected", () => {
    const resolve = () =>
      resolveConfig({ apiKey: "sk-test-CANARY-1234567890" }, { MISTRAL_TIMEOUT: "99999999" });

    expect(resolve).toThrow(ConfigurationError);
  });
});

describe("timer wake-ups before headers", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // The idle deadline cannot fire before the headers arrive, so a short idle time must not wake
  // the timer again and again while they are awaited.
  it("1 ms idle does not poll the headers wait", () => {
    vi.useFakeTimers();
    const spy = vi.spyOn(globalThis, "setTimeout");
    const limits = { timeoutMs: 10_000, headersTimeoutMs: 5_000, idleTimeoutMs: 1 };
    const timer = new AttemptTimer(limits, undefined, "POST /v1/chat/completions");

    vi.advanceTimersByTime(1_000);
    const armed = spy.mock.calls.length;
    timer.finish();
    spy.mockRestore();

    expect(armed).toBeLessThan(10);
  });
});
