export { MistralClient } from "./client.js";
export type { ApiKeySource } from "./core/api-key.js";
export type {
  AttemptResponse,
  CallInfo,
  CallObserver,
  CallOutcome,
  ToolObservation,
} from "./core/call-observer.js";
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
export type { ClientLimit } from "./core/errors/client-rate-limit-error.js";
export { ClientRateLimitError } from "./core/errors/client-rate-limit-error.js";
export type { MistralErrorCode, MistralErrorKinds } from "./core/errors/mistral-error.js";
export { isMistralError, MistralError } from "./core/errors/mistral-error.js";
export type {
  StructuredOutputErrorDetails,
  StructuredOutputFailure,
} from "./core/errors/structured-output-error.js";
export { StructuredOutputError } from "./core/errors/structured-output-error.js";
export type { ToolRunnerErrorDetails, ToolRunnerFailure } from "./core/errors/tool-runner-error.js";
export { ToolRunnerError } from "./core/errors/tool-runner-error.js";
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
export type { RateLimitInfo, RateLimitWindow } from "./core/rate-limit-headers.js";
export type { RawRequest } from "./core/raw-request.js";
export type { ServerSentEvent } from "./core/sse-decoder.js";
export type { QueryValue } from "./core/transport.js";
export type { InputLimits } from "./guard/input-limits.js";
export type { LimitSet, RateLimitOptions, TokenBudget } from "./guard/rate-limit-options.js";
export type { LimitPermit, LimitRequest, RateLimiter } from "./guard/rate-limiter.js";
export { InMemoryRateLimiter } from "./guard/rate-limiter.js";
export { CursorPagedList } from "./resources/agents/cursor-paged-list.js";
export type { AgentGetParams } from "./resources/agents.js";
export { Agents } from "./resources/agents.js";
export { Audio } from "./resources/audio/audio.js";
export { AudioEventStream } from "./resources/audio/audio-event-stream.js";
export { Speech, SpeechStream } from "./resources/audio/speech.js";
export { TranscriptionStream, Transcriptions } from "./resources/audio/transcriptions.js";
export { Voices } from "./resources/audio/voices.js";
export { BatchResults, isBatchResultSuccess } from "./resources/batch/batch-results.js";
export { isTerminalBatchStatus } from "./resources/batch/batch-status.js";
export type { BatchWaitOptions } from "./resources/batch/wait-for-job.js";
export { Batch } from "./resources/batch.js";
export { Chat } from "./resources/chat/chat.js";
export type { ContentDelta } from "./resources/chat/chat-stream.js";
export { ChatCompletionStream } from "./resources/chat/chat-stream.js";
export type { AssembledCompletion } from "./resources/chat/completion-accumulator.js";
export { contentText, contentThinking } from "./resources/chat/message-content.js";
export type {
  SchemaResponseFormatOptions,
  TypedResponseFormat,
} from "./resources/chat/response-format.js";
export {
  jsonSchemaResponseFormat,
  schemaResponseFormat,
} from "./resources/chat/response-format.js";
export type {
  ParsedAssembledCompletion,
  ParsedChatCompletion,
  ParsedChatCompletionChoice,
  ParsedChatCompletionMessage,
  ParsedOutput,
  ParseRequest,
} from "./resources/chat/structured-output.js";
export { StructuredOutputStream } from "./resources/chat/structured-output-stream.js";
export { createToolCallId } from "./resources/chat/tool-call-id.js";
export type {
  RunnableTool,
  ToolContext,
  ToolDefinition,
} from "./resources/chat/tool-definition.js";
export { defineTool } from "./resources/chat/tool-definition.js";
export type { ToolErrorReason, ToolRunEvent } from "./resources/chat/tool-run-events.js";
export { ToolRunStream } from "./resources/chat/tool-run-stream.js";
export type {
  ToolRunOptions,
  ToolRunRequest,
  ToolRunResult,
} from "./resources/chat/tool-runner.js";
export { Classifiers } from "./resources/classifiers.js";
export {
  ConversationStream,
  isKnownConversationEvent,
} from "./resources/conversations/conversation-stream.js";
export { Conversations } from "./resources/conversations.js";
export { Embeddings } from "./resources/embeddings.js";
export type { FileDownload } from "./resources/files/download.js";
export { Files } from "./resources/files.js";
export { Fim } from "./resources/fim.js";
export { LibraryDocuments } from "./resources/libraries/documents.js";
export { Libraries } from "./resources/libraries/libraries.js";
export type { ProcessingWaitOptions } from "./resources/libraries/processing-wait.js";
export { LibrarySharing } from "./resources/libraries/sharing.js";
export { Models } from "./resources/models.js";
export { Ocr, ocrDocumentFromBytes } from "./resources/ocr.js";
export type { JsonSchemaObject } from "./schema/json-schema.js";
export type { InferSchemaOutput } from "./schema/schema-adapter.js";
export type { StandardSchemaIssue, StandardSchemaLike } from "./schema/standard-schema.js";
export type {
  AnomalyOptions,
  AuthFailureBurstOptions,
  ErrorRateOptions,
  LatencyAnomalyOptions,
  UserSpikeOptions,
} from "./telemetry/anomaly-options.js";
export type { AuditEventStats } from "./telemetry/audit-event-stream.js";
export { AuditEventStream } from "./telemetry/audit-event-stream.js";
export type {
  AnomalyEvent,
  AnomalyKind,
  AuditEvent,
  AuditEventHandler,
  AuditEventType,
  AuthFailureEvent,
  CallEventFields,
  ConfigWarningEvent,
  ErrorSummary,
  RequestEndEvent,
  RequestRetryEvent,
  RequestStartEvent,
  RequestThrottledEvent,
  TokenUsage,
  ToolEndEvent,
  ToolEventFields,
  ToolFailureReason,
  ToolStartEvent,
} from "./telemetry/audit-events.js";
export { computeKeyFingerprint } from "./telemetry/key-fingerprint.js";
export type { LogLevel } from "./telemetry/log-level.js";
export type { Logger } from "./telemetry/log-observer.js";
export type { Metrics } from "./telemetry/metrics.js";
export type {
  CallCounts,
  LatencySummary,
  MetricsSnapshot,
  OperationMetrics,
  StatusClass,
  ToolMetrics,
  UserMetrics,
} from "./telemetry/metrics-snapshot.js";
export type {
  OpenTelemetryApi,
  OpenTelemetryComponents,
  OpenTelemetryMeter,
  OpenTelemetryTracer,
} from "./telemetry/opentelemetry-types.js";
export type { TelemetryOptions } from "./telemetry/telemetry-options.js";
export type {
  Agent,
  AgentAlias,
  AgentCreationRequest,
  AgentListFilters,
  AgentListPage,
  AgentListParams,
  AgentPageNumberListParams,
  AgentsCompletionRequest,
  AgentTool,
  AgentUpdateRequest,
  AgentVersionListParams,
  CodeInterpreterTool,
  CompletionArgs,
  ConnectorAuthorization,
  CustomConnector,
  DocumentLibraryTool,
  FunctionTool,
  ImageGenerationTool,
  RequestSource,
  ToolConfiguration,
  WebSearchPremiumTool,
  WebSearchTool,
} from "./types/agents.js";
export type {
  KnownSpeechStreamEvent,
  KnownTranscriptionStreamEvent,
  SpeechAudioDeltaEvent,
  SpeechDoneEvent,
  SpeechOutputFormat,
  SpeechRequest,
  SpeechResponse,
  SpeechStreamEvent,
  TimestampGranularity,
  TranscriptionDoneEvent,
  TranscriptionLanguageEvent,
  TranscriptionRequest,
  TranscriptionResponse,
  TranscriptionSegment,
  TranscriptionSegmentEvent,
  TranscriptionStreamEvent,
  TranscriptionTextDeltaEvent,
  UnknownAudioStreamEvent,
  Voice,
  VoiceCreateRequest,
  VoiceList,
  VoiceListParams,
  VoiceUpdateRequest,
} from "./types/audio.js";
export type {
  BatchEndpoint,
  BatchError,
  BatchJob,
  BatchJobCreateRequest,
  BatchJobFromRequests,
  BatchJobGetQuery,
  BatchJobList,
  BatchJobListQuery,
  BatchJobStatus,
  BatchRequest,
  BatchResponse,
  BatchResultLine,
} from "./types/batch.js";
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
  ChatClassificationRequest,
  ChatModerationRequest,
  ClassificationRequest,
  ClassificationResponse,
  ClassificationTargetResult,
  InstructRequest,
  ModerationCategory,
  ModerationRequest,
  ModerationResponse,
  ModerationResult,
} from "./types/classifiers.js";
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
  AgentConversation,
  AgentHandoffDoneEvent,
  AgentHandoffEntry,
  AgentHandoffStartedEvent,
  ConfirmationStatus,
  Conversation,
  ConversationAppendRequest,
  ConversationEntry,
  ConversationEvent,
  ConversationHistory,
  ConversationInputs,
  ConversationListParams,
  ConversationMessages,
  ConversationRequest,
  ConversationResponse,
  ConversationResponseDoneEvent,
  ConversationResponseErrorEvent,
  ConversationResponseStartedEvent,
  ConversationRestartRequest,
  ConversationUsageInfo,
  FunctionCallDeltaEvent,
  FunctionCallEntry,
  FunctionResultEntry,
  HandoffExecution,
  InputContentChunk,
  InputEntry,
  KnownConversationEvent,
  MessageInputEntry,
  MessageOutputDeltaEvent,
  MessageOutputEntry,
  ModelConversation,
  OutputContentChunk,
  OutputEntry,
  ToolCallConfirmation,
  ToolExecutionDeltaEvent,
  ToolExecutionDoneEvent,
  ToolExecutionEntry,
  ToolExecutionStartedEvent,
  ToolFileChunk,
  UnknownConversationEntry,
  UnknownConversationEvent,
} from "./types/conversations.js";
export type {
  Embedding,
  EmbeddingDtype,
  EmbeddingRequest,
  EmbeddingResponse,
} from "./types/embeddings.js";
export type {
  DeleteFileResponse,
  FileListQuery,
  FileListResponse,
  FileObject,
  FilePurpose,
  FileSignedURL,
  FileSource,
  FileUploadRequest,
  FileVisibility,
  NamedUpload,
  PathUpload,
  SampleType,
  SignedURLQuery,
  UploadData,
  UploadFile,
  UploadProgress,
} from "./types/files.js";
export type { FimCompletionRequest, FimCompletionResponse } from "./types/fim.js";
export type {
  DocumentAttributeValue,
  DocumentPagination,
  DocumentProcessingStatus,
  DocumentTextContent,
  DocumentUploadRequest,
  Library,
  LibraryAccess,
  LibraryAccessDeleteRequest,
  LibraryAccessList,
  LibraryAccessRequest,
  LibraryCreateRequest,
  LibraryDocument,
  LibraryDocumentList,
  LibraryDocumentListParams,
  LibraryDocumentUpdateRequest,
  LibraryList,
  LibraryUpdateRequest,
  ProcessStatus,
  ShareEntityType,
  ShareLevel,
} from "./types/libraries.js";
export type {
  BaseModelCard,
  ClassifierTarget,
  DeleteModelResponse,
  FTModel,
  FTModelArchiveResponse,
  FTModelCapabilities,
  FTModelCard,
  FTModelType,
  FTModelUpdateRequest,
  Model,
  ModelCapabilities,
  ModelCardCommon,
  ModelList,
  ModelType,
} from "./types/models.js";
export type {
  OCRBlock,
  OCRBlockType,
  OCRBoundingBox,
  OCRConfidenceGranularity,
  OCRConfidenceScore,
  OCRDocument,
  OCRImage,
  OCRPage,
  OCRPageConfidenceScores,
  OCRPageDimensions,
  OCRRequest,
  OCRResponse,
  OCRTable,
  OCRTableFormat,
  OCRUsageInfo,
} from "./types/ocr.js";
export { version } from "./version.js";
