/** Requests per second as a token bucket: `burst` calls at once, then `rate` per second. */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;
  readonly #rate: number;
  readonly #burst: number;

  constructor(ratePerSecond: number, burst: number, now: number) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Returns 0 when a call may go now, else the milliseconds until one may. */
  waitMs(now: number, slowdown = 1): number {
    this.#refill(now, slowdown);
    return this.#tokens >= 1 ? 0 : ((1 - this.#tokens) / (this.#rate * slowdown)) * 1000;
  }

  take(now: number, slowdown = 1): void {
    this.#refill(now, slowdown);
    this.#tokens -= 1;
  }

  #refill(now: number, slowdown: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#rate * slowdown);
    this.#updatedAt = now;
  }
}

interface WindowEntry {
  time: number;
  tokens: number;
}

/** A sum over a sliding time window, such as tokens per minute. */
export class SlidingWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  #entries: WindowEntry[] = [];
  #sum = 0;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Sum of the amounts recorded in the current window. */
  used(now: number): number {
    this.#prune(now);
    return this.#sum;
  }

  /**
   * Returns 0 when `amount` fits now, the milliseconds until it fits, or Infinity when it can
   * never fit (larger than the limit itself).
   */
  waitMs(amount: number, now: number): number {
    if (amount > this.#limit) return Number.POSITIVE_INFINITY;
    this.#prune(now);
    let excess = this.#sum + amount - this.#limit;
    if (excess <= 0) return 0;
    for (const entry of this.#entries) {
      excess -= entry.tokens;
      if (excess <= 0) return entry.time + this.#windowMs - now;
    }

    return this.#windowMs;
  }

  /** Records `amount` now; returns the entry so the amount can be corrected later. */
  add(amount: number, now: number): WindowEntry {
    const entry = { time: now, tokens: amount };
    this.#entries.push(entry);
    this.#sum += amount;
    return entry;
  }

  /** Replaces an entry's estimate with the real amount, if it is still in the window. */
  correct(entry: WindowEntry, amount: number): void {
    if (!this.#entries.includes(entry)) return;
    this.#sum += amount - entry.tokens;
    entry.tokens = amount;
  }

  #prune(now: number): void {
    const cutoff = now - this.#windowMs;
    let index = 0;
    while (index < this.#entries.length && this.#entries[index]!.time <= cutoff) {
      this.#sum -= this.#entries[index]!.tokens;
      index++;
    }

    if (index > 0) this.#entries = this.#entries.slice(index);
  }
}
