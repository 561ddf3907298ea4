import type { TestContext } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions } from "../../src/core/client-options.js";
import { MockMistralServer, type MockServerOptions } from "../../src/testing/index.js";

/** The part of vitest's test context these helpers need, so concurrent tests clean up their own. */
export type CleanupContext = Pick<TestContext, "onTestFinished">;

/** Key of most loopback tests; a canary, so any leak check can search for it. */
export const testApiKey = "sk-test-CANARY-7f3a9c1e";

/** Starts a mock server that closes when the calling test finishes. */
export async function startLoopbackServer(
  context: CleanupContext,
  options: MockServerOptions = {},
): Promise<MockMistralServer> {
  const server = await MockMistralServer.start(options);
  context.onTestFinished(() => server.close());
  return server;
}

/**
 * Builds a client for a mock server with the test key and fast retries, so backoff does not slow
 * the suite. Options given here win.
 */
export function clientFor(server: MockMistralServer, options: ClientOptions = {}): MistralClient {
  return new MistralClient({
    apiKey: testApiKey,
    baseURL: server.url,
    retry: { initialDelayMs: 10, maxDelayMs: 40 },
    ...options,
  });
}
