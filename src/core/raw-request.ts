import type { RequestOptions } from "./client-options.js";
import { ValidationError } from "./errors/client-errors.js";
import { readServerSentEvents } from "./event-stream.js";
import { readJsonResponse, type WithResponseMeta } from "./json-response.js";
import type { ServerSentEvent } from "./sse-decoder.js";
import type { QueryValue, Transport } from "./transport.js";

/** Any API operation, for endpoints without a typed method. */
export interface RawRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path starting with `/v1/`. Encode parameters with `encodePathParameter`. */
  path: string;
  query?: Record<string, QueryValue | QueryValue[]>;
  /** JSON value, or a FormData, Blob, byte array or stream sent as is. */
  body?: unknown;
  /** True to read the response as server-sent events. */
  stream?: boolean;
  /**
   * True when the call changes server state and must not be sent twice: it is then retried only
   * where the server cannot have acted. Default: true for POST, PUT, PATCH and DELETE.
   */
  changesState?: boolean;
}

/** Sends a raw request and parses the JSON response. */
export async function sendRawRequest<T>(
  transport: Transport,
  request: RawRequest & { stream?: false },
  options: RequestOptions | undefined,
): Promise<WithResponseMeta<T>> {
  const api = await transport.send(toApiRequest(request, options));
  return readJsonResponse<T>(api, transport.config.maxResponseBytes);
}

/** Sends a raw request and returns its server-sent events as they arrive. */
export async function sendRawStreamRequest(
  transport: Transport,
  request: RawRequest,
  options: RequestOptions | undefined,
): Promise<AsyncGenerator<ServerSentEvent, void, undefined>> {
  const api = await transport.send(toApiRequest(request, options));
  return readServerSentEvents(api, { maxLineBytes: transport.config.maxStreamLineBytes });
}

function toApiRequest(request: RawRequest, options: RequestOptions | undefined) {
  checkRawPath(request.path);
  const changesState = request.changesState ?? request.method !== "GET";
  return {
    method: request.method,
    path: request.path,
    query: request.query,
    body: request.body,
    stream: request.stream === true,
    options,
    retryMode: changesState ? ("unsent" as const) : ("always" as const),
  };
}

/** A raw path may not leave the API's path space or smuggle a query. */
function checkRawPath(path: unknown): void {
  const valid =
    typeof path === "string" &&
    path.startsWith("/v1/") &&
    !/[?#\\\x00-\x20\x7f]/.test(path) &&
    !path.includes("//") &&
    !path.split("/").some((segment) => {
      const decoded = safeDecode(segment);
      return decoded === "." || decoded === ".." || decoded.includes("/");
    });
  if (!valid) {
    throw new ValidationError(
      [
        {
          path: "path",
          message:
            "must start with /v1/ and contain no '.', '..', '//', query, fragment or control characters; " +
            "pass query parameters as query",
        },
      ],
      "Invalid raw request",
    );
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
