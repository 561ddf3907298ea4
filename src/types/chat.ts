import type { GuardrailConfig, OpenString, UsageInfo } from "./common.js";

// Wire types of POST /v1/chat/completions. Field names are the API's own (snake_case), so a body
// built from these types is sent as is. Response types carry an index signature because the API
// adds fields without notice, and those fields are passed through untouched.

// ---- Content chunks ----

/** Plain text. */
export interface TextChunk {
  type: "text";
  text: string;
}

/** Level of detail the model uses to read an image. */
export type ImageDetail = OpenString<"low" | "auto" | "high">;

/** An image given by URL, with an optional level of detail. */
export interface ImageURL {
  /** A URL, or a `data:` URL with the base64-encoded image. */
  url: string;
  detail?: ImageDetail | null;
}

/** An image, given either as a URL string or as an {@link ImageURL} object. */
export interface ImageURLChunk {
  type: "image_url";
  image_url: string | ImageURL;
}

/** A document the model reads from a URL. */
export interface DocumentURLChunk {
  type: "document_url";
  document_url: string;
  /** File name of the document. */
  document_name?: string | null;
}

/** Citation of the references (for example search results) the surrounding text relies on. */
export interface ReferenceChunk {
  type: "reference";
  reference_ids: number[];
}

/** Built-in tools of the agents API that a {@link ToolReferenceChunk} may name. */
export type BuiltInConnector = OpenString<
  "web_search" | "web_search_premium" | "code_interpreter" | "image_generation" | "document_library"
>;

/** A source that a tool consulted during reasoning. */
export interface ToolReferenceChunk {
  type: "tool_reference";
  tool: BuiltInConnector;
  title: string;
  url?: string | null;
  favicon?: string | null;
}

/** One piece of a reasoning trace. */
export type ThinkingContent = TextChunk | ToolReferenceChunk | ReferenceChunk;

/** Reasoning of a reasoning model, kept apart from the response text. */
export interface ThinkChunk {
  type: "thinking";
  thinking: ThinkingContent[];
  /**
   * False while the reasoning is still open. The API uses it when an assistant prefix ends inside
   * the reasoning. Server default: true.
   */
  closed?: boolean;
}

/** A file uploaded earlier through the files API. */
export interface FileChunk {
  type: "file";
  /** UUID of the uploaded file. */
  file_id: string;
}

/** Audio input for models that accept audio. */
export interface InputAudioChunk {
  type: "input_audio";
  /** Base64-encoded audio data. */
  input_audio: string;
}

/**
 * A chunk of a `type` that this version of the library does not define. It is kept as received so that
 * it survives a round trip, for example when a response message is sent back in the next request.
 */
export interface UnknownContentChunk {
  type: string;
  [key: string]: unknown;
}

/** Content chunks of the types that this version of the library defines. */
export type KnownContentChunk =
  | TextChunk
  | ImageURLChunk
  | DocumentURLChunk
  | ReferenceChunk
  | ThinkChunk
  | FileChunk
  | InputAudioChunk;

/**
 * One typed piece of a message's content. Comparing `type` to a known value does not narrow away
 * {@link UnknownContentChunk}, whose `type` is any string, so narrow to {@link KnownContentChunk}
 * first when the fields of a known chunk are needed.
 */
export type ContentChunk = KnownContentChunk | UnknownContentChunk;

/** Message content: plain text, or a list of typed chunks (text, images, reasoning, ...). */
export type MessageContent = string | ContentChunk[];

// ---- Tool calls ----

/** A function call the model produced, or the same call replayed in a later request. */
export interface FunctionCall {
  name: string;
  /**
   * Arguments as a JSON-encoded string, which is what the API returns. Requests may also pass an
   * object.
   */
  arguments: string | Record<string, unknown>;
}

/** A tool call of an assistant message. */
export interface ToolCall {
  /**
   * Id the server assigned (9 characters from `[A-Za-z0-9]`). Send it back unchanged in the
   * assistant message and in the `tool_call_id` of the matching tool message.
   */
  id: string;
  /** Server default: `"function"`. */
  type?: OpenString<"function">;
  function: FunctionCall;
  /** Position of the call among the calls of one message. */
  index?: number;
}

/**
 * Fragment of a tool call in a stream delta. Every field may be absent, and a continuation may
 * carry placeholders (`id: "null"`, `name: ""`) that must not replace values already received.
 */
