import { type AddressInfo, createServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import {
  AbortError,
  ConnectionError,
  TimeoutError,
} from "../../src/core/errors/transport-errors.js";
import { helloRequest, okChunks, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, drain } from "../helpers/error-capture.js";
import {
  type CleanupContext,
  clientFor,
  startLoopbackServer,
  testApiKey,
} from "../helpers/loopback-fixture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

/**
 * Starts a TCP server on 127.0.0.1 that answers each request with `reply`, for bytes the mock
 * server does not send. Returns its base URL; the server closes when the test finishes.
 */
async function startRawServer(context: CleanupContext, reply: (socket: Socket) => void) {
  const server = createServer((socket) => socket.once("data", () => reply(socket)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  context.onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Status line and headers of a JSON response whose body is `body`, with a declared length. */
function rawHead(contentLength: number, extra: string[] = []): string {
  return [
    "HTTP/1.1 200 OK",
    "content-type: application/json",
    `content-length: ${contentLength}`,
    "x-request-id: req-raw-1",
    ...extra,
    "",
    "",
  ].join("\r\n");
}

describe.concurrent("body cut off", () => {
  it("close mid-body raises ConnectionError once", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ fault: "close-mid-body", headers: { "mistral-correlation-id": "req-cut-1" } });
    const client = clientFor(server, { maxRetries: 2 });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(ConnectionError);
    expect(isMistralError(error, "connection")).toBe(true);
    expect((error as ConnectionError).requestId).toBe("req-cut-1");
    expect((error as Error).message).toMatch(/POST \/v1\/chat\/completions was cut off/);
    // The server may have acted on the request, so the client does not send it again.
    expect(server.requests).toHaveLength(1);
  });

  it("keeps the socket error code of a cut-off body", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ fault: "close-mid-body" });
    server.enqueue({ events: okChunks, fault: "close-mid-body", faultAfterWrites: 1 });
    server.enqueue({
      match: { path: "/v1/files/file-1/content" },
      headers: { "content-type": "application/octet-stream" },
      writes: ["first half", "second half"],
      fault: "close-mid-body",
      faultAfterWrites: 1,
    });
    const client = clientFor(server, { maxRetries: 0 });

    const json = await captureRejection(client.chat.create(helloRequest));
    const stream = await drain(await client.chat.stream(helloRequest));
    const download = await client.files.download("file-1");
    const content = await captureRejection(download.arrayBuffer());

    for (const error of [json, stream.error, content]) {
      expect((error as Error).cause, String(error)).toBeInstanceOf(Error);
      expect(((error as Error).cause as { code?: string }).code).toMatch(/^[A-Z_]+$/);
    }
  });

  it("short content-length raises ConnectionError", async (context) => {
    const server = await startLoopbackServer(context);
    const body = JSON.stringify(okCompletion);
    server.enqueue({ rawResponse: [rawHead(body.length + 50), body] });
    const client = clientFor(server, { maxRetries: 2 });

    const error = await captureRejection(client.models.list());

    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).requestId).toBe("req-raw-1");
    expect((error as Error).message).toMatch(/GET \/v1\/models was cut off/);
    expect(server.requests).toHaveLength(1);
  });

  it("invalid gzip body raises ConnectionError", async (context) => {
    const garbage = Buffer.from("this is not gzip data at all, not even close");
    const url = await startRawServer(context, (socket) => {
      socket.write(rawHead(garbage.length, ["content-encoding: gzip"]));
      socket.end(garbage);
    });
    const client = new MistralClient({ apiKey: testApiKey, baseURL: url });

    const error = await captureRejection(client.models.list());

    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).requestId).toBe("req-raw-1");
    expect((error as Error).message).toMatch(/cut off after 0 bytes \(Error: incorrect header/);
  });
});

describe.concurrent("apiKey function", () => {
  it("that never settles times out", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server, {
      apiKey: () => new Promise<string>(() => {}),
      timeoutMs: 150,
      maxRetries: 0,
    });

    const error = await captureRejection(client.models.list());

    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(0);
  });

  it("that never settles yields to caller abort", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server, { apiKey: () => new Promise<string>(() => {}) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await captureRejection(client.models.list({ signal: controller.signal }));

    expect(error).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });

  it("that throws raises ConfigurationError without retry", async (context) => {
    const server = await startLoopbackServer(context);
    const secretDetail = "vault token hvs.SECRET-TOKEN-31337 at /secret/data/mistral";
    let calls = 0;
    const client = clientFor(server, {
      apiKey: async () => {
        calls++;
        throw new RangeError(secretDetail);
      },
      maxRetries: 3,
    });

    const error = await captureRejection(client.models.list());

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/key function .* failed with RangeError/);
    expect((error as Error).cause).toBeUndefined();
    expect(calls).toBe(1);
    expect(server.requests).toHaveLength(0);
    expectNoSecrets(error, ["hvs.SECRET-TOKEN-31337", "/secret/data/mistral"]);
  });
});

describe.concurrent("request options", () => {
  const invalidDurations = [Number.POSITIVE_INFINITY, 1e12, -1, 0, Number.NaN];
  for (const name of ["timeoutMs", "headersTimeoutMs", "idleTimeoutMs"] as const) {
    for (const value of invalidDurations) {
      it(`rejects ${name} ${value}`, async (context) => {
        const server = await startLoopbackServer(context);
        const client = clientFor(server);

        const error = await captureRejection(client.models.list({ [name]: value }));

        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toContain(`${name} request option`);
        expect(server.requests).toHaveLength(0);
      });
    }
  }

  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 1e9, -1, 1.5]) {
    it(`rejects maxRetries ${value}`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue({ status: 503, body: { message: "down" }, times: 5 });
      const client = clientFor(server);

      const error = await captureRejection(client.models.list({ maxRetries: value }));

      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain("maxRetries request option");
      expect(server.requests).toHaveLength(0);
    });
  }

  it("accepts valid per-call limits", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server);

    const models = await client.models.list({ timeoutMs: 5000, maxRetries: 0 });

    expect(models.data.length).toBeGreaterThan(0);
  });
});

describe.concurrent("key in fetch errors and headers", () => {
  it("removes a bare key from a fetch error cause", async () => {
    const client = new MistralClient({
      apiKey: testApiKey,
      baseURL: "http://127.0.0.1:9",
      maxRetries: 0,
      fetch: async () => {
        throw new TypeError(`proxy refused request with token=${testApiKey}; giving up`);
      },
    });

    const error = await captureRejection(client.models.list());

    expect(error).toBeInstanceOf(ConnectionError);
    expect(String((error as Error).cause)).toContain("[API key removed]");
    expectNoSecrets(error, [testApiKey]);
  });

  it("drops a request id that contains the key", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ headers: { "mistral-correlation-id": `echo-${testApiKey}` } });
    const client = clientFor(server);

    const models = await client.models.list();

    expect(models.requestId).toBeUndefined();
  });

  it("drops a key request id on an error", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      status: 400,
      body: { message: "bad" },
      headers: { "mistral-correlation-id": `echo-${testApiKey}` },
    });
    const client = clientFor(server);

    const error = await captureRejection(client.models.list());

    expect(isMistralError(error, "bad_request")).toBe(true);
    expect((error as ConnectionError).requestId).toBeUndefined();
    expectNoSecrets(error, [testApiKey]);
  });
});
