import { parseRateLimitHeaders, type RateLimitInfo } from "../rate-limit-headers.js";
import { MistralError, type MistralErrorCode } from "./mistral-error.js";

/** One normalised item of a 422 validation error. */
export interface ValidationIssue {
  /** Location of the invalid value, for example `["body", "top_p"]`. */
  loc: Array<string | number>;
  msg: string;
  type: string;
}

export interface ApiErrorDetails {
  status: number;
  message: string;
  /** The server's own message, exactly as sent, when the body had one. */
  serverMessage?: string | undefined;
  requestId?: string | undefined;
  /** The body's `code` value with its wire type kept (`"3280"`, `3001` or `null`). */
  code?: unknown;
  type?: string | undefined;
  param?: unknown;
  /** Raw response body text, capped in length. */
  body?: string | undefined;
  issues?: ValidationIssue[];
  retryAfterMs?: number | undefined;
  /** Response headers, read for `rateLimit` on first access. */
  headers?: Headers | undefined;
}

/** An HTTP error response from the API. Subclasses exist for each status a caller acts on. */
export class MistralApiError extends MistralError {
  override readonly kind: MistralErrorCode = "api_error";
  readonly status: number;
  /** The server's own message, exactly as sent; `message` adds the status, URL and a hint. */
  readonly serverMessage: string | undefined;
  readonly code: unknown;
  readonly type: string | undefined;
  readonly param: unknown;
  readonly body: string | undefined;
  readonly issues: ValidationIssue[];
  readonly retryAfterMs: number | undefined;
  readonly #headers: Headers | undefined;
  /** Null until `rateLimit` is first read. */
  #rateLimit: RateLimitInfo | undefined | null = null;

  constructor(details: ApiErrorDetails) {
    super(details.message, { requestId: details.requestId });
    this.status = details.status;
    this.serverMessage = details.serverMessage;
    this.code = details.code ?? null;
    this.type = details.type;
    this.param = details.param ?? null;
    this.body = details.body;
    this.issues = details.issues ?? [];
    this.retryAfterMs = details.retryAfterMs;
    this.#headers = details.headers;
  }

  /**
   * The API's `x-ratelimit-*` headers of the failed response, parsed on first access; undefined
   * when it carried none. On a 429 they tell which limit ran out.
   */
  get rateLimit(): RateLimitInfo | undefined {
    if (this.#rateLimit === null) {
      this.#rateLimit =
        this.#headers === undefined ? undefined : parseRateLimitHeaders(this.#headers);
    }

    return this.#rateLimit;
  }

  /** Same as `type`, under the name other Mistral clients use. */
  get errorType(): string | undefined {
    return this.type;
  }
}

/** 400: the request is malformed; fix it before sending again. */
export class BadRequestError extends MistralApiError {
  override readonly kind = "bad_request";
}

/** 401: the key is missing, wrong, or not valid for this base URL. */
export class AuthenticationError extends MistralApiError {
  override readonly kind = "authentication";
}

/** 403: the key is valid but may not use this model or endpoint. */
export class PermissionDeniedError extends MistralApiError {
  override readonly kind = "permission_denied";
}

/** 404: the model, file, job or route does not exist. */
export class NotFoundError extends MistralApiError {
  override readonly kind = "not_found";
}

/** 409: the resource is in a state that conflicts with the request. */
export class ConflictError extends MistralApiError {
  override readonly kind = "conflict";
}

/** 422: the server rejected one or more fields; see `issues`. */
export class UnprocessableEntityError extends MistralApiError {
  override readonly kind = "unprocessable_entity";
}

/** 429: a server-side rate limit or quota was hit; see `retryAfterMs`. */
export class RateLimitError extends MistralApiError {
  override readonly kind = "rate_limit";
}

/** 5xx: the server failed; retried by default. */
export class InternalServerError extends MistralApiError {
  override readonly kind = "server_error";
}

/** Builds the subclass matching an HTTP status. */
export function createApiError(details: ApiErrorDetails): MistralApiError {
  const { status } = details;
  if (status === 400) return new BadRequestError(details);
  if (status === 401) return new AuthenticationError(details);
  if (status === 403) return new PermissionDeniedError(details);
  if (status === 404) return new NotFoundError(details);
  if (status === 409) return new ConflictError(details);
  if (status === 422) return new UnprocessableEntityError(details);
  if (status === 429) return new RateLimitError(details);
  if (status >= 500) return new InternalServerError(details);
  return new MistralApiError(details);
}
