import type { IncomingMessage } from "node:http";
import { pipeline, type Readable, type Transform } from "node:stream";
import { constants, createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/**
 * Bytes the body stream queues before the message is paused. Node reads a TCP socket into 64 KiB
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
 * The body of a response, decoded and exposed as a web `ReadableStream` with backpressure: the
 * message is paused when the stream's queue is full and resumed when the reader pulls. Cancelling
 * the stream destroys the socket.
 */
export class IncomingBody {
  readonly stream: ReadableStream<Uint8Array>;
  readonly #owner: BodyOwner;
  #source: Readable | undefined;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;

  constructor(message: IncomingMessage, owner: BodyOwner) {
    this.#owner = owner;
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          this.#listen(message);
        },
        pull: () => {
          if (this.#open) this.#source?.resume();
        },
        cancel: () => {
          this.#close();
          this.#owner.destroy();
        },
      },
      queuingStrategy,
    );
  }

  /** Errors the stream with `error` and destroys the socket, unless the body already ended. */
  fail(error: unknown): void {
    if (!this.#open) return;
    this.#close();
    this.#controller.error(error);
    this.#owner.destroy();
  }

  #listen(message: IncomingMessage): void {
    let source: Readable;
    try {
      source = decodedBody(message);
    } catch (error) {
      // An undecodable body is dropped with its connection, but status and headers stay usable.
      message.on("error", () => {});
      this.fail(error);
      return;
    }

    this.#source = source;
    source.on("data", (chunk: Buffer) => this.#onData(chunk));
    source.on("end", () => this.#onEnd());
    source.on("error", (error) => this.fail(readFailure(error)));
    // "close" follows "end" on every complete body, so the error is built only when it is needed.
    source.on("close", () => {
      if (this.#open) this.fail(connectionClosed());
    });
  }

  #onData(chunk: Buffer): void {
    if (!this.#open) return;
    // A view of the same memory: fetch hands out plain Uint8Array chunks, not Buffers.
    this.#controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((this.#controller.desiredSize ?? 0) <= 0) {
      this.#source?.pause();
    }
  }

  #onEnd(): void {
    if (!this.#open) return;
    this.#close();
    this.#controller.close();
  }

  #close(): void {
    this.#open = false;
    this.#owner.settled();
  }
}

/** Maximum number of content codings undone for one response. */
const maxCodings = 5;

/**
 * Returns the message, or a decompressor fed from it, for each `content-encoding` the server
 * applied, undone in reverse order (RFC 9110, section 8.4). Throws for an unknown encoding.
 */
function decodedBody(message: IncomingMessage): Readable {
  const header = message.headers["content-encoding"];
  if (header === undefined) {
    return message;
  }

  const codings = header
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "identity");
  if (codings.length === 0) {
    return message;
  }

  // Each coding costs a decompressor: a header listing 3,000 used about 50 MB per response.
  if (codings.length > maxCodings) {
    throw Object.assign(
      new TypeError(
        `The response lists ${codings.length} content-encodings; at most ${maxCodings} are decoded`,
      ),
      { code: "ERR_TOO_MANY_CONTENT_ENCODINGS" },
    );
  }

  const decoders = codings.reverse().map(createDecoder);
  const last = decoders[decoders.length - 1]!;
  // pipeline destroys every stream with the first error, so a reset socket reaches the last
  // decoder as its error, and a corrupt body destroys the message and its socket.
  pipeline([message, ...decoders], () => {});
  return last;
}

function createDecoder(coding: string): Transform {
  // Sync flush hands out every byte decoded so far, so compressed server-sent events arrive one
  // at a time. The final flush stays strict, so a truncated body is an error.
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return createGunzip({ flush: constants.Z_SYNC_FLUSH });
    case "deflate":
      // RFC 9110 defines deflate as the zlib format, so raw deflate data fails as corrupt.
      return createInflate({ flush: constants.Z_SYNC_FLUSH });
    case "br":
      return createBrotliDecompress({ flush: constants.BROTLI_OPERATION_FLUSH });
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
function readFailure(cause: Error & { code?: unknown }): TypeError {
  const error = new TypeError(`Reading the response body failed: ${cause.message}`, { cause });
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
