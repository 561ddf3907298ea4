import type { ClientRequest } from "node:http";
import { encodeFormData } from "./form-data-body.js";

/** A request body ready for node:http: bytes sent in one write, or a stream pumped in chunks. */
export interface RequestBody {
  bytes: Uint8Array | undefined;
  stream: ReadableStream<Uint8Array> | undefined;
  /** Length in bytes, or undefined when the body is sent with chunked encoding. */
  length: number | undefined;
  /** Content type fetch would derive from the body, used when the caller set none. */
  contentType: string | undefined;
}

/**
 * Converts a fetch body into a {@link RequestBody}, with the content type and length fetch would
 * send. Returns undefined for no body. A stream needs `duplex: "half"` and must not be locked, as
 * with fetch.
 */
export function prepareBody(
  body: BodyInit | null | undefined,
  duplex: string | undefined,
): RequestBody | undefined {
  if (body === undefined || body === null) {
    return undefined;
  }

  if (typeof body === "string") {
    return fromBytes(Buffer.from(body, "utf8"), "text/plain;charset=UTF-8");
  }

  if (body instanceof Uint8Array) {
    return fromBytes(body, undefined);
  }

  if (ArrayBuffer.isView(body)) {
    return fromBytes(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), undefined);
  }

  if (body instanceof ArrayBuffer) {
    return fromBytes(new Uint8Array(body), undefined);
  }

  if (body instanceof ReadableStream) {
    return fromStream(body, duplex);
  }

  return prepareWebBody(body);
}

/** Bodies whose encoding the web platform defines: Blob, FormData and URLSearchParams. */
function prepareWebBody(body: BodyInit): RequestBody {
  if (body instanceof Blob) {
    // Streamed, because a Blob from `fs.openAsBlob` is backed by a file that may be large.
    return {
      bytes: undefined,
      stream: body.stream(),
      length: body.size,
      contentType: body.type === "" ? undefined : body.type,
    };
  }

  if (body instanceof FormData) {
    // Encoded here rather than with `new Response(form)`, whose length is unknown, so that the
    // upload has a content-length as with fetch instead of chunked encoding.
    return encodeFormData(body);
  }

  if (body instanceof URLSearchParams) {
    return fromBytes(
      Buffer.from(body.toString(), "utf8"),
      "application/x-www-form-urlencoded;charset=UTF-8",
    );
  }

  // fetch sends any other value as its string form.
  return fromBytes(Buffer.from(String(body), "utf8"), "text/plain;charset=UTF-8");
}

function fromBytes(bytes: Uint8Array, contentType: string | undefined): RequestBody {
  return { bytes, stream: undefined, length: bytes.byteLength, contentType };
}

function fromStream(stream: ReadableStream, duplex: string | undefined): RequestBody {
  if (duplex !== "half") {
    throw new TypeError('A stream request body needs the duplex: "half" option');
  }

  if (stream.locked) {
    throw new TypeError("The request body stream is locked or was already read");
  }

  return { bytes: undefined, stream, length: undefined, contentType: undefined };
}

/**
 * Writes the body and ends the request. A stream is read one chunk at a time and the next read
 * waits until node:http has flushed the previous write, so a large upload is never held in memory.
 * A failing stream destroys the request with its error, and a request closed early (abort,
 * connection error, early response) cancels the stream. A stream body with a `length` that yields
 * more or fewer bytes destroys the request too. Node 20's node:http does not check the length
 * unless `strictContentLength` is set, so extra bytes would reach the server as the start of a
 * next request, and missing ones would leave the server waiting.
 */
export function writeBody(request: ClientRequest, body: RequestBody | undefined): void {
  if (body?.stream === undefined) {
    request.end(body?.bytes);
    return;
  }

  pumpStream(request, body.stream, body.length).catch((error: unknown) => {
    request.destroy(error instanceof Error ? error : new Error(String(error)));
  });
}

async function pumpStream(
  request: ClientRequest,
  stream: ReadableStream,
  length: number | undefined,
): Promise<void> {
  const reader = stream.getReader();
  let sent = 0;
  const onClose = () => {
    reader.cancel(new Error("The request closed before its body was sent")).catch(() => {});
  };
  request.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (request.destroyed) return;
      if (done) {
        checkLength(sent, length, true);
        request.end();
        return;
      }

      if (!(value instanceof Uint8Array)) {
        throw new TypeError("A request body stream must yield Uint8Array chunks");
      }

      sent += value.byteLength;
      checkLength(sent, length, false);
      if (!request.write(value)) {
        await drained(request);
      }
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    request.off("close", onClose);
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

/** Resolves once the request can take more data, or once it closed. */
function drained(request: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      request.off("drain", done);
      request.off("close", done);
      resolve();
    };
    request.on("drain", done);
    request.on("close", done);
  });
}
