// Compares the library's SSE decoder (src/core/sse-decoder.ts, loaded through tsx) with a
// prototype that finds line ends with `indexOf` and reads `data:` lines without splitting them
// into field and value first. Both decode the same 20,000-chunk stream, split as the network
// splits it: 64 KiB reads, and one event per read. Also prices each layer of async generator
// that a chunk passes through. Run: node --import tsx bench/experiments/sse-decoder.mjs

import { SseDecoder } from "../../src/core/sse-decoder.ts";
import { streamEvents } from "../payloads.mjs";
import { median } from "../stats.mjs";

const maxLineBytes = 1024 * 1024;

/** Prototype with the same rules as SseDecoder: LF, CR and CRLF end lines, `:` starts a comment. */
class IndexOfSseDecoder {
  #decoder = new TextDecoder("utf-8");
  #buffer = "";
  #data = [];
  #event = undefined;
  #id = undefined;
  #pendingCarriageReturn = false;

  push(chunk) {
    return this.#pushText(this.#decoder.decode(chunk, { stream: true }));
  }

  #pushText(text) {
    if (text.length === 0) return [];
    const input = this.#buffer.length === 0 ? text : this.#buffer + text;
    let start = 0;
    if (this.#pendingCarriageReturn && input.charCodeAt(0) === 10) start = 1;
    this.#pendingCarriageReturn = false;
    const events = [];
    // Servers almost always end lines with LF alone, and then indexOf("\n") finds every end.
    start =
      input.indexOf("\r", start) === -1
        ? this.#splitOnLineFeeds(input, start, events)
        : this.#splitAnyLineEnd(input, start, events);
    this.#buffer = start >= input.length ? "" : input.slice(start);
    if (this.#buffer.length > maxLineBytes / 3) throw new Error("line too long");
    return events;
  }

  #splitOnLineFeeds(input, start, events) {
    let end = input.indexOf("\n", start);
    while (end !== -1) {
      this.#line(input, start, end, events);
      start = end + 1;
      end = input.indexOf("\n", start);
    }

    return start;
  }

  #splitAnyLineEnd(input, start, events) {
    for (let index = start; index < input.length; index++) {
      const code = input.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      this.#line(input, start, index, events);
      if (code === 13) {
        if (index + 1 === input.length) this.#pendingCarriageReturn = true;
        else if (input.charCodeAt(index + 1) === 10) index++;
      }

      start = index + 1;
    }

    return start;
  }

  #line(input, start, end, events) {
    if (end === start) {
      if (this.#data.length > 0) {
        const data = this.#data.length === 1 ? this.#data[0] : this.#data.join("\n");
        events.push({ event: this.#event, data, id: this.#id });
        this.#data = [];
      }

      this.#event = undefined;
      return;
    }

    if (end - start > maxLineBytes / 3) throw new Error("line too long");
    if (input.startsWith("data:", start)) {
      const valueStart = input.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
      this.#data.push(input.slice(valueStart, end));
      return;
    }

    const line = input.slice(start, end);
    const colon = line.indexOf(":");
    if (colon === 0) return;
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\0")) this.#id = value;
  }
}

function splitBody(events, perRead) {
  const encoder = new TextEncoder();
  if (perRead === "event") return events.map((event) => encoder.encode(event));
  const body = encoder.encode(events.join(""));
  const reads = [];
  for (let offset = 0; offset < body.length; offset += perRead) {
    reads.push(body.subarray(offset, offset + perRead));
  }

  return reads;
}

function decodeAll(Decoder, reads) {
  const decoder = new Decoder(maxLineBytes);
  let count = 0;
  for (const read of reads) count += decoder.push(read).length;
  return count;
}

function timeDecoder(Decoder, reads, expected) {
  const samples = [];
  for (let round = 0; round < 15; round++) {
    const start = process.hrtime.bigint();
    const count = decodeAll(Decoder, reads);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (count !== expected) throw new Error(`${Decoder.name} decoded ${count} of ${expected}`);
    if (round >= 5) samples.push(elapsed / count);
  }

  return median(samples);
}

async function* fromArray(items) {
  for (const item of items) yield item;
}

async function* passThrough(source) {
  for await (const item of source) yield item;
}

async function timeGeneratorLayers(layers, items) {
  const samples = [];
  for (let round = 0; round < 15; round++) {
    let source = fromArray(items);
    for (let layer = 1; layer < layers; layer++) source = passThrough(source);
    const start = process.hrtime.bigint();
    for await (const _item of source) {
      // Only the hand-over between generators is timed.
    }
    if (round >= 5) samples.push(Number(process.hrtime.bigint() - start) / items.length);
  }

  return median(samples);
}

const events = streamEvents("mistral-small-latest", 20_000);
const dataEvents = events.length;
console.log(`decoding ${dataEvents} events (${events[1].length} bytes each), ns per event:`);
for (const perRead of [65_536, "event"]) {
  const reads = splitBody(events, perRead);
  const current = timeDecoder(SseDecoder, reads, dataEvents);
  const prototype = timeDecoder(IndexOfSseDecoder, reads, dataEvents);
  const label = perRead === "event" ? "one event per read" : "64 KiB reads";
  console.log(
    `  ${label}: SseDecoder ${current.toFixed(0)}, indexOf prototype ${prototype.toFixed(0)}`,
  );
}

const payloads = events.slice(0, -1).map((event) => event.slice(6, -2));
const parseStart = process.hrtime.bigint();
for (const payload of payloads) JSON.parse(payload);
const parseNs = Number(process.hrtime.bigint() - parseStart) / payloads.length;
console.log(`  JSON.parse of one chunk, for scale: ${parseNs.toFixed(0)}`);

console.log("async generator layers between the decoder and the caller, ns per item:");
const items = Array.from({ length: 20_000 }, (_, index) => ({ index }));
for (const layers of [1, 2, 3]) {
  console.log(`  ${layers}: ${(await timeGeneratorLayers(layers, items)).toFixed(0)}`);
}
