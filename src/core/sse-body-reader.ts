import { parseErrorBody } from "./error-body.js";
import { createApiError } from "./errors/api-error.js";
import { isMistralError, type MistralError } from "./errors/mistral-error.js";
import { AbortError, ResponseTooLargeError, StreamError } from "./errors/transport-errors.js";
import { redactedCause } from "./network-error.js";
import { type ServerSentEvent, SseDecoder } from "./sse-decoder.js";
import type { ApiResponse } from "./transport.js";

/** Maximum length of a bad payload kept on a StreamError. */
export const maxPayloadPreview = 200;

/** Max length of server text quoted in an error message, in characters. */
export const maxQuotedMessage = 300;

/** Bytes read of a body that is not an event stream, for the error message. The rest is dropped. */
const maxOtherBodyBytes = 64 * 1024;

/** Limits of one event stream, in bytes. */
export interface StreamLimits {
  /** Bound of one line and of the data of one event (`maxStreamLineBytes`). */
  maxLineBytes: number;
  /** Bound of the whole body (`maxResponseBytes`). Default: no bound. */
  maxStreamBytes?: number | undefined;
}

/**
 * Reads an SSE response body one read at a time and decodes the events each read completes.
 * Every read counts as activity for the attempt's idle timer, and the body is bounded by
 * `maxStreamBytes`. The owner calls `close()` once, whatever the outcome.
 */
export class SseBodyReader {
  readonly #api: ApiResponse;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder: SseDecoder;
  readonly #maxStreamBytes: number;
  #receivedBytes = 0;
  #bodyEnded = false;

