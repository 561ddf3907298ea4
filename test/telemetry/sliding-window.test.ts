import { describe, expect, it } from "vitest";
import { MovingMedian, SlidingWindowCounter } from "../../src/telemetry/sliding-window.js";

describe("SlidingWindowCounter", () => {
  it("counts events inside the window", () => {
    const counter = new SlidingWindowCounter(60_000);
    counter.add(0);
    counter.add(10_000);
    counter.add(59_000, 2);
    expect(counter.total(59_000)).toBe(4);
  });

  it("forgets events that left the window", () => {
    const counter = new SlidingWindowCounter(60_000);
    counter.add(0);
    counter.add(30_000);
    expect(counter.total(64_999)).toBe(1);
    expect(counter.total(95_000)).toBe(0);
    expect(counter.total(10_000_000)).toBe(0);
  });

  it("adds late events still inside the window", () => {
    const counter = new SlidingWindowCounter(60_000);
    counter.add(50_000);
    counter.add(20_000);
    counter.add(-20_000);
    expect(counter.total(50_000)).toBe(2);
  });

  it("handles times before zero", () => {
    const counter = new SlidingWindowCounter(60_000);
    counter.add(-7_000);
    counter.add(-1);
    expect(counter.total(0)).toBe(2);
  });
});

describe("MovingMedian", () => {
  it("returns NaN when empty", () => {
    expect(new MovingMedian(5).median()).toBeNaN();
  });

  it("takes the lower middle for an even count", () => {
    const median = new MovingMedian(10);
    for (const value of [40, 10, 30, 20]) median.add(value);
    expect(median.median()).toBe(20);
    median.add(50);
    expect(median.median()).toBe(30);
  });

  it("keeps only the latest values", () => {
    const median = new MovingMedian(3);
    for (const value of [1, 2, 3, 100, 200]) median.add(value);
    expect(median.count).toBe(3);
    expect(median.median()).toBe(100);
  });

  it("matches a sorted copy on repeated values", () => {
    const median = new MovingMedian(7);
    const values = [5, 5, 1, 9, 5, 3, 3, 8, 1, 1, 7, 5];
    values.forEach((value, index) => {
      median.add(value);
      const window = values.slice(Math.max(0, index - 6), index + 1).sort((a, b) => a - b);
      expect(median.median(), `after ${index + 1} values`).toBe(window[(window.length - 1) >> 1]);
    });
  });
});
