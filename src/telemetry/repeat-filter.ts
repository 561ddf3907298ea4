/**
 * Rate limit for repeated log lines: a line with a given key is written at most once per
 * interval, and the next one written reports how many were suppressed in between.
 */
export class RepeatFilter {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #entries = new Map<string, { writtenAt: number; suppressed: number }>();

  /**
   * @param intervalMs Minimum time between two lines with the same key. Default: 10000.
   * @param now Clock in milliseconds. Default: `Date.now`.
   * @param maxKeys Keys remembered; the oldest is forgotten beyond it. Default: 256.
   */
  constructor(intervalMs = 10_000, now: () => number = Date.now, maxKeys = 256) {
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#maxKeys = maxKeys;
  }

  /**
   * Returns `undefined` when the line must be suppressed, otherwise the number of lines with the
   * same key suppressed since the last one written.
   */
  admit(key: string): number | undefined {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry !== undefined && now - entry.writtenAt < this.#intervalMs) {
      entry.suppressed += 1;
      return undefined;
    }

    const suppressed = entry?.suppressed ?? 0;
    this.#entries.delete(key);
    this.#entries.set(key, { writtenAt: now, suppressed: 0 });
    if (this.#entries.size > this.#maxKeys) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }

    return suppressed;
  }
}
