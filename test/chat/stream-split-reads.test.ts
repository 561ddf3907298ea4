import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { StreamError } from "../../src/core/errors/transport-errors.js";
import type { ScriptedReply } from "../../src/testing/index.js";
import type { ChatCompletionChunk } from "../../src/types/chat.js";
import {
  brokenEventWrites,
  brokenPayload,
  cheeseText,
  cheeseWrites,
  dataEvent,
  doneEvent,
  joinWrites,
} from "../helpers/case-streams.js";
import {
  helloRequest,
  readUntilError,
  rejectionOf,
  useLoopbackChatServer,
} from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

let consoleSpies: MockInstance[] = [];

beforeEach(() => {
  consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
    vi.spyOn(console, method),
  );
});

afterEach(() => {
  for (const spy of consoleSpies) spy.mockRestore();
});

function expectNothingLogged(): void {
  for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
}

function textOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
}

async function streamWrites(reply: ScriptedReply) {
  loopback.server.enqueue(reply);
  const stream = await loopback.client().chat.stream(helloRequest);
  return readUntilError(stream);
}

describe("chat stream split across reads", () => {
  const cheeseBody = joinWrites(cheeseWrites);
  const replies: Array<{ label: string; reply: ScriptedReply }> = [
    { label: "four writes", reply: { writes: cheeseWrites } },
    { label: "four writes 20 ms apart", reply: { writes: cheeseWrites, writeDelayMs: 20 } },
    { label: "glued in one write", reply: { writes: [cheeseBody] } },
    { label: "one byte per write", reply: { writes: cheeseWrites, byteByByte: true } },
    { label: "connection close framing", reply: { writes: cheeseWrites, framing: "close" } },
  ];

  for (const { label, reply } of replies) {
    it(`yields 2 whole chunks (${label})`, async () => {
      const { items, error } = await streamWrites(reply);

      expect(error).toBeUndefined();
      expect(items).toHaveLength(2);
      expect(items[0]!.choices[0]!.finish_reason).toBeNull();
      expect(items[1]!.choices[0]!.finish_reason).toBe("stop");
      const text = textOf(items);
      expect(Buffer.from(text, "utf8").equals(Buffer.from(cheeseText, "utf8"))).toBe(true);
      expect(text).not.toContain("\uFFFD");
      expectNothingLogged();
    });
  }

  it("assembles the split text and usage", async () => {
    loopback.server.enqueue({ writes: cheeseWrites, writeDelayMs: 10 });
    const stream = await loopback.client().chat.stream(helloRequest);
    const completion = await stream.finalCompletion();

    expect(completion.choices[0]!.message.content).toBe(cheeseText);
    expect(completion.usage?.total_tokens).toBe(24);
  });

  it("yields split text deltas whole", async () => {
    loopback.server.enqueue({ writes: cheeseWrites, byteByByte: true });
    const stream = await loopback.client().chat.stream(helloRequest);
    const deltas: string[] = [];
    for await (const delta of stream.textDeltas()) deltas.push(delta);

    expect(deltas).toEqual(["Le meilleur fromage français ? Le Roquefort ", "🧀"]);
  });
});

describe("chat stream with other event framings", () => {
  // Multi-byte text of 1 to 4 bytes per character, so byte-by-byte writes split characters.
  const payloads = [
    { role: "assistant", content: "naïve " },
    { content: "日本語 " },
    { content: "🧀🍷" },
  ].map((delta, index, all) =>
    JSON.stringify({
      id: "f1",
      object: "chat.completion.chunk",
      created: 1764806400,
      model: "mistral-small-latest",
      choices: [{ index: 0, delta, finish_reason: index === all.length - 1 ? "stop" : null }],
    }),
  );
  const expectedText = "naïve 日本語 🧀🍷";
  const framings: Array<{ label: string; writes: string[] }> = [
    {
      label: "CRLF line endings",
      writes: [...payloads.map(dataEvent), doneEvent].map((write) =>
        write.replaceAll("\n", "\r\n"),
      ),
    },
    {
      label: "CR line endings",
      writes: [...payloads.map(dataEvent), doneEvent].map((write) => write.replaceAll("\n", "\r")),
    },
    {
      label: "data without a space",
      writes: [...payloads.map((payload) => `data:${payload}\n\n`), "data:[DONE]\n\n"],
    },
    {
      label: "comments, event and id lines",
      writes: [
        ": keep-alive\n\n",
        ...payloads.map(
          (payload, index) => `event: chunk\nid: ${index}\n: note\n${dataEvent(payload)}`,
        ),
        doneEvent,
      ],
    },
    {
      label: "several data lines per event",
      writes: [
        ...payloads.map((payload) => {
          const middle = payload.indexOf(',"choices"');
          return `data: ${payload.slice(0, middle)}\ndata: ${payload.slice(middle)}\n\n`;
        }),
        doneEvent,
      ],
    },
    {
      label: "every event in one write",
      writes: [[...payloads.map(dataEvent), doneEvent].join("")],
    },
  ];

  for (const { label, writes } of framings) {
    for (const byteByByte of [false, true]) {
      const reads = byteByByte ? "one byte per write" : "one event per write";
      it(`yields 3 chunks with ${label} (${reads})`, async () => {
        const { items, error } = await streamWrites({ writes, byteByByte });

        expect(error).toBeUndefined();
        expect(items).toHaveLength(3);
        expect(textOf(items)).toBe(expectedText);
        expectNothingLogged();
      });
    }
  }
});

describe("chat stream with an event that is not JSON", () => {
  it("rejects with a stream error carrying the payload", async () => {
    const { items, error } = await streamWrites({ writes: brokenEventWrites });

    expect(items).toEqual([]);
    expect(error).toBeInstanceOf(StreamError);
    expect(isMistralError(error, "stream")).toBe(true);
    const payload = (error as StreamError).payload ?? "";
    expect(payload.length).toBeGreaterThan(0);
    expect(brokenPayload.startsWith(payload)).toBe(true);
  });

  it("rejects the final completion with the same error", async () => {
    loopback.server.enqueue({ writes: brokenEventWrites });
    const stream = await loopback.client().chat.stream(helloRequest);
    const error = await rejectionOf(stream.finalCompletion());

    expect(isMistralError(error, "stream")).toBe(true);
    expect((error as StreamError).payload).toBe(brokenPayload);
  });

  it("rejects after the good chunks before it", async () => {
    const good =
      '{"id":"5d0b","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}';
    const writes = [dataEvent(good), ...brokenEventWrites, dataEvent(good)];
    const { items, error } = await streamWrites({ writes });

    expect(items).toHaveLength(1);
    expect(isMistralError(error, "stream")).toBe(true);
  });

  it("rejects a broken event split one byte per write", async () => {
    const { items, error } = await streamWrites({ writes: brokenEventWrites, byteByByte: true });

    expect(items).toEqual([]);
    expect((error as StreamError).payload).toBe(brokenPayload);
  });

  it("caps the payload kept on the error", async () => {
    const long = `{"id":"${"x".repeat(5000)}"`;
    const { error } = await streamWrites({ writes: [dataEvent(long), doneEvent] });

    const payload = (error as StreamError).payload ?? "";
    expect(payload.length).toBeGreaterThan(0);
    expect(payload.length).toBeLessThan(1000);
    expect(long.startsWith(payload)).toBe(true);
  });
});
