import { isMistralError, type MistralError } from "./errors/mistral-error.js";
import { AbortError, StreamError } from "./errors/transport-errors.js";
import { type ServerSentEvent, SseDecoder } from "./sse-decoder.js";
import type { ApiResponse } from "./transport.js";

/** Longest piece of a bad payload kept on a StreamError. */
const maxPayloadPreview = 200;

/**
 * Yields the events of an SSE response as they complete. Leaving the loop early, a timeout or an
 * abort cancels the body, which closes the connection; the attempt's timers end with the stream.
 */
export async function* readServerSentEvents(
  api: ApiResponse,
  maxLineBytes: number,
  state: StreamState = { ended: false },
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const { response, timer } = api;
  const body = response.body;
  if (body === null) {
    timer.finish();
    throw new StreamError(`The response of ${api.description} has no body`);
  }

  const reader = body.getReader();
  const decoder = new SseDecoder(maxLineBytes);
  let completed = false;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw timer.failure ?? cutOff(api, error);
      }

      if (chunk.done) break;
      timer.activity();
      yield* decoder.push(chunk.value);
    }

    yield* decoder.end();
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

/** Set `ended` before leaving the loop when the stream's own end marker was read. */
export interface StreamState {
  ended: boolean;
  /** True when the caller ends `api.call` itself, after checks of its own. */
  endedByCaller?: boolean;
}

export interface JsonStreamOptions {
  maxLineBytes: number;
  /**
   * Called when the body ends without `data: [DONE]`. Returns true when what was read is known to
   * be whole anyway (for chat, every choice sent a `finish_reason`).
   */
  acceptEndWithoutDone: () => boolean;
}

/**
 * Yields each `data:` payload of an SSE response parsed as JSON, until `data: [DONE]`. The
 * sentinel is compared before any parsing, so it never reaches `JSON.parse`; anything after it is
 * ignored. A payload that is not JSON, or an error object sent mid-stream, ends the stream with a
 * StreamError instead of being skipped.
 */
export async function* readJsonStream<T>(
  api: ApiResponse,
  options: JsonStreamOptions,
): AsyncGenerator<T, void, undefined> {
  const state: StreamState = { ended: false, endedByCaller: true };
  try {
    for await (const event of readServerSentEvents(api, options.maxLineBytes, state)) {
      const data = event.data;
      if (data === "[DONE]" || data.trim() === "[DONE]") {
        state.ended = true;
        break;
      }

      yield parseEventData<T>(data, api);
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

function parseEventData<T>(data: string, api: ApiResponse): T {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw new StreamError(
      `The stream of ${api.description} sent an event that is not valid JSON: ` +
        "the output is incomplete; retry the request",
      {
        payload: api.redact(data).slice(0, maxPayloadPreview),
        cause: error,
        requestId: api.requestId,
      },
    );
  }

  if (isErrorObject(value)) {
    const message = typeof value.message === "string" ? value.message : "unknown error";
    throw new StreamError(
      `The server reported an error in the stream of ${api.description}: ` +
        api.redact(message).slice(0, 300),
      { payload: api.redact(data).slice(0, maxPayloadPreview), requestId: api.requestId },
    );
  }

  return value as T;
}

function isErrorObject(value: unknown): value is { message?: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { object?: unknown }).object === "error"
  );
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
