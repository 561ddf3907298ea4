import { describe, expect, it } from "vitest";
import { BadRequestError, type InternalServerError } from "../../src/core/errors/api-error.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { ResponseTooLargeError } from "../../src/core/errors/transport-errors.js";
import type { BodyFraming } from "../../src/testing/index.js";
import { helloRequest, okChunks, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, drain } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer } from "../helpers/loopback-fixture.js";

const limit = 1024;

/** Builds a chat completion JSON text of exactly `bytes` bytes, padded with an extra field. */
function completionOfSize(bytes: number): string {
  const base = JSON.stringify({ ...okCompletion, padding: "" });
  const text = base.replace('"padding":""', `"padding":"${"x".repeat(bytes - base.length)}"`);
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

/** Builds a stream chunk whose JSON is about `bytes` bytes long. */
function chunkOfSize(bytes: number): string {
  const chunk = okChunks[0]!;
  const base = JSON.stringify({ ...chunk, padding: "" });
  return base.replace(
    '"padding":""',
    `"padding":"${"y".repeat(Math.max(0, bytes - base.length))}"`,
  );
}

const framings: BodyFraming[] = ["content-length", "chunked", "close"];

describe.concurrent("maxResponseBytes", () => {
  for (const framing of framings) {
    it(`rejects a body one byte over the limit, framed by ${framing}`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue({ body: completionOfSize(limit + 1), framing, times: 3 });
      const client = clientFor(server, { maxResponseBytes: limit, maxRetries: 2 });

      const error = await captureRejection(client.chat.create(helloRequest));

      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(isMistralError(error, "response_too_large")).toBe(true);
      expect((error as ResponseTooLargeError).limitBytes).toBe(limit);
      expect((error as Error).message).toContain("maxResponseBytes");
      expect((error as Error).message).toContain(String(limit));
      expect(server.requests).toHaveLength(1);
    });

    it(`reads a body of exactly the limit, framed by ${framing}`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue({ body: completionOfSize(limit), framing });
      const client = clientFor(server, { maxResponseBytes: limit });

      const completion = await client.chat.create(helloRequest);

      expect(completion.id).toBe("ok1");
    });
  }

  it("rejects a large body sent in many small writes", async (context) => {
    const server = await startLoopbackServer(context);
    const text = completionOfSize(50_000);
    const writes = text.match(/[\s\S]{1,500}/g) ?? [];
    server.enqueue({ writes, headers: { "content-type": "application/json" } });
    const client = clientFor(server, { maxResponseBytes: limit });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it("bounds raw requests and GET calls too", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ body: completionOfSize(4000), framing: "chunked", times: 2 });
    const client = clientFor(server, { maxResponseBytes: limit });

    const raw = await captureRejection(client.request({ method: "GET", path: "/v1/files" }));
    const list = await captureRejection(client.models.list());

    expect(raw).toBeInstanceOf(ResponseTooLargeError);
    expect(list).toBeInstanceOf(ResponseTooLargeError);
  });
});

