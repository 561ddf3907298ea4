import type {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  MistralApiError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "./api-error.js";
import type { ConfigurationError, ValidationError } from "./client-errors.js";
import type { ClientRateLimitError } from "./client-rate-limit-error.js";
import type { StructuredOutputError } from "./structured-output-error.js";
import type { ToolRunnerError } from "./tool-runner-error.js";
import type {
  AbortError,
  ConnectionError,
  ResponseTooLargeError,
  StreamError,
  TimeoutError,
} from "./transport-errors.js";

/**
 * Stable machine-readable kinds of every error the library throws. The string values are part of
 * the public API and never change meaning.
 */
export type MistralErrorCode =
  | "api_error"
  | "bad_request"
  | "authentication"
  | "permission_denied"
  | "not_found"
  | "conflict"
  | "unprocessable_entity"
  | "rate_limit"
  | "server_error"
  | "connection"
  | "timeout"
  | "abort"
  | "stream"
  | "response_too_large"
  | "validation"
  | "configuration"
  | "client_rate_limit"
  | "structured_output"
  | "tool_runner";

/** Marks library errors so `isMistralError` works across several copies of the package. */
const brand = Symbol.for("mistralai-ts.error");

export interface MistralErrorOptions {
  cause?: unknown;
  requestId?: string | undefined;
}

/**
 * Base class of every error thrown by the library. Messages never contain the API key or request
 * content; `toJSON` returns only the documented public fields.
 */
export class MistralError extends Error {
  /** Stable kind of the error; see {@link MistralErrorCode}. */
  readonly kind: MistralErrorCode = "api_error";

  /** Request id the server returned, when a response was received. */
  readonly requestId: string | undefined;

  constructor(message: string, options: MistralErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.requestId = options.requestId;
    Object.defineProperty(this, brand, { value: true });
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {};
    for (const key of Object.keys(this)) {
      json[key] = (this as unknown as Record<string, unknown>)[key];
    }

    return { name: this.name, message: this.message, ...json };
  }
}

/** The error class of each {@link MistralErrorCode}, which `isMistralError(value, kind)` narrows to. */
export interface MistralErrorKinds {
  api_error: MistralApiError;
  bad_request: BadRequestError;
  authentication: AuthenticationError;
  permission_denied: PermissionDeniedError;
  not_found: NotFoundError;
  conflict: ConflictError;
  unprocessable_entity: UnprocessableEntityError;
  rate_limit: RateLimitError;
  server_error: InternalServerError;
  connection: ConnectionError;
  timeout: TimeoutError;
  abort: AbortError;
  stream: StreamError;
  response_too_large: ResponseTooLargeError;
  validation: ValidationError;
  configuration: ConfigurationError;
  client_rate_limit: ClientRateLimitError;
  structured_output: StructuredOutputError;
  tool_runner: ToolRunnerError;
}

/**
 * Checks for an error thrown by any copy of this library, optionally of one kind, and narrows the
 * value to that kind's class. Prefer it to `instanceof`, which fails when two copies of the
 * package are installed.
 */
export function isMistralError<K extends MistralErrorCode>(
  value: unknown,
  kind: K,
): value is MistralErrorKinds[K];
export function isMistralError(value: unknown, kind?: MistralErrorCode): value is MistralError;
export function isMistralError(value: unknown, kind?: MistralErrorCode): value is MistralError {
  if (typeof value !== "object" || value === null || !(brand in value)) {
    return false;
  }

  return kind === undefined || (value as unknown as MistralError).kind === kind;
}
