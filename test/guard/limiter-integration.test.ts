import { describe, expect, it } from "vitest";
import type { MistralClient } from "../../src/client.js";
import type { ClientOptions } from "../../src/core/client-options.js";
import { ClientRateLimitError } from "../../src/core/errors/client-rate-limit-error.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { estimateTokens } from "../../src/guard/token-estimate.js";
import type { MockMistralServer, RecordedRequest } from "../../src/testing/index.js";
import type { ChatCompletionRequest } from "../../src/types/chat.js";
import { helloRequest, okCompletion } from "../helpers/chat-bodies.js";
import { clientFor, startLoopbackServer } from "../helpers/loopback-fixture.js";

// Each test fires its calls at once and checks, from the arrival times the local server recorded,
// that no window of time saw more calls than the limit allows.

/**
 * Extra calls a window may show beyond the limit: the server records arrival times, which trail
 * the limiter's grants by a delay that varies from call to call. On an idle loopback it is a few
 * ms; with other test files busy on two cores it reached about 100 ms (9 extra calls at 100/s).
 * Without a limiter all 200 calls land in one window, so the checks still fail on a broken one.
 */
const arrivalJitter = 15;

/** Largest number of times inside any window `[t, t + windowMs)`. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }

  return max;
}

function arrivals(requests: RecordedRequest[], user?: string): number[] {
  return requests
    .filter((request) => user === undefined || request.headers["x-test-user"] === user)
    .map((request) => request.receivedAt);
}

/** Starts `count` calls at once; call `i` carries its index, and user `u<i % users>` if asked. */
function fireCalls(
  client: MistralClient,
  count: number,
  options: { users?: number; request?: ChatCompletionRequest } = {},
): Promise<PromiseSettledResult<unknown>[]> {
  const calls = Array.from({ length: count }, (_, index) => {
    const user = options.users === undefined ? undefined : `u${index % options.users}`;
    const headers: Record<string, string> = { "x-call-index": String(index) };
    if (user !== undefined) headers["x-test-user"] = user;
    return client.chat.create(options.request ?? helloRequest, { user, headers });
  });
  return Promise.allSettled(calls);
}

function fulfilled(results: PromiseSettledResult<unknown>[]): number {
  return results.filter((result) => result.status === "fulfilled").length;
}

/**
 * Builds a limited client after opening 50 keep-alive connections to the server with calls that
 * are then forgotten, so that opening connections during the test does not delay some arrivals
 * and bunch them with later ones.
 */
async function limitedClient(
  server: MockMistralServer,
  rateLimits: ClientOptions["rateLimits"],
): Promise<MistralClient> {
  const warmUp = clientFor(server, { telemetry: false });
  await Promise.all(Array.from({ length: 50 }, () => warmUp.chat.create(helloRequest)));
  server.requests.length = 0;
  return clientFor(server, { maxRetries: 0, rateLimits, telemetry: false });
}

