import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { FetchFunction } from "../../src/core/client-options.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { ResponseTooLargeError } from "../../src/core/errors/transport-errors.js";
import { type ServerSentEvent, SseDecoder } from "../../src/core/sse-decoder.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { renderedForms } from "../helpers/secret-scan.js";

// Property tests of the SSE decoder: generated streams split at random byte offsets must decode
// exactly as a plain reading of the WHATWG rules does on the whole body, whatever the splits.

const runs = 10_000;
const canary = "sk-test-CANARY-7f3a9c1e";
const encoder = new TextEncoder();

/** A field value: any text without line breaks, sometimes with a NUL, emoji or the canary. */
const value = fc
  .oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom("[DONE]", " [DONE]", '{"a":1}', "a\u0000b", "é🧀", canary),
  )
  .map((text) => text.replace(/[\r\n]/g, ""));

const line = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.tuple(fc.constantFrom("data:", "data: "), value).map((parts) => parts.join("")),
  },
  { weight: 1, arbitrary: value.map((text) => `event: ${text}`) },
  { weight: 1, arbitrary: value.map((text) => `id: ${text}`) },
  { weight: 1, arbitrary: value.map((text) => `:${text}`) },
  { weight: 1, arbitrary: fc.constantFrom("data", "retry: 100", "unknown: x", "event", "") },
  { weight: 3, arbitrary: fc.constant("") },
);

const lineEnding = fc.constantFrom("\n", "\r\n", "\r");

/** A whole body: lines with mixed endings, an optional BOM, an optional unterminated last line. */
const body = fc
  .tuple(
    fc.array(fc.tuple(line, lineEnding), { maxLength: 24 }),
    fc.boolean(),
    fc.option(line, { nil: undefined }),
  )
  .map(([lines, bom, last]) => {
    const text = lines.map(([content, ending]) => content + ending).join("") + (last ?? "");
    return encoder.encode(bom ? `\uFEFF${text}` : text);
  });

/** Offsets at which a body is cut into reads. */
const cuts = fc.array(fc.nat(), { maxLength: 12 });

function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const sorted = [...new Set(offsets.map((offset) => offset % (bytes.length + 1)))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of sorted) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }

  chunks.push(bytes.subarray(start));
  return chunks;
}

function decodeChunks(chunks: Uint8Array[], maxLineBytes: number): ServerSentEvent[] {
  const decoder = new SseDecoder(maxLineBytes);
  const events: ServerSentEvent[] = [];
  for (const chunk of chunks) events.push(...decoder.push(chunk));
  events.push(...decoder.end());
  return events;
}

/**
 * Decodes a whole body at once by the WHATWG event-stream rules, written for clarity: split into
 * lines at CRLF, CR or LF, then process each line. Like the decoder, it also processes a last line
 * without a line break and emits the event in progress at the end of the body.
 */
function referenceDecode(bytes: Uint8Array): ServerSentEvent[] {
  const lines = new TextDecoder().decode(bytes).split(/\r\n|\r|\n/);
  const events: ServerSentEvent[] = [];
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  const dispatch = () => {
    if (data.length > 0) events.push({ event, data: data.join("\n"), id });
    data = [];
    event = undefined;
  };

  lines.forEach((text, index) => {
    const isLast = index === lines.length - 1;
    if (text === "") {
      if (!isLast) dispatch();
      return;
    }

    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let fieldValue = colon === -1 ? "" : text.slice(colon + 1);
    if (fieldValue.startsWith(" ")) fieldValue = fieldValue.slice(1);
    if (field === "data") data.push(fieldValue);
    if (field === "event") event = fieldValue;
    if (field === "id" && !fieldValue.includes("\u0000")) id = fieldValue;
  });
  dispatch();
  return events;
}

/** Decodes, returning the events or the error thrown, so two decodings can be compared. */
function outcome(decode: () => ServerSentEvent[]): ServerSentEvent[] | string {
  try {
    return decode();
  } catch (error) {
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    return "too large";
  }
}

describe("SseDecoder with generated streams", () => {
  it("decodes any split of a stream as the whole stream", () => {
    fc.assert(
      fc.property(body, cuts, (bytes, offsets) => {
        const events = decodeChunks(splitAt(bytes, offsets), 1024 * 1024);

        expect(events).toEqual(referenceDecode(bytes));
      }),
      { numRuns: runs },
    );
  });

  it("treats random bytes the same whatever the splits, under a small line bound", () => {
    const byte = fc.oneof(
      fc.constantFrom(10, 13, 32, 58, 0xef, 0xbb, 0xbf, 0xf0, 0x9f, 0x80),
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(...encoder.encode("data:event:id")),
    );
    const bytes = fc.array(byte, { maxLength: 200 }).map((list) => Uint8Array.from(list));

    fc.assert(
      fc.property(bytes, cuts, (input, offsets) => {
        const split = outcome(() => decodeChunks(splitAt(input, offsets), 32));
        const whole = outcome(() => decodeChunks([input], 32));

        expect(split).toEqual(whole);
      }),
      { numRuns: runs },
    );
  });
});

describe("chat streams with generated bodies", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });

  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
  });

  const chunk = (content: string, finish: string | null) =>
    JSON.stringify({
      id: "c1",
      object: "chat.completion.chunk",
      model: "mistral-small-latest",
      choices: [{ index: 0, delta: { content }, finish_reason: finish }],
    });

  /** Events a real or broken server may send, the canary echoed in some of them. */
  const event = fc.oneof(
    { weight: 4, arbitrary: value.map((text) => `data: ${chunk(text, null)}\n\n`) },
    { weight: 1, arbitrary: fc.constant(`data: ${chunk("", "stop")}\n\n`) },
    { weight: 1, arbitrary: fc.constant("data: [DONE]\n\n") },
    {
      weight: 1,
      arbitrary: value.map(
        (text) =>
          `data: {"object":"error","message":"Invalid key ${canary} ${text.replace(/["\\]/g, "")}"}\n\n`,
      ),
    },
    { weight: 1, arbitrary: value.map((text) => `data: {"broken": ${canary} ${text}\n\n`) },
    { weight: 1, arbitrary: value.map((text) => `: ${text}\n`) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  );

  const streamBody = fc
    .array(event, { maxLength: 8 })
    .map((events) => encoder.encode(events.join("")));

  it("settles with chunks or a library error, never leaking the key", async () => {
    let current: Uint8Array[] = [];
    const fetch: FetchFunction = async () => {
      let index = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = current[index++];
          if (next === undefined) controller.close();
          else controller.enqueue(next);
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    };
    const client = new MistralClient({
      apiKey: canary,
      baseURL: "http://127.0.0.1:9",
      fetch,
      maxRetries: 0,
      maxStreamLineBytes: 1024,
      telemetry: false,
    });

    await fc.assert(
      fc.asyncProperty(streamBody, cuts, async (bytes, offsets) => {
        current = splitAt(bytes, offsets);
        let failure: unknown;
        try {
          const stream = await client.chat.stream(helloRequest);
          await stream.finalCompletion();
        } catch (error) {
          failure = error;
        }

        if (failure !== undefined) {
          expect(isMistralError(failure), String(failure)).toBe(true);
          for (const [form, rendered] of renderedForms(failure)) {
            expect(rendered.includes(canary), `${form}: ${rendered}`).toBe(false);
          }
        }
      }),
      { numRuns: 2_000 },
    );

    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });
});
