import { ResponseTooLargeError } from "./errors/transport-errors.js";

/** One server-sent event. `event` is undefined when the server sent no `event:` field. */
export interface ServerSentEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

/**
 * Incremental decoder of `text/event-stream` bodies (WHATWG HTML, section 9.2.6). Bytes are
 * decoded with one streaming TextDecoder, so a UTF-8 character split across reads stays whole,
 * and an event is emitted only once its terminating blank line has arrived. A line, and the data
 * lines of one event together, longer than `maxLineBytes` fail with a ResponseTooLargeError
 * instead of growing memory without bound.
 */
export class SseDecoder {
  readonly #decoder = new TextDecoder("utf-8");
  readonly #maxLineBytes: number;
  #buffer = "";
  #data: string[] = [];
  /**
   * Size of the data lines of the event being read, each counted whole with its field name and
   * line end, so that empty `data:` lines count too. UTF-16 code units while the total is at most
   * a third of the bound (each unit is at most 3 UTF-8 bytes), exact UTF-8 bytes after that.
   */
  #dataSize = 0;
  #dataSizeIsExact = false;
  #event: string | undefined;
  #id: string | undefined;
  /** True when the last chunk ended with CR, so an LF at the start of the next one is skipped. */
  #pendingCarriageReturn = false;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Decodes one chunk of bytes and returns the events it completed, in order. */
  push(chunk: Uint8Array): ServerSentEvent[] {
    return this.#pushText(this.#decoder.decode(chunk, { stream: true }));
  }

  /**
   * Ends the body. A last line or event without its terminating newline is still processed, since
   * servers often close right after `data: [DONE]`.
   */
  end(): ServerSentEvent[] {
    const events = this.#pushText(this.#decoder.decode());
    if (this.#buffer.length > 0) {
      this.#handleLine(this.#buffer, 0, this.#buffer.length, events);
      this.#buffer = "";
    }

    const last = this.#dispatch();
    if (last) events.push(last);
    return events;
  }

  #pushText(text: string): ServerSentEvent[] {
    // An empty read must not clear a pending CR, or a CRLF split around it would end two lines.
    if (text.length === 0) return [];
    const events: ServerSentEvent[] = [];
    let input = this.#buffer.length === 0 ? text : this.#buffer + text;
    let start = 0;
    if (this.#pendingCarriageReturn && input.charCodeAt(0) === 10) {
      start = 1;
    }

    this.#pendingCarriageReturn = false;
    // Servers almost always end lines with LF alone. Then indexOf, which scans natively, finds
    // every line end, and a CR anywhere in the text falls back to a loop over each character.
    start =
      input.indexOf("\r", start) === -1
        ? this.#splitOnLineFeeds(input, start, events)
        : this.#splitOnAnyLineEnd(input, start, events);
    input = start >= input.length ? "" : input.slice(start);
    this.#checkLineLength(input);
    this.#buffer = input;
    return events;
  }

  /** Handles every LF-terminated line from `start` and returns where the unfinished line begins. */
  #splitOnLineFeeds(input: string, start: number, events: ServerSentEvent[]): number {
    let end = input.indexOf("\n", start);
    while (end !== -1) {
      this.#handleLine(input, start, end, events);
      start = end + 1;
      end = input.indexOf("\n", start);
    }

    return start;
  }

  /** Handles lines ended by LF, CR or CRLF and returns where the unfinished line begins. */
  #splitOnAnyLineEnd(input: string, start: number, events: ServerSentEvent[]): number {
    const length = input.length;
    for (let index = start; index < length; index++) {
      const code = input.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      const end = index;
      if (code === 13) {
        if (index + 1 < length) {
          if (input.charCodeAt(index + 1) === 10) index++;
        } else {
          this.#pendingCarriageReturn = true;
        }
      }

      this.#handleLine(input, start, end, events);
      start = index + 1;
    }

    return start;
  }

  /** Handles the line `input[start, end)`. A `data:` line is read without copying it first. */
  #handleLine(input: string, start: number, end: number, events: ServerSentEvent[]): void {
    if (end === start) {
      const event = this.#dispatch();
      if (event) events.push(event);
      return;
    }

    if (end - start > this.#maxLineBytes / 3 || !input.startsWith("data:", start)) {
      this.#processLine(input.slice(start, end));
      return;
    }

    const valueStart = input.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
    this.#appendData(input.slice(valueStart, end), end - start);
  }

  #processLine(line: string): void {
    // Whole lines are checked too, so the bound does not depend on where reads split the body.
    this.#checkLineLength(line);
    const colon = line.indexOf(":");
    if (colon === 0) return;
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") {
      this.#appendData(value, line.length);
    } else if (field === "event") {
      this.#event = value;
    } else if (field === "id" && !value.includes("\0")) {
      this.#id = value;
    }
  }

  /**
   * Adds a data value to the event, counting its whole line (`lineLength` code units) and the line
   * end. A running total keeps the check linear in the size of the event.
   */
  #appendData(value: string, lineLength: number): void {
    this.#data.push(value);
    if (this.#dataSizeIsExact) {
      this.#dataSize += lineLength - value.length + utf8Length(value) + 1;
    } else {
      this.#dataSize += lineLength + 1;
      if (this.#dataSize <= this.#maxLineBytes / 3) return;
      this.#dataSize = this.#exactDataBytes();
      this.#dataSizeIsExact = true;
    }

    if (this.#dataSize > this.#maxLineBytes) throw this.#tooLarge();
  }

  /**
   * Counts the event's data in UTF-8 bytes, once per event, when the UTF-16 estimate passes a
   * third of the bound. Each line is counted as `data:` plus its value plus the line end. An
   * optional space after the colon is not known any more and is left out, so the count is never
   * above the bytes received.
   */
  #exactDataBytes(): number {
    let bytes = 0;
    for (const value of this.#data) bytes += utf8Length(value) + 6;
    return bytes;
  }

  #dispatch(): ServerSentEvent | undefined {
    if (this.#data.length === 0) {
      this.#event = undefined;
      return undefined;
    }

    const data = this.#data.length === 1 ? this.#data[0]! : this.#data.join("\n");
    const event = { event: this.#event, data, id: this.#id };
    this.#data = [];
    this.#dataSize = 0;
    this.#dataSizeIsExact = false;
    this.#event = undefined;
    return event;
  }

  /** Compares UTF-16 length first: a string is at most 3 UTF-8 bytes per code unit. */
  #checkLineLength(text: string): void {
    if (text.length <= this.#maxLineBytes / 3) return;
    const bytes = text.length > this.#maxLineBytes ? text.length : utf8Length(text);
    if (bytes > this.#maxLineBytes) throw this.#tooLarge();
  }

  #tooLarge(): ResponseTooLargeError {
    return new ResponseTooLargeError(
      `A stream line or event is longer than ${this.#maxLineBytes} bytes (maxStreamLineBytes): ` +
        "raise maxStreamLineBytes if the server sends larger events",
      { limitBytes: this.#maxLineBytes },
    );
  }
}

/** Counts the UTF-8 bytes of a string without encoding it. A lone surrogate counts 3, as U+FFFD. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      // A pair is 2 code units and 4 bytes.
      bytes += 2;
      index++;
    } else {
      bytes += 2;
    }
  }

  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