describe("limiter against the local server, 200 concurrent calls", () => {
  it("holds requests per second", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, {
      requestsPerSecond: 100,
      burst: 10,
      maxWaitMs: 10_000,
    });

    const results = await fireCalls(client, 200);

    expect(fulfilled(results)).toBe(200);
    const times = arrivals(server.requests);
    // A token bucket lets through at most `burst + rate * seconds` calls in any window.
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(110 + arrivalJitter);
    expect(maxInWindow(times, 100)).toBeLessThanOrEqual(20 + arrivalJitter);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1_800);
  });

  it("holds tokens per minute", async (context) => {
    const server = await startLoopbackServer(context);
    // 396 characters of text (role included) are estimated at 99 tokens, plus max_tokens: 100.
    const request: ChatCompletionRequest = {
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "x".repeat(392) }],
      max_tokens: 1,
    };
    expect(estimateTokens(request)).toBe(100);
    const usage = { prompt_tokens: 99, completion_tokens: 1, total_tokens: 100 };
    const client = await limitedClient(server, { tokensPerMinute: 5_000, maxWaitMs: 2_000 });
    server.enqueue({ body: { ...okCompletion, usage }, times: Number.POSITIVE_INFINITY });

    const results = await fireCalls(client, 200, { request });

    expect(fulfilled(results)).toBe(50);
    expect(server.requests).toHaveLength(50);
    const indexes = server.requests.map((recorded) => Number(recorded.headers["x-call-index"]));
    expect(new Set(indexes)).toEqual(new Set(Array.from({ length: 50 }, (_, index) => index)));
    for (const result of results.slice(50)) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason as ClientRateLimitError;
      expect(error).toBeInstanceOf(ClientRateLimitError);
      expect(error.limit).toBe("tokens_per_minute");
      expect(error.retryAfterMs).toBeGreaterThan(50_000);
    }
  });

  it("holds concurrency", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, { maxConcurrent: 8, maxWaitMs: 10_000 });
    // Each call stays in flight for at least 30 ms, so a window of 25 ms has each slot once.
    server.enqueue({ delayBeforeHeadersMs: 30, times: Number.POSITIVE_INFINITY });

    const results = await fireCalls(client, 200);

    expect(fulfilled(results)).toBe(200);
    const times = arrivals(server.requests);
    expect(maxInWindow(times, 25)).toBeLessThanOrEqual(8);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual((200 / 8 - 1) * 30);
  });

  it("holds per-user concurrency without holding other users", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, {
      perUser: { maxConcurrent: 2 },
      maxWaitMs: 10_000,
    });
    server.enqueue({ delayBeforeHeadersMs: 30, times: Number.POSITIVE_INFINITY });

    const results = await fireCalls(client, 200, { users: 10 });

    expect(fulfilled(results)).toBe(200);
    for (let user = 0; user < 10; user++) {
      expect(
        maxInWindow(arrivals(server.requests, `u${user}`), 25),
        `u${user}`,
      ).toBeLessThanOrEqual(2);
    }

    // Ten users with two slots each run side by side.
    expect(maxInWindow(arrivals(server.requests), 25)).toBeGreaterThan(2);
  });

  it("holds per-user requests per second", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, {
      perUser: { requestsPerSecond: 40, burst: 2 },
      maxWaitMs: 10_000,
    });

    const results = await fireCalls(client, 200, { users: 10 });

    expect(fulfilled(results)).toBe(200);
    for (let user = 0; user < 10; user++) {
      const times = arrivals(server.requests, `u${user}`);
      expect(times).toHaveLength(20);
      expect(maxInWindow(times, 250), `u${user}`).toBeLessThanOrEqual(2 + 10 + arrivalJitter);
      // The bucket spreads 18 calls after the burst over 450 ms. Arrivals can spread over less,
      // because the first connections take longer to open.
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(350);
    }
  });
});

describe("limiter waiting", () => {
  it("serves waiting calls in arrival order", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, { maxConcurrent: 1, maxWaitMs: 10_000 });

    const results = await fireCalls(client, 50);

    expect(fulfilled(results)).toBe(50);
    const order = server.requests.map((recorded) => Number(recorded.headers["x-call-index"]));
    expect(order).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it("fails calls that would wait longer than maxWaitMs", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, { maxConcurrent: 1, maxWaitMs: 200 });
    // Each call keeps the one slot for 500 ms, so a waiter that outlived maxWaitMs until a slot
    // freed would fail at 500 ms or later.
    server.enqueue({ delayBeforeHeadersMs: 500, times: Number.POSITIVE_INFINITY });

    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, async (_, index) => {
        try {
          await client.chat.create(helloRequest, { headers: { "x-call-index": String(index) } });
          return { error: undefined, elapsedMs: Date.now() - started };
        } catch (error) {
          return { error, elapsedMs: Date.now() - started };
        }
      }),
    );

    const rejected = outcomes.filter((outcome) => outcome.error !== undefined);
    const sent = outcomes.length - rejected.length;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(3);
    for (const { error, elapsedMs } of rejected) {
      expect(isMistralError(error, "client_rate_limit")).toBe(true);
      expect((error as ClientRateLimitError).limit).toBe("concurrency");
      // Waited about maxWaitMs. The margin allows for timers firing late on a busy machine.
      expect(elapsedMs).toBeGreaterThanOrEqual(190);
      expect(elapsedMs).toBeLessThan(450);
    }

    expect(server.requests).toHaveLength(sent);
  });
});

