/** Content type of every event stream the server sends. */
export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";

/** Sentinel event that ends a Mistral stream. */
export const DONE_EVENT = "data: [DONE]\n\n";

/**
 * Encodes one server-sent event with a single `data` field. A string payload is sent verbatim,
 * so a string with line breaks is not split into several `data` lines.
 */
export function encodeDataEvent(payload: string | object): string {
  const data = typeof payload === "string" ? payload : JSON.stringify(payload);
  return `data: ${data}\n\n`;
}
