/** A key fingerprint: 8 to 16 hex characters of a hash, never long enough to be a key. */
const fingerprintPattern = /^[0-9a-f]{8,16}$/i;

/**
 * Returns the first 8 hex characters of the SHA-256 hash of `key`, computed with WebCrypto, so
 * events and logs can tell keys apart without containing one.
 */
export async function computeKeyFingerprint(key: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  const bytes = new Uint8Array(digest, 0, 4);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Checks that a value has the shape of a fingerprint, so a key passed by mistake is dropped. */
export function isKeyFingerprint(value: unknown): value is string {
  return typeof value === "string" && fingerprintPattern.test(value);
}

/**
 * Returns a reader of the current fingerprint. A function source is called on every read, so a
 * fingerprint computed later or after a key rotation is picked up. Values that are not 8 to 16
 * hex characters read as `undefined`.
 */
export function fingerprintReader(
  source: string | (() => string | undefined) | undefined,
): () => string | undefined {
  if (typeof source === "function") {
    return () => {
      try {
        const value = source();
        return isKeyFingerprint(value) ? value : undefined;
      } catch {
        return undefined;
      }
    };
  }

  const value = isKeyFingerprint(source) ? source : undefined;
  return () => value;
}
