import { describe, expect, it } from "vitest";
import { SlidingWindow, TokenBucket } from "../../src/guard/limit-windows.js";

const minuteMs = 60_000;

describe("SlidingWindow", () => {
  it("sums amounts inside the window", () => {
    const window = new SlidingWindow(1000, minuteMs);
    window.add(100, 0);
    window.add(200, 30_000);
    expect(window.used(59_999)).toBe(300);
    expect(window.used(60_000)).toBe(200);
    expect(window.used(90_000)).toBe(0);
  });

  it("waits until enough amounts leave", () => {
    const window = new SlidingWindow(1000, minuteMs);
    window.add(600, 0);
    window.add(300, 10_000);
    expect(window.waitMs(100, 20_000)).toBe(0);
    expect(window.waitMs(200, 20_000)).toBe(40_000);
    expect(window.waitMs(800, 20_000)).toBe(50_000);
    expect(window.waitMs(1001, 20_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it("corrects an entry inside the window", () => {
    const window = new SlidingWindow(1000, minuteMs);
    const entry = window.add(500, 0);
    window.correct(entry, 120);
    expect(window.used(1000)).toBe(120);
  });

  it("ignores a correction after the entry left", () => {
    const window = new SlidingWindow(1000, minuteMs);
    const old = window.add(500, 0);
    window.add(50, 30_000);
    expect(window.used(61_000)).toBe(50);
    window.correct(old, 900);
    expect(window.used(61_000)).toBe(50);
  });

  it("keeps sums exact across compaction", () => {
    // One entry per millisecond for four windows, so the entries are compacted several times
    // before the corrections of entries both in and out of the window.
    const window = new SlidingWindow(Number.MAX_SAFE_INTEGER, 1000);
    const entries = [];
    for (let now = 0; now < 4000; now++) {
      entries.push(window.add(2, now));
      window.used(now);
    }

    for (const entry of entries) window.correct(entry, 1);
    expect(window.used(3999)).toBe(1000);
    expect(window.used(4500)).toBe(499);
    expect(window.used(5000)).toBe(0);
  });
});

describe("TokenBucket", () => {
  it("allows a burst, then the rate", () => {
    const bucket = new TokenBucket(10, 2, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.waitMs(0)).toBe(100);
    expect(bucket.waitMs(100)).toBe(0);
  });
});
