import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { captureRejection, captureThrow } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer, testApiKey } from "../helpers/loopback-fixture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

const gatewayToken = "gw-test-CANARY-5e6f7a8b";

describe("caller authorization header", () => {
  it("is rejected in defaultHeaders without the opt-in", () => {
    const error = captureThrow(() =>
      resolveConfig(
        { apiKey: testApiKey, defaultHeaders: { Authorization: `Token ${gatewayToken}` } },
        {},
      ),
    );

    expect(isMistralError(error, "configuration")).toBe(true);
    expect((error as Error).message).toContain("dangerouslyAllowAuthorizationHeader: true");
    expectNoSecrets(error, [gatewayToken]);
  });

  it("is rejected per call without the opt-in, sending nothing", async (context) => {
    const server = await startLoopbackServer(context);

    const error = await captureRejection(
      clientFor(server).chat.create(helloRequest, {
        headers: { authorization: `Token ${gatewayToken}` },
      }),
    );

    expect(isMistralError(error, "configuration")).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it("replaces the key's header with the opt-in", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server, {
      dangerouslyAllowAuthorizationHeader: true,
      defaultHeaders: { Authorization: `Token ${gatewayToken}` },
    });

    await client.chat.create(helloRequest);
    await client.chat.create(helloRequest, { headers: { authorization: "Token per-call" } });

    expect(server.authorizationMatches(server.requests[0]!, `Token ${gatewayToken}`)).toBe(true);
    expect(server.authorizationMatches(server.requests[1]!, "Token per-call")).toBe(true);
  });

  it("keeps other reserved headers rejected with the opt-in", () => {
    const error = captureThrow(() =>
      resolveConfig(
        {
          apiKey: testApiKey,
          dangerouslyAllowAuthorizationHeader: true,
          defaultHeaders: { host: "evil.test" },
        },
        {},
      ),
    );

    expect((error as Error).message).toContain("host header is set by the client");
  });

  it("removes the caller's credential from an echoed error body", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      status: 401,
      body: { message: `Invalid token ${gatewayToken}`, type: "authentication_error" },
    });
    const client = clientFor(server, {
      dangerouslyAllowAuthorizationHeader: true,
      defaultHeaders: { authorization: `Token ${gatewayToken}` },
    });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(isMistralError(error, "authentication")).toBe(true);
    expect((error as Error).message).toContain("[API key removed]");
    expectNoSecrets(error, [gatewayToken, testApiKey]);
  });
});
