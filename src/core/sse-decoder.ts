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
 *
 * Events are decoded as they are taken: `write()` adds a read's bytes, then `nextData()` or
 * `nextEvent()` returns one event at a time until the text contains no complete event. Nothing is
 * built for events not yet taken, and an event of one `data:` line costs one string.
 */
export class SseDecoder {
  readonly #decoder = new TextDecoder("utf-8");
  readonly #maxLineBytes: number;
  /** Max line length, in UTF-16 code units, that is under the bound whatever its characters. */
  readonly #shortLine: number;
  /** Text received and not yet decoded into events, from `#cursor` on. */
  #text = "";
  #cursor = 0;
  /** True when `#text` contains a CR, so lines may end with CR or CRLF and not only LF. */
  #textHasCarriageReturn = false;
  /** True when the last text ended with CR, so an LF at the start of the next one is skipped. */
  #pendingCarriageReturn = false;
  /**
   * The unfinished line once every complete event was taken, in the pieces it arrived in. It is
   * joined only when a line end arrives, so a long line sent in small reads is not copied and
   * scanned again at each read. While it has pieces, `#text` is empty.
   */
  #restPieces: string[] = [];
  /** UTF-16 length of `#restPieces`. */
  #restLength = 0;
  /** UTF-8 bytes of `#restPieces`, counted once the length passes a third of the bound. */
  #restBytes: number | undefined;
  /** Index in `#text` before which no line end can be: the searches for one start there. */
  #searchFrom = 0;
  /** Data lines of the event being read: the first alone, the others in `#moreData`. */
  #firstData: string | undefined;
  #moreData: string[] = [];
  /**
   * Size of the data lines of the event being read, each counted whole with its field name and
   * line end, so that empty `data:` lines count too. UTF-16 code units while the total is at most
   * a third of the bound (each unit is at most 3 UTF-8 bytes), exact UTF-8 bytes after that.
   */
  #dataSize = 0;
  #dataSizeIsExact = false;
  #event: string | undefined;
  #id: string | undefined;
  /** `event:` field of the event `nextData()` returned last. */
  #takenEvent: string | undefined;
  #ended = false;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
    this.#shortLine = Math.floor(maxLineBytes / 3);
  }

  /** Adds one read of the body. Its events are then taken with `nextData()` or `nextEvent()`. */
  write(chunk: Uint8Array): void {
    this.#append(this.#decoder.decode(chunk, { stream: true }));
  }

  /**
   * Ends the body. A last line or event without its terminating newline is still decoded, since
   * servers often close right after `data: [DONE]`.
   */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    // Two line ends finish a last line and then its event, as if the server had sent them.
    this.#append(`${this.#decoder.decode()}\n\n`);
  }

  /**
   * Returns the data of the next complete event, or undefined when the text received so far
   * contains none. `takenEvent` is then that event's `event:` field.
   */
  nextData(): string | undefined {
    if (this.#textHasCarriageReturn) return this.#nextDataAnyLineEnd();
    const text = this.#text;
    let start = this.#cursor;
    let end = text.indexOf("\n", Math.max(start, this.#searchFrom));
    while (end !== -1) {
      if (end === start) {
        start++;
        const data = this.#dispatch();
        if (data !== undefined) {
          this.#cursor = start;
          return data;
        }
      } else if (
        // The common event: one short `data:` line and a blank line, with no data before it.
        this.#firstData === undefined &&
        text.charCodeAt(end + 1) === 10 &&
        end - start <= this.#shortLine &&
        text.startsWith("data:", start)
      ) {
        const valueStart = text.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
        this.#cursor = end + 2;
        this.#takenEvent = this.#event;
        this.#event = undefined;
        return text.slice(valueStart, end);
      } else {
        this.#handleLine(text, start, end);
        start = end + 1;
      }

      end = text.indexOf("\n", start);
    }

    this.#keepRest(start);
    return undefined;
  }

  /** `event:` field of the event whose data `nextData()` returned last. */
  get takenEvent(): string | undefined {
    return this.#takenEvent;
  }

  /** Returns the next complete event, or undefined when the text received so far contains none. */
  nextEvent(): ServerSentEvent | undefined {
    const data = this.nextData();
    if (data === undefined) return undefined;
    return { event: this.#takenEvent, data, id: this.#id };
  }

  /** Decodes one read and returns the events it completed, in order. */
  push(chunk: Uint8Array): ServerSentEvent[] {
    this.write(chunk);
    return this.takeEvents();
  }

  /** Ends the body and returns the events it completed, in order. */
  end(): ServerSentEvent[] {
    this.close();
    return this.takeEvents();
  }

  /** Returns every complete event of the text received so far, in order. */
  takeEvents(): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    for (let event = this.nextEvent(); event !== undefined; event = this.nextEvent()) {
      events.push(event);
    }

    return events;
  }

  #append(text: string): void {
    // An empty read must not clear a pending CR, or a CRLF split around it would end two lines.
    if (text.length === 0) return;
    let added = text;
    if (this.#pendingCarriageReturn) {
      this.#pendingCarriageReturn = false;
      // The LF of a CRLF split between two reads: the CR already ended the line.
      if (text.charCodeAt(0) === 10) added = text.slice(1);
      if (added.length === 0) return;
    }

    const addsCarriageReturn = added.indexOf("\r") !== -1;
    const addsLineEnd = addsCarriageReturn || added.indexOf("\n") !== -1;
    if (!addsLineEnd && this.#text.length === 0) {
      // Every complete event was taken, so the text is one unfinished line that grows.
      this.#growRest(added);
      return;
    }

    const drained = this.#text.length === 0;
    const rest = drained ? this.#takeRestPieces() : this.#text.slice(this.#cursor);
    this.#text = rest.length === 0 ? added : rest + added;
    this.#cursor = 0;
    // The rest of a drained text contains no line end, so the searches skip it.
    this.#searchFrom = drained ? rest.length : 0;
    // Servers almost always end lines with LF alone. Then indexOf, which scans natively, finds
    // every line end, and a CR anywhere in the text switches to a loop over each character.
    this.#textHasCarriageReturn = drained ? addsCarriageReturn : this.#text.indexOf("\r") !== -1;
  }

  /** Adds a piece without line end to the unfinished line, within the bound of a line. */
  #growRest(piece: string): void {
    this.#restPieces.push(piece);
    this.#restLength += piece.length;
    if (this.#restLength <= this.#shortLine) return;
    this.#restBytes =
      this.#restBytes === undefined
        ? this.#restPieces.reduce((bytes, item) => bytes + utf8Length(item), 0)
        : this.#restBytes + utf8Length(piece);
    if (this.#restBytes > this.#maxLineBytes) throw this.#tooLarge();
  }

  /** Joins the pieces of the unfinished line, once, and clears them. */
  #takeRestPieces(): string {
    const rest = this.#restPieces.length === 1 ? this.#restPieces[0]! : this.#restPieces.join("");
    this.#restPieces = [];
    this.#restLength = 0;
    this.#restBytes = undefined;
    return rest;
  }

  /**
   * Moves the unfinished line that starts at `start` out of the text, once every complete event
   * was taken, and checks it against the bound.
   */
  #keepRest(start: number): void {
    const text = this.#text;
    this.#text = "";
    this.#cursor = 0;
    this.#searchFrom = 0;
    if (start < text.length) this.#growRest(text.slice(start));
  }

  /** `nextData()` for text whose lines may end with LF, CR or CRLF. */
  #nextDataAnyLineEnd(): string | undefined {
    const text = this.#text;
    const length = text.length;
    let start = this.#cursor;
    for (let index = Math.max(start, this.#searchFrom); index < length; index++) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      const end = index;
      if (code === 13) {
        if (index + 1 < length) {
          if (text.charCodeAt(index + 1) === 10) index++;
        } else {
          this.#pendingCarriageReturn = true;
        }
      }

      const lineStart = start;
      start = index + 1;
      if (end === lineStart) {
        const data = this.#dispatch();
        if (data !== undefined) {
          this.#cursor = start;
          return data;
        }
      } else {
        this.#handleLine(text, lineStart, end);
      }
    }

    this.#keepRest(start);
    return undefined;
  }

  /** Handles the line `text[start, end)`. A `data:` line is read without copying it first. */
  #handleLine(text: string, start: number, end: number): void {
    if (end - start > this.#shortLine || !text.startsWith("data:", start)) {
      this.#processLine(text.slice(start, end));
      return;
    }

    const valueStart = text.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
    this.#appendData(text.slice(valueStart, end), end - start);
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
    if (this.#firstData === undefined) {
      this.#firstData = value;
    } else {
      this.#moreData.push(value);
    }

    if (this.#dataSizeIsExact) {
      this.#dataSize += lineLength - value.length + utf8Length(value) + 1;
    } else {
      this.#dataSize += lineLength + 1;
      if (this.#dataSize <= this.#shortLine) return;
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
    let bytes = utf8Length(this.#firstData ?? "") + 6;
    for (const value of this.#moreData) bytes += utf8Length(value) + 6;
    return bytes;
  }

  /** Ends the event at a blank line and returns its data, or undefined when it had none. */
  #dispatch(): string | undefined {
    const first = this.#firstData;
    this.#takenEvent = this.#event;
    this.#event = undefined;
    if (first === undefined) return undefined;
    let data = first;
    if (this.#moreData.length > 0) {
      data = `${first}\n${this.#moreData.join("\n")}`;
      this.#moreData = [];
    }

    this.#firstData = undefined;
    this.#dataSize = 0;
    this.#dataSizeIsExact = false;
    return data;
  }

  /** Compares UTF-16 length first: a string is at most 3 UTF-8 bytes per code unit. */
  #checkLineLength(text: string): void {
    if (text.length <= this.#shortLine) return;
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
