import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { ResponseTooLargeError } from "../../src/core/errors/transport-errors.js";
import { type ServerSentEvent, SseDecoder } from "../../src/core/sse-decoder.js";
import {
  bonjourFramings,
  bonjourPayloads,
  cheeseText,
  cheeseWrites,
  joinWrites,
} from "../helpers/case-streams.js";

/** Default of `maxStreamLineBytes`: 1 MiB. */
const defaultMaxLineBytes = 1024 * 1024;

const encoder = new TextEncoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Feeds each chunk in order, then ends the body, and returns every event emitted. */
function decodeChunks(
  chunks: ReadonlyArray<string | Uint8Array>,
  maxLineBytes = defaultMaxLineBytes,
): ServerSentEvent[] {
  const decoder = new SseDecoder(maxLineBytes);
  const events: ServerSentEvent[] = [];
  for (const chunk of chunks) {
    events.push(...decoder.push(typeof chunk === "string" ? bytes(chunk) : chunk));
  }

  events.push(...decoder.end());
  return events;
}

function dataOf(events: ServerSentEvent[]): string[] {
  return events.map((event) => event.data);
}

/** Cuts a body at the given byte offsets, which must be sorted. */
function splitAt(body: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    pieces.push(body.subarray(start, offset));
    start = offset;
  }

  pieces.push(body.subarray(start));
  return pieces;
}

function byteByByte(body: Uint8Array): Uint8Array[] {
  return Array.from(body, (byte) => Uint8Array.of(byte));
}

/** Text of the first choice's `delta.content` of each JSON event, sentinel excluded. */
function joinedContent(events: ServerSentEvent[]): string {
  return events
    .filter((event) => event.data !== "[DONE]")
    .map((event) => JSON.parse(event.data).choices[0].delta.content as string)
    .join("");
}

const cheeseBody = joinWrites(cheeseWrites);
const cheeseData = dataOf(decodeChunks([cheeseBody]));

describe("SseDecoder with a UTF-8 character split across reads", () => {
  it("emits nothing until write 3", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);

    expect(decoder.push(cheeseWrites[0]!)).toEqual([]);
    expect(decoder.push(cheeseWrites[1]!)).toEqual([]);
    const third = decoder.push(cheeseWrites[2]!);
    expect(third).toHaveLength(1);
    expect(JSON.parse(third[0]!.data).choices[0].delta.content).toBe(
      "Le meilleur fromage français ? Le Roquefort ",
    );
    const fourth = decoder.push(cheeseWrites[3]!);
    expect(dataOf(fourth)).toHaveLength(2);
    expect(JSON.parse(fourth[0]!.data).choices[0].delta.content).toBe("🧀");
    expect(fourth[1]!.data).toBe("[DONE]");
    expect(decoder.end()).toEqual([]);
  });

  it("decodes glued events in one read", () => {
    const events = decodeChunks([cheeseBody]);

    expect(events).toHaveLength(3);
    expect(joinedContent(events)).toBe(cheeseText);
    expect(events.map((event) => event.data).join("")).not.toContain("\uFFFD");
  });

  it("decodes the body split at every byte offset", () => {
    for (let offset = 0; offset <= cheeseBody.byteLength; offset++) {
      const data = dataOf(decodeChunks(splitAt(cheeseBody, [offset])));
      expect(data, `split at byte ${offset}`).toEqual(cheeseData);
    }
  });

  it("decodes the body one byte per read", () => {
    const events = decodeChunks(byteByByte(cheeseBody));

    expect(dataOf(events)).toEqual(cheeseData);
    expect(joinedContent(events)).toBe(cheeseText);
  });

  it("decodes the body under random read boundaries", () => {
    const offsets = fc
      .uniqueArray(fc.integer({ min: 0, max: cheeseBody.byteLength }), { maxLength: 40 })
      .map((values) => values.sort((a, b) => a - b));
    fc.assert(
      fc.property(offsets, (cuts) => {
        expect(dataOf(decodeChunks(splitAt(cheeseBody, cuts)))).toEqual(cheeseData);
      }),
    );
  });
});

