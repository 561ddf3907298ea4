/**
 * Masking of credentials in what telemetry writes: header values, bearer tokens inside text, and
 * object fields whose names mark them as secrets. The API key reaches the pipeline only in the
 * `authorization` header, which every path through here masks.
 */

const masked = "***";

/** Header names whose values are credentials. */
const credentialHeaders = new Set([
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "api-key",
  "cookie",
  "set-cookie",
]);

/** Object field names whose values are masked in copied content. */
const secretFieldPattern =
  /^(authorization|proxy[-_]authorization|x[-_]api[-_]key|api[-_]?key|password|secret|client[-_]secret|access[-_]token|refresh[-_]token|cookie|set[-_]cookie)$/i;

/** `Bearer` or `Basic` followed by a token, anywhere in a text. */
const tokenPattern = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;

/** Returns a copy of the headers with lower-case names and every credential masked. */
export function maskHeaders(
  headers: Headers | Readonly<Record<string, string>> | undefined,
  redact: (text: string) => string = (text) => text,
): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) {
    return result;
  }

  const entries = isHeaders(headers) ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    const lowerName = name.toLowerCase();
    result[lowerName] = maskHeaderValue(lowerName, redact(String(value)));
  }

  return result;
}

/** Masks a header value: `Bearer sk-...` becomes `Bearer ***`, other credentials become `***`. */
export function maskHeaderValue(lowerName: string, value: string): string {
  if (!credentialHeaders.has(lowerName)) {
    return maskTokens(value);
  }

  const scheme = /^(\w+)\s+\S/.exec(value);
  return scheme ? `${scheme[1]} ${masked}` : masked;
}

/** Replaces every `Bearer <token>` and `Basic <token>` in a text with `<scheme> ***`. */
export function maskTokens(text: string): string {
  return text.replace(tokenPattern, (_, scheme: string) => `${scheme} ${masked}`);
}

/**
 * Copies a request or response body into plain JSON-like data for an event or log line. Fields
 * named like credentials are masked, tokens in strings are masked, binary bodies become a short
 * description, and cycles or nesting deeper than 32 levels are cut.
 */
export function copyContent(value: unknown): unknown {
  return copyValue(value, 0, new WeakSet());
}

function copyValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return maskTokens(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return undefined;

  const binary = describeBinary(value);
  if (binary !== undefined) return binary;
  if (depth >= 32 || seen.has(value)) return "[cut]";
  seen.add(value);

  if (Array.isArray(value)) {
    return value.map((item) => copyValue(item, depth + 1, seen));
  }

  const result: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    result[name] = secretFieldPattern.test(name) ? masked : copyValue(field, depth + 1, seen);
  }

  return result;
}

function describeBinary(value: object): string | undefined {
  if (typeof Blob !== "undefined" && value instanceof Blob) return `[Blob, ${value.size} bytes]`;
  if (typeof FormData !== "undefined" && value instanceof FormData) return "[FormData]";
  if (ArrayBuffer.isView(value)) return `[binary, ${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[binary, ${value.byteLength} bytes]`;
  if (typeof ReadableStream !== "undefined" && value instanceof ReadableStream) return "[stream]";
  return undefined;
}

function isHeaders(value: unknown): value is Headers {
  return typeof Headers !== "undefined" && value instanceof Headers;
}
