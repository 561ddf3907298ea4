import { parseErrorBody } from "./error-body.js";
import { createApiError } from "./errors/api-error.js";
import { isMistralError, type MistralError } from "./errors/mistral-error.js";
import { AbortError, ResponseTooLargeError, StreamError } from "./errors/transport-errors.js";
import { type ServerSentEvent, SseDecoder } from "./sse-decoder.js";
import type { ApiResponse } from "./transport.js";

/** Maximum length of a bad payload kept on a StreamError. */
const maxPayloadPreview = 200;

/** Max length of server text quoted in an error message, in characters. */
const maxQuotedMessage = 300;

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
 * Yields the events of an SSE response, all those completed by one read in one array. Leaving the
 * loop early, a timeout or an abort cancels the body, which closes the connection. The attempt's
 * timers end with the stream. A response with a content type other than `text/event-stream`
 * fails with an error that quotes the start of its body.
 */
export async function* readServerSentEventBatches(
  api: ApiResponse,
  limits: StreamLimits,
  state: StreamState = { ended: false },
): AsyncGenerator<ServerSentEvent[], void, undefined> {
  const { response, timer } = api;
  const body = response.body;
  if (body === null) {
    timer.finish();
    throw new StreamError(`The response of ${api.description} has no body`);
  }

  const reader = body.getReader();
  const decoder = new SseDecoder(limits.maxLineBytes);
  const maxStreamBytes = limits.maxStreamBytes ?? Number.POSITIVE_INFINITY;
  let receivedBytes = 0;
  let completed = false;
  try {
    const contentType = response.headers.get("content-type");
    if (contentType !== null && !/^\s*text\/event-stream\b/i.test(contentType)) {
      throw await notAnEventStream(api, reader, contentType);
    }

    for (;;) {
      const chunk = await readChunk(api, reader);
      if (chunk.done) break;
      timer.activity();
      receivedBytes += chunk.value.byteLength;
      if (receivedBytes > maxStreamBytes) throw streamTooLarge(api, maxStreamBytes);
      const events = decoder.push(chunk.value);
      if (events.length > 0) yield events;
    }

    const last = decoder.end();
    if (last.length > 0) yield last;
    completed = true;
  } catch (error) {
    api.call?.end({ error: error as MistralError });
    throw error;
  } finally {
    if (!completed && !state.ended && timer.failure === undefined) {
      timer.abort(new AbortError(`The stream of ${api.description} was closed before its end`));
      api.call?.end({ error: timer.failure });
    }

    timer.finish();
    reader.cancel().catch(() => {});
    if (!state.endedByCaller) api.call?.end();
  }
}

/**
 * Yields the events of an SSE response one by one, as they complete. `maxLineBytes` bounds one
 * line and the data of one event. See {@link readServerSentEventBatches}.
 */
export async function* readServerSentEvents(
  api: ApiResponse,
  maxLineBytes: number,
  state: StreamState = { ended: false },
): AsyncGenerator<ServerSentEvent, void, undefined> {
  for await (const events of readServerSentEventBatches(api, { maxLineBytes }, state)) {
    yield* events;
  }
}

/** Set `ended` before leaving the loop when the stream's own end marker was read. */
export interface StreamState {
  ended: boolean;
  /** True when the caller ends `api.call` itself, after checks of its own. */
  endedByCaller?: boolean;
}

export interface JsonStreamOptions extends StreamLimits {
  /**
   * Called when the body ends without `data: [DONE]`. Returns true when what was read is known to
   * be whole anyway (for chat, every choice sent a `finish_reason`).
   */
  acceptEndWithoutDone: () => boolean;
  /**
   * Checks the shape of each parsed payload. Returns why it is invalid, or undefined when it is
   * valid, and an invalid payload ends the stream with a StreamError. Default: every value is
   * valid.
   */
  describeInvalidValue?: (value: unknown) => string | undefined;
}

/**
 * Yields each `data:` payload of an SSE response parsed as JSON, until `data: [DONE]`. The
 * sentinel is compared before any parsing, so it never reaches `JSON.parse`, and anything after it
 * is ignored. A payload that is not JSON, an error object sent mid-stream, or a payload that
 * `describeInvalidValue` rejects ends the stream with a StreamError instead of being skipped.
 */
export async function* readJsonStream<T>(
  api: ApiResponse,
  options: JsonStreamOptions,
): AsyncGenerator<T, void, undefined> {
  const state: StreamState = { ended: false, endedByCaller: true };
  try {
    // One async step per read rather than per event: a fast stream brings hundreds per read.
    read: for await (const events of readServerSentEventBatches(api, options, state)) {
      for (const event of events) {
        const data = event.data;
        if (data === "[DONE]" || data.trim() === "[DONE]") {
          state.ended = true;
          break read;
        }

        yield parseEventData<T>(data, api, options.describeInvalidValue);
      }
    }

    if (!state.ended && !options.acceptEndWithoutDone()) {
      throw new StreamError(
        `The stream of ${api.description} ended before its final event: ` +
          "the output is incomplete; retry the request",
      );
    }

    api.call?.end();
  } catch (error) {
    api.call?.end({ error: error as MistralError });
    throw error;
  } finally {
    // A reader that left early ends the call as aborted.
    if (!state.ended) api.call?.end({ error: api.timer.failure });
  }
}

function parseEventData<T>(
  data: string,
  api: ApiResponse,
  describeInvalidValue: ((value: unknown) => string | undefined) | undefined,
): T {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw new StreamError(
      `The stream of ${api.description} sent an event that is not valid JSON: ` +
        "the output is incomplete; retry the request",
      { payload: previewOf(api, data), cause: error, requestId: api.requestId },
    );
  }

  if (isErrorObject(value)) {
    const message = parseErrorBody(data).message ?? "unknown error";
    throw new StreamError(
      `The server reported an error in the stream of ${api.description}: ` +
        api.redact(message).slice(0, maxQuotedMessage),
      { payload: previewOf(api, data), requestId: api.requestId },
    );
  }

  const problem = describeInvalidValue?.(value);
  if (problem !== undefined) {
    throw new StreamError(
      `The stream of ${api.description} sent an invalid event (${problem}): ` +
        "the output is incomplete; retry the request",
      { payload: previewOf(api, data), requestId: api.requestId },
    );
  }

  return value as T;
}

function previewOf(api: ApiResponse, data: string): string {
  return api.redact(data).slice(0, maxPayloadPreview);
}

/** Checks for an error envelope: `{object: "error", ...}`, or `{error: ...}` from gateways. */
function isErrorObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const record = value as { object?: unknown; error?: unknown };
  return record.object === "error" || (record.error !== undefined && record.error !== null);
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
 * Builds the error for a stream request whose response has another content type, such as an HTML page
 * from a proxy or JSON from a server that ignored `stream: true`. It reads the first
 * `maxOtherBodyBytes` of the body. A JSON error envelope becomes the MistralApiError it describes.
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

/** A JSON object with the fields of an error envelope rather than a result. */
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
    { requestId: api.requestId },
  );
}
