/**
 * Count of events over a sliding time window, kept in fixed slots so adding allocates nothing.
 * The window moves one slot at a time, so `total` covers between `windowMs - windowMs / slots`
 * and `windowMs` of history.
 */
export class SlidingWindowCounter {
  readonly #slotMs: number;
  readonly #counts: Float64Array;
  /** Index of the newest slot (time divided by the slot length); none before the first event. */
  #newest = Number.NEGATIVE_INFINITY;
  #total = 0;

  constructor(windowMs: number, slots = 12) {
    this.#slotMs = windowMs / slots;
    this.#counts = new Float64Array(slots);
  }

  /** Adds `amount` at `timeMs`; events older than the window are ignored. */
  add(timeMs: number, amount = 1): void {
    const slot = Math.floor(timeMs / this.#slotMs);
    this.#advance(slot);
    if (slot <= this.#newest - this.#counts.length) {
      return;
    }

    this.#counts[this.#position(slot)]! += amount;
    this.#total += amount;
  }

  /** Returns the count over the window that ends at `timeMs`. */
  total(timeMs: number): number {
    this.#advance(Math.floor(timeMs / this.#slotMs));
    return this.#total;
  }

  /** Moves the newest slot forward to `slot`, emptying the slots that leave the window. */
  #advance(slot: number): void {
    if (slot <= this.#newest) {
      return;
    }

    const steps = Math.min(this.#counts.length, slot - this.#newest);
    for (let step = 1; step <= steps; step++) {
      const position = this.#position(slot - steps + step);
      this.#total -= this.#counts[position]!;
      this.#counts[position] = 0;
    }

    this.#newest = slot;
  }

  /** Position of a slot in the ring; slots before the epoch of the times give no negative index. */
  #position(slot: number): number {
    const length = this.#counts.length;
    return ((slot % length) + length) % length;
  }
}

/**
 * Median of the latest `size` values. A sorted copy is kept beside the ring of values, so adding
 * costs one binary search and one shift of at most `size` numbers, and allocates nothing.
 */
export class MovingMedian {
  readonly #ring: Float64Array;
  readonly #sorted: Float64Array;
  #count = 0;
  #next = 0;

  constructor(size: number) {
    this.#ring = new Float64Array(size);
    this.#sorted = new Float64Array(size);
  }

  get count(): number {
    return this.#count;
  }

  add(value: number): void {
    const size = this.#ring.length;
    if (this.#count === size) {
      this.#remove(this.#ring[this.#next]!);
    }

    this.#ring[this.#next] = value;
    this.#next = (this.#next + 1) % size;
    this.#insert(value);
  }

  /**
   * Returns the median of the values kept (the lower of the two middle values for an even
   * count, so whole numbers give a whole number), or NaN when there are none.
   */
  median(): number {
    const count = this.#count;
    if (count === 0) return Number.NaN;
    return this.#sorted[(count - 1) >> 1]!;
  }

  #insert(value: number): void {
    const index = this.#search(value);
    this.#sorted.copyWithin(index + 1, index, this.#count);
    this.#sorted[index] = value;
    this.#count += 1;
  }

  #remove(value: number): void {
    const index = this.#search(value);
    this.#sorted.copyWithin(index, index + 1, this.#count);
    this.#count -= 1;
  }

  /** First position whose value is not less than `value`. */
  #search(value: number): number {
    let low = 0;
    let high = this.#count;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#sorted[middle]! < value) low = middle + 1;
      else high = middle;
    }

    return low;
  }
}
