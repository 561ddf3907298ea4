/**
 * Caps retries across all calls of a client: each call deposits `ratio` retries, up to `max`,
 * and each retry withdraws one. In a storm of 429s or 5xx responses this keeps total traffic
 * near `(1 + ratio)` times the calls made, instead of `(1 + maxRetries)` times.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #max: number;
  #balance: number;

  constructor(ratio = 0.2, max = 20) {
    this.#ratio = ratio;
    this.#max = max;
    this.#balance = max;
  }

  recordCall(): void {
    this.#balance = Math.min(this.#max, this.#balance + this.#ratio);
  }

  /** Takes one retry from the budget; false when it is empty. */
  tryWithdraw(): boolean {
    if (this.#balance < 1) return false;
    this.#balance -= 1;
    return true;
  }
}
