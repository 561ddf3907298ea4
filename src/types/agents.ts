import type {
  ChatCompletionRequest,
  FunctionDefinition,
  Prediction,
  ResponseFormat,
  ToolChoiceMode,
} from "./chat.js";
import type { GuardrailConfig, OpenString } from "./common.js";

// Wire types of the agents API: agent completions (`POST /v1/agents/completions`) and the agent
// registry under `/v1/agents` with its versions and aliases. The tool and completion-argument
// types are shared with the conversations API.

// ---- Tools of agents and conversations ----

/** Selection of the tools of a connector or built-in tool, and of those that need a confirmation. */
export interface ToolConfiguration {
  /** Tool names left out. */
  exclude?: string[] | null;
  /** Tool names allowed; all when absent. */
  include?: string[] | null;
  /** Tool names whose calls wait for a `tool_confirmations` entry before they run. */
  requires_confirmation?: string[] | null;
}

/** A function the model may call; the caller runs it and appends a `function.result` entry. */
export interface FunctionTool {
  /** Server default: `"function"`. */
  type?: "function";
  function: FunctionDefinition;
}

/** Web search run by the server. */
export interface WebSearchTool {
  type: "web_search";
  tool_configuration?: ToolConfiguration | null;
}

/** The premium tier of web search, run by the server. */
export interface WebSearchPremiumTool {
  type: "web_search_premium";
  tool_configuration?: ToolConfiguration | null;
}

/** Code execution in a server-side sandbox. */
export interface CodeInterpreterTool {
  type: "code_interpreter";
  tool_configuration?: ToolConfiguration | null;
}

/** Image generation run by the server. */
export interface ImageGenerationTool {
  type: "image_generation";
  tool_configuration?: ToolConfiguration | null;
}

/** Search in document libraries of the libraries API. */
export interface DocumentLibraryTool {
  type: "document_library";
  /** Ids of the libraries to search; at least one. */
  library_ids: string[];
  tool_configuration?: ToolConfiguration | null;
}

/** Credentials the server sends to a custom connector. */
export interface ConnectorAuthorization {
  type: OpenString<"oauth2-token" | "api-key">;
  value: string;
}

/** A connector registered with the connectors API. */
export interface CustomConnector {
  /** Server default: `"connector"`. */
  type?: "connector";
  connector_id: string;
  authorization?: ConnectorAuthorization | null;
  tool_configuration?: ToolConfiguration | null;
}

/** A tool of an agent or conversation. */
export type AgentTool =
  | FunctionTool
  | WebSearchTool
  | WebSearchPremiumTool
  | CodeInterpreterTool
  | ImageGenerationTool
  | DocumentLibraryTool
  | CustomConnector;

/** Sampling settings of an agent or conversation. A field left out takes the server default. */
export interface CompletionArgs {
  /** Generation stops before any of these strings. */
  stop?: string | string[] | null;
  /** -2 to 2. */
  presence_penalty?: number | null;
  /** -2 to 2. */
  frequency_penalty?: number | null;
  /** 0 to 1. */
  temperature?: number | null;
  /** 0 to 1. */
  top_p?: number | null;
  /** Maximum number of tokens to generate, 0 or more. */
  max_tokens?: number | null;
  /** 0 or more. */
  random_seed?: number | null;
  prediction?: Prediction | null;
  response_format?: ResponseFormat | null;
  /** Server default: `"auto"`. */
  tool_choice?: ToolChoiceMode;
  reasoning_effort?: OpenString<"high" | "none"> | null;
}

// ---- Agents ----

/** Body of `POST /v1/agents`. */
export interface AgentCreationRequest {
  /** Model the agent runs, for example `mistral-medium-latest`. */
  model: string;
  name: string;
  /** System instructions the agent follows. */
  instructions?: string | null;
  tools?: AgentTool[];
  completion_args?: CompletionArgs;
  guardrails?: GuardrailConfig[] | null;
  description?: string | null;
  /** Ids of the agents this agent may hand the conversation over to; at least one when set. */
  handoffs?: string[] | null;
  metadata?: Record<string, unknown> | null;
  /** Note stored with this version, up to 500 characters. */
  version_message?: string | null;
}

