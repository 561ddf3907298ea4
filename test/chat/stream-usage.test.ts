import { describe, expect, it } from "vitest";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import type { ChatCompletionStream } from "../../src/resources/chat/chat-stream.js";
import { contentText } from "../../src/resources/chat/message-content.js";
import type { ScriptedReply } from "../../src/testing/index.js";
import {
  dataEvent,
  eventWrites,
  fimUsagePayloads,
  hiThereUsage,
  usageOnFinishPayloads,
  usageOnlyChunkPayloads,
  usageOnlyGluedWrites,
} from "../helpers/case-streams.js";
import {
  helloRequest,
  readAll,
  readUntilError,
  rejectionOf,
  useLoopbackChatServer,
} from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

const fimRequest = { model: "codestral-latest", prompt: "def greet():\n    return " };

const chatShapes: Array<{ label: string; reply: ScriptedReply }> = [
  { label: "usage on the finish chunk", reply: { writes: eventWrites(usageOnFinishPayloads) } },
  {
    label: "usage-only chunk with empty choices",
    reply: { writes: eventWrites(usageOnlyChunkPayloads) },
  },
  {
    label: "usage chunk and [DONE] in one write, then close",
    reply: { writes: usageOnlyGluedWrites, framing: "close" },
  },
  {
    label: "usage-only chunk, one byte per write",
    reply: { writes: eventWrites(usageOnlyChunkPayloads), byteByByte: true },
  },
];

async function openChat(reply: ScriptedReply): Promise<ChatCompletionStream> {
  loopback.server.enqueue(reply);
  return loopback.client().chat.stream(helloRequest);
}

