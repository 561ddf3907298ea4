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
  /** False once the entry left the window, so a late correction changes nothing. */
  inWindow: boolean;
}

/** Entries left behind the head before the array is compacted. */
const compactAfter = 1024;

/**
 * A sum over a sliding time window, such as tokens per minute. Entries are kept in arrival
 * order and leave from a moving head, so adding, pruning and correcting cost O(1) amortised
 * however many calls the window contains.
 */
export class SlidingWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  #entries: WindowEntry[] = [];
  /** Index of the oldest entry still in the window. */
  #head = 0;
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
    for (let index = this.#head; index < this.#entries.length; index++) {
      const entry = this.#entries[index]!;
      excess -= entry.tokens;
      if (excess <= 0) return entry.time + this.#windowMs - now;
    }

    return this.#windowMs;
  }

  /** Records `amount` now; returns the entry so the amount can be corrected later. */
  add(amount: number, now: number): WindowEntry {
    const entry = { time: now, tokens: amount, inWindow: true };
    this.#entries.push(entry);
    this.#sum += amount;
    return entry;
  }

  /** Replaces an entry's estimate with the real amount, if it is still in the window. */
  correct(entry: WindowEntry, amount: number): void {
    if (!entry.inWindow) return;
    this.#sum += amount - entry.tokens;
    entry.tokens = amount;
  }

  #prune(now: number): void {
    const cutoff = now - this.#windowMs;
    const entries = this.#entries;
    let head = this.#head;
    while (head < entries.length && entries[head]!.time <= cutoff) {
      const entry = entries[head]!;
      this.#sum -= entry.tokens;
      entry.inWindow = false;
      head++;
    }

    if (head === entries.length) {
      entries.length = 0;
      head = 0;
    } else if (head > compactAfter && head * 2 > entries.length) {
      this.#entries = entries.slice(head);
      head = 0;
    }

    this.#head = head;
  }
}
