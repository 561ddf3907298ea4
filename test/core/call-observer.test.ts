import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CallInfo,
  type CallObserver,
  type CallOutcome,
  MistralClient,
} from "../../src/index.js";
import { MockMistralServer } from "../../src/testing/index.js";

const apiKey = "observer-test-key";
let server: MockMistralServer;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey });
});

beforeEach(() => {
  server.reset();
});

afterAll(async () => {
  await server.close();
});

interface Recorded {
  events: string[];
  ends: Array<{ call: CallInfo; outcome: CallOutcome }>;
}

function recordingObserver(): CallObserver & Recorded {
  const recorded: Recorded = { events: [], ends: [] };
  return {
    ...recorded,
    onCallStart: (call) => recorded.events.push(`start ${call.operation}`),
    onResponseHeaders: (_call, response) => recorded.events.push(`headers ${response.status}`),
    onRetry: (_call, info) => recorded.events.push(`retry ${info.attempt}`),
    onThrottled: (_call, info) => recorded.events.push(`throttled ${info.limit}`),
    onCallEnd: (call, outcome) => {
      recorded.events.push(`end ${outcome.error?.kind ?? "ok"}`);
      recorded.ends.push({ call, outcome });
    },
  };
}

const request = {
  model: "mistral-small-latest",
  messages: [{ role: "user" as const, content: "Hi" }],
};

describe("call observers", () => {
  it("see a JSON call from start to end with usage", async () => {
    const observer = recordingObserver();
    const client = new MistralClient({ apiKey, baseURL: server.url, observers: [observer] });
    const response = await client.chat.create(request, { user: "u-1" });
    expect(observer.events).toEqual(["start POST /v1/chat/completions", "headers 200", "end ok"]);
    const { call, outcome } = observer.ends[0]!;
    expect(call.model).toBe("mistral-small-latest");
    expect(call.user).toBe("u-1");
    expect(call.id).toMatch(/^[0-9a-f]{8}$/);
    expect(outcome.usage).toEqual(response.usage);
    expect(outcome.attempts).toBe(1);
    expect(outcome.requestId).toBe(response.requestId);
    expect(outcome.timeToFirstByteMs).toBeGreaterThanOrEqual(0);
    expect(outcome.durationMs).toBeGreaterThanOrEqual(outcome.timeToFirstByteMs!);
  });

  it("see a stream end after its last chunk with usage", async () => {
    const observer = recordingObserver();
    const client = new MistralClient({ apiKey, baseURL: server.url, observers: [observer] });
    const stream = await client.chat.stream(request);
    expect(observer.events).toEqual(["start POST /v1/chat/completions", "headers 200"]);
    const final = await stream.finalCompletion();
    await Promise.resolve();
    expect(observer.events.at(-1)).toBe("end ok");
    expect(observer.ends[0]?.outcome.usage).toEqual(final.usage);
    expect(observer.ends[0]?.call.stream).toBe(true);
  });

  it("see retries and the final error", async () => {
    const observer = recordingObserver();
    const client = new MistralClient({
      apiKey,
      baseURL: server.url,
      observers: [observer],
      maxRetries: 1,
      retry: { initialDelayMs: 1, maxDelayMs: 1 },
    });
    server.enqueue({ status: 503, body: { message: "busy" }, times: 2 });
    await expect(client.chat.create(request)).rejects.toThrow(/busy/);
    expect(observer.events).toEqual([
      "start POST /v1/chat/completions",
      "headers 503",
      "retry 1",
      "headers 503",
      "end server_error",
    ]);
    expect(observer.ends[0]?.outcome.attempts).toBe(2);
    expect(observer.ends[0]?.outcome.status).toBe(503);
  });

  it("see a stream cut by its reader as aborted", async () => {
    const observer = recordingObserver();
    const client = new MistralClient({ apiKey, baseURL: server.url, observers: [observer] });
    const stream = await client.chat.stream(request);
    for await (const _chunk of stream) break;
    expect(observer.events.at(-1)).toBe("end abort");
  });

  it("see throttling by the client-side limiter", async () => {
    const observer = recordingObserver();
    const client = new MistralClient({
      apiKey,
      baseURL: server.url,
      observers: [observer],
      rateLimits: { maxConcurrent: 1 },
    });
    await Promise.all([client.chat.create(request), client.chat.create(request)]);
    expect(observer.events).toContain("throttled concurrency");
  });

  it("cannot break a call by throwing", async () => {
    const throwing: CallObserver = {
      onCallStart: () => {
        throw new Error("observer failure");
      },
      onCallEnd: () => {
        throw new Error("observer failure");
      },
    };
    const client = new MistralClient({ apiKey, baseURL: server.url, observers: [throwing] });
    const response = await client.chat.create(request);
    expect(response.choices[0]?.message.content).toContain("Hi");
  });

  it("never send the user option to the API", async () => {
    const client = new MistralClient({
      apiKey,
      baseURL: server.url,
      observers: [recordingObserver()],
    });
    await client.chat.create(request, { user: "u-2" });
    expect(server.requests[0]?.body).toEqual(request);
  });
});

describe("operationFromPath", () => {
  it("replaces ids and keeps route words", async () => {
    const { operationFromPath } = await import("../../src/core/call-observer.js");
    expect(operationFromPath("GET", "/v1/files/0b6a9c1e-3f2d/content")).toBe(
      "GET /v1/files/{id}/content",
    );
    expect(operationFromPath("GET", "/v1/models/mistral-small-latest")).toBe("GET /v1/models/{id}");
    expect(operationFromPath("POST", "/v1/batch/jobs/job-1/cancel")).toBe(
      "POST /v1/batch/jobs/{id}/cancel",
    );
    expect(operationFromPath("POST", "/v1/chat/completions")).toBe("POST /v1/chat/completions");
  });
});
