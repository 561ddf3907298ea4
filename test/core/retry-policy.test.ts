import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  isRetryableStatus,
  readRetryAfterMs,
} from "../../src/core/retry-policy.js";

const retryableStatuses = [408, 409, 429, 500, 502, 503, 504];

/** 2026-12-04T12:00:00Z, the clock of the HTTP-date examples below. */
const noon = Date.UTC(2026, 11, 4, 12, 0, 0);

function retryAfter(value: string, extra: Record<string, string> = {}): Headers {
  return new Headers({ "retry-after": value, ...extra });
}

describe("isRetryableStatus", () => {
  it("retries exactly 408, 409, 429, 500, 502, 503 and 504", () => {
    for (let status = 100; status < 600; status++) {
      expect(isRetryableStatus(status), `status ${status}`).toBe(
        retryableStatuses.includes(status),
      );
    }
  });
});

describe("readRetryAfterMs with seconds", () => {
  it("reads whole seconds", () => {
    expect(readRetryAfterMs(retryAfter("2"), noon)).toBe(2000);
    expect(readRetryAfterMs(retryAfter("600"), noon)).toBe(600_000);
  });

  it("reads zero as no wait", () => {
    expect(readRetryAfterMs(retryAfter("0"), noon)).toBe(0);
  });

  it("reads fractional seconds, rounding up to a millisecond", () => {
    expect(readRetryAfterMs(retryAfter("1.5"), noon)).toBe(1500);
    expect(readRetryAfterMs(retryAfter("0.0001"), noon)).toBe(1);
  });

  it("allows surrounding whitespace", () => {
    expect(readRetryAfterMs(retryAfter(" 3 "), noon)).toBe(3000);
  });

  it("returns undefined without the header", () => {
    expect(readRetryAfterMs(new Headers(), noon)).toBeUndefined();
  });

  it("ignores a number too large to be finite", () => {
    expect(readRetryAfterMs(retryAfter("9".repeat(400)), noon)).toBeUndefined();
  });
});

describe("readRetryAfterMs with garbage", () => {
  // Date.parse accepts several of these as dates in 2001, which would mean "retry now".
  const garbage = [
    "soon",
    "-1",
    "-5",
    "1e3",
    "abc 1",
    "2.5.1",
    "3s",
    "2, 3",
    "Infinity",
    "",
    "0x10",
  ];

  for (const value of garbage) {
    it(`ignores ${JSON.stringify(value)}`, () => {
      expect(readRetryAfterMs(retryAfter(value), noon)).toBeUndefined();
    });
  }

  it("ignores any text that is neither seconds nor an HTTP date", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        fc.pre(!/^\s*\d+(\.\d+)?\s*$/.test(value));
        fc.pre(!/\d{2}:\d{2}:\d{2}/.test(value));
        let headers: Headers;
        try {
          headers = retryAfter(value);
        } catch {
          return;
        }

        expect(readRetryAfterMs(headers, noon)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe("readRetryAfterMs with an HTTP date", () => {
  it("reads an IMF-fixdate against the local clock", () => {
    expect(readRetryAfterMs(retryAfter("Fri, 04 Dec 2026 12:00:03 GMT"), noon)).toBe(3000);
  });

  it("reads the obsolete RFC 850 and asctime forms", () => {
    expect(readRetryAfterMs(retryAfter("Friday, 04-Dec-26 12:00:03 GMT"), noon)).toBe(3000);
    expect(readRetryAfterMs(retryAfter("Fri Dec  4 12:00:03 2026"), noon)).toBe(3000);
  });

  it("measures from the response date header when there is one", () => {
    // The local clock is an hour behind the server's, and the server's own date wins.
    const headers = retryAfter("Thu, 04 Dec 2026 12:00:03 GMT", {
      date: "Thu, 04 Dec 2026 12:00:00 GMT",
    });

    expect(readRetryAfterMs(headers, noon - 3_600_000)).toBe(3000);
  });

  it("falls back to the local clock when the date header is invalid", () => {
    const headers = retryAfter("Fri, 04 Dec 2026 12:00:05 GMT", { date: "yesterday" });

    expect(readRetryAfterMs(headers, noon)).toBe(5000);
  });

  it("reads a past date as no wait", () => {
    expect(readRetryAfterMs(retryAfter("Fri, 04 Dec 2026 11:59:00 GMT"), noon)).toBe(0);
    expect(readRetryAfterMs(retryAfter("Thu, 01 Jan 1970 00:00:00 GMT"), noon)).toBe(0);
  });
});

describe("readRetryAfterMs with retry-after-ms", () => {
  it("prefers retry-after-ms to Retry-After", () => {
    const headers = new Headers({ "retry-after-ms": "1500", "retry-after": "9" });

    expect(readRetryAfterMs(headers, noon)).toBe(1500);
  });

  it("rounds a fractional value up", () => {
    expect(readRetryAfterMs(new Headers({ "retry-after-ms": "12.2" }), noon)).toBe(13);
  });

  it("reads zero", () => {
    expect(readRetryAfterMs(new Headers({ "retry-after-ms": "0" }), noon)).toBe(0);
  });

  it("falls back to Retry-After when retry-after-ms is garbage", () => {
    const headers = new Headers({ "retry-after-ms": "-20", "retry-after": "2" });

    expect(readRetryAfterMs(headers, noon)).toBe(2000);
  });

  it("ignores garbage retry-after-ms alone", () => {
    expect(readRetryAfterMs(new Headers({ "retry-after-ms": "later" }), noon)).toBeUndefined();
  });
});

describe("backoffDelayMs", () => {
  const lowest = () => 0;
  const highest = () => 0.999_999;

  it("starts at the initial delay", () => {
    expect(backoffDelayMs(1, 500, 8000, lowest)).toBe(500);
  });

  it("doubles with each retry", () => {
    expect(backoffDelayMs(2, 500, 8000, lowest)).toBe(1000);
    expect(backoffDelayMs(3, 500, 8000, lowest)).toBe(2000);
    expect(backoffDelayMs(4, 500, 8000, lowest)).toBe(4000);
  });

  it("adds at most 25 % jitter", () => {
    expect(backoffDelayMs(1, 500, 8000, highest)).toBe(625);
    expect(backoffDelayMs(2, 500, 8000, () => 0.5)).toBe(1125);
  });

  it("never goes above maxDelayMs, jitter included", () => {
    expect(backoffDelayMs(5, 500, 8000, lowest)).toBe(8000);
    expect(backoffDelayMs(5, 500, 8000, highest)).toBe(8000);
    expect(backoffDelayMs(100, 500, 60_000, highest)).toBe(60_000);
    expect(backoffDelayMs(5000, 500, 60_000, highest)).toBe(60_000);
  });

  it("stays between the initial delay and the cap for any draw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (retry, initial, cap, draw) => {
          const delay = backoffDelayMs(retry, initial, cap, () => draw);
          expect(delay).toBeLessThanOrEqual(cap);
          expect(delay).toBeGreaterThanOrEqual(Math.min(initial, cap));
        },
      ),
    );
  });

  it("never shrinks from one retry to the next with the same draw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (retry, draw) => {
          const before = backoffDelayMs(retry, 500, 60_000, () => draw);
          const after = backoffDelayMs(retry + 1, 500, 60_000, () => draw);
          expect(after).toBeGreaterThanOrEqual(before);
        },
      ),
    );
  });

  it("uses Math.random by default", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(1, 1000, 8000)));

    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(1250);
    }
  });
});
