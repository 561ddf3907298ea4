import type { ClientOptions, RequestOptions } from "./core/client-options.js";
import { type ResolvedConfig, resolveConfig, resolveEndpoint } from "./core/config.js";
import type { WithResponseMeta } from "./core/json-response.js";
import { type RawRequest, sendRawRequest, sendRawStreamRequest } from "./core/raw-request.js";
import type { ServerSentEvent } from "./core/sse-decoder.js";
import { Transport } from "./core/transport.js";
import { Chat } from "./resources/chat/chat.js";
import { Embeddings } from "./resources/embeddings.js";
import { Fim } from "./resources/fim.js";
import { Models } from "./resources/models.js";
import { version } from "./version.js";

/**
 * Client of the Mistral AI API. Options left out come from `MISTRAL_API_KEY`,
 * `MISTRAL_BASE_URL`, `MISTRAL_TIMEOUT` (seconds) and `MISTRAL_MAX_RETRIES`. The key is kept in
 * a closure: no property, `util.inspect` or `JSON.stringify` of the client shows it.
 */
export class MistralClient {
  readonly chat: Chat;
  readonly embeddings: Embeddings;
  readonly fim: Fim;
  readonly models: Models;
  readonly #transport: Transport;
  readonly #config: ResolvedConfig;

  constructor(options?: ClientOptions) {
    this.#config = resolveConfig(options);
    const userAgent = `mistralai-ts/${version}`;
    this.#transport = new Transport(this.#config, userAgent);
    const fimConfig = resolveEndpoint(this.#config, options?.endpoints?.fim, "fim");
    this.chat = new Chat(this.#transport);
    this.embeddings = new Embeddings(this.#transport);
    this.fim = new Fim(
      fimConfig === this.#config ? this.#transport : new Transport(fimConfig, userAgent),
    );
    this.models = new Models(this.#transport);
  }

  /** Base URL every request goes to, without a trailing slash. */
  get baseURL(): string {
    return this.#config.baseURL;
  }

  /** Sends any API operation through the same pipeline (retries, timeouts, errors). */
  request<T = unknown>(
    request: RawRequest & { stream?: false },
    options?: RequestOptions,
  ): Promise<WithResponseMeta<T>>;
  request(
    request: RawRequest & { stream: true },
    options?: RequestOptions,
  ): Promise<AsyncGenerator<ServerSentEvent, void, undefined>>;
  request(request: RawRequest, options?: RequestOptions): Promise<unknown> {
    if (request.stream === true) {
      return sendRawStreamRequest(this.#transport, request, options);
    }

    return sendRawRequest(this.#transport, { ...request, stream: false }, options);
  }

  toJSON(): Record<string, unknown> {
    return { baseURL: this.baseURL };
  }

  toString(): string {
    return `MistralClient(${this.baseURL})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `MistralClient { baseURL: '${this.baseURL}' }`;
  }
}
