import { describe, expect, it } from "vitest";
import type { MistralClient } from "../../src/client.js";
import type { FetchFunction } from "../../src/core/client-options.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { TimeoutError } from "../../src/core/errors/transport-errors.js";
import type { ScriptedReply } from "../../src/testing/index.js";
import { helloRequest, okChunks, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, drain } from "../helpers/error-capture.js";
import {
  type CleanupContext,
  clientFor,
  startLoopbackServer,
} from "../helpers/loopback-fixture.js";
import { timedFetch } from "../helpers/timed-fetch.js";

const blackHole: ScriptedReply = { fault: "black-hole" };

/** Headers after 2 s, then the default chat completion. */
const slowHeaders: ScriptedReply = { delayBeforeHeadersMs: 2000 };

const bonEvent =
  'data: {"id":"s1","object":"chat.completion.chunk","created":1764806400,' +
  '"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant",' +
  '"content":"Bon"},"finish_reason":null}]}\n\n';

/** One event, then an open and silent socket. */
const stalledStream: ScriptedReply = {
  writes: [bonEvent],
  fault: "stall-mid-body",
  faultAfterWrites: 1,
};

function jourEvent(index: number): string {
  return (
    'data: {"id":"s1","object":"chat.completion.chunk","created":1764806400,' +
    '"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"' +
    `.${index}"},"finish_reason":null}]}\n\n`
  );
}

/** An event every 400 ms for about 3 s, then the end. */
const slowStream: ScriptedReply = {
  writes: [
    bonEvent,
    ...Array.from({ length: 7 }, (_, index) => jourEvent(index)),
    'data: {"id":"s1","object":"chat.completion.chunk","created":1764806400,' +
      '"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"!"},' +
      '"finish_reason":"stop"}]}\n\n',
    "data: [DONE]\n\n",
  ],
  writeDelayMs: 400,
};

async function serverWith(context: CleanupContext, ...replies: ScriptedReply[]) {
  const server = await startLoopbackServer(context);
  server.enqueue(...replies);
  return server;
}

async function timed<T>(promise: Promise<T>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = Date.now();
  const error = await captureRejection(promise);
  return { error, elapsedMs: Date.now() - started };
}

