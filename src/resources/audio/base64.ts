import { StreamError } from "../../core/errors/transport-errors.js";

// Base64 with the `btoa` and `atob` globals, which Node.js 16+, Deno, Bun, browsers and edge
// runtimes all provide, so no Node-only `Buffer` is needed.

/** Characters encoded per `String.fromCharCode` call, below the engines' argument limits. */
const chunkSize = 0x8000;

/** Encodes bytes as standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += chunkSize) {
    binary += String.fromCharCode(...bytes.subarray(start, start + chunkSize));
  }

  return btoa(binary);
}

/**
 * Decodes base64 that the server sent, standard or URL-safe, with or without padding. Throws a
 * StreamError naming the value when it is not base64.
 */
export function decodeBase64(text: string, description: string): Uint8Array {
  let binary: string;
  try {
    const standard = text.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/");
    binary = atob(standard);
  } catch {
    throw new StreamError(`The ${description} is not valid base64: the audio cannot be decoded`);
  }

  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) {
    bytes[index] = binary.charCodeAt(index);
  }

  return bytes;
}
