import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResponseTooLargeError } from "../../src/core/errors/transport-errors.js";
import { type ServerSentEvent, SseDecoder } from "../../src/core/sse-decoder.js";

// Attacks on the pull API of SseDecoder (write, nextData, nextEvent, close): events taken one at a
// time between reads, with the fast path for one `data:` line and LF line ends in play.

const encoder = new TextEncoder();

const value = fc
  .oneof(
    fc.string({ maxLength: 16 }),
    fc.constantFrom("[DONE]", " [DONE] ", '{"a":1}', "a\u0000b", "é🧀", ""),
  )
  .map((text) => text.replace(/[\r\n]/g, ""));

const line = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom("data:", "data: "), value).map(joinParts) },
  { weight: 1, arbitrary: value.map((text) => `event: ${text}`) },
  { weight: 1, arbitrary: value.map((text) => `id: ${text}`) },
  { weight: 1, arbitrary: value.map((text) => `:${text}`) },
  { weight: 1, arbitrary: fc.constantFrom("data", "dataa: x", "retry: 5", "event", "id") },
  { weight: 4, arbitrary: fc.constant("") },
);

/** LF most of the time, so the fast path runs, with CR and CRLF mixed in. */
const lineEnding = fc.oneof(
  { weight: 6, arbitrary: fc.constant("\n") },
  { weight: 1, arbitrary: fc.constantFrom("\r\n", "\r") },
);

const body = fc
  .tuple(
    fc.array(fc.tuple(line, lineEnding), { maxLength: 30 }),
    fc.boolean(),
    fc.option(line, { nil: undefined }),
  )
  .map(([lines, bom, last]) => {
    const text = lines.map(([content, ending]) => content + ending).join("") + (last ?? "");
    return encoder.encode(bom ? `\uFEFF${text}` : text);
  });

/** Each read: where it ends (mod the body length) and how many events are taken after it. */
const readPlan = fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 })), { maxLength: 16 });

function joinParts(parts: readonly string[]): string {
  return parts.join("");
}

/** Writes the body in reads and takes a few events after each, then takes the rest at the end. */
function decodeByPlan(
  bytes: Uint8Array,
  plan: ReadonlyArray<readonly [number, number]>,
): ServerSentEvent[] {
  const decoder = new SseDecoder(1024 * 1024);
  const events: ServerSentEvent[] = [];
  const take = (count: number) => {
    for (let index = 0; index < count; index++) {
      const event = decoder.nextEvent();
      if (event === undefined) return;
      events.push(event);
    }
  };
  const offsets = [...new Set(plan.map(([offset]) => offset % (bytes.length + 1)))].sort(
    (a, b) => a - b,
  );
  let start = 0;
  for (const [index, offset] of offsets.entries()) {
    decoder.write(bytes.subarray(start, offset));
    start = offset;
    take(plan[index]![1]);
  }

  decoder.write(bytes.subarray(start));
  take(Number.POSITIVE_INFINITY);
  decoder.close();
  take(Number.POSITIVE_INFINITY);
  return events;
}