/** Body of `PATCH /v1/agents/{agent_id}`. Every call creates a new version of the agent. */
export interface AgentUpdateRequest {
  model?: string | null;
  name?: string | null;
  instructions?: string | null;
  tools?: AgentTool[];
  completion_args?: CompletionArgs;
  guardrails?: GuardrailConfig[] | null;
  description?: string | null;
  handoffs?: string[] | null;
  /** Whether the agent is offered in Le Chat. */
  deployment_chat?: boolean | null;
  metadata?: Record<string, unknown> | null;
  /** Note stored with the new version, up to 500 characters. */
  version_message?: string | null;
}

/** An agent, at its current version or at the version that was requested. */
export interface Agent {
  /** `"agent"`. */
  object?: string;
  id: string;
  model: string;
  name: string;
  instructions?: string | null;
  tools?: AgentTool[];
  completion_args?: CompletionArgs;
  guardrails?: GuardrailConfig[] | null;
  description?: string | null;
  handoffs?: string[] | null;
  metadata?: Record<string, unknown> | null;
  /** Version these fields belong to. */
  version: number;
  /** Every version of the agent. */
  versions: number[];
  /** ISO 8601 date and time. */
  created_at: string;
  /** ISO 8601 date and time. */
  updated_at: string;
  deployment_chat: boolean;
  /** Origin of the agent, such as `"api"`. */
  source: OpenString<RequestSource>;
  version_message?: string | null;
  [key: string]: unknown;
}

/** Origin of an agent, also a filter of the agent lists. */
export type RequestSource = OpenString<"api" | "playground" | "agent_builder_v1">;

/** Filters shared by both agent lists. */
export interface AgentListFilters {
  /** Only agents offered (true) or not offered (false) in Le Chat. */
  deployment_chat?: boolean | null;
  sources?: RequestSource[] | null;
  /** Exact agent name. */
  name?: string | null;
  /** Text searched in agent names and ids. */
  search?: string | null;
  id?: string | null;
  /** Only agents whose metadata has these key-value pairs; sent as JSON. */
  metadata?: Record<string, unknown> | null;
}

/** Query of `GET /v1/agents/pages`. */
export interface AgentListParams extends AgentListFilters {
  /** Agents per page, 1 to 1000. Server default: 20. */
  page_size?: number;
  /** Cursor to start from: a `next_page_token` of an earlier page. Default: the first page. */
  page_token?: string | null;
}

/** Query of the deprecated `GET /v1/agents`. */
export interface AgentPageNumberListParams extends AgentListFilters {
  /** First page to read, 0-based. Default: 0. */
  page?: number;
  /** Agents per page, 1 to 1000. Server default: 20. */
  page_size?: number;
}

/** One page of `GET /v1/agents/pages`. */
export interface AgentListPage {
  /** `"list"`. */
  object?: string;
  data: Agent[];
  /** Cursor of the next page; null or absent on the last page. */
  next_page_token?: string | null;
  [key: string]: unknown;
}

/** Query of `GET /v1/agents/{agent_id}/versions`. */
export interface AgentVersionListParams {
  /** First page to read, 0-based. Default: 0. */
  page?: number;
  /** Versions per page, 1 to 100. Server default: 20. */
  page_size?: number;
}

/** A name that points to one version of an agent. */
export interface AgentAlias {
  alias: string;
  version: number;
  /** ISO 8601 date and time. */
  created_at: string;
  /** ISO 8601 date and time. */
  updated_at: string;
  [key: string]: unknown;
}

// ---- Agent completions ----

/**
 * Body of `POST /v1/agents/completions`, without `stream`, which the client sets. The agent's
 * model, instructions and sampling settings apply, so there is no `model`, `temperature` or
 * `top_p`.
 */
export interface AgentsCompletionRequest
  extends Omit<
    ChatCompletionRequest,
    "model" | "temperature" | "top_p" | "guardrails" | "safe_prompt"
  > {
  agent_id: string;
}
