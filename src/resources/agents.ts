import type { RequestOptions } from "../core/client-options.js";
import type { InputProblem } from "../core/errors/client-errors.js";
import { readJsonResponse, type WithResponseMeta } from "../core/json-response.js";
import { PagedList } from "../core/pagination.js";
import { apiPath } from "../core/path.js";
import type { ApiRequest, Transport } from "../core/transport.js";
import type {
  Agent,
  AgentAlias,
  AgentCreationRequest,
  AgentListFilters,
  AgentListPage,
  AgentListParams,
  AgentPageNumberListParams,
  AgentsCompletionRequest,
  AgentUpdateRequest,
  AgentVersionListParams,
} from "../types/agents.js";
import type { ChatCompletionResponse } from "../types/chat.js";
import {
  checkAgentBody,
  checkAgentsCompletionRequest,
  checkAliasName,
  checkVersionNumber,
  checkVersionOrAlias,
} from "./agents/agent-request-check.js";
import { CursorPagedList } from "./agents/cursor-paged-list.js";
import {
  checkPageSize,
  checkPageWindow,
  checkParamsObject,
  encodeMetadata,
  type Query,
  throwIfProblems,
} from "./agents/list-query.js";
import type { ChatCompletionStream } from "./chat/chat-stream.js";
import { sendCompletion, streamCompletion } from "./chat/completion-calls.js";

const completionsPath = "/v1/agents/completions";

/** Page size the API uses for agent and version lists when a request names none. */
const DEFAULT_PAGE_SIZE = 20;

/** Optional query of `agents.get()`. */
export interface AgentGetParams {
  /** Version number or alias to read. Default: the current version. */
  agent_version?: number | string | null;
}

/**
 * Agents: completions with an agent (`POST /v1/agents/completions`) and the agent registry under
 * `/v1/agents`, with versions and aliases.
 */
export class Agents {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Runs a chat completion with the agent's model, instructions and tools.
   * @deprecated The API deprecated agents completions; start a conversation with `agent_id`.
   */
  async complete(
    request: AgentsCompletionRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ChatCompletionResponse>> {
    checkAgentsCompletionRequest(request, this.#transport.config.limits);
    return sendCompletion(this.#transport, completionsPath, request, options);
  }

  /**
   * Streams an agents completion; the stream has the helpers of a chat stream.
   * @deprecated The API deprecated agents completions; start a conversation with `agent_id`.
   */
  async stream(
    request: AgentsCompletionRequest,
    options?: RequestOptions,
  ): Promise<ChatCompletionStream> {
    checkAgentsCompletionRequest(request, this.#transport.config.limits);
    return streamCompletion(this.#transport, completionsPath, request, options);
  }

  /** Creates an agent at version 0. Not retried once the server may have acted on it. */
  async create(
    request: AgentCreationRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Agent>> {
    checkAgentBody(request, ["model", "name"], "Invalid agent creation request");
    return this.#json<Agent>({
      method: "POST",
      path: "/v1/agents",
      body: request,
      options,
      retryMode: "unsent",
    });
  }

  /**
   * Lists the agents the key may see, through the cursor-paginated `GET /v1/agents/pages`. Pages
   * are fetched as the list is iterated; `page_token` starts from a cursor of an earlier page.
   */
  list(params: AgentListParams = {}, options?: RequestOptions): PagedList<Agent> {
    const summary = "Invalid agent list parameters";
    const { page_size, page_token, ...filters } = checkParamsObject(params, summary);
    const problems: InputProblem[] = [];
    if (page_size !== undefined) checkPageSize(page_size, problems);
    if (page_token !== undefined && page_token !== null && typeof page_token !== "string") {
      problems.push({ path: "page_token", message: "must be a string" });
    }

    const query = filterQuery(filters, problems);
    throwIfProblems(problems, summary);
    if (page_size !== undefined) query.page_size = page_size as number;
    const fetchPage = async (cursor: string | undefined) => {
      const page = await this.#json<AgentListPage>({
        method: "GET",
        path: "/v1/agents/pages",
        query: cursor === undefined ? query : { ...query, page_token: cursor },
        options,
      });
      return { items: page.data, nextCursor: page.next_page_token, raw: page };
    };
    const firstCursor = typeof page_token === "string" ? page_token : undefined;
    return new CursorPagedList(fetchPage, (page_size as number) ?? DEFAULT_PAGE_SIZE, firstCursor);
  }

  /**
   * Lists agents through the page-numbered `GET /v1/agents`.
   * @deprecated The API deprecated this endpoint, which ignores agent sharing; use `list()`.
   */
  listByPageNumber(
    params: AgentPageNumberListParams = {},
    options?: RequestOptions,
  ): PagedList<Agent> {
    const summary = "Invalid agent list parameters";
    const { page, page_size, ...filters } = checkParamsObject(params, summary);
    const problems: InputProblem[] = [];
    const window = checkPageWindow({ page, page_size }, DEFAULT_PAGE_SIZE, problems);
    const query = filterQuery(filters, problems);
    throwIfProblems(problems, summary);
    const fetchPage = async (pageNumber: number, pageSize: number) => {
      // page_size is always sent, because PagedList decides from it whether a page was the last.
      const items = await this.#json<Agent[]>({
        method: "GET",
        path: "/v1/agents",
        query: { ...query, page: pageNumber, page_size: pageSize },
        options,
      });
      return { items, raw: items };
    };
    return new PagedList(fetchPage, window.firstPage, window.pageSize);
  }

