import type { MistralError } from "./errors/mistral-error.js";
import { SseBodyReader, type StreamLimits } from "./sse-body-reader.js";
import type { ServerSentEvent } from "./sse-decoder.js";
import type { ApiResponse } from "./transport.js";

export type { StreamLimits } from "./sse-body-reader.js";

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
  const body = new SseBodyReader(api, limits);
  let completed = false;
  try {
    await body.checkContentType();
    for (;;) {
      const events = await body.readEvents();
      if (events === undefined) break;
      if (events.length > 0) yield events;
    }

    completed = true;
  } catch (error) {
    api.call?.end({ error: error as MistralError });
    throw error;
  } finally {
    body.close(!completed && !state.ended);
    if (!state.endedByCaller) api.call?.end();
  }
}

/**
 * Yields the events of an SSE response one by one, as they complete. See
 * {@link readServerSentEventBatches}.
 */
export async function* readServerSentEvents(
  api: ApiResponse,
  limits: StreamLimits,
  state: StreamState = { ended: false },
): AsyncGenerator<ServerSentEvent, void, undefined> {
  for await (const events of readServerSentEventBatches(api, limits, state)) {
    // A plain loop, because `yield*` over an array adds an await per event.
    for (const event of events) yield event;
  }
}

/** Set `ended` before leaving the loop when the stream's own end marker was read. */
export interface StreamState {
  ended: boolean;
  /** True when the caller ends `api.call` itself, after checks of its own. */
  endedByCaller?: boolean;
}
