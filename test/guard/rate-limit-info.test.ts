import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { FetchFunction } from "../../src/core/client-options.js";
import { RateLimitError } from "../../src/core/errors/api-error.js";
import { parseRateLimitHeaders } from "../../src/core/rate-limit-headers.js";
import { helloRequest, okChunks, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer } from "../helpers/loopback-fixture.js";

/** Headers of a real chat completion response, plus windows the API sends to some workspaces. */
const rateLimitHeaders = {
  "x-ratelimit-limit-tokens-minute": "5000000",
  "x-ratelimit-remaining-tokens-minute": "4999911",
  "x-ratelimit-tokens-query-cost": "52",
  "x-ratelimit-limit-req-minute": "720",
  "x-ratelimit-remaining-req-minute": "717",
  "x-ratelimit-limit-req-second": "6",
  "x-ratelimit-remaining-req-second": "5",
  "x-ratelimit-limit-tokens-month": "4000000000",
  "x-ratelimit-remaining-tokens-month": "3999000000",
};

const expectedInfo = {
  limitTokensMinute: 5_000_000,
  remainingTokensMinute: 4_999_911,
  tokensQueryCost: 52,
  limitRequestsMinute: 720,
  remainingRequestsMinute: 717,
  limitRequestsSecond: 6,
  remainingRequestsSecond: 5,
  limitTokensMonth: 4_000_000_000,
  remainingTokensMonth: 3_999_000_000,
};

describe("parseRateLimitHeaders", () => {
  it("reads every window and kind", () => {
    const headers = new Headers();
    const windows = ["second", "minute", "hour", "day", "month"];
    windows.forEach((window, index) => {
      headers.set(`x-ratelimit-limit-req-${window}`, String(index + 1));
      headers.set(`x-ratelimit-remaining-req-${window}`, String(index + 10));
      headers.set(`x-ratelimit-limit-tokens-${window}`, String(index + 100));
      headers.set(`x-ratelimit-remaining-tokens-${window}`, String(index + 1000));
    });

    expect(parseRateLimitHeaders(headers)).toEqual({
      limitRequestsSecond: 1,
      limitRequestsMinute: 2,
      limitRequestsHour: 3,
      limitRequestsDay: 4,
      limitRequestsMonth: 5,
      remainingRequestsSecond: 10,
      remainingRequestsMinute: 11,
      remainingRequestsHour: 12,
      remainingRequestsDay: 13,
      remainingRequestsMonth: 14,
      limitTokensSecond: 100,
      limitTokensMinute: 101,
      limitTokensHour: 102,
      limitTokensDay: 103,
      limitTokensMonth: 104,
      remainingTokensSecond: 1000,
      remainingTokensMinute: 1001,
      remainingTokensHour: 1002,
      remainingTokensDay: 1003,
      remainingTokensMonth: 1004,
    });
  });

  it("leaves out values that are not whole numbers and unknown names", () => {
    const headers = new Headers({
      "x-ratelimit-remaining-req-minute": "abc",
      "x-ratelimit-limit-req-minute": "-1",
      "x-ratelimit-limit-req-week": "5",
      "x-ratelimit-remaining-tokens-minute": " 12 ",
    });

    expect(parseRateLimitHeaders(headers)).toEqual({ remainingTokensMinute: 12 });
  });

  it("returns undefined without rate-limit headers", () => {
    expect(parseRateLimitHeaders(new Headers({ "content-type": "application/json" }))).toBe(
      undefined,
    );
  });
});

describe("rateLimit on responses", () => {
  it("is typed and parsed on a completion", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ body: okCompletion, headers: rateLimitHeaders });

    const completion = await clientFor(server).chat.create(helloRequest);

    expect(completion.rateLimit).toEqual(expectedInfo);
    expect(completion.rateLimit?.remainingTokensMinute).toBe(4_999_911);
  });

  it("stays out of JSON, keys and inspect output", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ body: okCompletion, headers: rateLimitHeaders });

    const completion = await clientFor(server).chat.create(helloRequest);

    expect(Object.keys(completion)).not.toContain("rateLimit");
    expect(JSON.parse(JSON.stringify(completion))).toEqual(okCompletion);
    expect(inspect(completion, { depth: 5 })).not.toContain("rateLimit");
  });

  it("is undefined when the response has none", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ body: okCompletion });

    const completion = await clientFor(server).chat.create(helloRequest);

    expect(completion.rateLimit).toBeUndefined();
  });

  it("is parsed on first access only", async () => {
    let iterations = 0;
    const fetch: FetchFunction = async () => {
      const response = Response.json(okCompletion, { headers: rateLimitHeaders });
      const entries = response.headers[Symbol.iterator].bind(response.headers);
      Object.defineProperty(response.headers, Symbol.iterator, {
        value: () => {
          iterations++;
          return entries();
        },
      });
      return response;
    };
    const client = new MistralClient({
      apiKey: "sk-test-CANARY-7f3a9c1e",
      baseURL: "http://127.0.0.1:9",
      fetch,
      telemetry: false,
    });

    const completion = await client.chat.create(helloRequest);
    const before = iterations;
    const first = completion.rateLimit;
    const second = completion.rateLimit;

    expect(before).toBe(0);
    expect(iterations).toBe(1);
    expect(second).toBe(first);
  });

  it("is on a chat stream", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ events: okChunks, headers: rateLimitHeaders });

    const stream = await clientFor(server).chat.stream(helloRequest);
    await stream.finalCompletion();

    expect(stream.rateLimit).toEqual(expectedInfo);
  });

  it("is on a RateLimitError", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      status: 429,
      headers: {
        ...rateLimitHeaders,
        "x-ratelimit-remaining-tokens-minute": "0",
        "retry-after": "1",
      },
      body: { object: "error", message: "Rate limit exceeded", type: "rate_limited", code: "1300" },
    });

    const error = await captureRejection(
      clientFor(server, { maxRetries: 0 }).chat.create(helloRequest),
    );

    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = (error as RateLimitError).rateLimit;
    expect(rateLimit?.remainingTokensMinute).toBe(0);
    expect(rateLimit?.limitTokensMinute).toBe(5_000_000);
    expect(JSON.stringify(error)).not.toContain("rateLimit");
  });
});
