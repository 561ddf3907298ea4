/**
 * A request body stream read chunk by chunk, for a transport to write as it goes. Iterating it
 * yields each chunk after checking that it is a Uint8Array and that the total stays within the
 * content-length, when one is known. It throws when the stream fails or was cancelled, and when
 * it yields more or fewer bytes than `length`. A transport that stops early calls
 * {@link StreamUpload.cancel}, so the stream's source stops too.
 */
export class StreamUpload implements AsyncIterable<Uint8Array> {
  readonly #reader: ReadableStreamDefaultReader<unknown>;
  readonly #length: number | undefined;
  #cancelled: { reason: unknown } | undefined;
  #finished = false;

  /** Locks `stream` at once. `length` is the declared content-length, if the body has one. */
  constructor(stream: ReadableStream<unknown>, length: number | undefined) {
    this.#reader = stream.getReader();
    this.#length = length;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    let sent = 0;
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        // A cancel while the read was pending ends the stream as if it were done.
        if (this.#cancelled !== undefined) throw this.#cancelled.reason;
        if (done) {
          checkLength(sent, this.#length, true);
          this.#finished = true;
          return;
        }

        if (!(value instanceof Uint8Array)) {
          throw new TypeError("A request body stream must yield Uint8Array chunks");
        }

        sent += value.byteLength;
        checkLength(sent, this.#length, false);
        yield value;
      }
    } catch (error) {
      this.cancel(error);
      throw error;
    } finally {
      // Reached without an error when the consumer stops iterating early.
      this.cancel(new Error("The request closed before its body was sent"));
    }
  }

  /** Cancels the stream with `reason`, unless it was read to its end or already cancelled. */
  cancel(reason: unknown): void {
    if (this.#finished || this.#cancelled !== undefined) return;
    this.#cancelled = { reason };
    this.#reader.cancel(reason).catch(() => {});
  }
}

/** Throws when `sent` bytes already exceed the content-length, or fall short of it at the end. */
function checkLength(sent: number, length: number | undefined, ended: boolean): void {
  if (length === undefined) return;
  if (sent > length) {
    throw new Error(
      `The request body yielded at least ${sent} bytes, more than its content-length of ${length}`,
    );
  }

  if (ended && sent < length) {
    throw new Error(
      `The request body ended after ${sent} bytes, short of its content-length of ${length}`,
    );
  }
}
