import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions } from "../../src/core/client-options.js";
import { isMistralError, type MistralErrorCode } from "../../src/core/errors/mistral-error.js";
import type { MockMistralServer, ScriptedReply } from "../../src/testing/index.js";
import { helloRequest, okChunks } from "../helpers/chat-bodies.js";
import { captureRejection, captureThrow, drain } from "../helpers/error-capture.js";
import { type CleanupContext, startLoopbackServer } from "../helpers/loopback-fixture.js";
import { expectNoSecrets, renderedForms } from "../helpers/secret-scan.js";

/** Keys of several shapes; each test searches for the whole key and for its distinctive part. */
const canaryKeys: Array<[string, string]> = [
  ["sk-test-CANARY-7f3a9c1e", "CANARY-7f3a9c1e"],
  ["sk-test-CANARY-b41e92d0", "CANARY-b41e92d0"],
  ["Zq9CANARYx7Lm2Np4Rs6Tu8Vw0Yb1Dc3F", "CANARYx7Lm2Np4"],
  ["mst_CANARY_0a1b2c3d4e5f60718293a4b5", "CANARY_0a1b2c3d"],
];

const apiStatuses = [302, 400, 401, 403, 404, 409, 422, 429, 500, 503];

type ErrorSource = (server: MockMistralServer, client: MistralClient) => Promise<unknown>;

async function clientWithKey(context: CleanupContext, key: string, options: ClientOptions = {}) {
  const server = await startLoopbackServer(context);
  const client = new MistralClient({
    apiKey: key,
    baseURL: server.url,
    maxRetries: 1,
    retry: { initialDelayMs: 5, maxDelayMs: 10 },
    ...options,
  });
  return { server, client };
}

function failWith(reply: ScriptedReply): ErrorSource {
  return async (server, client) => {
    server.enqueue({ ...reply, times: Number.POSITIVE_INFINITY });
    return captureRejection(client.chat.create(helloRequest));
  };
}

async function streamError(server: MockMistralServer, client: MistralClient, reply: ScriptedReply) {
  server.enqueue(reply);
  const stream = await client.chat.stream(helloRequest);
  return (await drain(stream)).error;
}

/** Every transport and stream failure, each with the kind it must produce. */
const transportFailures: Array<[string, MistralErrorCode, ErrorSource]> = [
  ["headers timeout", "timeout", failWith({ fault: "black-hole" })],
  [
    "idle timeout",
    "timeout",
    (server, client) =>
      streamError(server, client, { events: [okChunks[0]!], fault: "stall-mid-body" }),
  ],
  [
    "total timeout",
    "timeout",
    (server, client) =>
      streamError(server, client, {
        events: okChunks,
        writeDelayMs: 150,
        fault: "stall-mid-body",
        faultAfterWrites: 2,
      }),
  ],
  ["connection reset", "connection", failWith({ fault: "close-before-headers" })],
  [
    "connection refused",
    "connection",
    async (server, client) => {
      await server.close();
      return captureRejection(client.models.list());
    },
  ],
  [
    "caller abort",
    "abort",
    async (server, client) => {
      server.enqueue({ fault: "black-hole" });
      const signal = AbortSignal.timeout(50);
      return captureRejection(client.chat.create(helloRequest, { signal }));
    },
  ],
  [
    "stream.abort()",
    "abort",
    async (server, client) => {
      server.enqueue({ events: [okChunks[0]!], fault: "stall-mid-body" });
      const stream = await client.chat.stream(helloRequest);
      setTimeout(() => stream.abort(), 50);
      return (await drain(stream)).error;
    },
  ],
  [
    "malformed stream",
    "stream",
    (server, client) => streamError(server, client, { events: okChunks, fault: "malformed" }),
  ],
  [
    "stream cut off",
    "stream",
    (server, client) =>
      streamError(server, client, {
        events: okChunks,
        fault: "close-mid-body",
        faultAfterWrites: 1,
      }),
  ],
  [
    "error event in a stream",
    "stream",
    (server, client) =>
      streamError(server, client, {
        events: [okChunks[0]!, { object: "error", message: "Internal failure", type: "x" }],
      }),
  ],
  ["body not JSON", "stream", failWith({ body: "<html>gateway</html>" })],
  [
    "response too large",
    "response_too_large",
    failWith({ body: { padding: "p".repeat(5000) }, framing: "chunked" }),
  ],
  [
    "client-side validation",
    "validation",
    (_server, client) => captureRejection(client.chat.create({ model: "", messages: [] })),
  ],
  [
    "invalid raw path",
    "validation",
    (_server, client) => captureRejection(client.request({ method: "GET", path: "/v1/../admin" })),
  ],
];

afterEach(() => {
  vi.unstubAllEnvs();
});

