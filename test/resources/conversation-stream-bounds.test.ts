import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import { ResponseTooLargeError } from "../../src/core/errors/transport-errors.js";
import type { ConversationEvent } from "../../src/types/conversations.js";
import { useEndlessStreams } from "../helpers/endless-stream.js";
import { loopbackApiKey, readUntilError, rejectionOf } from "../helpers/loopback-chat-server.js";

const startEndlessStream = useEndlessStreams();

function clientFor(baseURL: string, maxResponseBytes: number): MistralClient {
  return new MistralClient({
    apiKey: loopbackApiKey,
    baseURL,
    maxRetries: 0,
    timeoutMs: 8_000,
    maxResponseBytes,
  });
}

function sse(data: { type: string; [key: string]: unknown }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const hello = { model: "mistral-small-latest", inputs: "Hello" };

describe("conversation stream bounds", () => {
  it("rejects endless text past maxResponseBytes", async () => {
    const write = sse({ type: "message.output.delta", id: "msg_1", content: "x".repeat(1024) });
    const limit = 256 * 1024;
    const client = clientFor(await startEndlessStream(() => write), limit);

    const stream = await client.conversations.startStream(hello);
    const { items, error } = await readUntilError<ConversationEvent>(stream);

    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toContain("maxResponseBytes");
    expect((error as ResponseTooLargeError).limitBytes).toBe(limit);
    // The text kept is bounded by the limit itself, before the wire bound (8 times it).
    expect(items.length).toBeLessThanOrEqual(limit / 1024);
    expect(await rejectionOf(stream.finalResponse())).toBe(error);
  });

  it("bounds endless thinking and arguments", async () => {
    const thinking = sse({
      type: "message.output.delta",
      id: "msg_1",
      content: { type: "thinking", thinking: [{ type: "text", text: "t".repeat(1024) }] },
    });
    const call = sse({
      type: "function.call.delta",
      id: "fc_1",
      tool_call_id: "abcDEF123",
      name: "lookup",
      arguments: "a".repeat(1024),
    });
    for (const write of [thinking, call]) {
      const client = clientFor(await startEndlessStream(() => write), 128 * 1024);
      const stream = await client.conversations.startStream(hello);
      const { error } = await readUntilError<ConversationEvent>(stream);
      expect(error).toBeInstanceOf(ResponseTooLargeError);
    }
  });

  it("bounds a stream that keeps nothing", async () => {
    // Events of an unknown type add nothing to the response, so only the wire bound ends them.
    const write = sse({ type: "custom.progress", note: "n".repeat(1024) });
    const limit = 64 * 1024;
    const client = clientFor(await startEndlessStream(() => write), limit);

    const stream = await client.conversations.startStream(hello);
    const { items, error } = await readUntilError<ConversationEvent>(stream);

    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).limitBytes).toBe(limit * 8);
    expect(items.length).toBeGreaterThan(limit / 1100);
    expect(items.length).toBeLessThanOrEqual((limit * 8) / 1024);
  });
});
