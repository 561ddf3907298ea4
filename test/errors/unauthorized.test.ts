import { afterEach, describe, expect, it, vi } from "vitest";
import { MistralClient } from "../../src/client.js";
import { AuthenticationError } from "../../src/core/errors/api-error.js";
import { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import type { MockMistralServer } from "../../src/testing/index.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { captureRejection, captureThrow } from "../helpers/error-capture.js";
import {
  type CleanupContext,
  startLoopbackServer,
  testApiKey,
} from "../helpers/loopback-fixture.js";
import { rawHttpResponse } from "../helpers/raw-http.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

const canaries = [testApiKey, "CANARY-7f3a9c1e"];
const gatewayRequestId = "3f9a0c5e7b2d4c1a9e8f6d5c4b3a2f10";

interface Case401 {
  name: string;
  reply: Parameters<MockMistralServer["enqueue"]>[0];
  serverMessage: string | undefined;
  messageStart: string;
}

const cases: Case401[] = [
  {
    name: "A, gateway body with request_id",
    reply: {
      rawResponse: [
        rawHttpResponse(
          401,
          { "content-type": "application/json; charset=utf-8" },
          `{"message":"Unauthorized","request_id":"${gatewayRequestId}"}`,
        ),
      ],
    },
    serverMessage: "Unauthorized",
    messageStart: "Unauthorized",
  },
  {
    name: "B, FastAPI detail",
    reply: {
      status: 401,
      headers: { "content-type": "application/json" },
      body: '{"detail":"Unauthorized"}',
    },
    serverMessage: "Unauthorized",
    messageStart: "Unauthorized",
  },
  {
    name: "C, empty body",
    reply: { status: 401, headers: { "content-length": "0" }, body: "" },
    serverMessage: undefined,
    messageStart: "Unauthorized",
  },
  {
    name: "D, documented envelope",
    reply: {
      status: 401,
      body: '{"object":"error","message":"Invalid API key","type":"authentication_error","param":null,"code":null}',
    },
    serverMessage: "Invalid API key",
    messageStart: "Invalid API key",
  },
];

async function serverWith401(context: CleanupContext, reply: Case401["reply"]) {
  const server = await startLoopbackServer(context);
  // A raw response serves one request, so queue it once per possible attempt.
  for (let attempt = 0; attempt < 4; attempt++) server.enqueue(reply);
  const client = new MistralClient({
    apiKey: testApiKey,
    baseURL: server.url,
    maxRetries: 3,
    retry: { initialDelayMs: 10, maxDelayMs: 20 },
  });
  return { server, client };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("401 bodies", () => {
  for (const item of cases) {
    it(`throws one AuthenticationError for ${item.name}`, async (context) => {
      const { server, client } = await serverWith401(context, item.reply);

      const error = await captureRejection(client.chat.create(helloRequest));

      expect(error).toBeInstanceOf(AuthenticationError);
      const authError = error as AuthenticationError;
      expect(isMistralError(error, "authentication")).toBe(true);
      expect(authError.status).toBe(401);
      expect(authError.serverMessage).toBe(item.serverMessage);
      expect(authError.message.startsWith(item.messageStart)).toBe(true);
      expect(authError.message).toContain(`401 from POST ${server.url}/v1/chat/completions`);
      expect(server.requests).toHaveLength(1);
      expectNoSecrets(error, canaries);
    });
  }

  it("takes the request id of case A from the body", async (context) => {
    const { client } = await serverWith401(context, cases[0]!.reply);

    const error = await captureRejection(client.chat.create(helloRequest));

    expect((error as AuthenticationError).requestId).toBe(gatewayRequestId);
  });

  it("tells the caller to check the key and the base URL", async (context) => {
    const { client } = await serverWith401(context, cases[1]!.reply);

    const error = (await captureRejection(client.chat.create(helloRequest))) as Error;

    expect(error.message).toContain("MISTRAL_API_KEY");
    expect(error.message).toContain("base URL");
  });

  it("is not retried on other endpoints either", async (context) => {
    const { server, client } = await serverWith401(context, cases[1]!.reply);
    server.clearQueue();
    server.enqueue({ ...cases[1]!.reply, times: 20 });

    const attempts = [
      () => client.models.list(),
      () => client.chat.stream(helloRequest),
      () => client.request({ method: "GET", path: "/v1/files" }),
      () =>
        client.request({
          method: "POST",
          path: "/v1/conversations",
          body: { inputs: "Hi" },
          changesState: false,
        }),
    ];
    for (const attempt of attempts) {
      const error = await captureRejection(attempt());
      expect(error).toBeInstanceOf(AuthenticationError);
      expectNoSecrets(error, canaries);
    }

    expect(server.requests).toHaveLength(attempts.length);
  });

  it("comes from the mock server's own key check", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: "sk-test-OTHER-11aa22bb" });
    const client = new MistralClient({ apiKey: testApiKey, baseURL: server.url });

    const error = await captureRejection(client.models.list());

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(server.requests).toHaveLength(1);
    expectNoSecrets(error, canaries);
  });
});

describe("keys checked on the client", () => {
  it("E: trims a trailing CR LF before sending", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: testApiKey });
    const client = new MistralClient({ apiKey: `${testApiKey}\r\n`, baseURL: server.url });

    await client.chat.create(helloRequest);

    expect(server.requests).toHaveLength(1);
    expect(server.authorizationMatches(server.requests[0]!, `Bearer ${testApiKey}`)).toBe(true);
    expect(server.requests[0]!.headers.authorization).toBe("Bearer ***");
  });

  it("F: rejects a key with an inner space before any request", async (context) => {
    const server = await startLoopbackServer(context);

    const error = captureThrow(
      () => new MistralClient({ apiKey: "sk-test CANARY", baseURL: server.url }),
    );

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(server.requests).toHaveLength(0);
    expectNoSecrets(error, ["sk-test CANARY", "CANARY"]);
  });

  it("G: names MISTRAL_API_KEY when no key is set", async (context) => {
    const server = await startLoopbackServer(context);
    vi.stubEnv("MISTRAL_API_KEY", undefined);

    const error = captureThrow(() => new MistralClient({ baseURL: server.url }));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain("MISTRAL_API_KEY");
    expect(server.requests).toHaveLength(0);
  });

  it("never sends an empty bearer token from a key function", async (context) => {
    const server = await startLoopbackServer(context);
    const client = new MistralClient({ apiKey: async () => "  ", baseURL: server.url });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(server.requests).toHaveLength(0);
  });

  it("E to G leave no canary in any error form", async (context) => {
    const server = await startLoopbackServer(context);
    vi.stubEnv("MISTRAL_API_KEY", undefined);
    const errors = [
      captureThrow(
        () => new MistralClient({ apiKey: `${testApiKey}\n\u0000`, baseURL: server.url }),
      ),
      captureThrow(() => new MistralClient({ apiKey: `${testApiKey} x`, baseURL: server.url })),
      captureThrow(() => new MistralClient({ baseURL: server.url })),
      await captureRejection(
        new MistralClient({ apiKey: () => `${testApiKey}\r\nx`, baseURL: server.url }).chat.create(
          helloRequest,
        ),
      ),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expectNoSecrets(error, canaries);
    }

    expect(server.requests).toHaveLength(0);
  });
});