  /** Returns an agent at its current version, or at `agent_version` (a number or an alias). */
  async get(
    agentId: string,
    params: AgentGetParams = {},
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Agent>> {
    const path = apiPath`/v1/agents/${agentId}`;
    const version = checkParamsObject(params, "Invalid agent parameters").agent_version;
    let query: Query | undefined;
    if (version !== undefined && version !== null) {
      checkVersionOrAlias(version, "agent_version");
      query = { agent_version: version as number | string };
    }

    return this.#json<Agent>({ method: "GET", path, query, options });
  }

  /**
   * Changes an agent; fields left out keep their value. Each call creates a new version, which
   * becomes the current one, so the call is not retried once the server may have acted on it.
   */
  async update(
    agentId: string,
    request: AgentUpdateRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Agent>> {
    const path = apiPath`/v1/agents/${agentId}`;
    checkAgentBody(request, [], "Invalid agent update request");
    return this.#json<Agent>({
      method: "PATCH",
      path,
      body: request,
      options,
      retryMode: "unsent",
    });
  }

  /**
   * Deletes an agent. Retried only where the server cannot have acted, so a retry never turns a
   * successful delete into a 404.
   */
  async delete(agentId: string, options?: RequestOptions): Promise<void> {
    const path = apiPath`/v1/agents/${agentId}`;
    await this.#json<unknown>({ method: "DELETE", path, options, retryMode: "unsent" });
  }

  /** Makes an earlier version the current version of the agent. */
  async updateVersion(
    agentId: string,
    version: number,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Agent>> {
    const path = apiPath`/v1/agents/${agentId}/version`;
    checkVersionNumber(version);
    return this.#json<Agent>({ method: "PATCH", path, query: { version }, options });
  }

  /** Lists every version of an agent, each as a whole agent. Pages are fetched as needed. */
  listVersions(
    agentId: string,
    params: AgentVersionListParams = {},
    options?: RequestOptions,
  ): PagedList<Agent> {
    const path = apiPath`/v1/agents/${agentId}/versions`;
    const summary = "Invalid agent version list parameters";
    const { page, page_size } = checkParamsObject(params, summary);
    const problems: InputProblem[] = [];
    const window = checkPageWindow({ page, page_size }, DEFAULT_PAGE_SIZE, problems);
    throwIfProblems(problems, summary);
    const fetchPage = async (pageNumber: number, pageSize: number) => {
      const query = { page: pageNumber, page_size: pageSize };
      const items = await this.#json<Agent[]>({ method: "GET", path, query, options });
      return { items, raw: items };
    };
    return new PagedList(fetchPage, window.firstPage, window.pageSize);
  }

  /** Returns one version of an agent. */
  async getVersion(
    agentId: string,
    version: number | string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Agent>> {
    checkVersionOrAlias(version, "version");
    const path = apiPath`/v1/agents/${agentId}/versions/${version}`;
    return this.#json<Agent>({ method: "GET", path, options });
  }

  /** Lists the aliases of an agent and the version each points to. */
  async listAliases(
    agentId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<AgentAlias[]>> {
    const path = apiPath`/v1/agents/${agentId}/aliases`;
    return this.#json<AgentAlias[]>({ method: "GET", path, options });
  }

  /** Creates an alias, or moves an existing one, so that it points to `version`. */
  async setAlias(
    agentId: string,
    alias: string,
    version: number,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<AgentAlias>> {
    const path = apiPath`/v1/agents/${agentId}/aliases`;
    checkAliasName(alias);
    checkVersionNumber(version);
    return this.#json<AgentAlias>({ method: "PUT", path, query: { alias, version }, options });
  }

  /** Deletes an alias; the version it pointed to stays. */
  async deleteAlias(agentId: string, alias: string, options?: RequestOptions): Promise<void> {
    const path = apiPath`/v1/agents/${agentId}/aliases`;
    checkAliasName(alias);
    await this.#json<unknown>({
      method: "DELETE",
      path,
      query: { alias },
      options,
      retryMode: "unsent",
    });
  }

  async #json<T>(request: ApiRequest): Promise<WithResponseMeta<T>> {
    const api = await this.#transport.send(request);
    return readJsonResponse<T>(api, this.#transport.config.maxResponseBytes);
  }
}

/** Filters sent as text, as the API names them. */
const textFilters = new Set(["name", "search", "id"]);

/** Builds the query of the agent list filters, reporting unknown names and wrong types. */
function filterQuery(filters: Record<string, unknown>, problems: InputProblem[]): Query {
  const { metadata, sources, deployment_chat, ...rest } = filters as AgentListFilters &
    Record<string, unknown>;
  const query: Query = {};
  for (const [name, value] of Object.entries(rest)) {
    if (!textFilters.has(name)) {
      problems.push({ path: name, message: "is not a parameter of this list" });
    } else if (typeof value === "string") {
      query[name] = value;
    } else if (value !== undefined && value !== null) {
      problems.push({ path: name, message: "must be a string" });
    }
  }

  if (deployment_chat !== undefined && deployment_chat !== null) {
    if (typeof deployment_chat === "boolean") query.deployment_chat = deployment_chat;
    else problems.push({ path: "deployment_chat", message: "must be a boolean" });
  }

  if (sources !== undefined && sources !== null) {
    if (Array.isArray(sources) && sources.every((source) => typeof source === "string")) {
      query.sources = sources;
    } else {
      problems.push({ path: "sources", message: "must be an array of strings" });
    }
  }

  const encoded = encodeMetadata(metadata, problems);
  if (encoded !== undefined) query.metadata = encoded;
  return query;
}
