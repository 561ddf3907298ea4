import { otherValue } from "./metrics-collector.js";

/**
 * Bounds the distinct values of one label: the first `limit` values seen keep their name, every
 * later one becomes `other`. Values are admitted in the order the collector first saw them, so a
 * value keeps its label from one scrape to the next and counters never move between series.
 */
export class LabelValueCap {
  readonly #limit: number;
  readonly #admitted = new Set<string>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Returns the label value for `value`, admitting it while there is room. */
  label(value: string): string {
    if (value === "" || this.#admitted.has(value)) {
      return value;
    }

    if (this.#admitted.size < this.#limit && value !== otherValue) {
      this.#admitted.add(value);
      return value;
    }

    return otherValue;
  }
}
