import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  LatencyHistogram,
  largestBoundMs,
  percentileRelativeError,
} from "../../src/telemetry/latency-histogram.js";

/** Nearest-rank percentile of sorted values: the value at rank ceil(q * n). */
function exactPercentile(sorted: readonly number[], quantile: number): number {
  const rank = Math.max(1, Math.ceil(quantile * sorted.length));
  return sorted[rank - 1]!;
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.record(value);
  return histogram;
}

const quantiles = [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

describe("LatencyHistogram", () => {
  it("states an error bound below 4.5%", () => {
    expect(percentileRelativeError).toBeCloseTo(2 ** (1 / 16) - 1, 12);
    expect(percentileRelativeError).toBeLessThan(0.045);
  });

  it("keeps percentiles within the bound on random latencies", () => {
    // Latencies spread over six decades, from 0.07 ms to 70 s.
    const latency = fc.double({ min: Math.log(0.07), max: Math.log(70_000), noNaN: true });
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 400 }), (logs) => {
        const values = logs.map(Math.exp);
        const sorted = [...values].sort((a, b) => a - b);
        const histogram = histogramOf(values);
        for (const quantile of quantiles) {
          const exact = exactPercentile(sorted, quantile);
          const estimate = histogram.percentile(quantile)!;
          const error = Math.abs(estimate - exact) / exact;
          expect(error, `q=${quantile} exact=${exact} estimate=${estimate}`).toBeLessThanOrEqual(
            percentileRelativeError + 1e-9,
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it("reports a single value exactly", () => {
    const histogram = histogramOf([123.4]);
    expect(histogram.percentile(0.5)).toBe(123.4);
    expect(histogram.percentile(0.99)).toBe(123.4);
  });

  it("returns null percentiles when empty", () => {
    const summary = new LatencyHistogram().summary();
    expect(summary.count).toBe(0);
    expect(summary.p50Ms).toBeNull();
    expect(summary.minMs).toBeNull();
  });

  it("keeps sub-bucket values within 0.0625 ms", () => {
    const histogram = histogramOf([0.01, 0.02, 0.03, 0.05]);
    const median = histogram.percentile(0.5)!;
    expect(Math.abs(median - 0.02)).toBeLessThanOrEqual(0.0625);
  });

  it("reports the maximum above the largest bound", () => {
    const histogram = histogramOf([largestBoundMs * 2, largestBoundMs * 3]);
    expect(histogram.percentile(0.99)).toBe(largestBoundMs * 3);
  });

  it("ignores negative and non-finite values", () => {
    const histogram = histogramOf([-1, Number.NaN, Number.POSITIVE_INFINITY, 5]);
    expect(histogram.count).toBe(1);
    expect(histogram.sumMs).toBe(5);
  });

  it("merges to the same result as one histogram", () => {
    const first = [3, 8, 13, 250];
    const second = [1, 90, 1200];
    const merged = histogramOf(first);
    merged.merge(histogramOf(second));
    const whole = histogramOf([...first, ...second]);
    expect(merged.summary()).toEqual(whole.summary());
  });

  it("counts cumulatively at chosen bounds", () => {
    const histogram = histogramOf([0.5, 1, 1.5, 3, 700]);
    // Bucket 32 ends at 1 ms and bucket 40 at 2 ms (0.0625 ms times 2^(index / 8)).
    expect(histogram.cumulativeCounts([32, 40, 193])).toEqual([2, 3, 5]);
  });
});
