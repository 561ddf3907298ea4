import type { Readable, Writable } from "node:stream";
import type { Dispatcher } from "undici";
import type { OutgoingRequest } from "../node/fetch-arguments.js";
import { NodeResponse } from "../node/node-response.js";
import {
  decodeIntoBody,
  hasContentCoding,
  ResponseBody,
  readFailure,
} from "../node/response-body.js";
import { hasNullBody, responseHeaders, responseURL } from "../node/response-fields.js";
import { StreamUpload } from "../node/stream-upload.js";
import { noResponse, requestFailed } from "../node/transport-errors.js";

/** Exchanges not yet done, so that `close()` can fail them. */
export type ActiveExchanges = Set<{ fail(error: Error): void }>;

/**
 * Sends one request through `dispatcher` and resolves with its response once the headers arrive.
 * Redirects are returned as they are, never followed. The signal aborts every phase: before the
 * response it rejects with the signal's reason, and while the body is read it errors the body
 * stream with it. Either way the connection is destroyed.
 */
export function dispatchExchange(
  outgoing: OutgoingRequest,
  dispatcher: Dispatcher,
  active: ActiveExchanges,
): Promise<NodeResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = outgoing;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }

    const exchange = new DispatchExchange(outgoing, active, resolve, reject);
    exchange.send(dispatcher, outgoing);
  });
}

/** The phase of an exchange: waiting for the response head, reading the body, or over. */
type ExchangeState = "waiting" | "body" | "done";

/**
 * One request and its response, as a handler of undici's `dispatch`. It implements the callback
 * set (`onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`) that undici 7 calls directly
 * and that its own fetch uses, so no adapter object or parsed header object is built per request.
 */
class DispatchExchange implements Dispatcher.DispatchHandler {
  readonly #url: URL;
  readonly #method: string;
  readonly #signal: AbortSignal | undefined;
  readonly #resolve: (response: NodeResponse) => void;
  readonly #reject: (error: unknown) => void;
  readonly #active: ActiveExchanges;
  readonly #upload: StreamUpload | undefined;
  #state: ExchangeState = "waiting";
  /** undici's abort for this request, set once it has a connection. */
  #abort: ((error?: Error) => void) | undefined;
  /** The error to abort with once a connection is assigned, for a request failed while queued. */
  #abortPending: Error | undefined;
  #body: ResponseBody | undefined;
  /** The first decoder, which takes the raw body when it has content codings to undo. */
  #decoderInput: Writable | undefined;
  /** Set once undici has delivered the whole body, after which its `resume` must not be called. */
  #complete = false;

