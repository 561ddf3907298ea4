import { describe, expect, it } from "vitest";
import { contentText, contentThinking } from "../../src/resources/chat/message-content.js";
import type {
  ChatCompletionRequest,
  ContentChunk,
  ThinkChunk,
  UnknownContentChunk,
} from "../../src/types/chat.js";
import {
  eventWrites,
  referencePayloads,
  thinkingCompletionBody,
  thinkingPayloads,
  unknownChunkCompletionBody,
} from "../helpers/case-streams.js";
import {
  helloRequest,
  readAll,
  readUntilError,
  useLoopbackChatServer,
} from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

async function openStream(payloads: readonly string[], byteByByte = false) {
  loopback.server.enqueue({ writes: eventWrites(payloads), byteByByte });
  return loopback.client().chat.stream(helloRequest);
}

async function createWithBody(body: string) {
  loopback.server.enqueue({ body });
  return loopback.client().chat.create(helloRequest);
}

/** Sends a response message back as context and returns that message as the server received it. */
async function sendBack(message: object): Promise<unknown> {
  const request = {
    ...helloRequest,
    messages: [...helloRequest.messages, message, { role: "user", content: "And then?" }],
  } as ChatCompletionRequest;
  await loopback.client().chat.create(request);
  const sent = loopback.server.requests.at(-1)!.body as ChatCompletionRequest;
  return sent.messages[1];
}

describe("streamed thinking chunks", () => {
  for (const byteByByte of [false, true]) {
    const reads = byteByByte ? "one byte per write" : "one event per write";
    it(`keeps reasoning apart from the answer (${reads})`, async () => {
      const completion = await (await openStream(thinkingPayloads, byteByByte)).finalCompletion();
      const content = completion.choices[0]!.message.content;

      expect(contentThinking(content)).toBe("User says hi; answer briefly.");
      expect(contentText(content)).toBe("Hello!");
      expect(completion.choices[0]!.finish_reason).toBe("stop");
      expect(completion.usage?.total_tokens).toBe(40);
    });
  }

  it("accepts extra delta keys without error", async () => {
    const { items, error } = await readUntilError(await openStream(thinkingPayloads));

    expect(error).toBeUndefined();
    expect(items).toHaveLength(5);
    expect(items[2]!.choices[0]!.delta.index).toBe(0);
    expect(items[2]!.choices[0]!.logprobs).toBeNull();
  });

  it("assembles one thinking chunk then the text", async () => {
    const completion = await (await openStream(thinkingPayloads)).finalCompletion();

    expect(completion.choices[0]!.message.content).toEqual([
      {
        type: "thinking",
        thinking: [{ type: "text", text: "User says hi; answer briefly." }],
        closed: true,
      },
      { type: "text", text: "Hello!" },
    ]);
  });

  it("labels thinking and text deltas", async () => {
    const deltas = await readAll((await openStream(thinkingPayloads)).contentDeltas());

    expect(deltas).toEqual([
      { type: "thinking", text: "User says hi" },
      { type: "thinking", text: "; answer briefly." },
      { type: "text", text: "Hello" },
      { type: "text", text: "!" },
    ]);
  });

  it("leaves thinking out of text deltas", async () => {
    const deltas = await readAll((await openStream(thinkingPayloads)).textDeltas());

    expect(deltas.join("")).toBe("Hello!");
  });

  it("leaves the received chunks unchanged", async () => {
    const stream = await openStream(thinkingPayloads);
    const chunks = await readAll(stream);
    await stream.finalCompletion();

    const first = chunks[1]!.choices[0]!.delta.content as ThinkChunk[];
    expect(first[0]!.thinking).toEqual([{ type: "text", text: "User says hi" }]);
    expect("closed" in first[0]!).toBe(false);
  });

  it("sends the assembled content back unchanged", async () => {
    const completion = await (await openStream(thinkingPayloads)).finalCompletion();
    const message = completion.choices[0]!.message;
    const sent = await sendBack(message);

    expect((sent as { content: unknown }).content).toEqual(message.content);
  });
});

