import {
  type Agent,
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
} from "node:http";
import { request as httpsRequest } from "node:https";
import type { OutgoingRequest } from "./fetch-arguments.js";
import { NodeResponse } from "./node-response.js";
import { writeBody } from "./request-body.js";
import { ResponseBody, readIntoBody } from "./response-body.js";
import { hasNullBody, responseHeaders, responseURL } from "./response-fields.js";
import { noResponse, requestFailed } from "./transport-errors.js";

/** The agent of each scheme, both keeping connections alive, and the exchanges not yet done. */
export interface AgentPair {
  http: Agent;
  https: Agent;
  active: Set<{ fail(error: Error): void }>;
}

/**
 * Sends one request and resolves with its response once the headers arrive. Redirects are
 * returned as they are, never followed. The signal aborts every phase: before the response it
 * rejects with the signal's reason, and while the body is read it errors the body stream with it.
 * Either way the socket is destroyed.
 */
export function exchange(outgoing: OutgoingRequest, agents: AgentPair): Promise<NodeResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = outgoing;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }

    new Exchange(outgoing, agents, resolve, reject);
  });
}

/** One request and its response, from the first byte sent to the end of the body. */
class Exchange {
  readonly #request: ClientRequest;
  readonly #signal: AbortSignal | undefined;
  readonly #url: URL;
  readonly #method: string;
  readonly #resolve: (response: NodeResponse) => void;
  readonly #reject: (error: unknown) => void;
  #body: ResponseBody | undefined;
  readonly #active: AgentPair["active"];
  #responded = false;
  #settled = false;

  constructor(
    outgoing: OutgoingRequest,
    agents: AgentPair,
    resolve: (response: NodeResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#signal = outgoing.signal;
    this.#url = outgoing.url;
    this.#method = outgoing.method;
    this.#resolve = resolve;
    this.#reject = reject;
    const https = outgoing.url.protocol === "https:";
    const send = https ? httpsRequest : httpRequest;
    // No TLS option is set, so certificates are checked against Node's CA list, unless
    // NODE_TLS_REJECT_UNAUTHORIZED=0 turned checks off for the whole process.
    this.#request = send(outgoing.url, {
      method: outgoing.method,
      headers: outgoing.headers,
      agent: https ? agents.https : agents.http,
    });
    this.#request.on("response", (message) => this.#onResponse(message));
    this.#request.on("error", (error) => this.#onError(error));
    // A 101 reply or a socket closed without a reply emits neither event above.
    this.#request.on("upgrade", (_message, socket) => {
      socket.destroy();
      this.#onError(noResponse("The server switched protocols instead of responding"));
    });
    this.#request.on("close", () => {
      if (!this.#responded) this.#onError(noResponse("The connection closed before a response"));
    });
    this.#signal?.addEventListener("abort", this.#onAbort);
    this.#active = agents.active;
    this.#active.add(this);
    writeBody(this.#request, outgoing.body);
  }

  /** Fails the request, or its body while it is read, with `error` (as `close()` does). */
  fail(error: Error): void {
    this.#onError(error);
  }

  readonly #onAbort = (): void => {
    this.#fail(this.#signal?.reason);
  };

  #onResponse(message: IncomingMessage): void {
    const status = message.statusCode ?? 0;
    if (status < 200 || status > 599) {
      message.destroy();
      this.#onError(noResponse(`The server sent the invalid status ${status}`));
      return;
    }

    this.#responded = true;
    let body: ReadableStream<Uint8Array> | null = null;
    if (hasNullBody(this.#method, status)) {
      // Reads the empty message to its end, which returns the socket to the agent.
      message.on("error", () => {});
      message.resume();
      this.#settle();
    } else {
      this.#body = new ResponseBody({
        destroy: () => this.#request.destroy(),
        settled: () => this.#settle(),
      });
      readIntoBody(message, message.headers["content-encoding"], this.#body);
      body = this.#body.stream;
    }

    this.#resolve(
      new NodeResponse({
        status,
        statusText: message.statusMessage ?? "",
        headers: responseHeaders(message.rawHeaders),
        url: responseURL(this.#url),
        body,
      }),
    );
  }

  #onError(error: Error): void {
    this.#fail(this.#responded ? error : requestFailed(error, this.#url));
  }

  /** Rejects the pending response, or errors the body being read, then destroys the socket. */
  #fail(error: unknown): void {
    if (!this.#responded) {
      this.#settle();
      this.#reject(error);
    } else {
      this.#body?.fail(error);
    }

    this.#request.destroy();
  }

  /**
   * Stops listening to the signal once nothing is left to abort. A response that ended while the
   * upload still ran (a 413 or 401 sent before reading the body) destroys the request, which
   * cancels the caller's stream and frees the socket.
   */
  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#active.delete(this);
    if (this.#responded && !this.#request.writableEnded) this.#request.destroy();
  }
}
