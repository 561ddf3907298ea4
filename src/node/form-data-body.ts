import { randomBytes } from "node:crypto";
import type { RequestBody } from "./request-body.js";

/** A file part's content, streamed from its Blob when the body is read. */
interface FileContent {
  file: File;
  /** Form field name, for error messages. */
  field: string;
}

/** Pieces of the encoded body in order: encoded headers and text, or file contents. */
type Segment = Uint8Array | FileContent;

const encoder = new TextEncoder();

/**
 * Encodes a FormData as `multipart/form-data` (RFC 7578), the way the HTML standard and Node's
 * fetch do, but with the exact length in bytes known before the body is sent. The entries are
 * read once, now. Text values are encoded to UTF-8 now, and file values are read later through
 * `blob.stream()` one chunk at a time, so a file from `fs.openAsBlob` is never held whole. The
 * body stream errors when a file's stream yields more or fewer bytes than the file's `size`.
 */
export function encodeFormData(form: FormData): RequestBody {
  // 128 random bits, so the chance that a part contains the boundary is negligible.
  const boundary = `mistralai-ts-${randomBytes(16).toString("hex")}`;
  const segments = encodeSegments(form, boundary);
  let length = 0;
  for (const segment of segments) {
    length += segment instanceof Uint8Array ? segment.byteLength : segment.file.size;
  }

  return {
    bytes: undefined,
    stream: streamSegments(segments),
    length,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Encodes every part's headers and text values, joining adjacent text into one segment. */
function encodeSegments(form: FormData, boundary: string): Segment[] {
  const segments: Segment[] = [];
  let text = "";
  for (const [name, value] of form) {
    const field = escapeQuoted(normalizeLineBreaks(name));
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${field}"`;
    if (typeof value === "string") {
      text += `\r\n\r\n${normalizeLineBreaks(value)}\r\n`;
      continue;
    }

    // A Blob appended to a FormData is stored as a File named "blob", so every non-string value
    // has a name. The name keeps its line breaks, which only the escaping changes. An empty name
    // is sent as filename="", as the HTML standard specifies, so the part is still read as a file
    // (Node 20's fetch leaves the parameter out).
    text += `; filename="${escapeQuoted(value.name)}"\r\n`;
    text += `Content-Type: ${partContentType(value)}\r\n\r\n`;
    segments.push(encoder.encode(text), { file: value, field: name });
    text = "\r\n";
  }

  text += `--${boundary}--\r\n`;
  segments.push(encoder.encode(text));
  return segments;
}

/**
 * Returns the file's type, or `application/octet-stream` when it has none. A type that is not
 * printable ASCII, which the Blob constructor would have cleared, could break the part header.
 */
function partContentType(file: File): string {
  return /^[\x20-\x7e]+$/.test(file.type) ? file.type : "application/octet-stream";
}

/** Replaces a lone CR, a lone LF and CRLF by CRLF, as the HTML standard does for form entries. */
function normalizeLineBreaks(value: string): string {
  return value.replace(/\r\n|\r|\n/g, "\r\n");
}

/**
 * Percent-escapes `"`, CR and LF in a name or file name, which the HTML standard's
 * multipart/form-data encoding does instead of backslash-quoting them.
 */
function escapeQuoted(value: string): string {
  return value.replace(/["\r\n]/g, (character) => {
    if (character === '"') return "%22";
    return character === "\r" ? "%0D" : "%0A";
  });
}

/**
 * Streams the segments, one chunk per pull. A high-water mark of 0 means nothing is read before
 * the consumer reads, and cancelling the stream cancels the file being read.
 */
function streamSegments(segments: Segment[]): ReadableStream<Uint8Array> {
  const pending = segments.slice();
  let file: FilePartReader | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const segment = pending[0];
          if (segment === undefined) {
            controller.close();
            return;
          }

          if (segment instanceof Uint8Array) {
            pending.shift();
            controller.enqueue(segment);
            return;
          }

          file ??= new FilePartReader(segment);
          const chunk = await file.read();
          if (chunk === undefined) {
            pending.shift();
            file = undefined;
          } else if (chunk.byteLength > 0) {
            controller.enqueue(chunk);
            return;
          }
        }
      },
      async cancel(reason) {
        await file?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads one file part's stream and checks that it yields exactly `size` bytes. */
class FilePartReader {
  readonly #content: FileContent;
  readonly #reader: ReadableStreamDefaultReader<unknown>;
  #received = 0;

  constructor(content: FileContent) {
    this.#content = content;
    this.#reader = content.file.stream().getReader();
  }

  /** Returns the next chunk, or undefined once the stream ended with the right byte count. */
  async read(): Promise<Uint8Array | undefined> {
    const { done, value } = await this.#reader.read();
    const size = this.#content.file.size;
    if (done) {
      if (this.#received !== size) {
        throw this.#mismatch(`ended after ${this.#received} bytes`);
      }

      return undefined;
    }

    if (!(value instanceof Uint8Array)) {
      throw await this.#fail(
        new TypeError(`${this.#describe()} yielded a chunk that is not bytes`),
      );
    }

    this.#received += value.byteLength;
    if (this.#received > size) {
      throw await this.#fail(this.#mismatch(`yielded at least ${this.#received} bytes`));
    }

    return value;
  }

  async cancel(reason: unknown): Promise<void> {
    await this.#reader.cancel(reason);
  }

  /** Cancels the file's stream, so it stops reading, and returns `error`. */
  async #fail(error: Error): Promise<Error> {
    await this.#reader.cancel(error).catch(() => {});
    return error;
  }

  #mismatch(detail: string): Error {
    return new Error(
      `${this.#describe()} has a size of ${this.#content.file.size} bytes, but its stream ` +
        `${detail}, so the form body would not match its content-length. Check that the file ` +
        "did not change during the upload.",
    );
  }

  #describe(): string {
    const { file, field } = this.#content;
    return `The file "${file.name}" of form field "${field}"`;
  }
}
