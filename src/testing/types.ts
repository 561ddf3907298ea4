import type { Route } from "./routes/route.js";

/** Options of `MockMistralServer.start`. */
export interface MockServerOptions {
  /**
   * Extra default handlers, tried before the built-in ones, for routes the server does not know
   * or to replace a built-in reply for the whole test.
   */
  routes?: Route[];
  /**
   * Key the default handlers expect as `Authorization: Bearer <apiKey>`. When set, a `/v1`
   * request without exactly that header gets a 401 error envelope. Scripted replies skip the
   * check. Default: no check.
   */
  apiKey?: string;
  /** Model id listed first by the default `GET /v1/models`. Default: `"mistral-small-latest"`. */
  model?: string;
  /**
   * Clock in milliseconds since the epoch, used for `receivedAt`, the `created` fields and, when
   * given, the `date` response header. Default: `Date.now`.
   */
  now?: () => number;
  /** TCP port on 127.0.0.1. Default: 0, a free port chosen by the system. */
  port?: number;
  /**
   * Whether to store every request in `requests`. Turn it off for benchmarks, where the stored
   * bodies would grow without bound. Default: true.
   */
  record?: boolean;
  /**
   * Maximum request body size in bytes. A larger body gets a 413 error envelope, the connection
   * is closed and the request is not recorded. Default: 64 MiB.
   */
  maxBodyBytes?: number;
}

/** One request as the server received it. */
export interface RecordedRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Request target exactly as sent, path and query string included. */
  url: string;
  /** Query parameters. When a name repeats, the last value wins; `url` keeps all of them. */
  query: Record<string, string>;
  /**
   * Headers with lower-case names, repeated values joined by `", "`. Credentials are masked:
   * `authorization: Bearer sk-...` becomes `Bearer ***` (an empty token is kept as sent), and
   * `proxy-authorization`, `x-api-key` and `cookie` are masked the same way. Use
   * `MockMistralServer.authorizationMatches` to compare the real value.
   */
  headers: Record<string, string>;
  /**
   * Parsed JSON when the content type is JSON and the body parses, otherwise the body as UTF-8
   * text. `undefined` when the body is empty.
   */
  body: unknown;
  /** Body bytes exactly as received. */
  rawBody: Buffer;
  /** Arrival time of the request headers, from the `now` option (milliseconds). */
  receivedAt: number;
}

/** Condition a scripted reply puts on the request it serves. */
export interface ReplyMatch {
  /** HTTP method, compared case-insensitively. */
  method?: string;
  /** Exact path without the query string, or a pattern tested against it. */
  path?: string | RegExp;
}

/**
 * Transport faults a scripted reply can inject.
 *
 * - `black-hole`: read the request and never respond.
 * - `close-before-headers`: close the socket without sending a byte.
 * - `close-mid-body`: send the headers and part of the body, then close the socket.
 * - `stall-mid-body`: send the headers and part of the body, then keep the socket open and silent.
 * - `malformed`: send the headers, part of the body, then bytes that are not valid JSON (or an
 *   SSE event whose data is not valid JSON), and end the response normally.
 *
 * "Part of the body" is the first `faultAfterWrites` writes. By default it is half of the writes,
 * or half of the bytes when the body is a single write. For `malformed` with a single-write body
 * the default is no write at all, so the whole body is replaced.
 */
export type ServerFault =
  | "black-hole"
  | "close-before-headers"
  | "close-mid-body"
  | "stall-mid-body"
  | "malformed";

/**
 * Signal that ends the response body.
 *
 * - `content-length`: a `content-length` header (default for `body` and the default JSON replies).
 * - `chunked`: `transfer-encoding: chunked` (default for `events`, `writes` and default streams).
 * - `close`: no length at all, `connection: close`, the body ends when the server closes the socket.
 */
export type BodyFraming = "content-length" | "chunked" | "close";

/**
 * A reply the test puts in the server's queue. The queue is consulted before the default
 * handlers, in FIFO order, and the first entry whose `match` fits the request serves it.
 *
 * When none of `status`, `body`, `events`, `writes` and `rawResponse` is set, the default
 * handlers (key check included) build the response, and the scripted `headers`, timing, framing
 * and fault apply to it. So `{ delayBeforeHeadersMs: 2000 }` delays a normal chat completion.
 */
export interface ScriptedReply {
  match?: ReplyMatch;
  /** HTTP status. Default: 200 when content is scripted. */
  status?: number;
  /**
   * Response headers. They replace the defaults of the same name (names compare
   * case-insensitively), including `content-type` and `mistral-correlation-id`.
   */
  headers?: Record<string, string>;
  /**
   * Body sent in one write. An object is JSON-encoded. Either way the default content type is
   * `application/json`, except for an empty string, which is sent without a content type.
   */
  body?: string | object;
  /**
   * Server-sent events, each written as `data: <payload>\n\n` in its own write. A string payload
   * is sent verbatim and an object is JSON-encoded. Content type:
   * `text/event-stream; charset=utf-8`.
   */
  events?: Array<string | object>;
  /** With `events`: whether to append `data: [DONE]\n\n` as a last write. Default: true. */
  done?: boolean;
  /**
   * Exact body bytes, each item in its own socket write, for framing tests. Default content type:
   * `text/event-stream; charset=utf-8`, because most framing tests are about streams.
   */
  writes?: Array<string | Uint8Array>;
  /**
   * Exact bytes of the whole HTTP response (status line, headers and body), written straight to
   * the socket with the same pacing as `writes`. The socket is closed afterwards. `headers`,
   * `framing` and `fault` do not apply.
   */
  rawResponse?: Array<string | Uint8Array>;
  /** Signal that ends the body. Default: see `BodyFraming`. */
  framing?: BodyFraming;
  /**
   * Pause between two writes in milliseconds. With 0, the default, the server still lets the
   * event loop poll between writes, so each write is its own TCP segment and, for a client in
   * the same process, usually its own read.
   */
  writeDelayMs?: number;
  /** Pause before the status line and headers are sent, in milliseconds. Default: 0. */
  delayBeforeHeadersMs?: number;
  /** Split the whole body into 1-byte writes. Default: false. */
  byteByByte?: boolean;
  fault?: ServerFault;
  /** Number of body writes sent before the fault takes effect. Default: see `ServerFault`. */
  faultAfterWrites?: number;
  /** Number of requests this reply serves; `Infinity` keeps it in the queue. Default: 1. */
  times?: number;
}
