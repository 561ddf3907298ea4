import type { AgentTool, CompletionArgs } from "./agents.js";
import type {
  BuiltInConnector,
  DocumentURLChunk,
  ImageURLChunk,
  TextChunk,
  ThinkChunk,
  ToolReferenceChunk,
  UnknownContentChunk,
} from "./chat.js";
import type { GuardrailConfig, OpenString } from "./common.js";

// Wire types of the conversations API under `/v1/conversations`. Entry types without an index
// signature are the shapes a caller sends as `inputs`. Entries the server returns are typed as
// `ConversationEntry`, which also accepts fields and entry types added later.

// ---- Content ----

/** A file that a built-in tool produced, such as a generated image. */
export interface ToolFileChunk {
  type: "tool_file";
  tool: BuiltInConnector;
  file_id: string;
  file_name?: string | null;
  file_type?: string | null;
}

/** A chunk of the content of a `message.input` entry. */
export type InputContentChunk =
  | TextChunk
  | ImageURLChunk
  | ToolFileChunk
  | DocumentURLChunk
  | ThinkChunk;

/** A chunk of the content of a `message.output` entry or delta. */
export type OutputContentChunk =
  | TextChunk
  | ImageURLChunk
  | ToolFileChunk
  | DocumentURLChunk
  | ThinkChunk
  | ToolReferenceChunk
  | UnknownContentChunk;

// ---- Entries ----

/** Fields the server sets on every entry it stores. */
interface EntryFields {
  /** `"entry"`. */
  object?: "entry";
  /** Set by the server. */
  id?: string;
  /** ISO 8601 date and time. */
  created_at?: string;
  /** ISO 8601 date and time, or null while the entry is not complete. */
  completed_at?: string | null;
}

/** A message from the user, or an assistant message the caller writes into the history. */
export interface MessageInputEntry extends EntryFields {
  /** Server default: `"message.input"`. */
  type?: "message.input";
  role: "user" | "assistant";
  content: string | InputContentChunk[];
  /** When true, the model continues this assistant message. Default false. */
  prefix?: boolean;
}

/** A message of the model or agent. */
export interface MessageOutputEntry extends EntryFields {
  /** Server default: `"message.output"`. */
  type?: "message.output";
  /** Server default: `"assistant"`. */
  role?: "assistant";
  content: string | OutputContentChunk[];
  agent_id?: string | null;
  model?: string | null;
}

/** The result of a function call, sent back by the caller. */
export interface FunctionResultEntry extends EntryFields {
  /** Server default: `"function.result"`. */
  type?: "function.result";
  /** The `tool_call_id` of the `function.call` entry this result belongs to. */
  tool_call_id: string;
  result: string;
}

/** Whether a tool call that needs a confirmation may run. */
export type ConfirmationStatus = OpenString<"pending" | "allowed" | "denied">;

/** A call of a function tool, which the caller runs. */
export interface FunctionCallEntry extends EntryFields {
  /** Server default: `"function.call"`. */
  type?: "function.call";
  tool_call_id: string;
  name: string;
  /** JSON-encoded string, or an object. */
  arguments: string | Record<string, unknown>;
  confirmation_status?: ConfirmationStatus | null;
  agent_id?: string | null;
  model?: string | null;
}

/** A run of a built-in tool on the server. */
export interface ToolExecutionEntry extends EntryFields {
  /** Server default: `"tool.execution"`. */
  type?: "tool.execution";
  name: BuiltInConnector;
  /** JSON-encoded arguments. */
  arguments: string;
  /** Tool-specific details of the run. */
  info?: Record<string, unknown>;
  agent_id?: string | null;
  model?: string | null;
}

/** The conversation passing from one agent to another. */
export interface AgentHandoffEntry extends EntryFields {
  /** Server default: `"agent.handoff"`. */
  type?: "agent.handoff";
  previous_agent_id: string;
  previous_agent_name: string;
  next_agent_id: string;
  next_agent_name: string;
}

/** An entry a caller may send in `inputs`. */
export type InputEntry =
  | MessageInputEntry
  | MessageOutputEntry
  | FunctionResultEntry
  | FunctionCallEntry
  | ToolExecutionEntry
  | AgentHandoffEntry;

/** Entry of a `type` this version of the library does not define, kept as received. */
export interface UnknownConversationEntry {
  type: string;
  [key: string]: unknown;
}

/** Adds the open index signature of response objects to a request-side type. */
type Received<T> = T & { [key: string]: unknown };

