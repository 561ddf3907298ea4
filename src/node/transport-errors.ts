/**
 * Wraps a connection error like fetch does (a TypeError whose `cause` is the socket error), and
 * copies its `code` such as ECONNREFUSED onto the wrapper. Node's and undici's socket errors name
 * the address and port, not the request headers.
 */
export function requestFailed(cause: Error & { code?: unknown }, url: URL): TypeError {
  const code = typeof cause.code === "string" ? cause.code : undefined;
  const error = new TypeError(`Request to ${url.origin} failed: ${cause.message}`, {
    cause: withoutRawBytes(cause),
  });
  if (code !== undefined) {
    Object.assign(error, { code });
  }

  return error;
}

/**
 * Returns a parser error as a copy with only its name, message and code, and any other error as
 * it is. Parser errors keep the raw bytes after the bad byte (undici's HTTPParserError in `data`,
 * node:http's in `rawPacket`), and a server may echo the request's key in them.
 */
export function withoutRawBytes(error: Error & { code?: unknown }): Error {
  if (!("data" in error) && !("rawPacket" in error)) {
    return error;
  }

  const copy = new Error(error.message);
  copy.name = error.name;
  if (typeof error.code === "string") {
    Object.assign(copy, { code: error.code });
  }

  return copy;
}

/** Creates an error for a connection that ended without a usable response, coded ECONNRESET. */
export function noResponse(message: string): Error {
  return Object.assign(new Error(message), { code: "ECONNRESET" });
}

/** Creates the error that `close()` fails running requests with, naming the `transport`. */
export function transportClosed(transport: string): Error {
  return Object.assign(new Error(`The ${transport} transport was closed with close()`), {
    code: "ERR_TRANSPORT_CLOSED",
  });
}
