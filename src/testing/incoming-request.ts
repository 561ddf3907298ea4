import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { RecordedRequest } from "./types.js";

/** A received request with its headers unmasked; never exposed to tests as is. */
export interface IncomingCall {
  method: string;
  path: string;
  url: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  body: unknown;
  receivedAt: number;
}

/** Headers whose values are credentials, masked in recorded requests. */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "x-api-key", "cookie"]);

/** Outcome of reading a body: the bytes, `"too-large"`, or `"aborted"` when the client left. */
export type BodyReadResult = Buffer | "too-large" | "aborted";

/** Reads the whole request body, stopping at `maxBytes` so a client cannot exhaust memory. */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyReadResult> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > maxBytes) {
    return Promise.resolve("too-large");
  }

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyReadResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };

    request.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        chunks.length = 0;
        settle("too-large");
      } else if (!settled) {
        chunks.push(chunk);
      }
    });
    request.on("end", () => settle(concat(chunks, size)));
    request.on("close", () => settle("aborted"));
    request.on("error", () => settle("aborted"));
  });
}

function concat(chunks: Buffer[], size: number): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** Builds the call from the request line, headers and body bytes. */
export function parseCall(request: IncomingMessage, rawBody: Buffer, receivedAt: number) {
  const url = request.url ?? "/";
  const queryStart = url.indexOf("?");
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query: Record<string, string> = {};
  if (queryStart !== -1) {
    for (const [name, value] of new URLSearchParams(url.slice(queryStart + 1))) {
      query[name] = value;
    }
  }

  const call: IncomingCall = {
    method: request.method ?? "GET",
    path,
    url,
    query,
    headers: request.headers,
    rawBody,
    body: parseBody(request.headers["content-type"], rawBody),
    receivedAt,
  };
  return call;
}

/** Parses JSON bodies; other bodies, and JSON that does not parse, stay UTF-8 text. */
function parseBody(contentType: string | undefined, rawBody: Buffer): unknown {
  if (rawBody.byteLength === 0) {
    return undefined;
  }

  const text = rawBody.toString("utf8");
  if (contentType === undefined || !isJsonContentType(contentType)) {
    return text;
  }

  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Checks whether the media type is `application/json` or a `+json` type. */
export function isJsonContentType(contentType: string): boolean {
  const mediaType = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

/** Copies the call into the shape tests see, with credential headers masked. */
export function toRecordedRequest(call: IncomingCall): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (value === undefined) {
      continue;
    }

    const text = Array.isArray(value) ? value.join(", ") : value;
    headers[name] = CREDENTIAL_HEADERS.has(name) ? maskCredential(name, text) : text;
  }

  return {
    method: call.method,
    path: call.path,
    url: call.url,
    query: call.query,
    headers,
    body: call.body,
    rawBody: call.rawBody,
    receivedAt: call.receivedAt,
  };
}

/**
 * Masks a credential header value. For `authorization` and `proxy-authorization`, the scheme is
 * kept (`Bearer abc` becomes `Bearer ***`); other values become `***`. An empty value, or a
 * scheme with an empty token, is kept as sent, because it contains no secret and tests need to
 * see that an empty token was sent.
 */
export function maskCredential(name: string, value: string): string {
  if (value.trim() === "") {
    return value;
  }

  if (name !== "authorization" && name !== "proxy-authorization") {
    return "***";
  }

  const match = /^(\S+)(\s+(.*))?$/s.exec(value.trim());
  const scheme = match?.[1] ?? "";
  const token = match?.[3] ?? "";
  if (token.trim() !== "") {
    return `${scheme} ***`;
  }

  // A lone word is either the scheme of an empty credential or a bare secret.
  return /^bearer$/i.test(scheme) ? value : "***";
}