async function openFim(reply: ScriptedReply): Promise<ChatCompletionStream> {
  loopback.server.enqueue({ match: { path: "/v1/fim/completions" }, ...reply });
  return loopback.client().fim.stream(fimRequest);
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe("stream usage", () => {
  for (const { label, reply } of chatShapes) {
    it(`reports usage, finish reason and text (${label})`, async () => {
      const completion = await (await openChat(reply)).finalCompletion();

      expect(completion.usage).toEqual(hiThereUsage);
      expect(completion.choices).toHaveLength(1);
      expect(completion.choices[0]!.finish_reason).toBe("stop");
      expect(contentText(completion.choices[0]!.message.content)).toBe("Hi there");
    });
  }

  it("reports usage of a FIM stream", async () => {
    const stream = await openFim({ writes: eventWrites(fimUsagePayloads) });
    const completion = await stream.finalCompletion();

    expect(loopback.server.requests[0]!.path).toBe("/v1/fim/completions");
    expect(completion.model).toBe("codestral-latest");
    expect(completion.usage).toEqual(hiThereUsage);
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(contentText(completion.choices[0]!.message.content)).toBe("Hi there");
  });

  it("yields the chunk with empty choices", async () => {
    const chunks = await readAll(await openChat({ writes: eventWrites(usageOnlyChunkPayloads) }));

    expect(chunks).toHaveLength(2);
    expect(chunks[1]!.choices).toEqual([]);
    expect(chunks[1]!.usage).toEqual(hiThereUsage);
  });

  it("runs the helpers over empty choices", async () => {
    const writes = eventWrites(usageOnlyChunkPayloads);
    const text = await readUntilError((await openChat({ writes })).textDeltas());
    const content = await readUntilError((await openChat({ writes })).contentDeltas());

    expect(text).toEqual({ items: ["Hi there"], error: undefined });
    expect(content).toEqual({ items: [{ type: "text", text: "Hi there" }], error: undefined });
  });

  it("resolves the final completion once, after [DONE]", async () => {
    // The sentinel comes 100 ms after the usage chunk, so an early result would show.
    const writes = eventWrites(usageOnlyChunkPayloads);
    const stream = await openChat({ writes, writeDelayMs: 100 });
    let settledCount = 0;
    const seenBeforeDone: number[] = [];
    let final: ReturnType<ChatCompletionStream["finalCompletion"]> | undefined;
    for await (const _chunk of stream) {
      if (final === undefined) {
        final = stream.finalCompletion();
        final.then(() => settledCount++);
      }

      await tick();
      seenBeforeDone.push(settledCount);
    }

    const completion = await final!;
    await tick();
    expect(seenBeforeDone).toEqual([0, 0]);
    expect(settledCount).toBe(1);
    expect(completion.usage).toEqual(hiThereUsage);
    expect(await stream.finalCompletion()).toBe(completion);
  });

  it("fails a stream cut before any finish reason", async () => {
    const writes = [dataEvent(usageOnFinishPayloads[0]!)];
    for (const framing of ["chunked", "close"] as const) {
      const stream = await openChat({ writes, framing });
      const { items, error } = await readUntilError(stream);

      expect(items).toHaveLength(1);
      expect(isMistralError(error, "stream")).toBe(true);
      expect((error as Error).message).toContain("ended before its final event");
      expect(await rejectionOf(stream.finalCompletion())).toBe(error);
    }
  });

  it("fails a stream cut mid-event", async () => {
    const stream = await openChat({
      writes: eventWrites(usageOnFinishPayloads),
      fault: "close-mid-body",
      faultAfterWrites: 1,
    });
    const { items, error } = await readUntilError(stream);

    expect(items).toHaveLength(1);
    expect(isMistralError(error, "stream")).toBe(true);
  });

  it("ends normally without [DONE] after a finish reason", async () => {
    const writes = [dataEvent(usageOnlyChunkPayloads[0]!)];
    for (const framing of ["chunked", "close"] as const) {
      const stream = await openChat({ writes, framing });
      const { items, error } = await readUntilError(stream);
      const completion = await stream.finalCompletion();

      expect(error).toBeUndefined();
      expect(items).toHaveLength(1);
      expect(completion.choices[0]!.finish_reason).toBe("stop");
      expect(completion.usage).toBeUndefined();
      expect("usage" in completion).toBe(true);
    }
  });

  it("keeps usage read before a missing [DONE]", async () => {
    const writes = usageOnlyChunkPayloads.map(dataEvent);
    const completion = await (await openChat({ writes, framing: "close" })).finalCompletion();

    expect(completion.usage).toEqual(hiThereUsage);
  });

  it("reports no usage when the server sent none", async () => {
    const writes = eventWrites([usageOnlyChunkPayloads[0]!]);
    const completion = await (await openChat({ writes })).finalCompletion();

    expect(completion.usage).toBeUndefined();
  });
});

describe("stream usage with two choices", () => {
  function choiceChunk(index: number, content: string, finishReason: string | null): string {
    return JSON.stringify({
      id: "n2",
      object: "chat.completion.chunk",
      created: 1764806400,
      model: "mistral-small-latest",
      choices: [{ index, delta: { content }, finish_reason: finishReason }],
    });
  }

  const usageOnly = JSON.stringify({
    id: "n2",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "mistral-small-latest",
    choices: [],
    usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
  });

  it("assembles both choices and the usage", async () => {
    const payloads = [
      choiceChunk(0, "Hi", null),
      choiceChunk(1, "Hello", null),
      choiceChunk(1, " you", "stop"),
      choiceChunk(0, " there", "stop"),
      usageOnly,
    ];
    const stream = await openChat({ writes: eventWrites(payloads) });
    const text = await readAll(stream.textDeltas());
    const completion = await stream.finalCompletion();

    expect(text).toEqual(["Hi", " there"]);
    expect(completion.choices.map((choice) => choice.message.content)).toEqual([
      "Hi there",
      "Hello you",
    ]);
    expect(completion.choices.map((choice) => choice.finish_reason)).toEqual(["stop", "stop"]);
    expect(completion.usage?.total_tokens).toBe(11);
  });

  it("fails when one choice is unfinished at the cut", async () => {
    const payloads = [choiceChunk(0, "Hi", "stop"), choiceChunk(1, "Hello", null)];
    const stream = await openChat({ writes: payloads.map(dataEvent), framing: "close" });
    const { error } = await readUntilError(stream);

    expect(isMistralError(error, "stream")).toBe(true);
  });
});
