import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import { MistralApiError } from "../../src/core/errors/api-error.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { ResponseTooLargeError, StreamError } from "../../src/core/errors/transport-errors.js";
import { useEndlessStreams } from "../helpers/endless-stream.js";
import {
  helloRequest,
  loopbackApiKey,
  readUntilError,
  rejectionOf,
  useLoopbackChatServer,
} from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

const startEndlessStream = useEndlessStreams();

function rawClient(baseURL: string, options: { maxResponseBytes?: number } = {}): MistralClient {
  return new MistralClient({
    apiKey: loopbackApiKey,
    baseURL,
    maxRetries: 0,
    timeoutMs: 8_000,
    idleTimeoutMs: 5_000,
    maxStreamLineBytes: 64 * 1024,
    ...options,
  });
}

function chunkOf(choices: unknown[]): string {
  return JSON.stringify({ id: "cmpl-1", object: "chat.completion.chunk", model: "m", choices });
}

function textChoice(text: string, index = 0): object {
  return { index, delta: { content: text }, finish_reason: null };
}

const finishedChunk = chunkOf([{ index: 0, delta: { content: "ok" }, finish_reason: "stop" }]);

describe("stream memory bounds", () => {
  it("rejects endless empty data lines", async () => {
    const url = await startEndlessStream(() => "data:\n".repeat(1000));
    const stream = await rawClient(url).chat.stream(helloRequest);
    const { error } = await readUntilError(stream);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toContain("maxStreamLineBytes");
  });

  it("rejects many short data lines in one event", async () => {
    loopback.server.enqueue({ writes: ["data:a\n".repeat(400_000), "\n"] });
    const stream = await loopback.client().chat.stream(helloRequest);
    const { error } = await readUntilError(stream);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).limitBytes).toBe(1024 * 1024);
  });

  it("rejects endless valid deltas past maxResponseBytes", async () => {
    const write = `data: ${chunkOf([textChoice("x".repeat(1024))])}\n\n`;
    const url = await startEndlessStream(() => write);
    const limit = 512 * 1024;
    const stream = await rawClient(url, { maxResponseBytes: limit }).chat.stream(helloRequest);
    const { items, error } = await readUntilError(stream);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toContain("maxResponseBytes");
    expect((error as ResponseTooLargeError).limitBytes).toBe(limit);
    // The text kept is bounded by the limit itself; the wire bound (8 times it) comes later.
    expect(items.length).toBeLessThanOrEqual(limit / 1024);
    expect(await rejectionOf(stream.finalCompletion())).toBe(error);
  });

  it("bounds accumulated text of contentDeltas", async () => {
    const write = `data: ${chunkOf([textChoice("y".repeat(1024))])}\n\n`;
    const url = await startEndlessStream(() => write);
    const stream = await rawClient(url, { maxResponseBytes: 256 * 1024 }).chat.stream(helloRequest);
    const { error } = await readUntilError(stream.contentDeltas());
    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it("rejects too many choice indexes", async () => {
    const events = Array.from({ length: 300 }, (_, index) => chunkOf([textChoice("a", index)]));
    loopback.server.enqueue({ events });
    const stream = await loopback.client().chat.stream(helloRequest);
    const { items, error } = await readUntilError(stream);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toContain("128");
    expect(items.length).toBe(128);
  });

  it("rejects too many tool calls in one choice", async () => {
    const events = Array.from({ length: 300 }, (_, index) =>
      chunkOf([
        {
          index: 0,
          delta: {
            tool_calls: [{ index, id: `call${index}`, function: { name: "f", arguments: "{}" } }],
          },
          finish_reason: null,
        },
      ]),
    );
    loopback.server.enqueue({ events });
    const stream = await loopback.client().chat.stream(helloRequest);
    const { error } = await readUntilError(stream);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toContain("tool calls");
  });

  it("keeps a stream under the bounds whole", async () => {
    const events = [chunkOf([textChoice("Hel")]), chunkOf([textChoice("lo")]), finishedChunk];
    loopback.server.enqueue({ events });
    const stream = await loopback.client({ maxResponseBytes: 4096 }).chat.stream(helloRequest);
    const completion = await stream.finalCompletion();
    expect(completion.choices[0]?.message.content).toBe("Hellook");
  });
});

