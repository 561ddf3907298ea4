import type { RequestOptions } from "../../core/client-options.js";
import { readJsonResponse, type WithResponseMeta } from "../../core/json-response.js";
import type { Transport } from "../../core/transport.js";
import type { ChatCompletionRequest, ChatCompletionResponse } from "../../types/chat.js";
import { checkCompletionRequest, checkMessages } from "./chat-request-check.js";
import { ChatCompletionStream } from "./chat-stream.js";

/** Chat completions: `POST /v1/chat/completions`. */
export class Chat {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Sends a chat completion request and returns the whole response. */
  async create(
    request: ChatCompletionRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ChatCompletionResponse>> {
    checkChatRequest(request);
    const api = await this.#transport.send({
      method: "POST",
      path: "/v1/chat/completions",
      body: request,
      options,
    });
    return readJsonResponse<ChatCompletionResponse>(api, this.#transport.config.maxResponseBytes);
  }

  /**
   * Sends a chat completion request with `stream: true` and returns the stream once the response
   * headers arrived. Failures before that (429, 5xx, connection) are retried like `create()`.
   */
  async stream(
    request: ChatCompletionRequest,
    options?: RequestOptions,
  ): Promise<ChatCompletionStream> {
    checkChatRequest(request);
    const api = await this.#transport.send({
      method: "POST",
      path: "/v1/chat/completions",
      body: { ...request, stream: true },
      stream: true,
      options,
    });
    return new ChatCompletionStream(api, this.#transport.config.maxStreamLineBytes);
  }
}

function checkChatRequest(request: ChatCompletionRequest): void {
  checkCompletionRequest(request, ["model", "messages"]);
  checkMessages(request.messages);
}
