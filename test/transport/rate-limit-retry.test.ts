import { describe, expect, it } from "vitest";
import type { MistralClient } from "../../src/client.js";
import type { ClientOptions, RequestOptions } from "../../src/core/client-options.js";
import { RateLimitError } from "../../src/core/errors/api-error.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import type { ScriptedReply } from "../../src/testing/index.js";
import { helloRequest, okChunks, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";
import {
  type CleanupContext,
  clientFor,
  startLoopbackServer,
} from "../helpers/loopback-fixture.js";
import { startOfNextSecond, timedFetch, waitsBetweenCalls } from "../helpers/timed-fetch.js";

const modernBody =
  '{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,' +
  '"code":"1300","raw_status_code":429}';

const legacyBody = '{"message":"Requests rate limit exceeded"}';

/** Scheduling slack added to upper bounds of measured waits, in milliseconds. */
const slackMs = 250;

function modern429(retryAfter: string): ScriptedReply {
  return {
    status: 429,
    headers: { "content-type": "application/json", "retry-after": retryAfter },
    body: modernBody,
  };
}

const legacy429: ScriptedReply = {
  status: 429,
  headers: { "content-type": "application/json" },
  body: legacyBody,
};

interface Endpoint {
  name: string;
  path: string;
  okReply: ScriptedReply;
  /** Runs the call and returns the assistant's text. */
  call: (client: MistralClient, options?: RequestOptions) => Promise<string>;
}

const conversationBody = { model: "mistral-small-latest", inputs: "Hello" };

/** Parses the text of a raw SSE stream of chat chunks. */
async function textOfEvents(events: AsyncIterable<{ data: string }>): Promise<string> {
  let text = "";
  for await (const event of events) {
    if (event.data === "[DONE]") break;
    const chunk = JSON.parse(event.data) as (typeof okChunks)[number];
    text += chunk.choices[0]?.delta.content ?? "";
  }

  return text;
}

const endpoints: Endpoint[] = [
  {
    name: "chat.create",
    path: "/v1/chat/completions",
    okReply: { body: okCompletion },
    call: async (client, options) => {
      const completion = await client.chat.create(helloRequest, options);
      return String(completion.choices[0]?.message.content);
    },
  },
  {
    name: "chat.stream",
    path: "/v1/chat/completions",
    okReply: { events: okChunks },
    call: async (client, options) => {
      const stream = await client.chat.stream(helloRequest, options);
      let text = "";
      for await (const delta of stream.textDeltas()) text += delta;
      return text;
    },
  },
  {
    name: "conversations",
    path: "/v1/conversations",
    okReply: { body: okCompletion },
    call: async (client, options) => {
      const request = { method: "POST", path: "/v1/conversations", body: conversationBody };
      const result = await client.request<typeof okCompletion>(
        { ...request, method: "POST", changesState: false },
        options,
      );
      return result.choices[0]!.message.content;
    },
  },
  {
    name: "conversations, streamed",
    path: "/v1/conversations",
    okReply: { events: okChunks },
    call: async (client, options) => {
      const events = await client.request(
        {
          method: "POST",
          path: "/v1/conversations",
          body: { ...conversationBody, stream: true },
          stream: true,
          changesState: false,
        },
        options,
      );
      return textOfEvents(events);
    },
  },
];

async function setUp(
  context: CleanupContext,
  endpoint: Endpoint,
  replies: ScriptedReply[],
  options: ClientOptions = {},
  serverClock?: () => number,
) {
  const server = await startLoopbackServer(context, serverClock ? { now: serverClock } : {});
  for (const reply of replies) server.enqueue({ ...reply, match: { path: endpoint.path } });
  server.enqueue({ ...endpoint.okReply, match: { path: endpoint.path } });
  const timing = timedFetch();
  const client = clientFor(server, { fetch: timing.fetch, ...options });
  return { server, client, calls: timing.calls };
}

function repeat(reply: ScriptedReply, count: number): ScriptedReply[] {
  return Array.from({ length: count }, () => reply);
}

for (const endpoint of endpoints) {
  describe.concurrent(`429 on ${endpoint.name}`, () => {
    it("waits the 2 s Retry-After once, then succeeds", async (context) => {
      const { server, client, calls } = await setUp(context, endpoint, [modern429("2")], {
        maxRetries: 2,
      });

      const text = await endpoint.call(client);

      expect(text).toBe("ok");
      expect(server.requests).toHaveLength(2);
      const [wait] = waitsBetweenCalls(calls);
      expect(wait).toBeGreaterThanOrEqual(2000);
      expect(wait).toBeLessThanOrEqual(2200 + slackMs);
    });

    it("fails after three 429s with every field of the body", async (context) => {
      const { server, client } = await setUp(context, endpoint, repeat(modern429("2"), 3), {
        maxRetries: 2,
      });

      const error = await captureRejection(endpoint.call(client));

      expect(error).toBeInstanceOf(RateLimitError);
      const rateLimit = error as RateLimitError;
      expect(isMistralError(error, "rate_limit")).toBe(true);
      expect(rateLimit.status).toBe(429);
      expect(rateLimit.retryAfterMs).toBe(2000);
      expect(rateLimit.code).toBe("1300");
      expect(rateLimit.errorType).toBe("rate_limited");
      expect(rateLimit.serverMessage).toBe("Rate limit exceeded");
      expect(rateLimit.message.startsWith("Rate limit exceeded")).toBe(true);
      expect(server.requests).toHaveLength(3);
    });

    it("backs off at least 500 ms without Retry-After", async (context) => {
      const { server, client, calls } = await setUp(context, endpoint, [legacy429], {
        retry: {},
      });

      expect(await endpoint.call(client)).toBe("ok");
      expect(server.requests).toHaveLength(2);
      const [wait] = waitsBetweenCalls(calls);
      expect(wait).toBeGreaterThanOrEqual(500);
      expect(wait).toBeLessThanOrEqual(625 + slackMs);
    });

    it("reports the legacy body once retries are used up", async (context) => {
      const { server, client } = await setUp(context, endpoint, repeat(legacy429, 3), {
        maxRetries: 2,
      });

      const error = (await captureRejection(endpoint.call(client))) as RateLimitError;

      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.retryAfterMs).toBeUndefined();
      expect(error.serverMessage).toBe("Requests rate limit exceeded");
      expect(error.message.startsWith("Requests rate limit exceeded")).toBe(true);
      expect(server.requests).toHaveLength(3);
    });

    it("waits until an HTTP date 3 s ahead", async (context) => {
      await startOfNextSecond();
      const date = new Date(Date.now() + 3000).toUTCString();
      const { client, calls } = await setUp(context, endpoint, [modern429(date)]);

      expect(await endpoint.call(client)).toBe("ok");
      const [wait] = waitsBetweenCalls(calls);
      expect(wait).toBeGreaterThanOrEqual(2900);
      expect(wait).toBeLessThanOrEqual(3000 + slackMs);
    });

    it("measures an HTTP date from the server's date header", async (context) => {
      const serverNoon = () => Date.UTC(2026, 11, 4, 12, 0, 0);
      const reply = modern429("Thu, 04 Dec 2026 12:00:03 GMT");
      const { client, calls } = await setUp(context, endpoint, [reply], {}, serverNoon);

      expect(await endpoint.call(client)).toBe("ok");
      const [wait] = waitsBetweenCalls(calls);
      expect(wait).toBeGreaterThanOrEqual(3000);
      expect(wait).toBeLessThanOrEqual(3000 + slackMs);
    });

    it("throws at once when Retry-After is beyond the cap", async (context) => {
      const { server, client } = await setUp(context, endpoint, [modern429("600")], {
        maxRetries: 2,
      });
      const started = Date.now();

      const error = (await captureRejection(endpoint.call(client))) as RateLimitError;

      expect(Date.now() - started).toBeLessThan(1000);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.retryAfterMs).toBe(600_000);
      expect(error.message).toContain("600 s");
      expect(server.requests).toHaveLength(1);
    });

    it("sends one request with maxRetries 0", async (context) => {
      const { server, client } = await setUp(context, endpoint, [modern429("2")], {
        maxRetries: 0,
      });
      const started = Date.now();

      const error = await captureRejection(endpoint.call(client));

      expect(Date.now() - started).toBeLessThan(1000);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(server.requests).toHaveLength(1);
    });
  });
}