describe("SseDecoder with each framing of the [DONE] sentinel", () => {
  for (const framing of bonjourFramings) {
    const expected = [...bonjourPayloads, "[DONE]"];
    if (framing.label.startsWith("f")) expected.push('{"id":"late"}');
    const body = joinWrites(framing.writes);

    it(`decodes framing ${framing.label}`, () => {
      expect(dataOf(decodeChunks(framing.writes))).toEqual(expected);
    });

    it(`decodes framing ${framing.label} split at every byte offset`, () => {
      for (let offset = 0; offset <= body.byteLength; offset++) {
        const data = dataOf(decodeChunks(splitAt(body, [offset])));
        expect(data, `split at byte ${offset}`).toEqual(expected);
      }
    });
  }

  it("emits the sentinel only once its line is complete", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);

    expect(decoder.push(bytes("data: [DO"))).toEqual([]);
    expect(decoder.push(bytes("NE]\n"))).toEqual([]);
    expect(dataOf(decoder.push(bytes("\n")))).toEqual(["[DONE]"]);
  });

  it("emits a last event that lacks its blank line at end of body", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);

    expect(decoder.push(bytes("data: [DONE]"))).toEqual([]);
    expect(dataOf(decoder.end())).toEqual(["[DONE]"]);
  });

  it("emits a last event that lacks only its blank line", () => {
    expect(dataOf(decodeChunks(["data: a\n\ndata: b\n"]))).toEqual(["a", "b"]);
  });
});

describe("SseDecoder line endings", () => {
  const lfBody = "event: delta\ndata: one\ndata: two\n\n: keep-alive\n\ndata: [DONE]\n\n";
  const expected = [
    { event: "delta", data: "one\ntwo", id: undefined },
    { event: undefined, data: "[DONE]", id: undefined },
  ];

  for (const [name, ending] of [
    ["CRLF", "\r\n"],
    ["CR", "\r"],
  ] as const) {
    const body = bytes(lfBody.replaceAll("\n", ending));

    it(`decodes ${name} line endings`, () => {
      expect(decodeChunks([body])).toEqual(expected);
    });

    it(`decodes ${name} line endings split at every byte offset`, () => {
      for (let offset = 0; offset <= body.byteLength; offset++) {
        expect(decodeChunks(splitAt(body, [offset])), `split at byte ${offset}`).toEqual(expected);
      }
    });

    it(`decodes ${name} line endings one byte per read`, () => {
      expect(decodeChunks(byteByByte(body))).toEqual(expected);
    });
  }

  it("decodes mixed line endings", () => {
    const body = "data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r";

    expect(dataOf(decodeChunks([body]))).toEqual(["a\nb\nc", "d"]);
  });

  it("keeps CR and LF together across an empty read", () => {
    const events = decodeChunks(["data: x\r", new Uint8Array(0), "\ndata: y\n\n"]);

    expect(dataOf(events)).toEqual(["x\ny"]);
  });

  it("treats a CR at a read boundary as one line end", () => {
    const events = decodeChunks(["data: x\r", "\n", "\r", "\n"]);

    expect(dataOf(events)).toEqual(["x"]);
  });
});

