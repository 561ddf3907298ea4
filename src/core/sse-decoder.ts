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
 * and an event is emitted only once its terminating blank line has arrived. Lines longer than
 * `maxLineBytes` fail with a ResponseTooLargeError instead of growing memory without bound.
 */
export class SseDecoder {
  readonly #decoder = new TextDecoder("utf-8");
  readonly #maxLineBytes: number;
  #buffer = "";
  #data: string[] = [];
  /** UTF-16 length of the data lines of the event being read. */
  #dataLength = 0;
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
      this.#processLine(this.#buffer);
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
    const length = input.length;
    for (let index = start; index < length; index++) {
      const code = input.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      const line = input.slice(start, index);
      if (code === 13) {
        if (index + 1 < length) {
          if (input.charCodeAt(index + 1) === 10) index++;
        } else {
          this.#pendingCarriageReturn = true;
        }
      }

      start = index + 1;
      if (line.length === 0) {
        const event = this.#dispatch();
        if (event) events.push(event);
      } else {
        this.#processLine(line);
      }
    }

    input = start >= length ? "" : input.slice(start);
    this.#checkLineLength(input);
    this.#buffer = input;
    return events;
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
      this.#data.push(value);
      this.#dataLength += value.length;
      if (this.#dataLength > this.#maxLineBytes / 3) this.#checkLineLength(this.#data.join("\n"));
    } else if (field === "event") {
      this.#event = value;
    } else if (field === "id" && !value.includes("\0")) {
      this.#id = value;
    }
  }

  #dispatch(): ServerSentEvent | undefined {
    if (this.#data.length === 0) {
      this.#event = undefined;
      return undefined;
    }

    const data = this.#data.length === 1 ? this.#data[0]! : this.#data.join("\n");
    const event = { event: this.#event, data, id: this.#id };
    this.#data = [];
    this.#dataLength = 0;
    this.#event = undefined;
    return event;
  }

  /** Compares UTF-16 length first: a string is at most 3 UTF-8 bytes per code unit. */
  #checkLineLength(text: string): void {
    if (text.length <= this.#maxLineBytes / 3) return;
    const bytes = text.length > this.#maxLineBytes ? text.length : utf8Length(text);
    if (bytes > this.#maxLineBytes) {
      throw new ResponseTooLargeError(
        `A stream line is longer than ${this.#maxLineBytes} bytes (maxStreamLineBytes): ` +
          "raise maxStreamLineBytes if the server sends larger events",
        { limitBytes: this.#maxLineBytes },
      );
    }
  }
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
