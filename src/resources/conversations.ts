import type { RequestOptions } from "../core/client-options.js";
import type { InputProblem } from "../core/errors/client-errors.js";
import { readJsonResponse, type WithResponseMeta } from "../core/json-response.js";
import { PagedList } from "../core/pagination.js";
import { apiPath } from "../core/path.js";
import type { ApiRequest, Transport } from "../core/transport.js";
import type {
  Conversation,
  ConversationAppendRequest,
  ConversationHistory,
  ConversationListParams,
  ConversationMessages,
  ConversationRequest,
  ConversationResponse,
  ConversationRestartRequest,
} from "../types/conversations.js";
import {
  checkPageWindow,
  checkParamsObject,
  encodeMetadata,
  type Query,
  throwIfProblems,
} from "./agents/list-query.js";
import { checkConversationRequest } from "./conversations/conversation-request-check.js";
import { ConversationStream } from "./conversations/conversation-stream.js";

/** Page size the API uses for conversation lists when a request names none. */
const DEFAULT_PAGE_SIZE = 100;

/**
 * Conversations with a model or an agent, kept by the server: `/v1/conversations`. `start`,
 * `append` and `restart` run a model turn, so they are retried only where the server cannot have
 * acted on them (429, 503, connection refused), never after a 500 or a timeout.
 */
export class Conversations {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Creates a conversation from `inputs` and returns the entries of the first turn. */
  async start(
    request: ConversationRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ConversationResponse>> {
    checkConversationRequest(request, "start");
    return this.#turn("/v1/conversations", request, options);
  }

  /** Same as `start()`, streaming the turn's events. */
  async startStream(
    request: ConversationRequest,
    options?: RequestOptions,
  ): Promise<ConversationStream> {
    checkConversationRequest(request, "start");
    return this.#turnStream("/v1/conversations", request, options, undefined);
  }

  /** Adds entries to a conversation, runs a turn and returns the new entries. */
  async append(
    conversationId: string,
    request: ConversationAppendRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ConversationResponse>> {
    const path = apiPath`/v1/conversations/${conversationId}`;
    checkConversationRequest(request, "append");
    return this.#turn(path, request, options);
  }

  /** Same as `append()`, streaming the turn's events. */
  async appendStream(
    conversationId: string,
    request: ConversationAppendRequest,
    options?: RequestOptions,
  ): Promise<ConversationStream> {
    const path = apiPath`/v1/conversations/${conversationId}`;
    checkConversationRequest(request, "append");
    return this.#turnStream(path, request, options, conversationId);
  }

  /**
   * Creates a new conversation from the entries of an existing one up to `from_entry_id`, adds
   * `inputs` and runs a turn. The response names the new conversation.
   */
  async restart(
    conversationId: string,
    request: ConversationRestartRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ConversationResponse>> {
    const path = apiPath`/v1/conversations/${conversationId}/restart`;
    checkConversationRequest(request, "restart");
    return this.#turn(path, request, options);
  }

  /** Same as `restart()`, streaming the turn's events. */
  async restartStream(
    conversationId: string,
    request: ConversationRestartRequest,
    options?: RequestOptions,
  ): Promise<ConversationStream> {
    const path = apiPath`/v1/conversations/${conversationId}/restart`;
    checkConversationRequest(request, "restart");
    return this.#turnStream(path, request, options, undefined);
  }

  /** Lists the stored conversations. Pages are fetched as the list is iterated. */
  list(params: ConversationListParams = {}, options?: RequestOptions): PagedList<Conversation> {
    const summary = "Invalid conversation list parameters";
    const { page, page_size, metadata, ...rest } = checkParamsObject(params, summary);
    const problems: InputProblem[] = [];
    const window = checkPageWindow({ page, page_size }, DEFAULT_PAGE_SIZE, problems);
    const query: Query = {};
    const encoded = encodeMetadata(metadata, problems);
    if (encoded !== undefined) query.metadata = encoded;
    for (const name of Object.keys(rest)) {
      problems.push({ path: name, message: "is not a parameter of this list" });
    }

    throwIfProblems(problems, summary);
    const fetchPage = async (pageNumber: number, pageSize: number) => {
      // page_size is always sent, because PagedList decides from it whether a page was the last.
      const items = await this.#json<Conversation[]>({
        method: "GET",
        path: "/v1/conversations",
        query: { ...query, page: pageNumber, page_size: pageSize },
        options,
      });
      return { items, raw: items };
    };
    return new PagedList(fetchPage, window.firstPage, window.pageSize);
  }

  /** Returns a conversation's settings: its model or agent, name and metadata. */
  async get(
    conversationId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Conversation>> {
    const path = apiPath`/v1/conversations/${conversationId}`;
    return this.#json<Conversation>({ method: "GET", path, options });
  }

  /** Returns every entry of a conversation, in the order they were added. */
  async history(
    conversationId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ConversationHistory>> {
    const path = apiPath`/v1/conversations/${conversationId}/history`;
    return this.#json<ConversationHistory>({ method: "GET", path, options });
  }

  /** Returns the message entries of a conversation, without tool and function entries. */
  async messages(
    conversationId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ConversationMessages>> {
    const path = apiPath`/v1/conversations/${conversationId}/messages`;
    return this.#json<ConversationMessages>({ method: "GET", path, options });
  }

  /**
   * Deletes a conversation. Retried only where the server cannot have acted, so a retry never
   * turns a successful delete into a 404.
   */
  async delete(conversationId: string, options?: RequestOptions): Promise<void> {
    const path = apiPath`/v1/conversations/${conversationId}`;
    await this.#json<unknown>({ method: "DELETE", path, options, retryMode: "unsent" });
  }

  async #turn(
    path: string,
    request: object,
    options: RequestOptions | undefined,
  ): Promise<WithResponseMeta<ConversationResponse>> {
    return this.#json<ConversationResponse>({
      method: "POST",
      path,
      body: request,
      options,
      retryMode: "unsent",
    });
  }

  async #turnStream(
    path: string,
    request: object,
    options: RequestOptions | undefined,
    conversationId: string | undefined,
  ): Promise<ConversationStream> {
    const api = await this.#transport.send({
      method: "POST",
      path,
      body: { ...request, stream: true },
      stream: true,
      options,
      retryMode: "unsent",
    });
    const { maxStreamLineBytes, maxResponseBytes } = this.#transport.config;
    return new ConversationStream(
      api,
      { maxLineBytes: maxStreamLineBytes, maxResponseBytes },
      conversationId,
    );
  }

  async #json<T>(request: ApiRequest): Promise<WithResponseMeta<T>> {
    const api = await this.#transport.send(request);
    return readJsonResponse<T>(api, this.#transport.config.maxResponseBytes);
  }
}