describe.concurrent("Retry-After edge values", () => {
  const endpoint = endpoints[0]!;

  const immediate: Array<[string, ScriptedReply]> = [
    ["Retry-After 0", modern429("0")],
    ["a past HTTP date", modern429("Thu, 01 Jan 2015 00:00:00 GMT")],
    ["retry-after-ms 0", { ...legacy429, headers: { "retry-after-ms": "0" } }],
  ];

  for (const [name, reply] of immediate) {
    it(`retries ${name} without waiting`, async (context) => {
      const { client, calls } = await setUp(context, endpoint, [reply], {
        retry: { initialDelayMs: 2000 },
      });

      expect(await endpoint.call(client)).toBe("ok");
      expect(waitsBetweenCalls(calls)[0]).toBeLessThan(slackMs);
    });
  }

  const timed: Array<[string, ScriptedReply, number]> = [
    ["fractional Retry-After 0.5", modern429("0.5"), 500],
    ["retry-after-ms 250", { ...legacy429, headers: { "retry-after-ms": "250" } }, 250],
    [
      "retry-after-ms over Retry-After",
      { ...legacy429, headers: { "retry-after-ms": "300", "retry-after": "5" } },
      300,
    ],
  ];

  for (const [name, reply, expectedMs] of timed) {
    it(`waits ${expectedMs} ms for ${name}`, async (context) => {
      const { client, calls } = await setUp(context, endpoint, [reply]);

      expect(await endpoint.call(client)).toBe("ok");
      const [wait] = waitsBetweenCalls(calls);
      expect(wait).toBeGreaterThanOrEqual(expectedMs);
      expect(wait).toBeLessThanOrEqual(expectedMs + slackMs);
    });
  }

  for (const garbage of ["soon", "-1", "abc 1", "2.5.1", "1e3", "3s"]) {
    it(`backs off normally for Retry-After ${JSON.stringify(garbage)}`, async (context) => {
      const { client, calls } = await setUp(context, endpoint, [modern429(garbage)], {
        retry: { initialDelayMs: 300, maxDelayMs: 1000 },
      });

      expect(await endpoint.call(client)).toBe("ok");
      const [wait] = waitsBetweenCalls(calls);
      expect(wait).toBeGreaterThanOrEqual(300);
      expect(wait).toBeLessThanOrEqual(375 + slackMs);
    });
  }

  it("sleeps through a wait equal to maxRetryAfterMs", async (context) => {
    const reply = { ...legacy429, headers: { "retry-after-ms": "300" } };
    const { server, client } = await setUp(context, endpoint, [reply], {
      retry: { maxRetryAfterMs: 300 },
    });

    expect(await endpoint.call(client)).toBe("ok");
    expect(server.requests).toHaveLength(2);
  });

  it("throws at once above a configured maxRetryAfterMs", async (context) => {
    const { server, client } = await setUp(context, endpoint, [modern429("2")], {
      retry: { maxRetryAfterMs: 1000 },
    });
    const started = Date.now();

    const error = (await captureRejection(endpoint.call(client))) as RateLimitError;

    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.retryAfterMs).toBe(2000);
    expect(server.requests).toHaveLength(1);
  });
});