/** Chunks that are valid JSON of the wrong shape, and whether the stream must reject them. */
const oddChunks: Array<{ label: string; data: string; verdict: "reject" | "tolerate" }> = [
  { label: "data null", data: "null", verdict: "reject" },
  { label: "data number", data: "42", verdict: "reject" },
  { label: "data array", data: "[1,2]", verdict: "reject" },
  { label: "data string", data: '"hello"', verdict: "reject" },
  { label: "choices null item", data: chunkOf([null]), verdict: "reject" },
  { label: "choices string item", data: chunkOf(["x"]), verdict: "reject" },
  { label: "choices string", data: '{"choices":"x"}', verdict: "reject" },
  { label: "choices object", data: '{"choices":{"0":{}}}', verdict: "reject" },
  { label: "choices null", data: '{"choices":null}', verdict: "tolerate" },
  { label: "delta null", data: chunkOf([{ index: 0, delta: null }]), verdict: "tolerate" },
  { label: "delta string", data: chunkOf([{ index: 0, delta: "x" }]), verdict: "tolerate" },
  {
    label: "content null item",
    data: chunkOf([{ delta: { content: [null] } }]),
    verdict: "tolerate",
  },
  { label: "content number", data: chunkOf([{ delta: { content: 5 } }]), verdict: "tolerate" },
  {
    label: "tool_calls null item",
    data: chunkOf([{ delta: { tool_calls: [null] } }]),
    verdict: "tolerate",
  },
  {
    label: "tool_calls object",
    data: chunkOf([{ delta: { tool_calls: {} } }]),
    verdict: "tolerate",
  },
  {
    label: "tool call function string",
    data: chunkOf([{ delta: { tool_calls: [{ index: 0, function: "f" }] } }]),
    verdict: "tolerate",
  },
  {
    label: "thinking null item",
    data: chunkOf([{ delta: { content: [{ type: "thinking", thinking: [null] }] } }]),
    verdict: "tolerate",
  },
  {
    label: "thinking null item after thinking",
    data: chunkOf([
      {
        delta: {
          content: [
            { type: "thinking", thinking: [{ type: "text", text: "a" }] },
            { type: "thinking", thinking: [null, 3] },
          ],
        },
      },
    ]),
    verdict: "tolerate",
  },
  {
    label: "thinking string",
    data: chunkOf([{ delta: { content: [{ type: "thinking", thinking: "x" }] } }]),
    verdict: "tolerate",
  },
  { label: "usage string", data: '{"choices":[],"usage":"lots"}', verdict: "tolerate" },
  { label: "usage array", data: '{"choices":[],"usage":[1]}', verdict: "tolerate" },
  { label: "finish_reason number", data: chunkOf([{ finish_reason: 3 }]), verdict: "tolerate" },
];

describe("stream chunks of the wrong shape", () => {
  for (const { label, data, verdict } of oddChunks) {
    for (const reader of ["chunks", "contentDeltas", "finalCompletion"] as const) {
      it(`${verdict}s ${label} in ${reader}`, async () => {
        loopback.server.enqueue({ events: [data, finishedChunk] });
        const stream = await loopback.client().chat.stream(helloRequest);
        const error =
          reader === "finalCompletion"
            ? await rejectionOf(stream.finalCompletion())
            : (await readUntilError<unknown>(reader === "chunks" ? stream : stream.contentDeltas()))
                .error;
        if (verdict === "tolerate") {
          expect(error).toBeUndefined();
          expect((await stream.finalCompletion()).choices[0]?.finish_reason).toBe("stop");
          return;
        }

        expect(error).toBeInstanceOf(StreamError);
        expect((error as StreamError).payload).toBe(data.slice(0, 200));
      });
    }
  }
});

describe("stream responses that are not event streams", () => {
  it("reports the message of an HTML page", async () => {
    loopback.server.enqueue({
      headers: { "content-type": "text/html" },
      body: "<html><body>Upstream overloaded, try later</body></html>",
    });
    const stream = await loopback.client().chat.stream(helloRequest);
    const { error } = await readUntilError(stream);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toContain("Upstream overloaded, try later");
    expect((error as Error).message).toContain("text/html");
  });

  it("reports a JSON error object", async () => {
    loopback.server.enqueue({
      body: { object: "error", message: "Service tier capacity exceeded", code: "3505" },
    });
    const stream = await loopback.client().chat.stream(helloRequest);
    const { error } = await readUntilError(stream);
    expect(isMistralError(error)).toBe(true);
    expect(error).toBeInstanceOf(MistralApiError);
    expect((error as Error).message).toContain("Service tier capacity exceeded");
    expect((error as MistralApiError).code).toBe("3505");
  });

  it("reports a JSON completion", async () => {
    loopback.server.enqueue({ body: { id: "c", object: "chat.completion", choices: [] } });
    const stream = await loopback.client().chat.stream(helloRequest);
    const { error } = await readUntilError(stream);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toContain("application/json");
    expect((error as StreamError).payload).toContain("chat.completion");
  });

  it("bounds the body it reads", async () => {
    const url = await startEndlessStream(() => "<p>x</p>".repeat(1000), "text/html");
    const stream = await rawClient(url).chat.stream(helloRequest);
    const { error } = await readUntilError(stream);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toContain("text/html");
  });

  it("rejects an error object mid-stream", async () => {
    const mid = JSON.stringify({ error: { message: "Quota exhausted for workspace", code: 7 } });
    loopback.server.enqueue({ events: [chunkOf([textChoice("a")]), mid, finishedChunk] });
    const stream = await loopback.client().chat.stream(helloRequest);
    const { items, error } = await readUntilError(stream);
    expect(items.length).toBe(1);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toContain("Quota exhausted for workspace");
    expect((error as StreamError).payload).toBe(mid);
  });
});
