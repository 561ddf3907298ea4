import { gzipSync } from "node:zlib";
import type { TestContext } from "vitest";
import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions } from "../../src/core/client-options.js";
import { isMistralError, type MistralErrorCode } from "../../src/core/errors/mistral-error.js";
import type { MockMistralServer, ScriptedReply } from "../../src/testing/index.js";
import { audioRoutes } from "../../src/testing/routes/audio.js";
import { filesRoutes } from "../../src/testing/routes/files.js";
import { createUndiciFetch } from "../../src/undici/index.js";
import { helloRequest, okChunks, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, drain } from "../helpers/error-capture.js";
import { startLoopbackServer } from "../helpers/loopback-fixture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";
import { startTestServer } from "../node/http-server.js";

const canaryKey = "sk-test-CANARY-6b20e9d4";

/** Creates a client on the undici transport for `baseURL`, closed when the test finishes. */
function undiciClient(context: TestContext, baseURL: string, options: ClientOptions = {}) {
  const undiciFetch = createUndiciFetch();
  context.onTestFinished(() => undiciFetch.close());
  return new MistralClient({
    apiKey: canaryKey,
    baseURL,
    fetch: undiciFetch,
    retry: { initialDelayMs: 5, maxDelayMs: 10 },
    ...options,
  });
}

describe.concurrent("client on the undici transport", () => {
  it("creates and streams chat completions", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: canaryKey });
    const client = undiciClient(context, server.url);

    const completion = await client.chat.create(helloRequest);
    const stream = await client.chat.stream(helloRequest);
    const { items, error } = await drain(stream);

    expect(completion.choices[0]?.message.content).toBe("Echo: Hello");
    expect(completion.requestId).toBeDefined();
    expect(error).toBeUndefined();
    expect(items.length).toBeGreaterThan(0);
    expect(server.authorizationMatches(server.requests[0]!, `Bearer ${canaryKey}`)).toBe(true);
  });

  it("reads a gzip-compressed completion", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      response.end(gzipSync(JSON.stringify(okCompletion)));
    });
    const client = undiciClient(context, server.url);

    const completion = await client.chat.create(helloRequest);

    expect(completion.choices[0]?.message.content).toBe("ok");
    expect(server.requests[0]!.headers["accept-encoding"]).toBe("gzip, deflate, br");
  });

  it("uploads a file with its length", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: canaryKey, routes: filesRoutes });
    const client = undiciClient(context, server.url);
    const lines = '{"messages":[]}\n'.repeat(5000);

    const file = await client.files.upload({
      file: { name: "train.jsonl", data: new Blob([lines]) },
      purpose: "fine-tune",
    });

    expect(file.bytes).toBe(lines.length);
    const received = server.requests[0]!;
    expect(received.headers["content-length"]).toBe(String(received.rawBody.byteLength));
    expect(received.headers["transfer-encoding"]).toBeUndefined();
  });

  it("uploads FormData for a transcription", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: canaryKey, routes: audioRoutes });
    const client = undiciClient(context, server.url);

    const transcript = await client.audio.transcriptions.create({
      model: "voxtral-mini-latest",
      file: new File([new Uint8Array(10)], "memo.mp3", { type: "audio/mpeg" }),
    });

    expect(transcript.text).toContain("memo.mp3");
    expect(server.requests[0]!.headers["content-type"]).toMatch(/^multipart\/form-data/);
  });

  it("does not follow a redirect", async (context) => {
    const elsewhere = await startLoopbackServer(context);
    const server = await startLoopbackServer(context);
    server.enqueue({ status: 302, headers: { location: `${elsewhere.url}/v1/models` }, body: "" });
    const client = undiciClient(context, server.url, { maxRetries: 0 });

    const error = await captureRejection(client.models.list());

    expect((error as { status?: number }).status).toBe(302);
    expect(elsewhere.requests).toHaveLength(0);
    expectNoSecrets(error, [canaryKey, "CANARY-6b20e9d4"]);
  });

  type Failure = [string, MistralErrorCode, (server: MockMistralServer) => void];

  const failures: Failure[] = [
    ["reset before headers", "connection", scripted({ fault: "close-before-headers" })],
    [
      "body cut off",
      "connection",
      scripted({ body: { padding: "p".repeat(4000) }, fault: "close-mid-body" }),
    ],
    [
      "unauthorized",
      "authentication",
      scripted({ status: 401, body: { message: "Unauthorized" } }),
    ],
  ];

  /** Scripts every attempt of a call to get `reply`. */
  function scripted(reply: ScriptedReply) {
    return (server: MockMistralServer) => {
      server.enqueue({ ...reply, times: Number.POSITIVE_INFINITY });
    };
  }

  for (const [name, kind, script] of failures) {
    it(`keeps the key out of ${name}`, async (context) => {
      const server = await startLoopbackServer(context);
      const client = undiciClient(context, server.url, { maxRetries: 1 });
      script(server);

      const error = await captureRejection(client.chat.create(helloRequest));

      expect(isMistralError(error, kind), String(error)).toBe(true);
      expectNoSecrets(error, [canaryKey, "CANARY-6b20e9d4"]);
    });
  }

  it("names the socket code of a refused connection", async (context) => {
    const server = await startLoopbackServer(context);
    const url = server.url;
    await server.close();
    const client = undiciClient(context, url, { maxRetries: 0 });

    const error = await captureRejection(client.models.list());

    expect(isMistralError(error, "connection"), String(error)).toBe(true);
    expect((error as Error).message).toContain("(ECONNREFUSED)");
    expectNoSecrets(error, [canaryKey, "CANARY-6b20e9d4"]);
  });

  it("reports a cut-off stream as a stream error", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ events: okChunks, fault: "close-mid-body", faultAfterWrites: 1 });
    const client = undiciClient(context, server.url);

    const stream = await client.chat.stream(helloRequest);
    const { items, error } = await drain(stream);

    expect(items).toHaveLength(1);
    expect(isMistralError(error, "stream")).toBe(true);
    expect((error as Error).message).toContain("connection closed");
    expectNoSecrets(error, [canaryKey, "CANARY-6b20e9d4"]);
  });
});