describe.concurrent("backoff schedule", () => {
  it("grows between attempts and stops at maxDelayMs", async (context) => {
    const { server, client, calls } = await setUp(context, endpoints[0]!, repeat(legacy429, 4), {
      maxRetries: 4,
      retry: { initialDelayMs: 100, maxDelayMs: 250 },
    });

    expect(await endpoints[0]!.call(client)).toBe("ok");
    expect(server.requests).toHaveLength(5);
    const waits = waitsBetweenCalls(calls);
    const floors = [100, 200, 250, 250];
    const ceilings = [125, 250, 250, 250];
    waits.forEach((wait, index) => {
      expect(wait, `wait ${index + 1}`).toBeGreaterThanOrEqual(floors[index]!);
      expect(wait, `wait ${index + 1}`).toBeLessThanOrEqual(ceilings[index]! + slackMs);
    });
  });

  it("lets a call override maxRetries", async (context) => {
    const { server, client } = await setUp(context, endpoints[0]!, [legacy429], {
      maxRetries: 0,
    });

    expect(await endpoints[0]!.call(client, { maxRetries: 1 })).toBe("ok");
    expect(server.requests).toHaveLength(2);
  });

  it("lets a call turn retries off", async (context) => {
    const { server, client } = await setUp(context, endpoints[0]!, [legacy429], {
      maxRetries: 3,
    });

    const error = await captureRejection(endpoints[0]!.call(client, { maxRetries: 0 }));

    expect(error).toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(1);
  });
});

describe.concurrent("abort during the wait before a retry", () => {
  for (const [name, reply] of [
    ["Retry-After", modern429("2")],
    ["backoff", legacy429],
  ] as const) {
    it(`rejects at once while waiting for ${name}`, async (context) => {
      const { server, client } = await setUp(context, endpoints[0]!, [reply], {
        retry: { initialDelayMs: 2000, maxDelayMs: 2000 },
      });
      const controller = new AbortController();
      const reason = new Error("shutting down");
      const pending = endpoints[0]!.call(client, { signal: controller.signal });
      await server.waitForRequests(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const abortedAt = Date.now();
      controller.abort(reason);

      const error = await captureRejection(pending);

      expect(Date.now() - abortedAt).toBeLessThan(100);
      expect(isMistralError(error, "abort")).toBe(true);
      expect(error).not.toBeInstanceOf(RateLimitError);
      expect((error as Error).cause).toBe(reason);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server.requests).toHaveLength(1);
    });
  }
});

