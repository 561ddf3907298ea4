/** First-in first-out queue of fixed capacity that drops its oldest item when full. */
export class BoundedQueue<T> {
  readonly #items: Array<T | undefined>;
  #head = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends `item`; returns true when the oldest item was dropped to make room. */
  push(item: T): boolean {
    const capacity = this.capacity;
    if (capacity === 0) {
      return true;
    }

    if (this.#size === capacity) {
      this.#items[this.#head] = item;
      this.#head = (this.#head + 1) % capacity;
      return true;
    }

    this.#items[(this.#head + this.#size) % capacity] = item;
    this.#size += 1;
    return false;
  }

  shift(): T | undefined {
    if (this.#size === 0) {
      return undefined;
    }

    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size -= 1;
    return item;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }
}
