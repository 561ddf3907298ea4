import { ValidationError } from "./errors/client-errors.js";
import type { ApiRequest, QueryValue } from "./transport.js";

/** JSON-encodes plain values; FormData, Blob, bytes and streams are sent as they are. */
export function encodeBody(request: ApiRequest): BodyInit | undefined {
  const { body } = request;
  const extra = request.options?.extraBody;
  if (body === undefined && extra === undefined) {
    return undefined;
  }

  if (isRawBody(body)) {
    if (extra !== undefined) {
      throw new ValidationError(
        [{ path: "extraBody", message: "only applies to JSON request bodies" }],
        "Invalid request options",
      );
    }

    return body;
  }

  const merged = extra === undefined ? body : { ...(body as object), ...extra };
  return JSON.stringify(merged);
}

function isRawBody(body: unknown): body is BodyInit {
  return (
    (typeof FormData !== "undefined" && body instanceof FormData) ||
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    isStreamBody(body)
  );
}

export function isStreamBody(body: unknown): body is ReadableStream {
  return typeof ReadableStream !== "undefined" && body instanceof ReadableStream;
}

export function buildURL(
  baseURL: string,
  path: string,
  query: Record<string, QueryValue | QueryValue[]> | undefined,
): string {
  const url = baseURL + path;
  if (query === undefined) {
    return url;
  }

  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item !== undefined && item !== null) search.append(name, String(item));
    }
  }

  const text = search.toString();
  return text === "" ? url : `${url}?${text}`;
}

export function withoutQuery(url: string): string {
  const index = url.indexOf("?");
  return index === -1 ? url : url.slice(0, index);
}
