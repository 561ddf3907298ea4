import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions, FetchFunction } from "../../src/core/client-options.js";
import { AbortError, TimeoutError } from "../../src/core/errors/transport-errors.js";
import { createNodeFetch } from "../../src/node/index.js";
import type { MockMistralServer } from "../../src/testing/index.js";
import { helloRequest, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, drain } from "../helpers/error-capture.js";
import { startLoopbackServer } from "../helpers/loopback-fixture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

const canaryKey = "sk-test-CANARY-1234567890";

/** Collects every line a console-compatible logger receives. */
function capturingLogger(lines: string[]) {
  const record = (...parts: unknown[]) => {
    lines.push(
      parts.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(" "),
    );
  };
  return { debug: record, info: record, warn: record, error: record, log: record };
}

function canaryClient(server: MockMistralServer, lines: string[], options: ClientOptions = {}) {
  return new MistralClient({
    apiKey: canaryKey,
    baseURL: server.url,
    maxRetries: 0,
    telemetry: { logger: capturingLogger(lines), logLevel: "debug" },
    ...options,
  });
}

function expectCleanLogs(lines: string[]): void {
  for (const line of lines) {
    expect(line.includes(canaryKey), `log line contains the key: ${line}`).toBe(false);
  }
}

const transports: Array<[string, () => { fetch: FetchFunction | undefined; close: () => void }]> = [
  ["Node's fetch", () => ({ fetch: undefined, close: () => {} })],
  [
    "node transport",
    () => {
      const nodeFetch = createNodeFetch();
      return { fetch: nodeFetch, close: () => nodeFetch.close() };
    },
  ],
];

describe.concurrent("canary key in errors and logs", () => {
  for (const [transportName, makeFetch] of transports) {
    for (const status of [301, 302, 303, 307, 308]) {
      it(`${transportName}: ${status} with the key in Location`, async (context) => {
        const origin = await startLoopbackServer(context);
        const elsewhere = await startLoopbackServer(context);
        origin.enqueue({
          status,
          headers: { location: `${elsewhere.url}/v1/chat/completions?key=${canaryKey}` },
          body: `{"message":"moved, key ${canaryKey}"}`,
        });
        const { fetch, close } = makeFetch();
        context.onTestFinished(close);
        const lines: string[] = [];
        const client = canaryClient(origin, lines, fetch ? { fetch } : {});

        const error = await captureRejection(client.chat.create(helloRequest));
        await new Promise((resolve) => setTimeout(resolve, 50));

        expect(elsewhere.requests).toHaveLength(0);
        expectNoSecrets(error, [canaryKey]);
        expectCleanLogs(lines);
      });
    }

    it(`${transportName}: headers timeout leaks no key`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue({ fault: "black-hole" });
      const { fetch, close } = makeFetch();
      context.onTestFinished(close);
      const lines: string[] = [];
      const client = canaryClient(server, lines, { timeoutMs: 150, ...(fetch ? { fetch } : {}) });

      const error = await captureRejection(client.chat.create(helloRequest));

      expect(error).toBeInstanceOf(TimeoutError);
      expectNoSecrets(error, [canaryKey]);
      expectCleanLogs(lines);
    });

    it(`${transportName}: stream abort leaks no key`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue({
        headers: { "content-type": "text/event-stream" },
        writes: [`: ${canaryKey}\n\n`],
        fault: "stall-mid-body",
        faultAfterWrites: 1,
      });
      const { fetch, close } = makeFetch();
      context.onTestFinished(close);
      const lines: string[] = [];
      const client = canaryClient(server, lines, fetch ? { fetch } : {});

      const stream = await client.chat.stream(helloRequest);
      setTimeout(() => stream.abort(), 100);
      const { error } = await drain(stream);

      expect(error).toBeInstanceOf(AbortError);
      expectNoSecrets(error, [canaryKey]);
      expectCleanLogs(lines);
    });
  }

  it("Node's fetch: response header echoing the key", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ headers: { "x-echo": canaryKey }, body: okCompletion });
    const lines: string[] = [];
    const client = canaryClient(server, lines);

    await client.chat.create(helloRequest);

    expectCleanLogs(lines);
  });

  it("fetch error quoting the key three causes deep", async (context) => {
    const server = await startLoopbackServer(context);
    const deepest = new Error(`upstream refused Bearer-less token ${canaryKey}`);
    const middle = new Error("proxy failed", { cause: deepest });
    const fetch: FetchFunction = async () => {
      throw new TypeError("fetch failed", { cause: middle });
    };
    const lines: string[] = [];
    const client = canaryClient(server, lines, { fetch });

    const error = await captureRejection(client.chat.create(helloRequest));

    expectNoSecrets(error, [canaryKey]);
    expectCleanLogs(lines);
  });

  it("fetch error with the key in a redirect-like message", async (context) => {
    const server = await startLoopbackServer(context);
    const fetch: FetchFunction = async () => {
      throw new TypeError(`redirect to https://127.0.0.1:1/?k=${canaryKey} refused`);
    };
    const lines: string[] = [];
    const client = canaryClient(server, lines, { fetch });

    const error = await captureRejection(client.chat.create(helloRequest));

    expectNoSecrets(error, [canaryKey]);
    expectCleanLogs(lines);
  });
});
