export { MistralClient } from "./client.js";
export type { ApiKeySource } from "./core/api-key.js";
export type {
  ClientOptions,
  EndpointOptions,
  FetchFunction,
  RequestOptions,
  RetryOptions,
} from "./core/client-options.js";
export type { ValidationIssue } from "./core/errors/api-error.js";
export {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  MistralApiError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "./core/errors/api-error.js";
export type { InputProblem } from "./core/errors/client-errors.js";
export { ConfigurationError, ValidationError } from "./core/errors/client-errors.js";
export type { MistralErrorCode } from "./core/errors/mistral-error.js";
export { isMistralError, MistralError } from "./core/errors/mistral-error.js";
export type { TimeoutPhase } from "./core/errors/transport-errors.js";
export {
  AbortError,
  ConnectionError,
  ResponseTooLargeError,
  StreamError,
  TimeoutError,
} from "./core/errors/transport-errors.js";
export type { ResponseMeta, WithResponseMeta } from "./core/json-response.js";
export type { Page, PageResult } from "./core/pagination.js";
export { PagedList } from "./core/pagination.js";
export { encodePathParameter } from "./core/path.js";
export type { RawRequest } from "./core/raw-request.js";
export type { ServerSentEvent } from "./core/sse-decoder.js";
export type { QueryValue } from "./core/transport.js";
export { Chat } from "./resources/chat/chat.js";
export type { ContentDelta } from "./resources/chat/chat-stream.js";
export { ChatCompletionStream } from "./resources/chat/chat-stream.js";
export type { AssembledCompletion } from "./resources/chat/completion-accumulator.js";
export { contentText, contentThinking } from "./resources/chat/message-content.js";
export { createToolCallId } from "./resources/chat/tool-call-id.js";
export { Embeddings } from "./resources/embeddings.js";
export { Fim } from "./resources/fim.js";
export { Models } from "./resources/models.js";
export type {
  AssistantMessage,
  BuiltInConnector,
  ChatCompletionChoice,
  ChatCompletionChunk,
  ChatCompletionMessage,
  ChatCompletionRequest,
  ChatCompletionResponse,
  ChatCompletionStreamChoice,
  ChatMessage,
  ContentChunk,
  DeltaMessage,
  DocumentURLChunk,
  FileChunk,
  FinishReason,
  FunctionCall,
  FunctionDefinition,
  ImageDetail,
  ImageURL,
  ImageURLChunk,
  InputAudioChunk,
  JsonSchemaFormat,
  KnownContentChunk,
  MessageContent,
  NamedToolChoice,
  Prediction,
  ReferenceChunk,
  ResponseFormat,
  ResponseFormatType,
  SystemMessage,
  TextChunk,
  ThinkChunk,
  ThinkingContent,
  Tool,
  ToolCall,
  ToolCallDelta,
  ToolChoice,
  ToolChoiceMode,
  ToolMessage,
  ToolReferenceChunk,
  UnknownContentChunk,
  UserMessage,
} from "./types/chat.js";
export type {
  GuardrailConfig,
  ModerationLLMAction,
  ModerationLLMV1CategoryThresholds,
  ModerationLLMV1Config,
  ModerationLLMV2CategoryThresholds,
  ModerationLLMV2Config,
  OpenString,
  PromptTokensDetails,
  UsageInfo,
} from "./types/common.js";
export type {
  Embedding,
  EmbeddingDtype,
  EmbeddingRequest,
  EmbeddingResponse,
} from "./types/embeddings.js";
export type { FimCompletionRequest, FimCompletionResponse } from "./types/fim.js";
export type {
  BaseModelCard,
  DeleteModelResponse,
  FTModelCard,
  Model,
  ModelCapabilities,
  ModelCardCommon,
  ModelList,
  ModelType,
} from "./types/models.js";
export { version } from "./version.js";
