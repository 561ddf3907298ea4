import { describe, expect, it } from "vitest";
import type { FetchFunction } from "../../src/core/client-options.js";
import { AbortError, TimeoutError } from "../../src/core/errors/transport-errors.js";
import type { ScriptedReply } from "../../src/testing/index.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { captureRejection, drain } from "../helpers/error-capture.js";
import {
  type CleanupContext,
  clientFor,
  startLoopbackServer,
} from "../helpers/loopback-fixture.js";

/**
 * Returns a fetch that sends each request to `target` without its signal, like a proxy wrapper
 * that drops it: the response body then stays open when the client aborts the attempt.
 */
function signalDroppingFetch(target: string): FetchFunction {
  return (input, init) => {
    const url = new URL(String(input));
    const { signal: _signal, ...rest } = init ?? {};
    return globalThis.fetch(target + url.pathname + url.search, rest);
  };
}

/** Headers and the first bytes of a body, then an open and silent socket. */
function stalledBody(path: string, contentType: string, firstBytes: string): ScriptedReply {
  return {
    match: { path },
    headers: { "content-type": contentType },
    writes: [firstBytes],
    fault: "stall-mid-body",
    faultAfterWrites: 1,
  };
}

const firstEvent =
  'data: {"id":"s1","object":"chat.completion.chunk","created":1764806400,' +
  '"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant",' +
  '"content":"Bon"},"finish_reason":null}]}\n\n';

async function clientWithStall(context: CleanupContext, reply: ScriptedReply) {
  const server = await startLoopbackServer(context);
  server.enqueue(reply);
  // Nothing listens on port 9 of loopback: only the caller's fetch can reach the server.
  return clientFor(server, {
    baseURL: "http://127.0.0.1:9",
    fetch: signalDroppingFetch(server.url),
    idleTimeoutMs: 300,
    maxRetries: 0,
  });
}

async function elapsedUntilSettled(promise: Promise<unknown>) {
  const started = Date.now();
  const error = await captureRejection(promise);
  return { error, elapsedMs: Date.now() - started };
}

describe.concurrent("a caller's fetch that drops the signal", () => {
  it("times out a stalled JSON body", async (context) => {
    const reply = stalledBody("/v1/chat/completions", "application/json", '{"id":"cmpl-1",');
    const client = await clientWithStall(context, reply);

    const { error, elapsedMs } = await elapsedUntilSettled(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("idle");
    expect(elapsedMs).toBeLessThan(2000);
  });

  it("times out a stalled event stream", async (context) => {
    const reply = stalledBody("/v1/chat/completions", "text/event-stream", firstEvent);
    const client = await clientWithStall(context, reply);

    const stream = await client.chat.stream(helloRequest);
    const started = Date.now();
    const { items, error } = await drain(stream);

    expect(items).toHaveLength(1);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("idle");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("aborts a stalled event stream at once", async (context) => {
    const reply = stalledBody("/v1/chat/completions", "text/event-stream", firstEvent);
    const client = await clientWithStall(context, reply);
    const controller = new AbortController();

    const stream = await client.chat.stream(helloRequest, {
      signal: controller.signal,
      idleTimeoutMs: 60_000,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    const started = Date.now();
    controller.abort();
    const error = await captureRejection(pending);

    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("times out a stalled file download", async (context) => {
    const reply = stalledBody("/v1/files/file-1/content", "application/octet-stream", "ab");
    const client = await clientWithStall(context, reply);

    const download = await client.files.download("file-1");
    const { error, elapsedMs } = await elapsedUntilSettled(download.arrayBuffer());

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("idle");
    expect(elapsedMs).toBeLessThan(2000);
  });

  it("times out a stalled voice sample", async (context) => {
    const reply = stalledBody("/v1/audio/voices/v-1/sample", "audio/wav", "RIFF");
    const client = await clientWithStall(context, reply);

    const { error, elapsedMs } = await elapsedUntilSettled(client.audio.voices.sample("v-1"));

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("idle");
    expect(elapsedMs).toBeLessThan(2000);
  });
});