describe.concurrent("error bodies", () => {
  for (const framing of framings) {
    it(`keeps the status of a 100 KiB error body, framed by ${framing}`, async (context) => {
      const server = await startLoopbackServer(context);
      const message = "z".repeat(100 * 1024);
      server.enqueue({ status: 400, body: { object: "error", message }, framing });

      const error = await captureRejection(clientFor(server).chat.create(helloRequest));

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).status).toBe(400);
      expect((error as Error).message.length).toBeLessThan(2000);
      expect(((error as BadRequestError).body ?? "").length).toBeLessThanOrEqual(8 * 1024);
    });
  }

  it("keeps at most 8 KiB of the body and 500 characters of message", async (context) => {
    const server = await startLoopbackServer(context);
    const message = "Problem ".repeat(2000).trim();
    server.enqueue({ status: 400, body: { object: "error", message } });

    const error = (await captureRejection(
      clientFor(server).chat.create(helloRequest),
    )) as BadRequestError;

    expect(error.serverMessage).toBe(message);
    expect(error.body?.length).toBe(8 * 1024);
    expect(error.message).toContain("(cut at 500 characters)");
    expect(error.message.startsWith(message.slice(0, 500))).toBe(true);
  });

  it("gives up on a stalled error body after idleTimeoutMs", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      status: 400,
      body: '{"object":"error","message":"Stalled"}',
      fault: "stall-mid-body",
    });
    const client = clientFor(server, { idleTimeoutMs: 300, timeoutMs: 10_000 });
    const started = Date.now();

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("retries a 503 whose body stalls", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue(
      { status: 503, body: '{"message":"Busy"}', fault: "stall-mid-body" },
      { body: okCompletion },
    );
    const client = clientFor(server, { idleTimeoutMs: 300 });

    const completion = await client.chat.create(helloRequest);

    expect(completion.id).toBe("ok1");
    expect(server.requests).toHaveLength(2);
  });

  it("cuts a huge server error message with base64 out of the message", async (context) => {
    const server = await startLoopbackServer(context);
    const encoded = "QUJD".repeat(300);
    server.enqueue({ status: 500, body: { message: `Bad image ${encoded}` }, times: 3 });

    const error = (await captureRejection(
      clientFor(server).chat.create(helloRequest),
    )) as InternalServerError;

    expect(error.message).not.toContain(encoded);
  });
});

describe.concurrent("maxStreamLineBytes", () => {
  it("delivers earlier events, then rejects an oversized line", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ events: [okChunks[0]!, chunkOfSize(2000)] });
    const client = clientFor(server, { maxStreamLineBytes: limit });

    const stream = await client.chat.stream(helloRequest);
    const { items, error } = await drain(stream);

    expect(items).toHaveLength(1);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).limitBytes).toBe(limit);
    expect((error as Error).message).toContain("maxStreamLineBytes");
    expect(server.requests).toHaveLength(1);
  });

  it("accepts lines under the limit", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ events: [chunkOfSize(900), okChunks[1]!] });
    const client = clientFor(server, { maxStreamLineBytes: limit });

    const stream = await client.chat.stream(helloRequest);
    const { items, error } = await drain(stream);

    expect(error).toBeUndefined();
    expect(items).toHaveLength(2);
  });

  it("rejects a line that grows across many reads before it ends", async (context) => {
    const server = await startLoopbackServer(context);
    const line = `data: ${chunkOfSize(5000)}\n\n`;
    server.enqueue({ writes: line.match(/[\s\S]{1,100}/g) ?? [] });
    const client = clientFor(server, { maxStreamLineBytes: limit });

    const stream = await client.chat.stream(helloRequest);
    const { error } = await drain(stream);

    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it("rejects a line that never ends without waiting for a timeout", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      writes: ["data: {", "a".repeat(600), "b".repeat(600), "c".repeat(600)],
      fault: "stall-mid-body",
      faultAfterWrites: 4,
    });
    const client = clientFor(server, { maxStreamLineBytes: limit, idleTimeoutMs: 10_000 });
    const started = Date.now();

    const stream = await client.chat.stream(helloRequest);
    const { error } = await drain(stream);

    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("rejects an event whose data lines add up past the limit", async (context) => {
    const server = await startLoopbackServer(context);
    const part = "d".repeat(500);
    server.enqueue({ writes: [`data: ${part}\ndata: ${part}\ndata: ${part}\n\n`] });
    const client = clientFor(server, { maxStreamLineBytes: limit });

    const events = await client.request({
      method: "POST",
      path: "/v1/chat/completions",
      body: { ...helloRequest, stream: true },
      stream: true,
    });
    const { error } = await drain(events);

    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it("bounds a raw event stream", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ writes: [`data: ${"e".repeat(3000)}\n\n`] });
    const client = clientFor(server, { maxStreamLineBytes: limit });

    const events = await client.request({
      method: "POST",
      path: "/v1/chat/completions",
      body: { ...helloRequest, stream: true },
      stream: true,
    });
    const { error } = await drain(events);

    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });
});