  constructor(
    outgoing: OutgoingRequest,
    active: ActiveExchanges,
    resolve: (response: NodeResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#url = outgoing.url;
    this.#method = outgoing.method;
    this.#signal = outgoing.signal;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#active = active;
    const stream = outgoing.body?.stream;
    this.#upload =
      stream === undefined ? undefined : new StreamUpload(stream, outgoing.body?.length);
    this.#signal?.addEventListener("abort", this.#onAbort);
    active.add(this);
  }

  /** Hands the request to `dispatcher`. */
  send(dispatcher: Dispatcher, outgoing: OutgoingRequest): void {
    const options: Dispatcher.DispatchOptions = {
      origin: this.#url.origin,
      path: this.#url.pathname + this.#url.search,
      method: outgoing.method as Dispatcher.HttpMethod,
      headers: outgoing.headers,
      // undici 7 accepts any async iterable as a body (lib/core/request.js), though its type
      // lists only Node streams. It checks the content-length of iterables itself, too.
      body: (this.#upload as unknown as Readable | undefined) ?? outgoing.body?.bytes ?? null,
    };
    try {
      dispatcher.dispatch(options, this);
    } catch (error) {
      // undici reports invalid options through onError, but another Dispatcher may throw.
      this.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Fails the request, or its body while it is read, with `error` (as `close()` does). */
  fail(error: Error): void {
    this.#fail(error);
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.#state === "done") {
      // Failed while waiting for a connection: nothing is sent.
      abort(this.#abortPending ?? new Error("The request was aborted"));
      return;
    }

    this.#abort = abort;
  }

  onHeaders(
    status: number,
    rawHeaders: Buffer[],
    resume: () => void,
    statusText?: string,
  ): boolean {
    if (this.#state !== "waiting") return true;
    if (status < 100 || status > 599) {
      this.#failBeforeResponse(noResponse(`The server sent the invalid status ${status}`));
      return false;
    }

    // Informational replies such as 103 Early Hints precede the real response, as in fetch.
    if (status < 200) return true;
    const headers = responseHeaders(rawHeaders);
    let body: ReadableStream<Uint8Array> | null = null;
    if (hasNullBody(this.#method, status)) {
      this.#settle();
    } else {
      this.#state = "body";
      body = this.#openBody(headers, resume).stream;
    }

    this.#resolve(
      new NodeResponse({
        status,
        statusText: statusText ?? "",
        headers,
        url: responseURL(this.#url),
        body,
      }),
    );
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#state !== "body") return true;
    if (this.#decoderInput !== undefined) return this.#decoderInput.write(chunk);
    return this.#body!.push(chunk);
  }

  onComplete(): void {
    this.#complete = true;
    if (this.#state !== "body") return;
    if (this.#decoderInput !== undefined) {
      // The body settles once the decoders have flushed their output.
      this.#decoderInput.end();
    } else {
      this.#body!.end();
    }
  }

  onError(error: Error): void {
    if (this.#state === "waiting") {
      this.#upload?.cancel(error);
      this.#settle();
      this.#reject(requestFailed(error, this.#url));
    } else if (this.#state === "body") {
      this.#body!.fail(readFailure(error));
    }
  }

  readonly #onAbort = (): void => {
    this.#fail(this.#signal?.reason);
  };

  /**
   * Creates the body stream, fed straight from `onData` unless it needs decoding. undici stays
   * paused (`onData` returned false) until the body queue, or the first decoder's buffer, is
   * empty again.
   */
  #openBody(headers: Headers, resume: () => void): ResponseBody {
    const body = new ResponseBody({
      destroy: () => this.#destroy(new Error("The response body was cancelled")),
      settled: () => this.#settle(),
    });
    this.#body = body;
    // `resume` belongs to the connection, which serves the next request once this one is done.
    const resumeOwn = () => {
      if (!this.#complete) resume();
    };
    const contentEncoding = headers.get("content-encoding") ?? undefined;
    if (contentEncoding !== undefined && hasContentCoding(contentEncoding)) {
      this.#decoderInput = decodeIntoBody(contentEncoding, body);
      this.#decoderInput?.on("drain", resumeOwn);
    } else {
      body.onPull(resumeOwn);
    }

    return body;
  }

  #failBeforeResponse(cause: Error): void {
    this.#fail(requestFailed(cause, this.#url));
  }

  /** Rejects the pending response, or errors the body being read, then drops the connection. */
  #fail(error: unknown): void {
    if (this.#state === "waiting") {
      this.#upload?.cancel(error);
      // Settled first, so the onError that undici calls back from the abort is ignored.
      this.#settle();
      this.#reject(error);
      this.#destroy(error);
    } else if (this.#state === "body") {
      // The body calls #destroy through its owner.
      this.#body!.fail(error);
    }
  }

  /**
   * Stops the upload and aborts the request, which destroys its socket. A request still waiting
   * for a connection is aborted once it gets one, before anything is sent. After undici completed
   * the response, the abort does nothing and the connection stays open for reuse.
   */
  #destroy(reason: unknown): void {
    this.#upload?.cancel(reason);
    this.#decoderInput?.destroy();
    // undici passes this error back to onError, which ignores it by then.
    const error = reason instanceof Error ? reason : new Error("The request was aborted");
    if (this.#abort !== undefined) {
      this.#abort(error);
    } else {
      this.#abortPending = error;
    }
  }

  /** Marks the exchange as over and stops listening to the signal. */
  #settle(): void {
    if (this.#state === "done") return;
    this.#state = "done";
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#active.delete(this);
    // A response can end before the whole upload was sent, and the rest is not needed then. On
    // the failure paths the upload was already cancelled with the error.
    this.#upload?.cancel(new Error("The response ended before the request body was sent"));
  }
}