describe("SseDecoder fields", () => {
  it("accepts data without a space after the colon", () => {
    expect(dataOf(decodeChunks(["data:{}\n\n"]))).toEqual(["{}"]);
  });

  it("removes only one space after the colon", () => {
    expect(dataOf(decodeChunks(["data:  two\n\n"]))).toEqual([" two"]);
  });

  it("ignores comment lines", () => {
    const events = decodeChunks([": ping\n\n:\ndata: a\n: between lines\ndata: b\n\n"]);

    expect(dataOf(events)).toEqual(["a\nb"]);
  });

  it("joins several data lines with LF", () => {
    expect(dataOf(decodeChunks(['data: {\ndata: "a": 1\ndata: }\n\n']))).toEqual(['{\n"a": 1\n}']);
  });

  it("reads event and id fields", () => {
    const events = decodeChunks(["event: message\nid: 7\ndata: x\n\n"]);

    expect(events).toEqual([{ event: "message", data: "x", id: "7" }]);
  });

  it("resets the event type after each event", () => {
    const events = decodeChunks(["event: first\ndata: a\n\ndata: b\n\n"]);

    expect(events.map((event) => event.event)).toEqual(["first", undefined]);
  });

  it("keeps the last event id for later events", () => {
    const events = decodeChunks(["id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"]);

    expect(events.map((event) => event.id)).toEqual(["1", "1", "2"]);
  });

  it("ignores an id that contains NUL", () => {
    const events = decodeChunks(["id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n"]);

    expect(events.map((event) => event.id)).toEqual(["1", "1"]);
  });

  it("emits no event without data lines", () => {
    expect(decodeChunks(["event: ping\n\nid: 3\n\n\n\n"])).toEqual([]);
  });

  it("drops the type of an event without data", () => {
    const events = decodeChunks(["event: ping\n\ndata: a\n\n"]);

    expect(events).toEqual([{ event: undefined, data: "a", id: undefined }]);
  });

  it("reads a data field without a colon as empty data", () => {
    expect(dataOf(decodeChunks(["data\n\n"]))).toEqual([""]);
  });

  it("ignores unknown fields and retry", () => {
    expect(dataOf(decodeChunks(["retry: 1000\nfoo: bar\ndata: a\n\n"]))).toEqual(["a"]);
  });

  it("strips a byte order mark at the start", () => {
    const body = joinWrites([Uint8Array.of(0xef, 0xbb, 0xbf), "data: a\n\n"]);

    expect(dataOf(decodeChunks(splitAt(body, [1, 2])))).toEqual(["a"]);
  });

  it("keeps the field name case-sensitive", () => {
    expect(decodeChunks(["Data: a\n\n"])).toEqual([]);
  });
});

describe("SseDecoder line-size bound", () => {
  const limit = 64;
  /** A data line of exactly `size` bytes, field name included, line ending excluded. */
  const lineOfBytes = (size: number) => `data: ${"x".repeat(size - 6)}`;

  function decodeError(chunks: ReadonlyArray<string | Uint8Array>, maxLineBytes = limit): unknown {
    try {
      decodeChunks(chunks, maxLineBytes);
    } catch (error) {
      return error;
    }

    return undefined;
  }

  it("accepts a line of exactly the limit", () => {
    const line = lineOfBytes(limit);

    expect(dataOf(decodeChunks([`${line}\n\n`], limit))).toEqual([line.slice(6)]);
  });

  it("accepts a line of the limit one byte per read", () => {
    const line = lineOfBytes(limit);

    expect(dataOf(decodeChunks(byteByByte(bytes(`${line}\n\n`)), limit))).toEqual([line.slice(6)]);
  });

  it("rejects a line one byte over the limit", () => {
    const error = decodeError([`${lineOfBytes(limit + 1)}\n\n`]);

    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(isMistralError(error, "response_too_large")).toBe(true);
    expect((error as ResponseTooLargeError).limitBytes).toBe(limit);
    expect((error as Error).message).toContain("maxStreamLineBytes");
  });

  it("rejects the long line however reads split it", () => {
    const body = bytes(`data: a\n\n${lineOfBytes(limit + 1)}\n\n`);
    for (let offset = 0; offset <= body.byteLength; offset++) {
      const error = decodeError(splitAt(body, [offset]));
      expect(error, `split at byte ${offset}`).toBeInstanceOf(ResponseTooLargeError);
    }

    expect(decodeError(byteByByte(body))).toBeInstanceOf(ResponseTooLargeError);
  });

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    // "é" is 2 bytes in UTF-8: "data: " plus 29 of them is 64 bytes, 30 of them is 66.
    expect(dataOf(decodeChunks([`data: ${"é".repeat(29)}\n\n`], limit))).toHaveLength(1);
    expect(decodeError([`data: ${"é".repeat(30)}\n\n`])).toBeInstanceOf(ResponseTooLargeError);
  });

  it("rejects an unterminated line before the body ends", () => {
    const decoder = new SseDecoder(1000);
    const piece = bytes("x".repeat(100));
    let reads = 0;
    let thrown: unknown;
    try {
      decoder.push(bytes("data: "));
      for (; reads < 20; reads++) decoder.push(piece);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ResponseTooLargeError);
    // 6 + 10 * 100 bytes pass the 1000-byte limit during the tenth read.
    expect(reads).toBe(9);
  });

  it("rejects an event whose data lines together pass the limit", () => {
    const line = `data: ${"x".repeat(30)}\n`;

    expect(decodeError([line.repeat(3) + "\n"])).toBeInstanceOf(ResponseTooLargeError);
  });

  it("rejects a long comment line", () => {
    expect(decodeError([`: ${"x".repeat(limit)}\n\ndata: a\n\n`])).toBeInstanceOf(
      ResponseTooLargeError,
    );
  });

  it("accepts many short events past the limit in total", () => {
    const body = "data: 0123456789\n\n".repeat(50);

    expect(decodeChunks([body], limit)).toHaveLength(50);
  });
});

