const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Creates a tool-call id in the only format the API accepts: 9 characters from `[A-Za-z0-9]`.
 * Uses the Web Crypto random source, with rejection sampling so every character is equally likely.
 */
export function createToolCallId(): string {
  let id = "";
  const bytes = new Uint8Array(16);
  while (id.length < 9) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      // 248 is the largest multiple of 62 below 256; higher bytes would bias the result.
      if (byte < 248 && id.length < 9) id += alphabet[byte % 62];
    }
  }

  return id;
}
