export { MistralClient } from "./client.js";
export type { ApiKeySource } from "./core/api-key.js";
export type {
  ClientOptions,
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
export { Models } from "./resources/models.js";
export type * from "./types/chat.js";
export type * from "./types/common.js";
export type * from "./types/models.js";
export { version } from "./version.js";
