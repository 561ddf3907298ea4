import { describe, expect, expectTypeOf, it } from "vitest";
import { normaliseBaseURL } from "../../src/core/base-url.js";
import { MistralApiError, type RateLimitError } from "../../src/core/errors/api-error.js";
import type { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { isMistralError, type MistralError } from "../../src/core/errors/mistral-error.js";
import { StreamError, type TimeoutError } from "../../src/core/errors/transport-errors.js";
import { InMemoryRateLimiter } from "../../src/guard/rate-limiter.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer } from "../helpers/loopback-fixture.js";

describe.concurrent("success body checks", () => {
  it("rejects an empty 200 for chat", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ status: 200, body: "", headers: { "mistral-correlation-id": "req-empty" } });
    const client = clientFor(server);

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).requestId).toBe("req-empty");
    expect((error as Error).message).toMatch(/empty body \(HTTP 200\)/);
  });

  it("rejects a 204 for a GET", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ status: 204, body: "" });
    const client = clientFor(server);

    const error = await captureRejection(client.models.list());

    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toMatch(/empty body \(HTTP 204\)/);
  });

  it("accepts a 204 for agent delete", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ status: 204, body: "" });
    const client = clientFor(server);

    await expect(client.agents.delete("ag_123")).resolves.toBeUndefined();
  });

  it("raises an error object sent with 200", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      status: 200,
      body: { object: "error", message: "Model overloaded", type: "service_tier", code: "3505" },
      headers: { "mistral-correlation-id": "req-err-200" },
    });
    const client = clientFor(server);

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(MistralApiError);
    expect((error as MistralApiError).status).toBe(200);
    expect((error as MistralApiError).serverMessage).toBe("Model overloaded");
    expect((error as MistralApiError).code).toBe("3505");
    expect((error as MistralApiError).requestId).toBe("req-err-200");
  });

  it("keeps a normal completion", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server);

    const completion = await client.chat.create(helloRequest);

    expect(completion.object).toBe("chat.completion");
  });
});

describe("base URL slashes", () => {
  it("collapses repeated slashes", () => {
    expect(normaliseBaseURL("https://host//v1", "baseURL")).toBe("https://host");
    expect(normaliseBaseURL("https://host//proxy///v1//", "baseURL")).toBe("https://host/proxy");
  });

  it("sends one slash to the server", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server, { baseURL: `${server.url}//v1/` });

    await client.models.list();

    expect(server.requests[0]?.url).toBe("/v1/models");
  });
});

describe("server pause after 429", () => {
  it("caps a huge retry-after at maxRetryAfterMs", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      status: 429,
      body: { message: "slow" },
      headers: { "retry-after": "99999999" },
    });
    const client = clientFor(server, {
      maxRetries: 0,
      retry: { maxRetryAfterMs: 100 },
      rateLimits: { maxWaitMs: 5_000 },
    });

    const error = await captureRejection(client.models.list());
    expect(isMistralError(error, "rate_limit")).toBe(true);
    const started = Date.now();
    await client.models.list();

    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("ignores an invalid wait in the limiter", async () => {
    let now = 1_000;
    const limiter = new InMemoryRateLimiter({ maxWaitMs: 60 * 60_000 }, () => now);
    limiter.observeResponse(429, new Headers(), Number.POSITIVE_INFINITY);
    now += 1_001;

    const permit = await limiter.acquire({ user: undefined, estimatedTokens: 0 });

    expect(permit.waitedMs).toBe(0);
    permit.release();
  });

  it("caps a direct limiter pause", async () => {
    let now = 1_000;
    const limiter = new InMemoryRateLimiter({ maxWaitMs: 60 * 60_000 }, () => now);
    limiter.observeResponse(429, new Headers(), 1e15);
    now += 10 * 60_000 + 1;

    const permit = await limiter.acquire({ user: undefined, estimatedTokens: 0 });

    expect(permit.waitedMs).toBe(0);
    permit.release();
  });
});

describe("isMistralError narrowing", () => {
  it("narrows a kind to its class", () => {
    const value: unknown = undefined;
    if (isMistralError(value, "rate_limit")) {
      expectTypeOf(value).toEqualTypeOf<RateLimitError>();
      expectTypeOf(value.retryAfterMs).toEqualTypeOf<number | undefined>();
    }

    if (isMistralError(value, "timeout")) {
      expectTypeOf(value).toEqualTypeOf<TimeoutError>();
    }

    if (isMistralError(value, "configuration")) {
      expectTypeOf(value).toEqualTypeOf<ConfigurationError>();
    }

    if (isMistralError(value)) {
      expectTypeOf(value).toEqualTypeOf<MistralError>();
    }

    expect(isMistralError(value, "rate_limit")).toBe(false);
  });
});
