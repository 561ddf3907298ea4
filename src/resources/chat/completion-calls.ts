import type { RequestOptions } from "../../core/client-options.js";
import { readJsonResponse, type WithResponseMeta } from "../../core/json-response.js";
import type { Transport } from "../../core/transport.js";
import { checkExtraBody } from "./chat-request-check.js";
import { ChatCompletionStream } from "./chat-stream.js";

/**
 * Sends a completion request (chat, FIM or agents) and parses the JSON response. The body is the
 * caller's object unchanged, so it contains exactly the fields the caller set.
 */
export async function sendCompletion<T>(
  transport: Transport,
  path: string,
  request: object,
  options: RequestOptions | undefined,
): Promise<WithResponseMeta<T>> {
  checkExtraBody(options?.extraBody);
  const api = await transport.send({ method: "POST", path, body: request, options });
  return readJsonResponse<T>(api, transport.config.maxResponseBytes);
}

/** Sends a completion request with `stream: true` and returns the stream once headers arrived. */
export async function streamCompletion(
  transport: Transport,
  path: string,
  request: object,
  options: RequestOptions | undefined,
): Promise<ChatCompletionStream> {
  checkExtraBody(options?.extraBody);
  const api = await transport.send({
    method: "POST",
    path,
    body: { ...request, stream: true },
    stream: true,
    options,
  });
  const { maxStreamLineBytes, maxResponseBytes } = transport.config;
  return new ChatCompletionStream(api, maxStreamLineBytes, maxResponseBytes);
}