for (const [key, fragment] of canaryKeys) {
  const secrets = [key, fragment];

  describe.concurrent(`key ${fragment}`, () => {
    for (const status of apiStatuses) {
      it(`stays out of the ${status} error`, async (context) => {
        const { server, client } = await clientWithKey(context, key);
        const body = { object: "error", message: `Failure ${status}`, type: "t", code: "1" };

        const error = await failWith({ status, body })(server, client);

        expect(isMistralError(error)).toBe(true);
        expectNoSecrets(error, secrets);
      });
    }

    it("stays out of an error whose body echoes the key", async (context) => {
      const { server, client } = await clientWithKey(context, key);
      const body = {
        object: "error",
        message: `Invalid API key ${key} for this host`,
        detail: [{ loc: ["header", "authorization"], msg: `Bearer ${key} rejected`, type: "x" }],
      };

      const error = await failWith({ status: 401, body })(server, client);

      expect(isMistralError(error, "authentication")).toBe(true);
      expectNoSecrets(error, secrets);
    });

    for (const [name, kind, source] of transportFailures) {
      it(`stays out of the ${name} error`, async (context) => {
        const { server, client } = await clientWithKey(context, key, {
          timeoutMs: 400,
          headersTimeoutMs: 300,
          idleTimeoutMs: 200,
          maxResponseBytes: 1024,
        });

        const error = await source(server, client);

        expect(isMistralError(error, kind), `kind of ${String(error)}`).toBe(true);
        expectNoSecrets(error, secrets);
      });
    }

    it("stays out of configuration errors for bad keys", async () => {
      const badKeys = [`${key}\r\nx-other: 1`, `x ${key}`, `${key}\u0000`, `${key}\u00e9`];
      for (const bad of badKeys) {
        const error = captureThrow(() => new MistralClient({ apiKey: bad }));

        expect(isMistralError(error, "configuration")).toBe(true);
        expectNoSecrets(error, secrets);
      }
    });

    it("stays out of configuration errors from a key function", async (context) => {
      const { server } = await clientWithKey(context, key);
      const client = new MistralClient({
        apiKey: async () => `${key}\n\t${key}`,
        baseURL: server.url,
      });

      const error = await captureRejection(client.chat.create(helloRequest));

      expect(isMistralError(error, "configuration")).toBe(true);
      expectNoSecrets(error, secrets);
      expect(server.requests).toHaveLength(0);
    });

    it("stays out of configuration errors for headers and URLs", async () => {
      vi.stubEnv("MISTRAL_BASE_URL", `https://user:${key}@api.mistral.ai/v1`);
      const errors = [
        captureThrow(() => new MistralClient({ apiKey: "sk-test-fine" })),
        captureThrow(
          () =>
            new MistralClient({ apiKey: "sk-test-fine", defaultHeaders: { "x-key": `${key}\n` } }),
        ),
        captureThrow(
          () =>
            new MistralClient({
              apiKey: "sk-test-fine",
              defaultHeaders: { Authorization: `Bearer ${key}` },
            }),
        ),
        captureThrow(
          () => new MistralClient({ apiKey: key, baseURL: `http://example.test/?key=${key}` }),
        ),
        captureThrow(() => new MistralClient({ apiKey: key, serverURL: "x" } as never)),
      ];

      for (const error of errors) {
        expect(isMistralError(error, "configuration")).toBe(true);
        expectNoSecrets(error, secrets);
      }
    });

    it("stays out of every form of the client and its parts", async (context) => {
      const { client } = await clientWithKey(context, key);
      const withFunction = new MistralClient({ apiKey: () => key, baseURL: "http://127.0.0.1:9" });

      for (const value of [client, withFunction]) {
        const forms = [
          ...renderedForms(value),
          [
            "inspect without custom",
            inspect(value, { customInspect: false, showHidden: true, depth: 10 }),
          ],
          ["inspect of chat", inspect(value.chat, { showHidden: true, depth: 10 })],
          ["inspect of models", inspect(value.models, { showHidden: true, depth: 10 })],
          ["JSON of chat", JSON.stringify(value.chat) ?? ""],
        ];
        for (const [form, text] of forms) {
          for (const secret of secrets) {
            expect(text!.includes(secret), `${form} contains the key`).toBe(false);
          }
        }
      }
    });

    it("stays out of a stream and a response object", async (context) => {
      const { server, client } = await clientWithKey(context, key);
      server.enqueue({ events: okChunks });

      const stream = await client.chat.stream(helloRequest);
      const completion = await client.chat.create(helloRequest);

      expectNoSecrets(completion, secrets);
      expectNoSecrets(stream, secrets);
      await stream.finalCompletion();
    });
  });
}
