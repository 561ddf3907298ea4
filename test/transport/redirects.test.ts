import { describe, expect, it } from "vitest";
import type { MistralClient } from "../../src/client.js";
import { MistralApiError } from "../../src/core/errors/api-error.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer, testApiKey } from "../helpers/loopback-fixture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

type Call = [string, string, (client: MistralClient) => Promise<unknown>];

const calls: Call[] = [
  ["chat.create", "/v1/chat/completions", (client) => client.chat.create(helloRequest)],
  ["chat.stream", "/v1/chat/completions", (client) => client.chat.stream(helloRequest)],
  ["models.list", "/v1/models", (client) => client.models.list()],
];

/**
 * Checks the error of a redirect. Node's fetch stops at a redirect without exposing its status,
 * so the client raises a ConnectionError. The node transport returns the response, so the error
 * is a MistralApiError with the 3xx status.
 */
function expectRedirectError(error: unknown, status: number): void {
  expect((error as Error).message).toContain("redirects are not followed");
  if (error instanceof MistralApiError) {
    expect(isMistralError(error, "api_error")).toBe(true);
    expect(error.status).toBe(status);
  } else {
    expect(isMistralError(error, "connection")).toBe(true);
  }
}

describe.concurrent("redirects", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    for (const [name, path, call] of calls) {
      it(`${status} on ${name} is not followed to another server`, async (context) => {
        const origin = await startLoopbackServer(context);
        const elsewhere = await startLoopbackServer(context);
        origin.enqueue({
          status,
          headers: { location: `${elsewhere.url}${path}` },
          body: "",
          times: 5,
        });

        const error = await captureRejection(call(clientFor(origin, { maxRetries: 2 })));

        expectRedirectError(error, status);
        expect(origin.requests).toHaveLength(1);
        expect(elsewhere.requests).toHaveLength(0);
        expectNoSecrets(error, [testApiKey]);
      });
    }
  }

  it("does not follow a redirect to the same server either", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: testApiKey });
    server.enqueue({
      status: 302,
      headers: { location: "/v1/models" },
      body: "",
      match: { path: "/v1/chat/completions" },
    });

    const error = await captureRejection(clientFor(server).chat.create(helloRequest));

    expectRedirectError(error, 302);
    expect(server.requests.map((request) => request.path)).toEqual(["/v1/chat/completions"]);
  });

  it("keeps the Authorization header away from a redirect target", async (context) => {
    const origin = await startLoopbackServer(context);
    const elsewhere = await startLoopbackServer(context);
    origin.enqueue({
      status: 307,
      headers: { location: `${elsewhere.url}/collect` },
      body: '{"message":"Moved"}',
    });

    await captureRejection(clientFor(origin).chat.create(helloRequest));
    // Give a followed redirect time to arrive, if the client were to send one.
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(elsewhere.requests).toHaveLength(0);
    expect(origin.authorizationMatches(origin.requests[0]!, `Bearer ${testApiKey}`)).toBe(true);
  });
});