/** Status → error class name, for every status a caller may meet. */
const statusClasses: Array<[number, string]> = [
  [400, "BadRequestError"],
  [401, "AuthenticationError"],
  [403, "PermissionDeniedError"],
  [404, "NotFoundError"],
  [405, "MistralApiError"],
  [408, "MistralApiError"],
  [409, "ConflictError"],
  [410, "MistralApiError"],
  [413, "MistralApiError"],
  [415, "MistralApiError"],
  [422, "UnprocessableEntityError"],
  [429, "RateLimitError"],
  [500, "InternalServerError"],
  [501, "InternalServerError"],
  [502, "InternalServerError"],
  [503, "InternalServerError"],
  [504, "InternalServerError"],
  [505, "InternalServerError"],
  [507, "InternalServerError"],
  [529, "InternalServerError"],
];

const retriedStatuses = new Set([408, 409, 429, 500, 502, 503, 504]);

/** Statuses retried for calls that change server state: the server cannot have acted. */
const retriedWhenChangingState = new Set([429, 503]);

function statusReply(status: number): ScriptedReply {
  const message = `Scripted failure ${status}`;
  return {
    status,
    body: { object: "error", message, type: "scripted", param: null, code: String(status) },
    times: Number.POSITIVE_INFINITY,
  };
}

describe.concurrent("retry by status", () => {
  for (const [status, className] of statusClasses) {
    const attempts = retriedStatuses.has(status) ? 3 : 1;

    it(`${status} gives ${className} after ${attempts} request(s)`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue(statusReply(status));

      const error = await captureRejection(
        clientFor(server, { maxRetries: 2 }).chat.create(helloRequest),
      );

      expect((error as Error).constructor.name).toBe(className);
      expect((error as RateLimitError).status).toBe(status);
      expect((error as RateLimitError).serverMessage).toBe(`Scripted failure ${status}`);
      expect((error as RateLimitError).code).toBe(String(status));
      expect(server.requests).toHaveLength(attempts);
    });

    const unsentAttempts = retriedWhenChangingState.has(status) ? 3 : 1;

    it(`${status} on a state-changing call gives ${unsentAttempts} request(s)`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue(statusReply(status));
      const client = clientFor(server, { maxRetries: 2 });

      const error = await captureRejection(
        client.request({ method: "POST", path: "/v1/conversations", body: conversationBody }),
      );

      expect((error as RateLimitError).status).toBe(status);
      expect(server.requests).toHaveLength(unsentAttempts);
    });
  }

  it("recovers from a 500 on the next attempt", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ ...statusReply(500), times: 1 });

    const completion = await clientFor(server).chat.create(helloRequest);

    expect(completion.choices[0]?.message.content).toBeTypeOf("string");
    expect(server.requests).toHaveLength(2);
  });

  it("retries a GET after a 502", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ ...statusReply(502), times: 1 });

    const models = await clientFor(server).models.list();

    expect(models.data.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(2);
  });
});

describe.concurrent("retry by connection failure", () => {
  it("retries a connection closed before the headers", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ fault: "close-before-headers" }, { body: okCompletion });

    const completion = await clientFor(server).chat.create(helloRequest);

    expect(completion.id).toBe("ok1");
    expect(server.requests).toHaveLength(2);
  });

  it("gives a ConnectionError once retries are used up", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ fault: "close-before-headers", times: Number.POSITIVE_INFINITY });

    const error = await captureRejection(
      clientFor(server, { maxRetries: 2 }).chat.create(helloRequest),
    );

    expect(isMistralError(error, "connection")).toBe(true);
    expect((error as Error).message).toContain(server.url);
    expect((error as Error).message).toContain("POST /v1/chat/completions");
    expect(server.requests).toHaveLength(3);
  });

  it("does not resend a state-changing call after a reset", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ fault: "close-before-headers", times: Number.POSITIVE_INFINITY });
    const client = clientFor(server, { maxRetries: 2 });

    const error = await captureRejection(
      client.request({ method: "POST", path: "/v1/conversations", body: conversationBody }),
    );

    expect(isMistralError(error, "connection")).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it("retries a refused connection, even for a state-changing call", async (context) => {
    const server = await startLoopbackServer(context);
    const url = server.url;
    await server.close();
    const timing = timedFetch();
    const client = clientFor(server, { baseURL: url, fetch: timing.fetch, maxRetries: 2 });

    for (const call of [
      () => client.chat.create(helloRequest),
      () => client.request({ method: "POST", path: "/v1/conversations", body: conversationBody }),
    ]) {
      timing.calls.length = 0;
      const error = await captureRejection(call());

      expect(isMistralError(error, "connection")).toBe(true);
      expect((error as Error).message).toContain("ECONNREFUSED");
      expect(timing.calls).toHaveLength(3);
    }
  });

  it("never retries once a stream event reached the caller", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ events: okChunks, fault: "close-mid-body", faultAfterWrites: 1 });
    server.enqueue({ events: okChunks });
    const stream = await clientFor(server).chat.stream(helloRequest);

    const error = await captureRejection(stream.finalCompletion());

    expect(isMistralError(error, "stream")).toBe(true);
    expect(server.requests).toHaveLength(1);
  });
});
