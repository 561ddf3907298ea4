import { readBoundedText } from "./body-reader.js";
import { parseErrorBody } from "./error-body.js";
import { createApiError, type MistralApiError } from "./errors/api-error.js";
import type { MistralError } from "./errors/mistral-error.js";
import { StreamError } from "./errors/transport-errors.js";
import { defineRateLimit, type RateLimitInfo } from "./rate-limit-headers.js";
import type { ApiResponse } from "./transport.js";

/** Metadata attached to every parsed response object as non-enumerable properties. */
export interface ResponseMeta {
  /** Request id from `mistral-correlation-id`, `x-kong-request-id` or `x-request-id`. */
  readonly requestId?: string | undefined;
  /**
   * The API's `x-ratelimit-*` headers of this response, parsed on first access; undefined when it
   * carried none.
   */
  readonly rateLimit?: RateLimitInfo | undefined;
}

/** A parsed response body with its {@link ResponseMeta}. */
export type WithResponseMeta<T> = T & ResponseMeta;

/**
 * Reads and parses a JSON body within `maxBytes`. Attaches `requestId` without making it
 * enumerable, so the object serialises exactly as the server sent it.
 */
export async function readJsonResponse<T>(
  api: ApiResponse,
  maxBytes: number,
): Promise<WithResponseMeta<T>> {
  let text: string;
  try {
    text = await readBoundedText(api.response, maxBytes, api.timer, api);
  } catch (error) {
    const failure = api.timer.failure ?? error;
    api.call?.end({ error: failure as MistralError });
    throw failure;
  } finally {
    api.timer.finish();
  }

  let value: unknown;
  try {
    value = parseBody(text, api);
  } catch (error) {
    api.call?.end({ error: error as MistralError });
    throw error;
  }

  api.call?.end({ body: value });
  return attachMeta(value as T, api.requestId, api.response.headers);
}

/**
 * Parses a success body. An empty body is accepted only where the API sends none: any DELETE, and
 * a 204 or 205 to another method that changes state. A JSON error envelope
 * (`{"object":"error"}`) sent with a 2xx status raises a MistralApiError instead of passing as
 * the expected object.
 */
function parseBody(text: string, api: ApiResponse): unknown {
  if (text === "") {
    if (isEmptyBodyAllowed(api)) return {};
    throw new StreamError(
      `The response of ${api.description} has an empty body (HTTP ${api.response.status}) where ` +
        "a JSON object was expected: the server or a proxy dropped it; check baseURL or retry",
      { requestId: api.requestId },
    );
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StreamError(
      `The response of ${api.description} is not valid JSON: the server or a proxy ` +
        "returned something else; check baseURL",
      { payload: api.redact(text).slice(0, 200), cause: error, requestId: api.requestId },
    );
  }

  if (isErrorEnvelope(value)) {
    throw errorFromEnvelope(api.redact(text), api);
  }

  return value;
}

function isEmptyBodyAllowed(api: ApiResponse): boolean {
  if (api.method === "DELETE") return true;
  // NOTE: a 204 to a POST or PUT is accepted for every route, because the resources do not yet
  // tell this reader which routes are documented to return no content.
  const status = api.response.status;
  return (status === 204 || status === 205) && api.method !== "GET";
}

function isErrorEnvelope(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { object?: unknown }).object === "error"
  );
}

function errorFromEnvelope(text: string, api: ApiResponse): MistralApiError {
  const parsed = parseErrorBody(text);
  const status = api.response.status;
  const summary = parsed.message ?? "Error object without a message";
  return createApiError({
    status,
    message:
      `${summary} (an error object with HTTP ${status} from ${api.description}): the request ` +
      "failed although the status reports success; see the body for details",
    serverMessage: parsed.serverMessage,
    requestId: parsed.requestId ?? api.requestId,
    code: parsed.code,
    type: parsed.type,
    param: parsed.param,
    body: text.slice(0, 8 * 1024),
    issues: parsed.issues,
    headers: api.response.headers,
  });
}

/** Attaches response metadata to an object, leaving other values unchanged. */
export function attachMeta<T>(
  value: T,
  requestId: string | undefined,
  headers?: Headers,
): WithResponseMeta<T> {
  if (typeof value === "object" && value !== null) {
    Object.defineProperty(value, "requestId", { value: requestId, configurable: true });
    defineRateLimit(value, headers);
  }

  return value as WithResponseMeta<T>;
}
