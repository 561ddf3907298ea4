import type { AttemptTimer } from "./attempt-timer.js";
import { readBoundedText } from "./body-reader.js";
import { parseErrorBody } from "./error-body.js";
import { createApiError, type MistralApiError } from "./errors/api-error.js";
import { isMistralError } from "./errors/mistral-error.js";
import { readRetryAfterMs } from "./retry-policy.js";

/** Error bodies are read up to this size; the rest is discarded. */
const maxErrorBodyBytes = 64 * 1024;

/** Raw error body text kept on the error, for debugging. */
const maxKeptBodyChars = 8 * 1024;
/** Maximum length of an HTTP reason phrase quoted in a message, in characters. */
const maxReasonChars = 200;

/**
 * Reads the request id the API returned. The gateway sets `mistral-correlation-id`; older
 * deployments and proxies set `x-kong-request-id` or `x-request-id`. An id that contains `secret`
 * (a proxy reflecting the key) is dropped, since request ids are logged and shown in messages.
 */
export function readRequestId(headers: Headers, secret = ""): string | undefined {
  const id =
    headers.get("mistral-correlation-id") ??
    headers.get("x-kong-request-id") ??
    headers.get("x-request-id") ??
    undefined;
  return id !== undefined && secret !== "" && id.includes(secret) ? undefined : id;
}

/**
 * Reads a failed response's body (bounded) and builds the typed error for its status. Some
 * gateways echo the key they rejected, so every occurrence of `apiKey` in the body, written
 * plainly or with JSON escapes, is replaced before any of it reaches the error.
 */
export async function buildResponseError(
  response: Response,
  timer: AttemptTimer,
  call: { method: string; url: string },
  apiKey = "",
): Promise<MistralApiError> {
  const text = removeSecret(unescapeJson(await readErrorText(response, timer), apiKey), apiKey);
  const parsed = parseErrorBody(text);
  const status = response.status;
  const retryAfterMs = readRetryAfterMs(response.headers);
  // The reason phrase is server text too: a server can echo the key in it.
  const reason = removeSecret(response.statusText, apiKey).slice(0, maxReasonChars);
  const summary = parsed.message ?? (reason || `HTTP ${status}`);
  return createApiError({
    status,
    message: `${summary} (${status} from ${call.method} ${call.url}): ${hintFor(status, retryAfterMs)}`,
    serverMessage: parsed.serverMessage,
    requestId: parsed.requestId ?? readRequestId(response.headers, apiKey),
    code: parsed.code,
    type: parsed.type,
    param: parsed.param,
    body: text.length > maxKeptBodyChars ? text.slice(0, maxKeptBodyChars) : text,
    issues: parsed.issues,
    retryAfterMs,
    headers: response.headers,
  });
}

/** Replaces every occurrence of `secret` in server text; an empty secret changes nothing. */
export function removeSecret(text: string, secret: string): string {
  return secret === "" || !text.includes(secret)
    ? text
    : text.replaceAll(secret, "[API key removed]");
}

/**
 * Rewrites a JSON body without optional escapes when it contains the secret in escaped form (such
 * as `\u0073k-...`), which a plain text search misses but `JSON.parse` would decode into the
 * error's fields. Other bodies are returned unchanged, byte for byte.
 */
function unescapeJson(text: string, secret: string): string {
  if (secret === "" || !text.includes("\\")) return text;
  let canonical: string;
  try {
    canonical = JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }

  return canonical.includes(secret) ? canonical : text;
}

/**
 * Reads an error body. A body that cannot be read in time or in size yields empty text, so the
 * error still has its status.
 */
async function readErrorText(response: Response, timer: AttemptTimer): Promise<string> {
  try {
    return await readBoundedText(response, maxErrorBodyBytes, timer);
  } catch (error) {
    if (isMistralError(error, "response_too_large")) {
      return "";
    }

    const failure = timer.failure;
    if (failure && failure.kind === "abort") throw failure;
    return "";
  }
}

function hintFor(status: number, retryAfterMs: number | undefined): string {
  if (status === 400) return "fix the request and send it again";
  if (status === 401) {
    return (
      "check MISTRAL_API_KEY or the apiKey option, and that the key is valid for this base URL " +
      "(Codestral keys work only on the Codestral host)"
    );
  }

  if (status === 403) return "check that this key may use the model or endpoint";
  if (status === 404) return "check the model name, id or path";
  if (status === 409) return "the resource changed meanwhile: read it again, then retry";
  if (status === 422) return "fix the fields listed above";
  if (status === 429) {
    return retryAfterMs === undefined
      ? "slow down, or raise the rate limits of your workspace"
      : `the server asks to wait ${Math.ceil(retryAfterMs / 1000)} s before the next request`;
  }

  if (status >= 500) return "the server failed; try again later";
  if (status >= 300 && status < 400) {
    return "redirects are not followed, so the key never reaches another URL: set baseURL to the final URL";
  }

  return "see the status and body for details";
}
