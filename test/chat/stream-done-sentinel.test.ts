import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import type { ScriptedReply } from "../../src/testing/index.js";
import type { ChatCompletionChunk } from "../../src/types/chat.js";
import {
  bonjourFramings,
  bonjourPayloads,
  type DoneFraming,
  dataEvent,
  doneEvent,
} from "../helpers/case-streams.js";
import {
  helloRequest,
  readAll,
  readUntilError,
  useLoopbackChatServer,
} from "../helpers/loopback-chat-server.js";
import { createTrackedFetch } from "../helpers/tracked-fetch.js";

const loopback = useLoopbackChatServer();

let parseSpy: MockInstance<typeof JSON.parse>;

beforeEach(() => {
  parseSpy = vi.spyOn(JSON, "parse");
});

afterEach(() => {
  parseSpy.mockRestore();
});

/** Each way the server can signal the end of the body, on top of the framing of the writes. */
const bodyEndings = [
  { label: "chunked", reply: { framing: "chunked" } },
  { label: "closed connection", reply: { framing: "close" } },
  { label: "one byte per write", reply: { byteByByte: true } },
] satisfies Array<{ label: string; reply: ScriptedReply }>;

function textOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
}

function expectBonjourChunks(chunks: ChatCompletionChunk[]): void {
  expect(chunks).toHaveLength(3);
  for (const chunk of chunks) {
    expect(typeof chunk).toBe("object");
    expect(chunk.id).toBe("9c2e1f40aa7b4d0e8f1c3b5a7d9e0f12");
  }

  expect(JSON.stringify(chunks)).not.toContain("[DONE]");
  expect(textOf(chunks)).toBe("Bonjour !");
  const last = chunks[2]!;
  expect(last.choices[0]?.finish_reason).toBe("stop");
  expect(last.usage?.total_tokens).toBe(12);
}

function expectDoneNeverParsed(): void {
  const parsedTexts = parseSpy.mock.calls.map((call) => String(call[0]));
  // The spy does see the client's parsing: the chunks went through it.
  expect(parsedTexts.some((text) => text.includes('"Bonjour"'))).toBe(true);
  expect(parsedTexts.filter((text) => text.includes("[DONE]"))).toEqual([]);
}

async function streamBonjour(framing: DoneFraming, reply: ScriptedReply = {}) {
  loopback.server.enqueue({ writes: framing.writes, ...reply });
  const tracked = createTrackedFetch();
  const stream = await loopback.client({ fetch: tracked.fetch }).chat.stream(helloRequest);
  return { stream, bodies: tracked.bodies };
}

describe("chat stream ended by [DONE]", () => {
  for (const framing of bonjourFramings) {
    for (const ending of bodyEndings) {
      it(`yields 3 chunks for ${framing.label} (${ending.label})`, async () => {
        const { stream, bodies } = await streamBonjour(framing, ending.reply);
        const chunks = await readAll(stream);

        expectBonjourChunks(chunks);
        expectDoneNeverParsed();
        expect(bodies).toHaveLength(1);
        expect(bodies[0]!.cancelled || bodies[0]!.readToEnd).toBe(true);
      });
    }

    it(`assembles the completion for ${framing.label}`, async () => {
      const { stream } = await streamBonjour(framing);
      const completion = await stream.finalCompletion();

      expect(completion.choices).toHaveLength(1);
      expect(completion.choices[0]!.message.content).toBe("Bonjour !");
      expect(completion.choices[0]!.finish_reason).toBe("stop");
      expect(completion.usage?.total_tokens).toBe(12);
      expectDoneNeverParsed();
    });
  }

  it("skips the event written after [DONE]", async () => {
    const framing = bonjourFramings.find((item) => item.label.startsWith("f"))!;
    const { stream } = await streamBonjour(framing, { writeDelayMs: 20 });
    const chunks = await readAll(stream);

    expect(chunks.map((chunk) => chunk.id)).not.toContain("late");
    expect(chunks).toHaveLength(3);
    expectDoneNeverParsed();
  });

  it("yields the text deltas only", async () => {
    const { stream } = await streamBonjour(bonjourFramings[0]!);
    const deltas = await readAll(stream.textDeltas());

    expect(deltas).toEqual(["Bonjour", " !"]);
    expectDoneNeverParsed();
  });

  it("accepts CRLF line endings around [DONE]", async () => {
    const writes = [...bonjourPayloads.map(dataEvent), doneEvent].map((write) =>
      write.replaceAll("\n", "\r\n"),
    );
    const { stream } = await streamBonjour({ label: "CRLF", writes, closeAfter: false });

    expectBonjourChunks(await readAll(stream));
    expectDoneNeverParsed();
  });

  it("accepts [DONE] with an event and id field", async () => {
    const writes = [...bonjourPayloads.map(dataEvent), "event: done\nid: 4\ndata: [DONE]\n\n"];
    const { stream } = await streamBonjour({ label: "fields", writes, closeAfter: false });

    expectBonjourChunks(await readAll(stream));
    expectDoneNeverParsed();
  });
});

describe("chat stream body after [DONE]", () => {
  // Without its trailing newline the sentinel is complete only once the body ends, so framing b
  // cannot end the stream while the server keeps the connection open.
  const completeSentinels = bonjourFramings.filter((framing) => !framing.label.startsWith("b"));
  for (const framing of completeSentinels) {
    it(`is released while the server holds the connection (${framing.label})`, async () => {
      const stall: ScriptedReply = {
        fault: "stall-mid-body",
        faultAfterWrites: framing.writes.length,
      };
      const timersBefore = countTimers();
      const { stream, bodies } = await streamBonjour(framing, stall);
      const { items, error } = await readUntilError(stream);

      expect(error).toBeUndefined();
      expectBonjourChunks(items);
      expect(bodies[0]!.cancelled).toBe(true);
      expect(countTimers()).toBeLessThanOrEqual(timersBefore);
    });
  }

  it("waits for the end of the body when [DONE] has no blank line", async () => {
    const framing = bonjourFramings.find((item) => item.label.startsWith("b"))!;
    const { stream, bodies } = await streamBonjour(framing, { framing: "close", writeDelayMs: 20 });

    expectBonjourChunks(await readAll(stream));
    expect(bodies[0]!.cancelled || bodies[0]!.readToEnd).toBe(true);
  });
});

/** Active `setTimeout` timers, which include the client's timeout timers. */
function countTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;
}
