import { computeKeyFingerprint } from "../telemetry/key-fingerprint.js";
import { ConfigurationError } from "./errors/client-errors.js";
import { isMistralError } from "./errors/mistral-error.js";

/** An API key, or a function returning one (sync or async) that is called for each request. */
export type ApiKeySource = string | (() => string | Promise<string>);

/** Bytes allowed in a key: printable ASCII without spaces, so it is safe in a header. */
const keyPattern = /^[\x21-\x7e]+$/;

/**
 * Holds the key source in a closure so no property of any object exposes it. The key is checked
 * on every read: a rotated key from a secret store gets the same checks as a literal one.
 */
export class ApiKeyProvider {
  readonly #read: () => Promise<string>;
  /** The checked key when the source is a string, so a request can skip the promise. */
  readonly #fixed: string | undefined;
  readonly #cacheMs: number;
  #cached: Promise<string> | undefined;
  #cachedAt = 0;
  #fingerprintedKey: string | undefined;
  #fingerprint: string | undefined;
  #trackFingerprint = false;

  /** True when the key comes from a function, which can return a new key after a 401. */
  readonly canRefresh: boolean;

  /** `cacheMs`: how long a key returned by a function is reused; 0 calls it per request. */
  constructor(source: ApiKeySource, origin: string, cacheMs = 0) {
    this.#cacheMs = cacheMs;
    this.canRefresh = typeof source === "function";
    if (typeof source === "function") {
      this.#read = async () => checkApiKey(await callKeyFunction(source, origin), origin);
    } else {
      const key = checkApiKey(source, origin);
      this.#fixed = key;
      this.#read = async () => key;
    }
  }

  /** Returns the checked key when it is a string, or `undefined` when a function supplies it. */
  fixedKey(): string | undefined {
    return this.#fixed;
  }

  /**
   * Short SHA-256 fingerprint (8 hex characters) of the last key read, once `trackFingerprint()`
   * was called and a key was read; never the key itself.
   */
  get fingerprint(): string | undefined {
    return this.#fingerprint;
  }

  /** Starts computing the fingerprint of each new key read, for audit events and logs. */
  trackFingerprint(): void {
    this.#trackFingerprint = true;
    if (this.#fixed !== undefined) this.#fingerprintOf(this.#fixed);
  }

  /**
   * Returns the current key, trimmed and checked. Rejects with the signal's reason once `signal`
   * aborts, so a key function that never settles cannot outlive the attempt's timeout.
   */
  get(signal?: AbortSignal): Promise<string> {
    const key =
      signal === undefined ? this.#readCached() : untilAborted(this.#readCached(), signal);
    if (!this.#trackFingerprint) return key;
    return key.then((value) => {
      this.#fingerprintOf(value);
      return value;
    });
  }

  /** Starts computing the fingerprint of `key` unless it is the key last fingerprinted. */
  #fingerprintOf(key: string): void {
    if (key === this.#fingerprintedKey) return;
    this.#fingerprintedKey = key;
    computeKeyFingerprint(key).then(
      (fingerprint) => {
        this.#fingerprint = fingerprint;
      },
      () => {},
    );
  }

  #readCached(): Promise<string> {
    if (this.#cacheMs <= 0) return this.#read();
    const now = Date.now();
    if (this.#cached === undefined || now - this.#cachedAt >= this.#cacheMs) {
      this.#cachedAt = now;
      this.#cached = this.#read();
      this.#cached.catch(() => this.invalidate());
    }

    return this.#cached;
  }

  /** Drops the cached key so the next request calls the key function again. */
  invalidate(): void {
    this.#cached = undefined;
  }

  toJSON(): string {
    return "[ApiKeyProvider]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[ApiKeyProvider]";
  }
}

/**
 * Calls the caller's key function. Its error is replaced by a ConfigurationError that names only
 * the error's class, because the message of a secret-store client may quote paths or tokens.
 */
async function callKeyFunction(
  source: () => string | Promise<string>,
  origin: string,
): Promise<unknown> {
  try {
    return await source();
  } catch (error) {
    if (isMistralError(error)) throw error;
    const name = error instanceof Error ? error.name : typeof error;
    throw new ConfigurationError(
      `The key function from ${origin} failed with ${name.slice(0, 60)} (message not shown, ` +
        "since it may contain secrets): check the function and the secret store it reads",
    );
  }
}

/** Settles like `pending`, or rejects with the signal's reason as soon as the signal aborts. */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Trims surrounding whitespace and rejects an empty key or one with spaces or control characters
 * (a header injection risk). Messages never echo the key.
 */
export function checkApiKey(value: unknown, origin: string): string {
  if (typeof value !== "string") {
    throw new ConfigurationError(
      `The API key from ${origin} is not a string: pass a string or a function returning one`,
    );
  }

  const key = value.trim();
  if (key.length === 0) {
    throw new ConfigurationError(
      `The API key from ${origin} is empty: set MISTRAL_API_KEY or pass apiKey`,
    );
  }

  if (!keyPattern.test(key)) {
    throw new ConfigurationError(
      `The API key from ${origin} contains a space, control or non-ASCII character ` +
        "(not shown): copy the key again without extra characters",
    );
  }

  return key;
}
