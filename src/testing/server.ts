import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { authorizationEquals, type DefaultReplyContext, defaultReply } from "./default-replies.js";
import { errorPlan } from "./error-envelope.js";
import { type IncomingCall, parseCall, readBody, toRecordedRequest } from "./incoming-request.js";
import { ModelCatalog } from "./model-catalog.js";
import { Pacer } from "./pacer.js";
import {
  hasScriptedContent,
  planFromScripted,
  type ResponsePlan,
  validateScriptedReply,
} from "./reply-plan.js";
import { sendPlan, sendRaw } from "./response-writer.js";
import type { MockServerOptions, RecordedRequest, ScriptedReply } from "./types.js";

const DEFAULT_MODEL = "mistral-small-latest";

/** Default request body limit: 64 MiB, room for large uploads that still bounds buffering. */
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

interface QueueEntry {
  reply: ScriptedReply;
  remaining: number;
}

interface RequestWaiter {
  count: number;
  resolve: (requests: RecordedRequest[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A local HTTP server that speaks the Mistral wire format, for offline tests of API clients.
 *
 * It listens on 127.0.0.1, records every request, serves scripted replies from a FIFO queue
 * (with pacing and injected transport faults), and otherwise replies with default handlers for
 * chat completions and models.
 */
export class MockMistralServer {
  /** Every request received, in the order their bodies were read. */
  readonly requests: RecordedRequest[] = [];

  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #queue: QueueEntry[] = [];
  readonly #pacer = new Pacer();
  readonly #context: DefaultReplyContext;
  readonly #record: boolean;
  readonly #maxBodyBytes: number;
  readonly #sendsFakeDate: boolean;
  /** Unmasked `authorization` values, kept out of the recorded requests. */
  readonly #authorizations = new WeakMap<RecordedRequest, string | undefined>();
  #waiters: RequestWaiter[] = [];
  #url = "";
  #closing: Promise<void> | undefined;

  private constructor(options: MockServerOptions) {
    this.#context = {
      apiKey: options.apiKey,
      models: new ModelCatalog(options.model ?? DEFAULT_MODEL),
      now: options.now ?? Date.now,
      state: { areas: new Map(), now: options.now ?? Date.now, newId: randomUUID },
      extraRoutes: options.routes ?? [],
    };
    this.#record = options.record ?? true;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#sendsFakeDate = options.now !== undefined;
    this.#server = createServer({ noDelay: true });
    this.#server.on("connection", (socket) => this.#track(socket));
    this.#server.on("request", (request, response) => this.#onRequest(request, response));
  }

  /** Starts a server on 127.0.0.1 and resolves once it accepts connections. */
  static async start(options: MockServerOptions = {}): Promise<MockMistralServer> {
    validateOptions(options);
    const server = new MockMistralServer(options);
    const port = await server.#listen(options.port ?? 0);
    server.#url = `http://127.0.0.1:${port}`;
    return server;
  }

  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.#url;
  }

  /** Number of queued scripted replies not yet used up. */
  get pendingReplies(): number {
    return this.#queue.length;
  }

  /**
   * Adds replies to the end of the queue. Throws a TypeError, before queueing any of them, when a
   * reply is invalid (several content fields, unknown fault, negative counts).
   */
  enqueue(...replies: ScriptedReply[]): void {
    for (const reply of replies) {
      validateScriptedReply(reply);
    }

    for (const reply of replies) {
      this.#queue.push({ reply, remaining: reply.times ?? 1 });
    }
  }

  clearQueue(): void {
    this.#queue.length = 0;
  }

  /** Clears the queue, the recorded requests and the stored state (files, jobs, conversations). */
  reset(): void {
    this.clearQueue();
    this.requests.length = 0;
    this.#context.state.areas.clear();
  }

  /**
   * Checks the real `authorization` header of a recorded request, which `requests` only shows
   * masked. `expected` is the whole header value; it defaults to `Bearer <apiKey>`.
   */
  authorizationMatches(request: RecordedRequest, expected?: string): boolean {
    const apiKey = this.#context.apiKey;
    const value = expected ?? (apiKey === undefined ? undefined : `Bearer ${apiKey}`);
    if (value === undefined) {
      throw new TypeError("authorizationMatches needs `expected` when the server has no apiKey");
    }

    if (!this.#authorizations.has(request)) {
      throw new TypeError("The request was not recorded by this server");
    }

    return authorizationEquals(this.#authorizations.get(request), value);
  }

  /**
   * Resolves with the recorded requests once at least `count` were received, for example to
   * learn that a black-holed request arrived. Rejects after `timeoutMs` (default 5000).
   */
  waitForRequests(count: number, timeoutMs = 5000): Promise<RecordedRequest[]> {
    if (!this.#record) {
      return Promise.reject(
        new TypeError("waitForRequests needs recording: start the server without record: false"),
      );
    }

    if (this.requests.length >= count) {
      return Promise.resolve([...this.requests]);
    }

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter.timer !== timer);
        const received = this.requests.length;
        reject(new Error(`Received ${received} of ${count} requests within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push({ count, resolve, reject, timer });
    });
  }

  /**
   * Stops listening, destroys every open socket (keep-alive, stalled and black-holed ones
   * included), cancels pending delays and rejects pending `waitForRequests` calls.
   */
  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#pacer.close();
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) {
        socket.destroy();
      }

      for (const waiter of this.#waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error("The test server was closed"));
      }

      this.#waiters = [];
    });
    return this.#closing;
  }

  #listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    this.#handle(request, response).catch((error: unknown) => this.#fail(response, error));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = this.#context.now();
    const rawBody = await readBody(request, this.#maxBodyBytes);
    if (rawBody === "aborted") {
      return;
    }

    if (rawBody === "too-large") {
      const message = `Request body exceeds the test server limit of ${this.#maxBodyBytes} bytes`;
      const plan = errorPlan(413, message, "invalid_request_error");
      const headers = { ...plan.headers, connection: "close" };
      await sendPlan(response, this.#withHeaders({ ...plan, headers }), undefined, this.#pacer);
      return;
    }

    const call = parseCall(request, rawBody, receivedAt);
    if (this.#record) {
      this.#recordCall(call);
    }

    const reply = this.#takeReply(call.method, call.path);
    if (reply?.rawResponse !== undefined) {
      await sendRaw(request.socket, reply, this.#pacer);
      return;
    }

    const useScript = reply !== undefined && hasScriptedContent(reply);
    const plan = useScript ? planFromScripted(reply) : await defaultReply(call, this.#context);
    await sendPlan(response, this.#withHeaders(plan, reply), reply, this.#pacer);
  }

  /** Sends a 500 naming the error when a scripted reply could not be sent, e.g. a bad header. */
  #fail(response: ServerResponse, error: unknown): void {
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }

    const reason = error instanceof Error ? error.message : String(error);
    const message = `The test server failed to send the reply: ${reason}`;
    const plan = this.#withHeaders(errorPlan(500, message, "mock_server_error"));
    sendPlan(response, plan, undefined, this.#pacer).catch(() => response.destroy());
  }

  #recordCall(call: IncomingCall): void {
    const recorded = toRecordedRequest(call);
    const authorization = call.headers.authorization;
    this.#authorizations.set(recorded, authorization);
    this.requests.push(recorded);
    if (this.#waiters.length === 0) {
      return;
    }

    const ready = this.#waiters.filter((waiter) => this.requests.length >= waiter.count);
    this.#waiters = this.#waiters.filter((waiter) => this.requests.length < waiter.count);
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve([...this.requests]);
    }
  }

  /** Removes and returns the first queued reply that matches, honouring `times`. */
  #takeReply(method: string, path: string): ScriptedReply | undefined {
    for (let index = 0; index < this.#queue.length; index++) {
      const entry = this.#queue[index]!;
      if (!matches(entry.reply, method, path)) {
        continue;
      }

      entry.remaining -= 1;
      if (entry.remaining <= 0) {
        this.#queue.splice(index, 1);
      }

      return entry.reply;
    }

    return undefined;
  }

  /** Adds the default headers and the scripted ones, which win over defaults of the same name. */
  #withHeaders(plan: ResponsePlan, reply?: ScriptedReply): ResponsePlan {
    const headers: Record<string, string> = { "mistral-correlation-id": randomUUID() };
    if (this.#sendsFakeDate) {
      headers["date"] = new Date(this.#context.now()).toUTCString();
    }

    Object.assign(headers, plan.headers);
    for (const [name, value] of Object.entries(reply?.headers ?? {})) {
      headers[name.toLowerCase()] = value;
    }

    return { ...plan, headers, framing: reply?.framing ?? plan.framing };
  }
}

function matches(reply: ScriptedReply, method: string, path: string): boolean {
  const match = reply.match;
  if (match === undefined) {
    return true;
  }

  if (match.method !== undefined && match.method.toUpperCase() !== method) {
    return false;
  }

  if (match.path === undefined) {
    return true;
  }

  if (typeof match.path === "string") {
    return match.path === path;
  }

  // A global or sticky pattern keeps `lastIndex` between calls; start each test from 0.
  match.path.lastIndex = 0;
  return match.path.test(path);
}

function validateOptions(options: MockServerOptions): void {
  const { maxBodyBytes, port } = options;
  if (maxBodyBytes !== undefined && (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0)) {
    throw new TypeError(`Invalid maxBodyBytes ${maxBodyBytes}: use a non-negative integer`);
  }

  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new TypeError(`Invalid port ${port}: use an integer from 0 to 65535`);
  }
}
