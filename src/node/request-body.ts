import type { ClientRequest } from "node:http";
import { encodeFormData } from "./form-data-body.js";
import { StreamUpload } from "./stream-upload.js";

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

  const upload = new StreamUpload(body.stream, body.length);
  pumpStream(request, upload).catch((error: unknown) => {
    request.destroy(error instanceof Error ? error : new Error(String(error)));
  });
}

async function pumpStream(request: ClientRequest, upload: StreamUpload): Promise<void> {
  const onClose = () => {
    upload.cancel(new Error("The request closed before its body was sent"));
  };
  request.once("close", onClose);
  try {
    for await (const chunk of upload) {
      if (request.destroyed) return;
      if (!request.write(chunk)) {
        await drained(request);
      }
    }

    if (!request.destroyed) request.end();
  } finally {
    request.off("close", onClose);
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