  /** Throws a StreamError, after ending the attempt's timers, when the response has no body. */
  constructor(api: ApiResponse, limits: StreamLimits) {
    const body = api.response.body;
    if (body === null) {
      api.timer.finish();
      throw new StreamError(`The response of ${api.description} has no body`);
    }

    this.#api = api;
    this.#reader = api.timer.readerOf(body);
    this.#decoder = new SseDecoder(limits.maxLineBytes);
    this.#maxStreamBytes = limits.maxStreamBytes ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Fails with an error that quotes the start of the body when the content type is not
   * `text/event-stream`, such as an HTML page from a proxy or JSON from a server that ignored
   * `stream: true`. A response without a content type passes.
   */
  async checkContentType(): Promise<void> {
    const contentType = this.#api.response.headers.get("content-type");
    if (contentType !== null && !/^\s*text\/event-stream\b/i.test(contentType)) {
      throw await notAnEventStream(this.#api, this.#reader, contentType);
    }
  }

  /**
   * Reads once into the decoder. Resolves to false once the body has ended, after which the
   * decoder still contains the events of the last reads.
   */
  read(): Promise<boolean> {
    if (this.#bodyEnded) return Promise.resolve(false);
    // One promise per read rather than an async function per step, because a paced stream brings
    // one event per read.
    return this.#reader.read().then(this.#writeChunk, this.#readFailed);
  }

  /** Data of the next event the reads so far completed, or undefined when there is none. */
  nextData(): string | undefined {
    return this.#decoder.nextData();
  }

  /**
   * Reads once and returns the events that read completed, possibly none. When the body ends it
   * returns the events still held by the decoder once, then undefined.
   */
  readEvents(): Promise<ServerSentEvent[] | undefined> {
    if (this.#bodyEnded) return Promise.resolve(undefined);
    return this.read().then(this.#takeEvents);
  }

  readonly #takeEvents = (): ServerSentEvent[] => this.#decoder.takeEvents();

  readonly #writeChunk = (chunk: ReadableStreamReadResult<Uint8Array>): boolean => {
    if (chunk.done) {
      this.#bodyEnded = true;
      this.#decoder.close();
      return false;
    }

    this.#api.timer.activity();
    this.#receivedBytes += chunk.value.byteLength;
    if (this.#receivedBytes > this.#maxStreamBytes) {
      throw streamTooLarge(this.#api, this.#maxStreamBytes);
    }

    this.#decoder.write(chunk.value);
    return true;
  };

  readonly #readFailed = (error: unknown): never => {
    throw this.#api.timer.failure ?? cutOff(this.#api, error);
  };

  /**
   * Ends the attempt's timers and cancels the rest of the body, which closes the connection.
   * `early` is true when the stream stopped before its end marker or the end of the body. The
   * attempt is then aborted and the call ends as aborted, unless a timeout or abort ended it.
   */
  close(early: boolean): void {
    const { timer } = this.#api;
    if (early && timer.failure === undefined) {
      timer.abort(
        new AbortError(`The stream of ${this.#api.description} was closed before its end`),
      );
      this.#api.call?.end({ error: timer.failure });
    }

    timer.finish();
    this.#reader.cancel().catch(() => {});
  }
}

async function readChunk(
  api: ApiResponse,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (error) {
    throw api.timer.failure ?? cutOff(api, error);
  }
}

function streamTooLarge(api: ApiResponse, maxBytes: number): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `The stream of ${api.description} is longer than ${maxBytes} bytes (maxResponseBytes): ` +
      "raise maxResponseBytes or lower max_tokens",
    { limitBytes: maxBytes, requestId: api.requestId },
  );
}

/**
 * Builds the error for a stream request whose response has another content type. It reads the
 * first `maxOtherBodyBytes` of the body. A JSON error envelope becomes the MistralApiError it
 * describes.
 */
async function notAnEventStream(
  api: ApiResponse,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  contentType: string,
): Promise<MistralError> {
  const text = api.redact(await readStart(api, reader, maxOtherBodyBytes));
  const mismatch = `The server responded to ${api.description} with ${contentType} instead of an event stream`;
  const parsed = parseErrorBody(text);
  if (/^\s*{/.test(text) && parsed.message !== undefined && isErrorBody(text)) {
    return createApiError({
      status: api.response.status,
      message: `${parsed.message} (${mismatch}): retry the request later`,
      serverMessage: parsed.serverMessage,
      requestId: parsed.requestId ?? api.requestId,
      code: parsed.code,
      type: parsed.type,
      param: parsed.param,
      body: text.slice(0, maxOtherBodyBytes),
      issues: parsed.issues,
      headers: api.response.headers,
    });
  }

  const quoted = textOfBody(text).slice(0, maxQuotedMessage);
  return new StreamError(`${mismatch}: ${quoted === "" ? "(empty body)" : quoted}; check baseURL`, {
    payload: text.slice(0, maxPayloadPreview),
    requestId: api.requestId,
  });
}

/** Checks for an error envelope: `{object: "error", ...}`, or `{error: ...}` from gateways. */
export function isErrorObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const record = value as { object?: unknown; error?: unknown };
  return record.object === "error" || (record.error !== undefined && record.error !== null);
}

/** Checks that a text is a JSON object with the fields of an error envelope, not a result. */
function isErrorBody(text: string): boolean {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return isErrorObject(value) || "detail" in value || typeof value.message === "string";
  } catch {
    return false;
  }
}

/** Text of a body for a message: HTML tags removed and white space collapsed. */
function textOfBody(text: string): string {
  return text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Reads up to about `maxBytes` of a body (one read past it at most) and decodes it as UTF-8. */
async function readStart(
  api: ApiResponse,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
): Promise<string> {
  const decoder = new TextDecoder("utf-8");
  let text = "";
  let bytes = 0;
  while (bytes < maxBytes) {
    const chunk = await readChunk(api, reader);
    if (chunk.done) break;
    api.timer.activity();
    bytes += chunk.value.byteLength;
    text += decoder.decode(chunk.value, { stream: true });
  }

  return text + decoder.decode();
}

function cutOff(api: ApiResponse, error: unknown): Error {
  if (isMistralError(error)) {
    return error;
  }

  return new StreamError(
    `The connection closed while reading the stream of ${api.description}: ` +
      "the output is incomplete; retry the request",
    { cause: redactedCause(error, api.redact), requestId: api.requestId },
  );
}