describe.concurrent("time to headers", () => {
  it("A: a black hole fails in 300 ms with the phase and value", async (context) => {
    const server = await serverWith(context, blackHole);
    const client = clientFor(server, { timeoutMs: 300, maxRetries: 0 });

    const { error, elapsedMs } = await timed(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(isMistralError(error, "timeout")).toBe(true);
    const timeout = error as TimeoutError;
    expect(timeout.phase).toBe("headers");
    expect(timeout.timeoutMs).toBe(300);
    expect(timeout.message).toContain("300 ms");
    expect(timeout.message).toContain("POST /v1/chat/completions");
    expect(timeout.message).not.toContain("fetch failed");
    expect(elapsedMs).toBeGreaterThanOrEqual(295);
    expect(elapsedMs).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  it("A: headersTimeoutMs fires before timeoutMs and names its option", async (context) => {
    const server = await serverWith(context, blackHole);
    const client = clientFor(server, { timeoutMs: 5000, headersTimeoutMs: 200, maxRetries: 0 });

    const { error, elapsedMs } = await timed(client.chat.create(helloRequest));

    const timeout = error as TimeoutError;
    expect(timeout.phase).toBe("headers");
    expect(timeout.timeoutMs).toBe(200);
    expect(timeout.message).toContain("headersTimeoutMs");
    expect(elapsedMs).toBeLessThan(1000);
  });

  it("A: a headers timeout is retried", async (context) => {
    const server = await serverWith(context, { ...blackHole, times: Number.POSITIVE_INFINITY });
    const client = clientFor(server, { timeoutMs: 200, maxRetries: 2 });

    const { error } = await timed(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(3);
  });

  it("A: a headers timeout on a state-changing call is not retried", async (context) => {
    const server = await serverWith(context, { ...blackHole, times: Number.POSITIVE_INFINITY });
    const client = clientFor(server, { timeoutMs: 200, maxRetries: 2 });

    const { error } = await timed(
      client.request({ method: "POST", path: "/v1/conversations", body: { inputs: "Hi" } }),
    );

    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(1);
  });

  it("A: a retry after a timeout can succeed", async (context) => {
    const server = await serverWith(context, blackHole, { body: okCompletion });
    const client = clientFor(server, { timeoutMs: 200, maxRetries: 1 });

    const completion = await client.chat.create(helloRequest);

    expect(completion.id).toBe("ok1");
    expect(server.requests).toHaveLength(2);
  });

  it("B: slow headers time out at 500 ms", async (context) => {
    const server = await serverWith(context, slowHeaders);
    const client = clientFor(server, { timeoutMs: 500, maxRetries: 0 });

    const { error, elapsedMs } = await timed(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("headers");
    expect(elapsedMs).toBeLessThan(1500);
  });

  it("B: slow headers arrive within 5000 ms", async (context) => {
    const server = await serverWith(context, slowHeaders);
    const client = clientFor(server, { timeoutMs: 5000, maxRetries: 0 });

    const completion = await client.chat.create(helloRequest);

    expect(completion.object).toBe("chat.completion");
  });
});

describe.concurrent("per-call options", () => {
  it("a call's timeoutMs wins over a shorter client value", async (context) => {
    const server = await serverWith(context, slowHeaders);
    const client = clientFor(server, { timeoutMs: 300, maxRetries: 0 });

    const completion = await client.chat.create(helloRequest, { timeoutMs: 5000 });

    expect(completion.object).toBe("chat.completion");
  });

  it("a call's timeoutMs wins over a longer client value", async (context) => {
    const server = await serverWith(context, slowHeaders);
    const client = clientFor(server, { timeoutMs: 5000, maxRetries: 0 });

    const { error } = await timed(client.chat.create(helloRequest, { timeoutMs: 300 }));

    expect((error as TimeoutError).timeoutMs).toBe(300);
  });

  it("a call's headersTimeoutMs wins", async (context) => {
    const server = await serverWith(context, slowHeaders);
    const client = clientFor(server, { headersTimeoutMs: 300, maxRetries: 0 });

    const completion = await client.chat.create(helloRequest, { headersTimeoutMs: 5000 });

    expect(completion.object).toBe("chat.completion");
  });

  it("a call's idleTimeoutMs wins", async (context) => {
    const server = await serverWith(context, stalledStream);
    const client = clientFor(server, { idleTimeoutMs: 20_000 });

    const stream = await client.chat.stream(helloRequest, { idleTimeoutMs: 300 });
    const { error } = await drain(stream);

    expect((error as TimeoutError).phase).toBe("idle");
    expect((error as TimeoutError).timeoutMs).toBe(300);
  });
});

describe.concurrent("stream idle time", () => {
  it("C: delivers Bon, then times out 500 ms after the last byte", async (context) => {
    const server = await serverWith(context, stalledStream, { events: okChunks });
    const client = clientFor(server, { idleTimeoutMs: 500 });

    const stream = await client.chat.stream(helloRequest);
    const { items, error, receivedAt } = await drain(stream);
    const failedAt = Date.now();

    expect(items.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(["Bon"]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("idle");
    expect((error as TimeoutError).timeoutMs).toBe(500);
    expect((error as Error).message).toContain("500 ms");
    expect(failedAt - receivedAt[0]!).toBeGreaterThanOrEqual(450);
    expect(failedAt - receivedAt[0]!).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  it("C: times out a raw event stream the same way", async (context) => {
    const server = await serverWith(context, {
      ...stalledStream,
      match: { path: "/v1/agents/completions" },
    });
    const client = clientFor(server, { idleTimeoutMs: 500 });

    const events = await client.request({
      method: "POST",
      path: "/v1/agents/completions",
      body: { agent_id: "a1", messages: [{ role: "user", content: "Hi" }], stream: true },
      stream: true,
    });
    const { items, error } = await drain(events);

    expect(items).toHaveLength(1);
    expect((error as TimeoutError).phase).toBe("idle");
  });

  it("D: a slow but live stream completes", async (context) => {
    const server = await serverWith(context, slowStream);
    const client = clientFor(server, { idleTimeoutMs: 500 });
    const started = Date.now();

    const stream = await client.chat.stream(helloRequest);
    const final = await stream.finalCompletion();

    expect(final.choices[0]?.message.content).toBe("Bon.0.1.2.3.4.5.6!");
    expect(final.choices[0]?.finish_reason).toBe("stop");
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
  });

  it("D: timeoutMs still bounds the whole stream", async (context) => {
    const server = await serverWith(context, slowStream);
    const client = clientFor(server, { idleTimeoutMs: 500, timeoutMs: 1000 });

    const stream = await client.chat.stream(helloRequest);
    const { items, error } = await drain(stream);

    expect(items.length).toBeGreaterThan(0);
    expect((error as TimeoutError).phase).toBe("total");
    expect((error as TimeoutError).timeoutMs).toBe(1000);
  });
});

describe.concurrent("caller abort", () => {
  it("aborts a black hole at once with an abort error, not a timeout", async (context) => {
    const server = await serverWith(context, blackHole);
    const client = clientFor(server, { timeoutMs: 5000 });
    const controller = new AbortController();
    const pending = client.chat.create(helloRequest, { signal: controller.signal });
    await server.waitForRequests(1);
    const abortedAt = Date.now();
    controller.abort();

    const error = await captureRejection(pending);

    expect(Date.now() - abortedAt).toBeLessThan(100);
    expect(isMistralError(error, "abort")).toBe(true);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(1);
  });

  it("sends nothing for a signal aborted already", async (context) => {
    const server = await serverWith(context);
    const client = clientFor(server);

    const error = await captureRejection(
      client.chat.create(helloRequest, { signal: AbortSignal.abort() }),
    );

    expect(isMistralError(error, "abort")).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it("treats a caller's AbortSignal.timeout as an abort", async (context) => {
    const server = await serverWith(context, blackHole);
    const client = clientFor(server, { timeoutMs: 5000 });

    const error = await captureRejection(
      client.chat.create(helloRequest, { signal: AbortSignal.timeout(100) }),
    );

    expect(isMistralError(error, "abort")).toBe(true);
    expect(((error as Error).cause as Error).name).toBe("TimeoutError");
  });

  it("aborts a stream while it waits for the next event", async (context) => {
    const server = await serverWith(context, stalledStream);
    const client = clientFor(server, { idleTimeoutMs: 5000 });
    const controller = new AbortController();

    const stream = await client.chat.stream(helloRequest, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const { items, error } = await drain(stream);

    expect(items).toHaveLength(1);
    expect(isMistralError(error, "abort")).toBe(true);
  });
});

interface CountedFetch {
  fetch: FetchFunction;
  inits: Array<RequestInit | undefined>;
  urls: string[];
}

/** Builds a caller's fetch, like a proxy setup would pass, that forwards each call to `target`. */
function forwardingFetch(target: string): CountedFetch {
  const counted: CountedFetch = { inits: [], urls: [], fetch: async () => new Response() };
  counted.fetch = async (input, init) => {
    counted.urls.push(String(input));
    counted.inits.push(init);
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    headers.set("x-forwarded-by", "test-proxy");
    return globalThis.fetch(target + url.pathname + url.search, { ...init, headers });
  };
  return counted;
}

async function everyKindOfCall(client: MistralClient): Promise<void> {
  await client.chat.create(helloRequest);
  const stream = await client.chat.stream(helloRequest);
  await stream.finalCompletion();
  const form = new FormData();
  form.append("purpose", "fine-tune");
  form.append("file", new Blob(['{"messages":[]}\n'], { type: "application/jsonl" }), "a.jsonl");
  await client.request({ method: "POST", path: "/v1/files", body: form });
  await client.models.list();
}

describe.concurrent("caller's own fetch", () => {
  it("E: carries JSON, stream, multipart and GET calls", async (context) => {
    const server = await serverWith(context, { body: okCompletion }, { events: okChunks });
    server.enqueue({ match: { path: "/v1/files" }, body: { id: "file-1", object: "file" } });
    const counted = forwardingFetch(server.url);
    // Nothing listens on port 9 of loopback: only the caller's fetch can reach the server.
    const client = clientFor(server, { baseURL: "http://127.0.0.1:9", fetch: counted.fetch });

    await everyKindOfCall(client);

    expect(counted.urls).toEqual([
      "http://127.0.0.1:9/v1/chat/completions",
      "http://127.0.0.1:9/v1/chat/completions",
      "http://127.0.0.1:9/v1/files",
      "http://127.0.0.1:9/v1/models",
    ]);
    expect(server.requests.map((request) => request.headers["x-forwarded-by"])).toEqual(
      Array(4).fill("test-proxy"),
    );
    expect(server.requests[2]?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
  });

  it("E: passes only standard fetch options and its own signal", async (context) => {
    const server = await serverWith(context, { body: okCompletion }, { events: okChunks });
    server.enqueue({ match: { path: "/v1/files" }, body: { id: "file-1", object: "file" } });
    const counted = forwardingFetch(server.url);
    const client = clientFor(server, { baseURL: "http://127.0.0.1:9", fetch: counted.fetch });

    await everyKindOfCall(client);

    const allowed = ["method", "headers", "body", "signal", "redirect", "duplex"];
    for (const init of counted.inits) {
      expect(Object.keys(init ?? {}).filter((name) => !allowed.includes(name))).toEqual([]);
      expect(init?.signal).toBeInstanceOf(AbortSignal);
    }
  });

  it("E: timeouts still fire through the caller's fetch", async (context) => {
    const server = await serverWith(context, blackHole);
    const counted = forwardingFetch(server.url);
    const client = clientFor(server, {
      baseURL: "http://127.0.0.1:9",
      fetch: counted.fetch,
      timeoutMs: 300,
      maxRetries: 0,
    });

    const { error, elapsedMs } = await timed(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(elapsedMs).toBeLessThan(1000);
    expect(counted.urls).toHaveLength(1);
  });

  it("E: times out a fetch that ignores the abort signal", async (context) => {
    const server = await serverWith(context);
    const neverSettles: FetchFunction = () => new Promise<Response>(() => {});
    const client = clientFor(server, { fetch: neverSettles, timeoutMs: 300, maxRetries: 0 });

    const { error, elapsedMs } = await timed(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(elapsedMs).toBeLessThan(1000);
  });

  it("E: a retry goes through the caller's fetch too", async (context) => {
    const server = await serverWith(context, { status: 503, body: "" }, { body: okCompletion });
    const timing = timedFetch();
    const client = clientFor(server, { fetch: timing.fetch });

    await client.chat.create(helloRequest);

    expect(timing.calls).toHaveLength(2);
  });
});
