import { Agent, type Dispatcher } from "undici";
import type { FetchFunction } from "../core/client-options.js";
import { ConfigurationError } from "../core/errors/client-errors.js";
import { readFetchArguments } from "../node/fetch-arguments.js";
import { transportClosed } from "../node/transport-errors.js";
import { type ActiveExchanges, dispatchExchange } from "./dispatch-exchange.js";

/** Options of {@link createUndiciFetch}. */
export interface UndiciFetchOptions {
  /**
   * An undici `Dispatcher` to send every request through, such as an `Agent` with TLS options or a
   * `ProxyAgent`. The caller owns it: `close()` fails the requests this transport started but
   * leaves the dispatcher and its sockets open. Its own settings apply, such as undici's default
   * 300-second headers and body timeouts, and so do its interceptors: one that follows redirects
   * makes this transport follow them too. Cannot be combined with `connections` or
   * `keepAliveTimeoutMs`, which configure the transport's own `Agent`. Default: that own `Agent`.
   */
  dispatcher?: Dispatcher;

  /**
   * Maximum number of open sockets per origin. Further requests wait for a free one. Default:
   * `Infinity`, as with Node's fetch, whose undici pool has no connection limit by default.
   */
  connections?: number;

  /**
   * Time in milliseconds an idle socket stays open for the next request. A `Keep-Alive: timeout`
   * sent by the server wins when it is shorter (undici closes the socket 2 seconds before it).
   * Default: 4000, undici's default keep-alive timeout (undici 7.30 source).
   */
  keepAliveTimeoutMs?: number;
}

/** A `fetch` backed by undici's `dispatch`, with `close()` to fail requests and free sockets. */
export type UndiciFetch = FetchFunction & {
  /**
   * Fails every request still running or waiting for a socket, with an error whose code is
   * `ERR_TRANSPORT_CLOSED`, and destroys their sockets. Idle sockets of the transport's own
   * `Agent` are destroyed too, but not those of a `dispatcher` passed in. Later calls, retries
   * included, open new sockets.
   */
  close(): void;
};

const defaultKeepAliveTimeoutMs = 4000;

/**
 * Creates a `fetch` for Node that sends requests with undici's low-level `dispatch`, for
 * `new MistralClient({ fetch: createUndiciFetch() })`. It does less work per request than Node's
 * fetch, which builds `Request` and `Response` objects, copies headers and runs its redirect
 * logic. The `undici` package (7.x) must be installed: `npm install undici`.
 *
 * It never follows redirects: a 3xx response is returned as it is. Responses are not web
 * `Response` instances, but have the fields and body readers that clients use (not `clone()` or
 * `formData()`). Idle sockets do not keep the process alive. undici's 300-second headers and body
 * timeouts are off on the transport's own `Agent`, because the client's timeouts and the caller's
 * signal bound each request.
 */
export function createUndiciFetch(options: UndiciFetchOptions = {}): UndiciFetch {
  const callerDispatcher = options.dispatcher;
  const agentOptions = callerDispatcher === undefined ? readAgentOptions(options) : undefined;
  if (callerDispatcher !== undefined) checkDispatcher(options);
  const active: ActiveExchanges = new Set();
  let ownAgent: Agent | undefined;
  const currentDispatcher = (): Dispatcher => {
    if (callerDispatcher !== undefined) return callerDispatcher;
    ownAgent ??= new Agent(agentOptions);
    return ownAgent;
  };

  const undiciFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    try {
      const outgoing = readFetchArguments(input, init);
      const dispatcher = currentDispatcher();
      // NodeResponse has the Response members the client and common callers use.
      return dispatchExchange(outgoing, dispatcher, active) as unknown as Promise<Response>;
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const close = () => {
    const closed = transportClosed("undici");
    for (const running of [...active]) running.fail(closed);
    // A destroyed Agent rejects new requests, so the next call creates a fresh one.
    const agent = ownAgent;
    ownAgent = undefined;
    agent?.destroy(closed).catch(() => {});
  };
  return Object.assign(undiciFetch, { close });
}

function checkDispatcher(options: UndiciFetchOptions): void {
  if (typeof options.dispatcher?.dispatch !== "function") {
    throw new ConfigurationError("dispatcher must be an undici Dispatcher, such as an Agent");
  }

  if (options.connections !== undefined || options.keepAliveTimeoutMs !== undefined) {
    throw new ConfigurationError(
      "connections and keepAliveTimeoutMs configure the transport's own Agent, so they cannot " +
        "be combined with dispatcher: set them on the dispatcher instead",
    );
  }
}

function readAgentOptions(options: UndiciFetchOptions): Agent.Options {
  const connections = options.connections ?? Number.POSITIVE_INFINITY;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? defaultKeepAliveTimeoutMs;
  if (
    !(connections >= 1) ||
    (connections !== Number.POSITIVE_INFINITY && !Number.isInteger(connections))
  ) {
    throw new ConfigurationError(
      `connections must be a positive integer or Infinity, got ${String(options.connections)}`,
    );
  }

  if (!(keepAliveTimeoutMs > 0) || !Number.isFinite(keepAliveTimeoutMs)) {
    throw new ConfigurationError(
      "keepAliveTimeoutMs must be a positive number of milliseconds, got " +
        String(options.keepAliveTimeoutMs),
    );
  }

  return {
    // undici's Agent reads null as no limit.
    connections: connections === Number.POSITIVE_INFINITY ? null : connections,
    keepAliveTimeout: keepAliveTimeoutMs,
    // Caps the timeout a server announces, so the option is the longest a socket idles.
    keepAliveMaxTimeout: keepAliveTimeoutMs,
    headersTimeout: 0,
    bodyTimeout: 0,
  };
}
