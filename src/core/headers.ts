import { ConfigurationError } from "./errors/client-errors.js";

/** RFC 9110 token characters, the only ones allowed in a header name. */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Visible ASCII, spaces and tabs; no CR, LF or other control characters (RFC 9110 field-value). */
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers the library sets itself; a caller may not replace them. */
const reservedHeaders = new Set(["authorization", "host", "content-length", "transfer-encoding"]);

/**
 * Checks caller-supplied headers and returns them with lowercase names. Values are never echoed
 * in errors, since a header may hold a secret. `authorization` passes only with
 * `allowAuthorization`, set by the `dangerouslyAllowAuthorizationHeader` client option.
 */
export function checkHeaders(
  headers: Record<string, string>,
  origin: string,
  allowAuthorization = false,
): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!headerName.test(name)) {
      throw new ConfigurationError(
        `${origin}: header name ${JSON.stringify(name.slice(0, 40))} is invalid`,
      );
    }

    if (lower === "authorization" && !allowAuthorization) {
      throw new ConfigurationError(
        `${origin}: the authorization header is set by the client from apiKey; pass the key as ` +
          "apiKey, or set dangerouslyAllowAuthorizationHeader: true to send your own header",
      );
    }

    if (reservedHeaders.has(lower) && lower !== "authorization") {
      throw new ConfigurationError(
        `${origin}: the ${lower} header is set by the client and cannot be overridden`,
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

/**
 * Returns the credential the request carried, for removal from error bodies that echo it: the
 * key, or the credentials of a caller's own `authorization` header.
 */
export function sentCredential(
  key: string,
  extraHeaders: Record<string, string>,
  defaultHeaders: Record<string, string>,
): string {
  const header = extraHeaders.authorization ?? defaultHeaders.authorization;
  if (header === undefined) return key;
  const credentials = header.trim().replace(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s+/, "");
  return credentials === "" ? header : credentials;
}
