import type { RequestOptions } from "../core/client-options.js";
import type { WithResponseMeta } from "../core/json-response.js";
import type { Transport } from "../core/transport.js";
import type { FimCompletionRequest, FimCompletionResponse } from "../types/fim.js";
import { checkCompletionRequest } from "./chat/chat-request-check.js";
import type { ChatCompletionStream } from "./chat/chat-stream.js";
import { sendCompletion, streamCompletion } from "./chat/completion-calls.js";

const path = "/v1/fim/completions";

/**
 * Fill-in-the-middle code completion: `POST /v1/fim/completions`. Sent to
 * `endpoints.fim.baseURL` when the client has one (a Codestral server with its own key).
 */
export class Fim {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Returns the code that fits between `prompt` and `suffix`. */
  async create(
    request: FimCompletionRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<FimCompletionResponse>> {
    checkFimRequest(request, this.#transport);
    return sendCompletion(this.#transport, path, request, options);
  }

  /** Streams the middle part; the stream has the same helpers as a chat stream. */
  async stream(
    request: FimCompletionRequest,
    options?: RequestOptions,
  ): Promise<ChatCompletionStream> {
    checkFimRequest(request, this.#transport);
    return streamCompletion(this.#transport, path, request, options);
  }
}

function checkFimRequest(request: FimCompletionRequest, transport: Transport): void {
  const { limits } = transport.config;
  checkCompletionRequest(request, ["model", "prompt"], limits, "Invalid FIM completion request");
}
