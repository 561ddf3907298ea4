/**
 * Log-spaced latency histogram with fixed buckets.
 *
 * Each doubling of latency is split into 8 buckets, so a bucket's upper bound is 2^(1/8) times its
 * lower bound. The bounded buckets cover 0.0625 ms to 2^20 ms (about 17.5 minutes). A percentile
 * is reported as the geometric middle of the bucket holding the sample of that rank, clamped to the
 * smallest and largest value recorded. The result is within a factor 2^(1/16) of that sample, a
 * relative error of at most 4.43%. Below 0.0625 ms the error is at most 0.0625 ms; above 2^20 ms
 * the reported value is the largest one recorded.
 */

/** Buckets per doubling of latency. */
const bucketsPerOctave = 8;

/** Upper bound of the first bucket, in milliseconds. */
const smallestBoundMs = 2 ** -4;

/** Doublings covered by the bounded buckets: 2^-4 ms to 2^20 ms. */
const octaves = 24;

/** Number of bounded buckets. Index 0 contains the values up to `smallestBoundMs`. */
const boundedBuckets = octaves * bucketsPerOctave;

/** Index of the bucket for values above the largest bound. */
const overflowIndex = boundedBuckets + 1;

/** Largest relative error of a percentile inside the bounded range: 2^(1/16) - 1. */
export const percentileRelativeError = 2 ** (1 / (2 * bucketsPerOctave)) - 1;

/** Largest value the bounded buckets cover, in milliseconds. */
export const largestBoundMs = smallestBoundMs * 2 ** octaves;

/** Upper bound in milliseconds of bucket `index` (0 to `boundedBuckets`). */
export function bucketUpperBoundMs(index: number): number {
  return smallestBoundMs * 2 ** (index / bucketsPerOctave);
}

/** Returns the index of the bucket whose upper bound is `boundMs`, a power of two milliseconds. */
export function bucketIndexOfBound(boundMs: number): number {
  return Math.round(Math.log2(boundMs / smallestBoundMs) * bucketsPerOctave);
}

/**
 * Summary of one latency histogram, in milliseconds, with `null` where nothing was recorded.
 * Count, sum, minimum and maximum are exact. Each percentile is within 4.43% of the true
 * nearest-rank percentile between 0.0625 ms and about 17.5 minutes (buckets 2^(1/8) wide).
 */
export interface LatencySummary {
  count: number;
  sumMs: number;
  minMs: number | null;
  maxMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Fixed-size histogram of durations in milliseconds. Recording allocates nothing. */
export class LatencyHistogram {
  /** Samples per bucket: index 0 up to 0.0625 ms, then 192 bounded buckets, then overflow. */
  readonly counts = new Float64Array(overflowIndex + 1);
  count = 0;
  sumMs = 0;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = Number.NEGATIVE_INFINITY;

  /** Adds one duration; negative, infinite and NaN values are ignored. */
  record(valueMs: number): void {
    if (!(valueMs >= 0) || valueMs === Number.POSITIVE_INFINITY) {
      return;
    }

    this.counts[bucketIndex(valueMs)]! += 1;
    this.count += 1;
    this.sumMs += valueMs;
    if (valueMs < this.minMs) this.minMs = valueMs;
    if (valueMs > this.maxMs) this.maxMs = valueMs;
  }

  /** Adds every sample of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    for (let index = 0; index < this.counts.length; index++) {
      this.counts[index]! += other.counts[index]!;
    }

    this.count += other.count;
    this.sumMs += other.sumMs;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  /**
   * Estimates the nearest-rank percentile `quantile` (0 to 1), within the error stated at the top
   * of this file. Returns `null` when the histogram is empty.
   */
  percentile(quantile: number): number | null {
    if (this.count === 0) {
      return null;
    }

    const rank = Math.max(1, Math.ceil(quantile * this.count));
    let seen = 0;
    for (let index = 0; index <= overflowIndex; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) {
        return this.#estimate(index);
      }
    }

    return this.maxMs;
  }

  /**
   * Returns the number of samples at or below the upper bound of each bucket in `indices`, which
   * must be in ascending order.
   */
  cumulativeCounts(indices: readonly number[]): number[] {
    const totals: number[] = [];
    let total = 0;
    let position = 0;
    for (const index of indices) {
      for (; position <= index; position++) {
        total += this.counts[position]!;
      }

      totals.push(total);
    }

    return totals;
  }

  summary(): LatencySummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      sumMs: this.sumMs,
      minMs: empty ? null : this.minMs,
      maxMs: empty ? null : this.maxMs,
      p50Ms: this.percentile(0.5),
      p95Ms: this.percentile(0.95),
      p99Ms: this.percentile(0.99),
    };
  }

  #estimate(index: number): number {
    if (index === overflowIndex) {
      return this.maxMs;
    }

    const middle =
      index === 0
        ? smallestBoundMs / 2
        : bucketUpperBoundMs(index) / 2 ** (1 / (2 * bucketsPerOctave));
    return Math.min(this.maxMs, Math.max(this.minMs, middle));
  }
}

function bucketIndex(valueMs: number): number {
  if (valueMs <= smallestBoundMs) {
    return 0;
  }

  // NOTE: a value within a rounding error of a bound may land in the neighbouring bucket.
  const index = Math.ceil(Math.log2(valueMs / smallestBoundMs) * bucketsPerOctave);
  return index > boundedBuckets ? overflowIndex : index;
}