export interface ToolCallDelta {
  /** Position of the call being built. 0 is a real index, not a missing value. */
  index?: number;
  id?: string;
  type?: OpenString<"function">;
  function?: {
    name?: string;
    /** Text to append to the arguments received so far. */
    arguments?: string | Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

// ---- Messages ----

/** Instructions that frame the conversation. Only text and thinking chunks are allowed. */
export interface SystemMessage {
  role: "system";
  content: string | Array<TextChunk | ThinkChunk>;
}

export interface UserMessage {
  role: "user";
  content: MessageContent | null;
}

/** A previous reply of the model, replayed as context or used as a prefix. */
export interface AssistantMessage {
  role: "assistant";
  content?: MessageContent | null;
  tool_calls?: ToolCall[] | null;
  /**
   * When true, this message must be the last one, and the model continues its text instead of
   * starting a new reply. Default false.
   */
  prefix?: boolean;
}

/** The result of a tool call, sent back to the model. */
export interface ToolMessage {
  role: "tool";
  content: MessageContent | null;
  /** The `id` of the {@link ToolCall} this message answers, unchanged. */
  tool_call_id?: string | null;
  /** Name of the function that was called. */
  name?: string | null;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

// ---- Tools and output format ----

/** A function the model may call. */
export interface FunctionDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the function's arguments, as an object schema. */
  parameters: Record<string, unknown>;
  /** When true, the model's arguments are constrained to match `parameters`. Default false. */
  strict?: boolean;
}

export interface Tool {
  /** Server default: `"function"`. */
  type?: OpenString<"function">;
  function: FunctionDefinition;
}

/**
 * `auto`: the model decides whether to call tools. `none`: no tool call. `any` and `required`:
 * at least one tool call.
 */
export type ToolChoiceMode = OpenString<"auto" | "none" | "any" | "required">;

/** Forces a call to one named function. */
export interface NamedToolChoice {
  /** Server default: `"function"`. */
  type?: OpenString<"function">;
  function: { name: string };
}

/** Value of `tool_choice`. Server default: `"auto"`. */
export type ToolChoice = ToolChoiceMode | NamedToolChoice;

/** A JSON Schema the model's output must follow (structured output). */
export interface JsonSchemaFormat {
  name: string;
  description?: string | null;
  /** The schema itself, sent unchanged. The API has rejected schemas with `$schema` or `$id` keys. */
  schema: Record<string, unknown>;
  /** When true, the output is constrained to the schema exactly. Default false. */
  strict?: boolean;
}

export type ResponseFormatType = OpenString<"text" | "json_object" | "json_schema">;

export interface ResponseFormat {
  /** Server default: `"text"`. `"json_schema"` requires `json_schema`. */
  type?: ResponseFormatType;
  json_schema?: JsonSchemaFormat | null;
}

/** Expected output, which lets the server respond faster when most of it is reused unchanged. */
export interface Prediction {
  type?: "content";
  content?: string;
}

// ---- Request ----

/**
 * Body of a chat completion request, without `stream`, which the client sets. A field left out
 * takes the server's default.
 */
export interface ChatCompletionRequest {
  /** Model id, for example `mistral-small-latest`. */
  model: string;
  messages: ChatMessage[];
  /** Sampling temperature, 0 to 1.5. The default depends on the model (see the models API). */
  temperature?: number | null;
  /** Nucleus sampling probability mass, 0 to 1. Default 1. */
  top_p?: number;
  /** Maximum number of tokens to generate. Prompt plus completion must fit the context length. */
  max_tokens?: number | null;
  /** Generation stops before any of these strings. */
  stop?: string | string[];
  /** Seed for sampling, 0 or more. The same seed gives reproducible output. */
  random_seed?: number | null;
  /** Caller-defined key-value pairs attached to the request. */
  metadata?: Record<string, unknown> | null;
  response_format?: ResponseFormat;
  tools?: Tool[] | null;
  tool_choice?: ToolChoice;
  /** Penalty on tokens that already appeared at all, -2 to 2. Default 0. */
  presence_penalty?: number;
  /** Penalty on tokens in proportion to how often they appeared, -2 to 2. Default 0. */
  frequency_penalty?: number;
  /** Number of completions to generate, 1 or more. The prompt is billed once. */
  n?: number | null;
  prediction?: Prediction;
  /** Whether the model may return several tool calls in one message. Default true. */
  parallel_tool_calls?: boolean;
  /** `"reasoning"` selects the reasoning system prompt. Deprecated in favour of `reasoning_effort`. */
  prompt_mode?: OpenString<"reasoning"> | null;
  /** Reasoning level of reasoning models: `"high"` for full reasoning, `"none"` to turn it off. */
  reasoning_effort?: OpenString<"high" | "none">;
  guardrails?: GuardrailConfig[] | null;
  /** Requests with the same key and a shared prompt prefix may reuse cached prompt tokens. */
  prompt_cache_key?: string | null;
  /** When true, the server prepends its safety prompt. Default false. */
  safe_prompt?: boolean;
}

// ---- Response ----

/**
 * Reason generation stopped. `length`: `max_tokens` reached. `model_length`: the context length was
 * reached. `tool_calls`: the model called tools.
 */
export type FinishReason = OpenString<"stop" | "length" | "model_length" | "error" | "tool_calls">;

/** The assistant message of a completion, which can be appended to `messages` as is. */
export interface ChatCompletionMessage extends AssistantMessage {
  [key: string]: unknown;
}

export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  finish_reason: FinishReason;
  [key: string]: unknown;
}

export interface ChatCompletionResponse {
  id: string;
  /** `"chat.completion"`. */
  object: string;
  model: string;
  /** Creation time, in Unix seconds. */
  created: number;
  usage: UsageInfo;
  choices: ChatCompletionChoice[];
  [key: string]: unknown;
}

/** The part of the message added by one stream event. */
export interface DeltaMessage {
  /** Usually present on the first delta only. */
  role?: OpenString<"assistant"> | null;
  content?: string | ContentChunk[] | null;
  tool_calls?: ToolCallDelta[] | null;
  [key: string]: unknown;
}

export interface ChatCompletionStreamChoice {
  index: number;
  delta: DeltaMessage;
  /** Null until the last delta of this choice. */
  finish_reason: FinishReason | null;
  [key: string]: unknown;
}

/** One event of a streamed chat completion. */
export interface ChatCompletionChunk {
  id: string;
  /** `"chat.completion.chunk"`. */
  object?: string;
  /** Creation time, in Unix seconds. */
  created?: number;
  model: string;
  /** Empty in a final usage-only chunk. */
  choices: ChatCompletionStreamChoice[];
  /** Usually present only on the last chunk, which may have empty `choices`. */
  usage?: UsageInfo | null;
  [key: string]: unknown;
}
