import { readBoundedText } from "./body-reader.js";
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
    text = await readBoundedText(api.response, maxBytes, api.timer);
  } catch (error) {
    const failure = api.timer.failure ?? error;
    api.call?.end({ error: failure as MistralError });
    throw failure;
  } finally {
    api.timer.finish();
  }

  let value: unknown;
  try {
    value = text === "" ? {} : JSON.parse(text);
  } catch (error) {
    const failure = new StreamError(
      `The response of ${api.description} is not valid JSON: the server or a proxy ` +
        "returned something else; check baseURL",
      { payload: api.redact(text).slice(0, 200), cause: error, requestId: api.requestId },
    );
    api.call?.end({ error: failure });
    throw failure;
  }

  api.call?.end({ body: value });
  return attachMeta(value as T, api.requestId, api.response.headers);
}

/** Attaches response metadata to an object, leaving other values unchanged. */
export function attachMeta<T>(
  value: T,
  requestId: string | undefined,
  headers?: Headers,
): WithResponseMeta<T> {
  if (typeof value === "object" && value !== null) {
    Object.defineProperty(value, "requestId", { value: requestId, enumerable: false });
    defineRateLimit(value, headers);
  }

  return value as WithResponseMeta<T>;
}
