import { afterAll, beforeAll, beforeEach } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions } from "../../src/core/client-options.js";
import { MockMistralServer } from "../../src/testing/index.js";
import type { ChatCompletionRequest } from "../../src/types/chat.js";

/** Made-up key the test server expects from its default handlers. */
export const loopbackApiKey = "sk-test-loopback-4d2c8e";

/** The smallest chat request: one user message. */
export const helloRequest: ChatCompletionRequest = {
  model: "mistral-small-latest",
  messages: [{ role: "user", content: "Hi" }],
};

/** A test server on 127.0.0.1 shared by the tests of one file, and clients bound to it. */
export interface LoopbackChatServer {
  readonly server: MockMistralServer;
  /**
   * Creates a client of the server: no retries, a 10 s total and a 5 s idle limit, so a client
   * that waits for bytes that never come fails the test instead of hanging it.
   */
  client(options?: ClientOptions): MistralClient;
}

/**
 * Starts one server for the calling test file and closes it after the last test. The queue of
 * scripted replies and the recorded requests are cleared before each test.
 */
export function useLoopbackChatServer(): LoopbackChatServer {
  let current: MockMistralServer | undefined;
  const server = (): MockMistralServer => {
    if (current === undefined) throw new Error("The test server is not started yet");
    return current;
  };

  beforeAll(async () => {
    current = await MockMistralServer.start({ apiKey: loopbackApiKey });
  });

  afterAll(async () => {
    await current?.close();
  });

  beforeEach(() => {
    current?.reset();
  });

  return {
    get server() {
      return server();
    },
    client(options?: ClientOptions) {
      return new MistralClient({
        apiKey: loopbackApiKey,
        baseURL: server().url,
        maxRetries: 0,
        timeoutMs: 10_000,
        idleTimeoutMs: 5_000,
        ...options,
      });
    },
  };
}

/** Reads an async iterable to its end and returns its items. */
export async function readAll<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

/** Reads an async iterable until it ends or throws, and returns the items and the error. */
export async function readUntilError<T>(
  items: AsyncIterable<T>,
): Promise<{ items: T[]; error: unknown }> {
  const result: T[] = [];
  try {
    for await (const item of items) result.push(item);
  } catch (error) {
    return { items: result, error };
  }

  return { items: result, error: undefined };
}

/** Resolves with the rejection reason of a promise, or undefined when it fulfils. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }

  return undefined;
}
