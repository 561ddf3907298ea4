import { describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/core/errors/api-error.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer } from "../helpers/loopback-fixture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

const oldKey = "sk-test-OLD-0b1c2d3e";
const newKey = "sk-test-NEW-4f5a6b7c";

/** A key function that returns each key of `keys` in turn, then the last one forever. */
function rotatingKey(...keys: string[]): { apiKey: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    apiKey: async () => keys[Math.min(calls++, keys.length - 1)]!,
    calls: () => calls,
  };
}

describe("key rotation after a 401", () => {
  it("reads the key again and retries once", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: newKey });
    const key = rotatingKey(oldKey, newKey);
    const client = clientFor(server, { apiKey: key.apiKey });

    const completion = await client.chat.create(helloRequest);

    expect(completion.choices).toHaveLength(1);
    expect(key.calls()).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(server.authorizationMatches(server.requests[0]!, `Bearer ${oldKey}`)).toBe(true);
    expect(server.authorizationMatches(server.requests[1]!)).toBe(true);
  });

  it("fails with AuthenticationError after a second 401", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: newKey });
    const key = rotatingKey(oldKey, "sk-test-STILL-WRONG-99");
    const client = clientFor(server, { apiKey: key.apiKey, maxRetries: 3 });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(isMistralError(error, "authentication")).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(key.calls()).toBe(2);
    expectNoSecrets(error, [oldKey, "sk-test-STILL-WRONG-99", newKey]);
  });

  it("does not retry a 401 with a fixed key", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: newKey });
    const client = clientFor(server, { apiKey: oldKey, maxRetries: 3 });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(server.requests).toHaveLength(1);
  });

  it("recovers on a stream before any event", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: newKey });
    const key = rotatingKey(oldKey, newKey);

    const stream = await clientFor(server, { apiKey: key.apiKey }).chat.stream(helloRequest);
    const completion = await stream.finalCompletion();

    expect(completion.choices).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  });
});

describe("apiKeyCacheMs", () => {
  it("calls the key function before every request by default", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: newKey });
    const key = rotatingKey(newKey);
    const client = clientFor(server, { apiKey: key.apiKey });

    for (let call = 0; call < 3; call++) await client.chat.create(helloRequest);

    expect(key.calls()).toBe(3);
  });

  it("reuses the key within the cache time", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: newKey });
    const key = rotatingKey(newKey);
    const client = clientFor(server, { apiKey: key.apiKey, apiKeyCacheMs: 60_000 });

    await Promise.all(Array.from({ length: 5 }, () => client.chat.create(helloRequest)));
    await client.chat.create(helloRequest);

    expect(key.calls()).toBe(1);
    expect(server.requests).toHaveLength(6);
  });

  it("reads the key again once the cache time passed", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: newKey });
    const key = rotatingKey(newKey);
    const client = clientFor(server, { apiKey: key.apiKey, apiKeyCacheMs: 50 });

    await client.chat.create(helloRequest);
    await client.chat.create(helloRequest);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await client.chat.create(helloRequest);

    expect(key.calls()).toBe(2);
  });

  it("drops a cached key after a 401, whatever the cache time", async (context) => {
    const server = await startLoopbackServer(context, { apiKey: newKey });
    const key = rotatingKey(oldKey, newKey);
    const client = clientFor(server, { apiKey: key.apiKey, apiKeyCacheMs: 3_600_000 });

    await client.chat.create(helloRequest);
    await client.chat.create(helloRequest);

    expect(key.calls()).toBe(2);
    expect(server.requests).toHaveLength(3);
    expect(server.authorizationMatches(server.requests[2]!)).toBe(true);
  });
});
