import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { helloRequest, okChunks } from "../helpers/chat-bodies.js";
import { testApiKey } from "../helpers/loopback-fixture.js";

/** Handle types that would keep a process alive or leak: sockets, servers and timers. */
const trackedTypes = ["TCPSocketWrap", "TCPServerWrap", "Timeout", "Immediate"];

function countResources(): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(trackedTypes.map((type) => [type, 0]));
  for (const type of process.getActiveResourcesInfo()) {
    if (type in counts) counts[type]!++;
  }

  return counts;
}

/**
 * Waits until two readings 50 ms apart agree and no tracked type has more handles than `target`,
 * since closed sockets and finished timers leave the list a little after the event that ends
 * them. Returns the last reading, also when 5 seconds pass first.
 */
async function quietResources(target?: Record<string, number>): Promise<Record<string, number>> {
  const deadline = Date.now() + 5_000;
  let previous = countResources();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const counts = countResources();
    const stable = trackedTypes.every((type) => counts[type] === previous[type]);
    const reached = trackedTypes.every((type) => counts[type]! <= (target?.[type] ?? Infinity));
    if ((stable && reached) || Date.now() > deadline) return counts;
    previous = counts;
  }
}

const failures = [
  {
    status: 429,
    headers: { "retry-after-ms": "1" },
    body: { object: "error", message: "Rate limit exceeded", type: "rate_limited", code: "1300" },
  },
  { status: 500, body: { object: "error", message: "Internal error", type: "internal_error" } },
  { status: 502, body: "<html>Bad Gateway</html>" },
  { status: 503, body: { detail: "Service unavailable" } },
];

describe("resources after failed calls", () => {
  it("leaves no socket or timer after 1,000 calls failing with 429 or 5xx", async () => {
    const server = await MockMistralServer.start();
    const client = new MistralClient({
      apiKey: testApiKey,
      baseURL: server.url,
      maxRetries: 0,
      retry: { initialDelayMs: 1, maxDelayMs: 2 },
      rateLimits: { maxConcurrent: 50 },
    });
    // One successful call first, so handles that fetch creates once per process exist already.
    server.enqueue({ events: okChunks });
    await (await client.chat.stream(helloRequest)).finalCompletion();
    await server.close();
    const baseline = await quietResources();

    const failing = await MockMistralServer.start();
    for (let index = 0; index < 1_000; index++) {
      failing.enqueue(failures[index % failures.length]!);
    }

    const calls = new MistralClient({
      apiKey: testApiKey,
      baseURL: failing.url,
      maxRetries: 0,
      retry: { initialDelayMs: 1, maxDelayMs: 2 },
      rateLimits: { maxConcurrent: 50, maxWaitMs: 60_000 },
    });
    const results = await Promise.allSettled(
      Array.from({ length: 1_000 }, (_, index) =>
        index % 2 === 0
          ? calls.chat.create(helloRequest)
          : calls.chat.stream(helloRequest).then((stream) => stream.finalCompletion()),
      ),
    );
    await failing.close();
    const after = await quietResources(baseline);

    expect(failing.requests).toHaveLength(1_000);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason;
      expect(isMistralError(error, "rate_limit") || isMistralError(error, "server_error")).toBe(
        true,
      );
    }

    for (const type of trackedTypes) {
      expect(after[type], type).toBeLessThanOrEqual(baseline[type]!);
    }
  });
});
