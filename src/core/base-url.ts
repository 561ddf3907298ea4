import { ConfigurationError } from "./errors/client-errors.js";

/** The public API. Never changed by the environment unless MISTRAL_BASE_URL is set. */
export const defaultBaseURL = "https://api.mistral.ai";

/**
 * Parses and checks a base URL: `https:` anywhere, `http:` only to a loopback host, no
 * credentials, query or fragment. Repeated slashes become one, and a trailing slash and a trailing
 * `/v1` are removed, because every operation path starts with `/v1`. Returns the URL without a trailing slash.
 */
export function normaliseBaseURL(value: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigurationError(
      `${origin} is not a valid URL: use a value such as ${defaultBaseURL}`,
    );
  }

  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new ConfigurationError(
      `${origin} must use https (plain http is allowed only to 127.0.0.0/8, localhost or [::1]); ` +
        `got ${url.protocol}//${url.host}`,
    );
  }

  if (url.username !== "" || url.password !== "") {
    throw new ConfigurationError(
      `${origin} must not contain credentials: pass the key as apiKey or MISTRAL_API_KEY`,
    );
  }

  if (url.search !== "" || url.hash !== "") {
    throw new ConfigurationError(`${origin} must not contain a query string or fragment`);
  }

  // Repeated slashes (`https://host//v1/`) would reach the server as an empty path segment.
  const path = url.pathname
    .replace(/\/{2,}/g, "/")
    .replace(/\/+$/, "")
    .replace(/\/v1$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/** True for `localhost`, an address in 127.0.0.0/8, and `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === "localhost" || hostname === "[::1]" || hostname === "::1") {
    return true;
  }

  const parts = hostname.split(".");
  return (
    parts.length === 4 &&
    parts[0] === "127" &&
    parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)
  );
}
