import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions, FetchFunction } from "../../src/core/client-options.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { TimeoutError } from "../../src/core/errors/transport-errors.js";
import { helloRequest, okCompletion } from "../helpers/chat-bodies.js";
import { drain } from "../helpers/error-capture.js";

/** How a hand-made body behaves when the client cancels it. */
type CancelBehaviour = "hangs" | "throws" | "resolves";

interface BodyPlan {
  /** Chunks enqueued at once; after them the body stays open and silent. */
  chunks: string[];
  onCancel: CancelBehaviour;
}

/** Settles like `promise`, or reports `pending` once `limitMs` passed without it settling. */
async function settleWithin(
  promise: Promise<unknown>,
  limitMs: number,
): Promise<{ state: "resolved" | "rejected" | "pending"; error: unknown; elapsedMs: number }> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), limitMs);
  });
  const settled = promise.then(
    () => ({ state: "resolved" as const, error: undefined }),
    (error: unknown) => ({ state: "rejected" as const, error }),
  );
  const outcome = await Promise.race([settled, pending]);
  clearTimeout(timer);
  const elapsedMs = Date.now() - started;
  if (outcome === "pending") return { state: "pending", error: undefined, elapsedMs };
  return { ...outcome, elapsedMs };
}

function openBody(plan: BodyPlan): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of plan.chunks) controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      if (plan.onCancel === "hangs") return new Promise<void>(() => {});
      if (plan.onCancel === "throws") throw new Error("cancel failed in the caller's body");
      return undefined;
    },
  });
}

/** Returns a fetch that ignores its signal and returns a hand-made response for every request. */
function handMadeFetch(
  status: number,
  headers: Record<string, string>,
  plan: BodyPlan,
): FetchFunction {
  return async () => new Response(openBody(plan), { status, headers });
}

function clientWith(fetch: FetchFunction, options: ClientOptions = {}): MistralClient {
  // Port 9 of loopback has no listener: every request goes through the hand-made fetch.
  return new MistralClient({
    apiKey: "sk-test-CANARY-1234567890",
    baseURL: "http://127.0.0.1:9",
    fetch,
    maxRetries: 0,
    ...options,
  });
}

const jsonHeaders = { "content-type": "application/json" };
const partialJson = JSON.stringify(okCompletion).slice(0, 20);

describe.concurrent("hand-made bodies whose cancel misbehaves", () => {
  for (const onCancel of ["hangs", "throws", "resolves"] as const) {
    it(`JSON idle timeout ends when cancel ${onCancel}`, async () => {
      const fetch = handMadeFetch(200, jsonHeaders, { chunks: [partialJson], onCancel });
      const client = clientWith(fetch, { idleTimeoutMs: 200 });

      const outcome = await settleWithin(client.chat.create(helloRequest), 3000);

      expect(outcome.state).toBe("rejected");
      expect(outcome.error).toBeInstanceOf(TimeoutError);
      expect((outcome.error as TimeoutError).phase).toBe("idle");
      expect(outcome.elapsedMs).toBeLessThan(3000);
    });

    it(`stream idle timeout ends when cancel ${onCancel}`, async () => {
      const fetch = handMadeFetch(
        200,
        { "content-type": "text/event-stream" },
        { chunks: [": keep-alive\n\n"], onCancel },
      );
      const client = clientWith(fetch, { idleTimeoutMs: 200 });

      const stream = await client.chat.stream(helloRequest);
      const outcome = await settleWithin(
        drain(stream).then(({ error }) => Promise.reject(error)),
        3000,
      );

      expect(outcome.state).toBe("rejected");
      expect((outcome.error as TimeoutError).phase).toBe("idle");
    });

    it(`stalled 500 body ends by status when cancel ${onCancel}`, async () => {
      const fetch = handMadeFetch(500, jsonHeaders, { chunks: ['{"message":'], onCancel });
      const client = clientWith(fetch, { idleTimeoutMs: 200 });

      const outcome = await settleWithin(client.chat.create(helloRequest), 3000);

      expect(outcome.state).toBe("rejected");
      expect(isMistralError(outcome.error, "server_error")).toBe(true);
      expect(outcome.elapsedMs).toBeLessThan(3000);
    });
  }

  // The client cancels a body larger than maxResponseBytes. A cancel that never settles must not
  // hold back the call's error.
  it("oversized content-length with hanging cancel ends", async () => {
    const fetch = handMadeFetch(
      200,
      { ...jsonHeaders, "content-length": String(4 * 1024 * 1024) },
      { chunks: [partialJson], onCancel: "hangs" },
    );
    const client = clientWith(fetch, { timeoutMs: 500, maxResponseBytes: 1024 });

    const outcome = await settleWithin(client.chat.create(helloRequest), 3000);

    expect(outcome.state).toBe("rejected");
  });

  it("oversized chunked body with hanging cancel ends", async () => {
    const big = `{"pad":"${"x".repeat(4096)}`;
    const fetch = handMadeFetch(200, jsonHeaders, { chunks: [big], onCancel: "hangs" });
    const client = clientWith(fetch, { timeoutMs: 500, maxResponseBytes: 1024 });

    const outcome = await settleWithin(client.chat.create(helloRequest), 3000);

    expect(outcome.state).toBe("rejected");
  });

  it("oversized 500 body with hanging cancel ends", async () => {
    const big = `{"message":"${"x".repeat(70 * 1024)}`;
    const fetch = handMadeFetch(500, jsonHeaders, { chunks: [big], onCancel: "hangs" });
    const client = clientWith(fetch, { timeoutMs: 500 });

    const outcome = await settleWithin(client.chat.create(helloRequest), 3000);

    expect(outcome.state).toBe("rejected");
  });

  it("download body cancel ends when cancel hangs", async () => {
    const fetch = handMadeFetch(
      200,
      { "content-type": "application/octet-stream" },
      { chunks: ["ab"], onCancel: "hangs" },
    );
    const client = clientWith(fetch, { timeoutMs: 500 });
    const download = await client.files.download("file-1");

    const outcome = await settleWithin(download.body.cancel(), 3000);

    expect(outcome.state).not.toBe("pending");
  });

  it("download over maxResponseBytes ends when cancel hangs", async () => {
    const fetch = handMadeFetch(
      200,
      { "content-type": "application/octet-stream" },
      { chunks: ["x".repeat(4096)], onCancel: "hangs" },
    );
    const client = clientWith(fetch, { timeoutMs: 500, maxResponseBytes: 1024 });
    const download = await client.files.download("file-1");

    const outcome = await settleWithin(download.arrayBuffer(), 3000);

    expect(outcome.state).toBe("rejected");
  });
});