describe("streamed reference chunks", () => {
  it("keeps the reference between the text pieces", async () => {
    const completion = await (await openStream(referencePayloads)).finalCompletion();
    const content = completion.choices[0]!.message.content;

    expect(content).toEqual([
      { type: "text", text: "The company was founded in 2015" },
      { type: "reference", reference_ids: [1, 2] },
      { type: "text", text: "." },
    ]);
    expect(contentText(content)).toBe("The company was founded in 2015.");
    expect(contentThinking(content)).toBe("");
  });

  it("yields the reference as an other delta", async () => {
    const deltas = await readAll((await openStream(referencePayloads)).contentDeltas());

    expect(deltas).toEqual([
      { type: "text", text: "The company was founded in 2015" },
      { type: "other", chunk: { type: "reference", reference_ids: [1, 2] } },
      { type: "text", text: "." },
    ]);
  });
});

describe("streamed chunks of other shapes", () => {
  function contentChunk(content: unknown, finishReason: string | null = null): string {
    return JSON.stringify({
      id: "k1",
      object: "chat.completion.chunk",
      created: 1764806400,
      model: "magistral-medium-latest",
      choices: [{ index: 0, delta: { content }, finish_reason: finishReason }],
    });
  }

  it("keeps an unknown chunk in its place", async () => {
    const hologram = { type: "hologram", payload: { x: 1 } };
    const payloads = [
      contentChunk("Look"),
      contentChunk([hologram]),
      contentChunk(null),
      contentChunk([{ type: "text", text: " here" }], "stop"),
    ];
    const stream = await openStream(payloads);
    const deltas = await readAll(stream.contentDeltas());
    const content = (await stream.finalCompletion()).choices[0]!.message.content;

    expect(deltas[1]).toEqual({ type: "other", chunk: hologram });
    expect(content).toEqual([
      { type: "text", text: "Look" },
      hologram,
      { type: "text", text: " here" },
    ]);
    expect(contentText(content)).toBe("Look here");
  });

  it("keeps non-text parts inside thinking", async () => {
    const source = { type: "tool_reference", tool: "web_search", title: "Weather" };
    const payloads = [
      contentChunk([{ type: "thinking", thinking: [{ type: "text", text: "Check " }] }]),
      contentChunk([{ type: "thinking", thinking: [source, { type: "text", text: "done" }] }]),
      contentChunk("Sunny", "stop"),
    ];
    const content = (await (await openStream(payloads)).finalCompletion()).choices[0]!.message
      .content as ContentChunk[];

    expect(content[0]).toEqual({
      type: "thinking",
      thinking: [{ type: "text", text: "Check " }, source, { type: "text", text: "done" }],
    });
    expect(contentThinking(content)).toBe("Check done");
    expect(contentText(content)).toBe("Sunny");
  });

  it("keeps a plain text answer a string", async () => {
    const payloads = [contentChunk([{ type: "text", text: "Hel" }]), contentChunk("lo", "stop")];
    const completion = await (await openStream(payloads)).finalCompletion();

    expect(completion.choices[0]!.message.content).toBe("Hello");
  });
});

describe("content chunks of a whole response", () => {
  it("exposes the list of chunks", async () => {
    const completion = await createWithBody(thinkingCompletionBody);
    const content = completion.choices[0]!.message.content;

    expect(Array.isArray(content)).toBe(true);
    expect(content).toHaveLength(2);
    expect(contentText(content)).toBe("Hello!");
    expect(contentThinking(content)).toBe("Short greeting expected.");
    expect(completion.choices[0]!.message.tool_calls).toBeNull();
  });

  it("keeps a chunk of an unknown type", async () => {
    const completion = await createWithBody(unknownChunkCompletionBody);
    const content = completion.choices[0]!.message.content as ContentChunk[];

    expect(content).toHaveLength(3);
    expect(content[2] as UnknownContentChunk).toEqual({ type: "hologram", payload: { x: 1 } });
    expect(contentText(content)).toBe("Hello!");
    expect(contentThinking(content)).toBe("Short greeting expected.");
  });

  for (const [label, body] of [
    ["thinking", thinkingCompletionBody],
    ["unknown chunk", unknownChunkCompletionBody],
  ] as const) {
    it(`sends the ${label} message back unchanged`, async () => {
      const completion = await createWithBody(body);
      const message = completion.choices[0]!.message;
      const sent = await sendBack(message);

      expect(sent).toEqual(JSON.parse(body).choices[0].message);
    });
  }
});
