import { prepareBody, type RequestBody } from "./request-body.js";

/** A request read from fetch's arguments, in the shape node:http sends. */
export interface OutgoingRequest {
  url: URL;
  method: string;
  /** Lower-case names; repeated names are joined with ", " as `Headers` does. */
  headers: Record<string, string>;
  body: RequestBody | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Methods fetch upper-cases in any spelling (Fetch standard, "normalize a method"). PATCH is not
 * one of them, so `patch` is sent as written, as with fetch.
 */
const normalizedMethods = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

/** Methods the Fetch standard forbids: CONNECT opens a tunnel, TRACE and TRACK echo headers. */
const forbiddenMethods = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * Reads fetch's `input` and `init` into an {@link OutgoingRequest}. Throws a TypeError where fetch
 * rejects: an invalid URL, a scheme other than `http:` or `https:`, credentials in the URL, a
 * forbidden method, or a body on GET or HEAD.
 */
export function readFetchArguments(
  input: string | URL | Request,
  init: RequestInit | undefined,
): OutgoingRequest {
  const request = input instanceof Request ? input : undefined;
  const url = readURL(request ? request.url : (input as string | URL));
  const method = readMethod(init?.method ?? request?.method ?? "GET");
  const headers = readHeaders(init?.headers ?? request?.headers);
  const body = init?.body !== undefined ? init.body : request?.body;
  // A Request's own body is a stream that the Request already accepted, so it needs no duplex.
  const duplex = init?.body !== undefined ? readDuplex(init) : "half";
  const prepared = prepareBody(body, duplex);
  if (prepared !== undefined && (method === "GET" || method === "HEAD")) {
    throw new TypeError(`A ${method} request cannot have a body`);
  }

  addBodyHeaders(headers, method, prepared);
  return { url, method, headers, body: prepared, signal: init?.signal ?? request?.signal };
}

function readURL(input: string | URL): URL {
  const url = input instanceof URL ? input : new URL(String(input));
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Unsupported URL scheme ${url.protocol}: use http: or https:`);
  }

  if (url.username !== "" || url.password !== "") {
    throw new TypeError("The URL contains credentials: send them in a header instead");
  }

  return url;
}

function readMethod(method: string): string {
  const upper = method.toUpperCase();
  if (forbiddenMethods.has(upper)) {
    throw new TypeError(`The ${upper} method is not allowed`);
  }

  return normalizedMethods.has(upper) ? upper : method;
}

function readDuplex(init: RequestInit): string | undefined {
  // `duplex` is missing from the DOM RequestInit type of TypeScript 5.9.
  return (init as { duplex?: unknown }).duplex === "half" ? "half" : undefined;
}

/** Copies headers into a plain object, trimming values as fetch does. */
export function readHeaders(source: HeadersInit | null | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (source === undefined || source === null) {
    return headers;
  }

  if (source instanceof Headers) {
    // Headers already lower-cases names, trims values and joins repeated names.
    source.forEach((value, name) => {
      headers[name] = value;
    });
    return headers;
  }

  const entries = Array.isArray(source) ? source : Object.entries(source);
  for (const entry of entries) {
    if (entry.length !== 2) {
      throw new TypeError("Each header must be a [name, value] pair");
    }

    const name = String(entry[0]).toLowerCase();
    const value = String(entry[1]).trim();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }

  return headers;
}

/**
 * Adds the headers fetch adds: the body's content type unless the caller set one, the length
 * when it is known, and the encodings node:zlib can decode.
 */
function addBodyHeaders(
  headers: Record<string, string>,
  method: string,
  body: RequestBody | undefined,
): void {
  headers["accept"] ??= "*/*";
  headers["accept-encoding"] ??= "gzip, deflate, br";
  if (body === undefined) {
    // fetch sends `content-length: 0` for a POST or PUT without body (Fetch standard,
    // "HTTP-network-or-cache fetch").
    if (method === "POST" || method === "PUT") {
      headers["content-length"] = "0";
    }

    return;
  }

  if (body.contentType !== undefined) {
    headers["content-type"] ??= body.contentType;
  }

  const declared = headers["content-length"];
  if (body.length === undefined && declared !== undefined) {
    // A stream with a length set by the caller goes out with that length, as with fetch. The
    // transport counts the bytes and fails the request when the stream yields another number.
    body.length = readDeclaredLength(declared);
  }

  if (body.length !== undefined) {
    headers["content-length"] = String(body.length);
  }
}

/** Reads a caller's `content-length`, which must be a whole number of bytes. */
function readDeclaredLength(value: string): number {
  const length = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(length)) {
    throw new TypeError(`Invalid content-length header ${JSON.stringify(value)}: use a byte count`);
  }

  return length;
}