describe("SseDecoder taken one event at a time", () => {
  it("returns each data, then undefined", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);
    decoder.write(bytes("data: a\n\ndata: b\n\ndata: c"));

    expect(decoder.nextData()).toBe("a");
    expect(decoder.nextData()).toBe("b");
    expect(decoder.nextData()).toBeUndefined();
  });

  it("completes a held event on the next write", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);
    decoder.write(bytes("data: a\n"));

    expect(decoder.nextData()).toBeUndefined();
    decoder.write(bytes("\n"));
    expect(decoder.nextData()).toBe("a");
  });

  it("gives the event name of the taken data", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);
    decoder.write(bytes("event: first\ndata: 1\n\ndata: 2\n\n"));

    expect(decoder.nextData()).toBe("1");
    expect(decoder.takenEvent).toBe("first");
    expect(decoder.nextData()).toBe("2");
    expect(decoder.takenEvent).toBeUndefined();
  });

  it("joins data lines before a single-line event", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);
    decoder.write(bytes("data: a\ndata: b\n\ndata: c\n\n"));

    expect(decoder.nextData()).toBe("a\nb");
    expect(decoder.nextData()).toBe("c");
  });

  it("keeps the last id on events", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);
    decoder.write(bytes("id: 7\ndata: a\n\ndata: b\n\n"));

    expect(decoder.nextEvent()).toEqual({ event: undefined, data: "a", id: "7" });
    expect(decoder.nextEvent()).toEqual({ event: undefined, data: "b", id: "7" });
  });

  it("ends a last event without its blank line on close", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);
    decoder.write(bytes("data: a\n\ndata: [DONE]"));
    decoder.close();

    expect(decoder.nextData()).toBe("a");
    expect(decoder.nextData()).toBe("[DONE]");
    expect(decoder.nextData()).toBeUndefined();
  });

  it("takes events after a write that was not drained", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);
    decoder.write(bytes("data: a\r"));
    decoder.write(bytes("\n\r\ndata: b\n\n"));

    expect(decoder.nextData()).toBe("a");
    expect(decoder.nextData()).toBe("b");
  });

  it("rejects a line without end", () => {
    const decoder = new SseDecoder(100);
    const decode = () => {
      decoder.write(bytes(`data: ${"x".repeat(200)}`));
      decoder.nextData();
    };

    expect(decode).toThrow(ResponseTooLargeError);
  });

  it("rejects a line without end sent in small reads", () => {
    const decoder = new SseDecoder(100);
    let reads = 0;
    const decode = () => {
      decoder.write(bytes("data: "));
      for (; reads < 50; reads++) {
        decoder.write(bytes("xxxx"));
        decoder.nextData();
      }
    };

    expect(decode).toThrow(ResponseTooLargeError);
    // 6 + 24 * 4 = 102 bytes pass the 100-byte bound during read 24.
    expect(reads).toBe(23);
  });

  it("keeps a line sent in small reads whole", () => {
    const decoder = new SseDecoder(defaultMaxLineBytes);
    decoder.write(bytes("data: "));
    for (const piece of ["ab", "cd", "é", "f\n"]) {
      decoder.write(bytes(piece));
      expect(decoder.nextData()).toBeUndefined();
    }

    decoder.write(bytes("\n"));
    expect(decoder.nextData()).toBe("abcdéf");
  });
});