/** Decodes the whole text by the WHATWG event-stream rules, also ending a last unterminated event. */
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
    if (text === "") {
      if (index !== lines.length - 1) dispatch();
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

function decodeBytewise(text: string): ServerSentEvent[] {
  const decoder = new SseDecoder(1024);
  const events: ServerSentEvent[] = [];
  for (const byte of encoder.encode(text)) {
    decoder.write(Uint8Array.of(byte));
    for (let event = decoder.nextEvent(); event !== undefined; event = decoder.nextEvent()) {
      events.push(event);
    }
  }

  decoder.close();
  for (let event = decoder.nextEvent(); event !== undefined; event = decoder.nextEvent()) {
    events.push(event);
  }

  return events;
}

describe("SseDecoder pull API under attack", () => {
  it("decodes reads interleaved with takes", () => {
    fc.assert(
      fc.property(body, readPlan, (bytes, plan) => {
        expect(decodeByPlan(bytes, plan)).toEqual(referenceDecode(bytes));
      }),
      { numRuns: 5_000 },
    );
  });

  it("decodes a body fed byte by byte", () => {
    const text =
      "\uFEFFevent: a\r\ndata: 1\r\n\r\ndata: é🧀\n\nid: 7\rdata:  [DONE]\r\r" +
      "data: x\ndata: y\n\n\n\n\ndata: last";

    expect(decodeBytewise(text)).toEqual(referenceDecode(encoder.encode(text)));
  });

  it("splits a CRLF between takes", () => {
    const decoder = new SseDecoder(1024);
    decoder.write(encoder.encode("data: a\r\n\r"));

    expect(decoder.nextData()).toBe("a");
    expect(decoder.nextData()).toBeUndefined();

    decoder.write(encoder.encode("\ndata: b\n\n"));

    expect(decoder.nextData()).toBe("b");
    expect(decoder.nextData()).toBeUndefined();
  });

  it("keeps event name per taken event", () => {
    const decoder = new SseDecoder(1024);
    decoder.write(encoder.encode("event: one\ndata: 1\n\ndata: 2\n\nevent: three\ndata: 3\n\n"));

    expect(decoder.nextData()).toBe("1");
    expect(decoder.takenEvent).toBe("one");
    expect(decoder.nextData()).toBe("2");
    expect(decoder.takenEvent).toBeUndefined();
    expect(decoder.nextData()).toBe("3");
    expect(decoder.takenEvent).toBe("three");
  });

  it("skips many empty events", () => {
    const decoder = new SseDecoder(1024);
    decoder.write(encoder.encode(`${"\n".repeat(200_000)}data: after\n\n`));

    expect(decoder.nextData()).toBe("after");
  });

  it("rejects a line over the bound in any split", () => {
    const text = `data: ${"x".repeat(100)}\n\n`;
    for (let cut = 0; cut <= text.length; cut++) {
      const decoder = new SseDecoder(64);
      const attempt = () => {
        decoder.write(encoder.encode(text.slice(0, cut)));
        decoder.nextData();
        decoder.write(encoder.encode(text.slice(cut)));
        decoder.nextData();
      };

      expect(attempt, `cut at ${cut}`).toThrow(ResponseTooLargeError);
    }
  });

  it("rejects many data lines over the bound", () => {
    const decoder = new SseDecoder(64);
    decoder.write(encoder.encode("data: 0123456789\n".repeat(10)));

    expect(() => decoder.nextData()).toThrow(ResponseTooLargeError);
  });

  it("counts multi-byte characters in UTF-8", () => {
    // 30 characters of 3 bytes each are 90 bytes, over a bound of 64 but under it in UTF-16.
    const decoder = new SseDecoder(64);
    decoder.write(encoder.encode(`data: ${"€".repeat(30)}\n\n`));

    expect(() => decoder.nextData()).toThrow(ResponseTooLargeError);
  });

  it("ends a last event without blank line", () => {
    const decoder = new SseDecoder(1024);
    decoder.write(encoder.encode("data: [DONE]"));

    expect(decoder.nextData()).toBeUndefined();

    decoder.close();

    expect(decoder.nextData()).toBe("[DONE]");
    expect(decoder.nextData()).toBeUndefined();
  });

  // A decoder that copies and rescans the whole unfinished line at each write is quadratic in
  // the line's length. A line of just under 1 MiB sent in 64-byte reads then held the event loop
  // for about 17 s. The bound below is far above the linear cost and far below the quadratic one.
  it("reads a long trickled line in linear time", () => {
    const decoder = new SseDecoder(1024 * 1024);
    const chunk = encoder.encode("x".repeat(64));
    const started = performance.now();
    decoder.write(encoder.encode("data: "));
    for (let index = 0; index < (512 * 1024) / 64; index++) {
      decoder.write(chunk);
      decoder.nextData();
    }

    // A linear decoder needs about 10 ms here; 1 s leaves room for slow CI machines.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
