import type { RequestOptions } from "../core/client-options.js";
import type { WithResponseMeta } from "../core/json-response.js";
import type { Transport } from "../core/transport.js";
import type { EmbeddingRequest, EmbeddingResponse } from "../types/embeddings.js";
import { checkCompletionRequest } from "./chat/chat-request-check.js";
import { sendCompletion } from "./chat/completion-calls.js";

/** Text embeddings: `POST /v1/embeddings`. */
export class Embeddings {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Embeds one or more texts. The vectors are returned unchanged, ordered by `index` so that
   * `data[i]` belongs to `input[i]` whatever order the server used.
   */
  async create(
    request: EmbeddingRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<EmbeddingResponse>> {
    checkCompletionRequest(
      request,
      ["model", "input"],
      this.#transport.config.limits,
      "Invalid embedding request",
    );
    const response = await sendCompletion<EmbeddingResponse>(
      this.#transport,
      "/v1/embeddings",
      request,
      options,
    );
    if (Array.isArray(response.data)) {
      response.data.sort((a, b) => a.index - b.index);
    }

    return response;
  }
}
