/** A raw header name or value: text from node:http, or bytes (one or several) from undici. */
export type RawHeader = string | Uint8Array | readonly Uint8Array[];

/** Responses that have no body, by the Fetch standard ("null body status") and HTTP. */
export function hasNullBody(method: string, status: number): boolean {
  return method === "HEAD" || status === 204 || status === 205 || status === 304 || status < 200;
}

/**
 * Copies the raw header pairs into a `Headers`, so a repeated header such as `set-cookie` keeps
 * every value. Bytes are read as Latin-1, as fetch reads them.
 */
export function responseHeaders(rawHeaders: readonly RawHeader[]): Headers {
  const headers = new Headers();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    const value = rawHeaders[index + 1]!;
    // Only values come as arrays: a name is always a single string or buffer.
    if (!isSingle(name)) continue;
    if (isSingle(value)) {
      appendHeader(headers, headerText(name), headerText(value));
    } else {
      for (const item of value) appendHeader(headers, headerText(name), headerText(item));
    }
  }

  return headers;
}

function isSingle(raw: RawHeader): raw is string | Uint8Array {
  return typeof raw === "string" || raw instanceof Uint8Array;
}

function headerText(raw: string | Uint8Array): string {
  if (typeof raw === "string") return raw;
  const bytes = Buffer.isBuffer(raw)
    ? raw
    : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return bytes.toString("latin1");
}

function appendHeader(headers: Headers, name: string, value: string): void {
  try {
    headers.append(name, value);
  } catch {
    // Headers rejects a few names and values that node:http and undici accept. Such a header is
    // dropped rather than failing the whole response.
  }
}

/** Returns the URL a response reports: the request URL without its fragment, as with fetch. */
export function responseURL(url: URL): string {
  return url.hash === "" ? url.href : url.href.slice(0, -url.hash.length);
}
