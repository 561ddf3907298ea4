import { removeSecret } from "./response-error.js";

/** Finds a Node-style error code such as ECONNREFUSED on the error or its causes. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z_]+$/.test(code)) {
      return code;
    }

    current = (current as { cause?: unknown }).cause;
  }

  return undefined;
}

/**
 * Keeps the name, message and code of a network error but drops every other property, since some
 * fetch implementations attach the request (with its headers) to their errors. The key is
 * replaced wherever the message quotes it, before the message is cut, so no part of it is kept.
 */
export function sanitizeCause(error: unknown, secret: string): Error {
  return redactedCause(error, (text) => removeSecret(text, secret));
}

/** Same as `sanitizeCause`, with `redact` removing the key from the message. */
export function redactedCause(error: unknown, redact: (text: string) => string): Error {
  const message = redact(error instanceof Error ? error.message : String(error));
  const cause = new Error(message.replace(/Bearer\s+\S+/gi, "Bearer ***").slice(0, 300));
  cause.name = error instanceof Error ? error.name : "Error";
  const code = networkErrorCode(error);
  if (code) Object.assign(cause, { code });
  return cause;
}