describe("limiter learning from the server", () => {
  const rateLimited = {
    status: 429,
    headers: { "retry-after-ms": "300" },
    body: { object: "error", message: "Rate limit exceeded", type: "rate_limited", code: "1300" },
  };

  it("pauses new calls for the wait a 429 asks", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, { maxWaitMs: 5_000 });
    server.enqueue(rateLimited);

    const first = await Promise.allSettled([client.chat.create(helloRequest)]);
    const results = await fireCalls(client, 5);

    expect(first[0]?.status).toBe("rejected");
    expect(fulfilled(results)).toBe(5);
    const [limited, ...later] = arrivals(server.requests);
    for (const time of later) expect(time - limited!).toBeGreaterThanOrEqual(300);
  });

  it("pauses when the headers report no requests left", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, { maxWaitMs: 5_000 });
    server.enqueue({ headers: { "x-ratelimit-remaining-req-minute": "0" } });

    await client.chat.create(helloRequest);
    await client.chat.create(helloRequest);

    const [exhausted, next] = arrivals(server.requests);
    expect(next! - exhausted!).toBeGreaterThanOrEqual(1_000);
  });

  it("pauses when the headers report no tokens left", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, { maxWaitMs: 5_000 });
    server.enqueue({ headers: { "x-ratelimit-remaining-tokens-minute": "0" } });

    await client.chat.create(helloRequest);
    await client.chat.create(helloRequest);

    const [exhausted, next] = arrivals(server.requests);
    expect(next! - exhausted!).toBeGreaterThanOrEqual(1_000);
  });

  it("does not pause while quota remains", async (context) => {
    const server = await startLoopbackServer(context);
    const client = await limitedClient(server, { maxWaitMs: 5_000 });
    server.enqueue({ headers: { "x-ratelimit-remaining-req-minute": "5" } });

    await client.chat.create(helloRequest);
    await client.chat.create(helloRequest);

    const [first, next] = arrivals(server.requests);
    expect(next! - first!).toBeLessThan(500);
  });
});

describe("retry budget in a 429 storm", () => {
  const storm = {
    status: 429,
    headers: { "retry-after-ms": "1" },
    body: { object: "error", message: "Rate limit exceeded", type: "rate_limited", code: "1300" },
    times: Number.POSITIVE_INFINITY,
  };

  it("caps total attempts at the calls plus the budget", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue(storm);
    const client = clientFor(server, { maxRetries: 3, telemetry: false });

    const results = await fireCalls(client, 100);

    expect(fulfilled(results)).toBe(0);
    for (const result of results) {
      expect(isMistralError((result as PromiseRejectedResult).reason, "rate_limit")).toBe(true);
    }

    // Default budget: 20 retries in reserve plus 0.2 per call made.
    expect(server.requests.length).toBeGreaterThanOrEqual(100);
    expect(server.requests.length).toBeLessThanOrEqual(100 + 20 + 0.2 * 100);
  });

  it("lets every retry through without a budget", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue(storm);
    const client = clientFor(server, {
      maxRetries: 3,
      telemetry: false,
      rateLimits: { retryBudget: false, learnFromServer: false },
    });

    await fireCalls(client, 100);

    expect(server.requests).toHaveLength(400);
  });
});