/**
 * An entry as the server returns it. As with content chunks, comparing `type` does not narrow
 * away {@link UnknownConversationEntry}, whose `type` is any string.
 */
export type ConversationEntry = Received<InputEntry> | UnknownConversationEntry;

/** An entry the server produced in one response. */
export type OutputEntry =
  | Received<MessageOutputEntry | ToolExecutionEntry | FunctionCallEntry | AgentHandoffEntry>
  | UnknownConversationEntry;

/** The new input: a user message as plain text, or a list of entries. */
export type ConversationInputs = string | InputEntry[];

// ---- Requests ----

/** Side that runs the hand-over between agents: the server (default), or the caller. */
export type HandoffExecution = OpenString<"client" | "server">;

/** Allows or denies a tool call that waits for a confirmation. */
export interface ToolCallConfirmation {
  tool_call_id: string;
  confirmation: OpenString<"allow" | "deny">;
}

/**
 * Body of `POST /v1/conversations`, without `stream`, which the client sets. Name a `model` for a
 * conversation with a base model, or an `agent_id` for one with an agent.
 */
export interface ConversationRequest {
  inputs: ConversationInputs;
  model?: string | null;
  agent_id?: string | null;
  /** Version number or alias of the agent. Default: its current version. */
  agent_version?: string | number | null;
  /** When false, the server does not keep the conversation. Server default: true. */
  store?: boolean | null;
  handoff_execution?: HandoffExecution | null;
  /** System instructions, for conversations with a model. */
  instructions?: string | null;
  tools?: AgentTool[] | null;
  completion_args?: CompletionArgs | null;
  guardrails?: GuardrailConfig[] | null;
  name?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** Body of `POST /v1/conversations/{conversation_id}`, without `stream`. */
export interface ConversationAppendRequest {
  /** New entries; may be left out when only `tool_confirmations` are sent. */
  inputs?: ConversationInputs;
  /** Server default: true. */
  store?: boolean;
  /** Server default: `"server"`. */
  handoff_execution?: HandoffExecution;
  completion_args?: CompletionArgs;
  tool_confirmations?: ToolCallConfirmation[] | null;
}

/** Body of `POST /v1/conversations/{conversation_id}/restart`, without `stream`. */
export interface ConversationRestartRequest {
  /** Id of the entry the new conversation branches from. */
  from_entry_id: string;
  inputs?: ConversationInputs;
  /** Server default: true. */
  store?: boolean;
  /** Server default: `"server"`. */
  handoff_execution?: HandoffExecution;
  completion_args?: CompletionArgs;
  guardrails?: GuardrailConfig[] | null;
  metadata?: Record<string, unknown> | null;
  /** Version number or alias of the agent to continue with. */
  agent_version?: string | number | null;
}

/** Query of `GET /v1/conversations`. */
export interface ConversationListParams {
  /** First page to read, 0-based. Default: 0. */
  page?: number;
  /** Conversations per page. Server default: 100. */
  page_size?: number;
  /** Only conversations whose metadata has these key-value pairs; sent as JSON. */
  metadata?: Record<string, unknown> | null;
}

// ---- Responses ----

/** Token counts of one conversation response. A count the server leaves out is 0. */
export interface ConversationUsageInfo {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  /** Tokens used by connectors and built-in tools. */
  connector_tokens?: number | null;
  /** Calls per connector or built-in tool. */
  connectors?: Record<string, number> | null;
  [key: string]: unknown;
}

/** Result of `start`, `append` and `restart`: the entries produced by this turn. */
export interface ConversationResponse {
  /** `"conversation.response"`. */
  object?: string;
  conversation_id: string;
  outputs: OutputEntry[];
  usage: ConversationUsageInfo;
  /** Results of the guardrails that ran, when any did. */
  guardrails?: Record<string, unknown>[] | null;
  [key: string]: unknown;
}

/** Fields of every stored conversation. */
interface ConversationFields {
  /** `"conversation"`. */
  object?: string;
  id: string;
  /** ISO 8601 date and time. */
  created_at: string;
  /** ISO 8601 date and time. */
  updated_at: string;
  name?: string | null;
  metadata?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** A conversation with a base model. */
export interface ModelConversation extends ConversationFields {
  model: string;
  instructions?: string | null;
  tools?: AgentTool[];
  completion_args?: CompletionArgs;
  guardrails?: GuardrailConfig[] | null;
}

/** A conversation with an agent. */
export interface AgentConversation extends ConversationFields {
  agent_id: string;
  agent_version?: string | number | null;
}

/** A stored conversation. Check `agent_id` or `model` to tell the two kinds apart. */
export type Conversation = ModelConversation | AgentConversation;

/** Every entry of a conversation, in the order they were added. */
export interface ConversationHistory {
  /** `"conversation.history"`. */
  object?: string;
  conversation_id: string;
  entries: ConversationEntry[];
  [key: string]: unknown;
}

/** The message entries of a conversation, in order. */
export interface ConversationMessages {
  /** `"conversation.messages"`. */
  object?: string;
  conversation_id: string;
  messages: Array<Received<MessageInputEntry> | Received<MessageOutputEntry>>;
  [key: string]: unknown;
}

// ---- Stream events ----

/** Fields of every stream event. */
interface EventFields {
  /** ISO 8601 date and time. */
  created_at?: string;
  [key: string]: unknown;
}

/** Fields of the events that belong to one output entry. */
interface OutputEventFields extends EventFields {
  /** Position of the entry among the outputs of this response. Server default: 0. */
  output_index?: number;
  /** Id of the output entry this event builds. */
  id: string;
}

/** First event of a response. */
export interface ConversationResponseStartedEvent extends EventFields {
  type: "conversation.response.started";
  conversation_id: string;
}

/** Last event of a successful response. */
export interface ConversationResponseDoneEvent extends EventFields {
  type: "conversation.response.done";
  usage: ConversationUsageInfo;
}

/** Last event of a failed response. */
export interface ConversationResponseErrorEvent extends EventFields {
  type: "conversation.response.error";
  message: string;
  code: number;
}

/** A piece of a `message.output` entry. */
export interface MessageOutputDeltaEvent extends OutputEventFields {
  type: "message.output.delta";
  /** Position of this piece in the entry's content. Server default: 0. */
  content_index?: number;
  /** A piece of text, or one content chunk. */
  content: string | OutputContentChunk;
  /** Server default: `"assistant"`. */
  role?: "assistant";
  model?: string | null;
  agent_id?: string | null;
}

/** A built-in tool started to run. */
export interface ToolExecutionStartedEvent extends OutputEventFields {
  type: "tool.execution.started";
  name: BuiltInConnector;
  /** JSON-encoded arguments, or their first piece. */
  arguments: string;
  model?: string | null;
  agent_id?: string | null;
}

/** More argument text of a running built-in tool. */
export interface ToolExecutionDeltaEvent extends OutputEventFields {
  type: "tool.execution.delta";
  name: BuiltInConnector;
  /** Text to append to the arguments received so far. */
  arguments: string;
}

/** A built-in tool finished. */
export interface ToolExecutionDoneEvent extends OutputEventFields {
  type: "tool.execution.done";
  name: BuiltInConnector;
  info?: Record<string, unknown>;
}

/** A piece of a `function.call` entry. */
export interface FunctionCallDeltaEvent extends OutputEventFields {
  type: "function.call.delta";
  name: string;
  tool_call_id: string;
  /** Text to append to the arguments received so far. */
  arguments: string;
  confirmation_status?: ConfirmationStatus | null;
  model?: string | null;
  agent_id?: string | null;
}

/** The conversation starts passing to another agent. */
export interface AgentHandoffStartedEvent extends OutputEventFields {
  type: "agent.handoff.started";
  previous_agent_id: string;
  previous_agent_name: string;
}

/** The conversation passed to another agent. */
export interface AgentHandoffDoneEvent extends OutputEventFields {
  type: "agent.handoff.done";
  next_agent_id: string;
  next_agent_name: string;
}

/** Stream events of the types this version of the library defines. */
export type KnownConversationEvent =
  | ConversationResponseStartedEvent
  | ConversationResponseDoneEvent
  | ConversationResponseErrorEvent
  | MessageOutputDeltaEvent
  | ToolExecutionStartedEvent
  | ToolExecutionDeltaEvent
  | ToolExecutionDoneEvent
  | FunctionCallDeltaEvent
  | AgentHandoffStartedEvent
  | AgentHandoffDoneEvent;

/**
 * An event of a type this version does not define, passed on as received. When its data had no
 * `type`, `type` is the name from the event's `event:` line.
 */
export interface UnknownConversationEvent {
  type: string;
  [key: string]: unknown;
}

/**
 * One event of a conversation stream. Narrow with `isKnownConversationEvent` before a `switch` on
 * `type`, because the `type` of {@link UnknownConversationEvent} is any string.
 */
export type ConversationEvent = KnownConversationEvent | UnknownConversationEvent;
