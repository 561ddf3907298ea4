import type { RequestOptions } from "../../core/client-options.js";
import type { WithResponseMeta } from "../../core/json-response.js";
import type { Transport } from "../../core/transport.js";
import type { ChatCompletionRequest, ChatCompletionResponse } from "../../types/chat.js";
import { checkCompletionRequest, checkMessages } from "./chat-request-check.js";
import type { ChatCompletionStream } from "./chat-stream.js";
import { sendCompletion, streamCompletion } from "./completion-calls.js";

const path = "/v1/chat/completions";

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
    return sendCompletion(this.#transport, path, request, options);
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
    return streamCompletion(this.#transport, path, request, options);
  }
}

function checkChatRequest(request: ChatCompletionRequest): void {
  checkCompletionRequest(request, ["model", "messages"]);
  checkMessages(request.messages);
}
