import { pipeline, type Readable, type Transform, type Writable } from "node:stream";
import { constants, createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { withoutRawBytes } from "./transport-errors.js";

/**
 * Bytes the body stream queues before its source is paused. Node reads a TCP socket into 64 KiB
 * buffers, so one full read fits.
 */
const queuedBytesLimit = 64 * 1024;

const queuingStrategy: QueuingStrategy<Uint8Array> = {
  highWaterMark: queuedBytesLimit,
  size: (chunk) => chunk.byteLength,
};

/** Callbacks from a body to the request it belongs to. */
export interface BodyOwner {
  /** Destroys the request and its socket, so a half-read connection is never reused. */
  destroy(): void;
  /** Called once the body has ended, failed or been cancelled. */
  settled(): void;
}

/**
 * The body of a response as a web `ReadableStream` with backpressure. A source, such as a
 * node:http message or undici's chunk callbacks, hands chunks to {@link push}, which returns false
 * once the queue is full. The source then pauses until the reader has emptied the queue, which
 * calls the callback set with {@link onPull}. Cancelling the stream destroys the socket.
 */
export class ResponseBody {
  readonly stream: ReadableStream<Uint8Array>;
  readonly #owner: BodyOwner;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #resume: (() => void) | undefined;
  #open = true;

  constructor(owner: BodyOwner) {
    this.#owner = owner;
    // `start` runs before the constructor returns, so the controller is set from then on.
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => {
          // The source restarts only once the queue is empty, so each pause lets a full queue of
          // data through. At each pause, undici 7.30 puts the unparsed rest of a socket read
          // back with unshift while the socket keeps reading. Pausing after every small chunk of
          // a chunked body therefore grew its buffer to megabytes and made each resume slower.
          if (this.#open && this.#controller.desiredSize === queuedBytesLimit) this.#resume?.();
        },
        cancel: () => {
          this.#close();
          this.#owner.destroy();
        },
      },
      queuingStrategy,
    );
  }

  /** True until the body ends, fails or is cancelled. */
  get open(): boolean {
    return this.#open;
  }

  /** Sets the callback that restarts a paused source once the reader has emptied the queue. */
  onPull(resume: () => void): void {
    this.#resume = resume;
  }

  /**
   * Queues a chunk for the reader. Returns false when the source should pause: the queue is full,
   * or the body already ended, failed or was cancelled (its chunks are then dropped).
   */
  push(chunk: Uint8Array): boolean {
    if (!this.#open) return false;
    // A view of the same memory: fetch hands out plain Uint8Array chunks, not Buffers.
    this.#controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    return (this.#controller.desiredSize ?? 0) > 0;
  }

  /** Closes the stream after its queued chunks, unless the body already ended or failed. */
  end(): void {
    if (!this.#open) return;
    this.#close();
    this.#controller.close();
  }

  /** Errors the stream with `error` and destroys the socket, unless the body already ended. */
  fail(error: unknown): void {
    if (!this.#open) return;
    this.#close();
    this.#controller.error(error);
    this.#owner.destroy();
  }

  #close(): void {
    this.#open = false;
    this.#owner.settled();
  }
}

/**
 * Feeds `body` from a Node `Readable` such as a node:http message, after undoing each content
 * coding named in `contentEncoding`. The source is paused while the body's queue is full. An
 * unknown coding fails the body at once, and so does a source that closes before it ends.
 */
export function readIntoBody(
  source: Readable,
  contentEncoding: string | undefined,
  body: ResponseBody,
): void {
  let decoders: Transform[];
  try {
    decoders = createDecoders(contentEncoding);
  } catch (error) {
    // An undecodable body is dropped with its connection, but status and headers stay usable.
    source.on("error", () => {});
    body.fail(error);
    return;
  }

  if (decoders.length === 0) {
    listen(source, body);
    return;
  }

  // pipeline destroys every stream with the first error, so a reset socket reaches the last
  // decoder as its error, and a corrupt body destroys the source and its socket.
  pipeline([source, ...decoders], () => {});
  listen(decoders[decoders.length - 1]!, body);
}

/**
 * Creates the decoders for `contentEncoding`, which must name at least one coding, and feeds their
 * output to `body`. Returns the stream to write the raw body into: its `write` returns false once
 * 64 KiB wait for the decoders, and it emits "drain" when they have taken all of it. Returns
 * undefined after failing the body, for an unknown coding or too many codings.
 */
export function decodeIntoBody(contentEncoding: string, body: ResponseBody): Writable | undefined {
  let decoders: Transform[];
  try {
    decoders = createDecoders(contentEncoding);
  } catch (error) {
    body.fail(error);
    return undefined;
  }

  if (decoders.length > 1) {
    pipeline(decoders, () => {});
  }

  listen(decoders[decoders.length - 1]!, body);
  return decoders[0];
}

/** Hands the chunks of `decoded` to `body`, pausing it while the body's queue is full. */
function listen(decoded: Readable, body: ResponseBody): void {
  body.onPull(() => decoded.resume());
  decoded.on("data", (chunk: Buffer) => {
    if (!body.push(chunk)) decoded.pause();
  });
  decoded.on("end", () => body.end());
  decoded.on("error", (error) => body.fail(readFailure(error)));
  // "close" follows "end" on every complete body, so the error is built only when it is needed.
  decoded.on("close", () => {
    if (body.open) body.fail(connectionClosed());
  });
}

/** Maximum number of content codings undone for one response. */
const maxCodings = 5;

/** Returns the content codings to undo, in the order the server applied them. */
function contentCodings(contentEncoding: string | undefined): string[] {
  if (contentEncoding === undefined) {
    return [];
  }

  return contentEncoding
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "identity");
}

/**
 * Returns true when `contentEncoding` names a coding to undo, so the body needs decoders.
 * Returns false for a missing header and for `identity`.
 */
export function hasContentCoding(contentEncoding: string | undefined): boolean {
  return contentCodings(contentEncoding).length > 0;
}

/**
 * Returns a decompressor for each coding the server applied, in the order that undoes them
 * (RFC 9110, section 8.4): the last coding applied comes first. Throws for an unknown encoding.
 */
function createDecoders(contentEncoding: string | undefined): Transform[] {
  const codings = contentCodings(contentEncoding);
  // Each coding costs a decompressor: a header listing 3,000 used about 50 MB per response.
  if (codings.length > maxCodings) {
    throw Object.assign(
      new TypeError(
        `The response lists ${codings.length} content-encodings; at most ${maxCodings} are decoded`,
      ),
      { code: "ERR_TOO_MANY_CONTENT_ENCODINGS" },
    );
  }

  return codings.reverse().map(createDecoder);
}

function createDecoder(coding: string): Transform {
  // Sync flush hands out every byte decoded so far, so compressed server-sent events arrive one
  // at a time. The final flush stays strict, so a truncated body is an error. The writable side
  // takes as much as the body queue before `write` returns false, for the reason given in the
  // pull of ResponseBody.
  const buffering = { writableHighWaterMark: queuedBytesLimit };
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return createGunzip({ flush: constants.Z_SYNC_FLUSH, ...buffering });
    case "deflate":
      // RFC 9110 defines deflate as the zlib format, so raw deflate data fails as corrupt.
      return createInflate({ flush: constants.Z_SYNC_FLUSH, ...buffering });
    case "br":
      return createBrotliDecompress({ flush: constants.BROTLI_OPERATION_FLUSH, ...buffering });
    default:
      throw Object.assign(
        // The name is not quoted, because a server can put any text there, the key included.
        new TypeError("The response has an unsupported content-encoding"),
        { code: "ERR_UNSUPPORTED_CONTENT_ENCODING" },
      );
  }
}

/**
 * Wraps a socket or zlib error in a TypeError, the type fetch errors a body with, and copies its
 * code where `networkErrorCode` looks first.
 */
export function readFailure(cause: Error & { code?: unknown }): TypeError {
  const error = new TypeError(`Reading the response body failed: ${cause.message}`, {
    cause: withoutRawBytes(cause),
  });
  if (typeof cause.code === "string") {
    Object.assign(error, { code: cause.code });
  }

  return error;
}

function connectionClosed(): TypeError {
  return Object.assign(new TypeError("The connection closed before the response body ended"), {
    code: "ECONNRESET",
  });
}
