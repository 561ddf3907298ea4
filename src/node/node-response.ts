import { Readable } from "node:stream";
import { concatBytes } from "../core/concat-bytes.js";

/** Fields of a {@link NodeResponse}, read from a node:http message or undici's callbacks. */
export interface NodeResponseInit {
  status: number;
  statusText: string;
  headers: Headers;
  url: string;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * The part of the web `Response` that HTTP clients use, without the cost of building a real one:
 * status, headers (a real `Headers`), a real `ReadableStream` body and the body readers. It is
 * always a direct response, because the node and undici transports never follow redirects.
 */
export class NodeResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly body: ReadableStream<Uint8Array> | null;

  constructor(init: NodeResponseInit) {
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
    this.body = init.body;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get redirected(): boolean {
    return false;
  }

  get type(): ResponseType {
    return "basic";
  }

  /** True once any part of the body was read or the body was cancelled, as with fetch. */
  get bodyUsed(): boolean {
    // Readable.isDisturbed accepts web streams too (checked on Node 20), though its type does not.
    return this.body !== null && Readable.isDisturbed(this.body as never);
  }

  get [Symbol.toStringTag](): string {
    return "Response";
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
      return bytes.buffer as ArrayBuffer;
    }

    return bytes.slice().buffer as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    const type = this.headers.get("content-type") ?? "";
    return new Blob([(await this.bytes()) as Uint8Array<ArrayBuffer>], { type });
  }

  /** Reads the whole body. Rejects with a TypeError when it was already read, as fetch does. */
  async bytes(): Promise<Uint8Array> {
    if (this.bodyUsed || this.body?.locked === true) {
      throw new TypeError("The response body was already read");
    }

    if (this.body === null) {
      return new Uint8Array(0);
    }

    return readAll(this.body);
  }
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }

  if (chunks.length === 1) {
    return chunks[0]!;
  }

  return concatBytes(chunks, total);
}
