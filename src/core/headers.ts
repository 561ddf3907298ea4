import { ConfigurationError } from "./errors/client-errors.js";

/** RFC 9110 token characters, the only ones allowed in a header name. */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Visible ASCII, spaces and tabs; no CR, LF or other control characters (RFC 9110 field-value). */
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers the library sets itself; a caller may not replace them. */
const reservedHeaders = new Set(["authorization", "host", "content-length", "transfer-encoding"]);

/**
 * Checks caller-supplied headers and returns them with lowercase names. Values are never echoed
 * in errors, since a header may hold a secret.
 */
export function checkHeaders(
  headers: Record<string, string>,
  origin: string,
): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!headerName.test(name)) {
      throw new ConfigurationError(
        `${origin}: header name ${JSON.stringify(name.slice(0, 40))} is invalid`,
      );
    }

    if (reservedHeaders.has(lower)) {
      throw new ConfigurationError(
        `${origin}: the ${lower} header is set by the client and cannot be overridden` +
          (lower === "authorization" ? "; pass the key as apiKey" : ""),
      );
    }

    if (typeof value !== "string" || !headerValue.test(value)) {
      throw new ConfigurationError(
        `${origin}: the value of header ${lower} must be a string without control characters (not shown)`,
      );
    }

    checked[lower] = value;
  }

  return checked;
}
