import { describe, expect, it } from "vitest";
import { attachMeta } from "../../src/core/json-response.js";
import type { RateLimitInfo } from "../../src/core/rate-limit-headers.js";

function headersWithRemaining(remaining: number): Headers {
  return new Headers({ "x-ratelimit-remaining-req-minute": String(remaining) });
}

function rateLimitOf(value: unknown): RateLimitInfo | undefined {
  return (value as { rateLimit?: RateLimitInfo }).rateLimit;
}

describe("shared rateLimit getter", () => {
  it("parses each object's own headers", () => {
    const first = attachMeta({ id: "a" }, "r1", headersWithRemaining(1));
    const second = attachMeta({ id: "b" }, "r2", headersWithRemaining(2));

    expect(rateLimitOf(second)?.remainingRequestsMinute).toBe(2);
    expect(rateLimitOf(first)?.remainingRequestsMinute).toBe(1);
    expect(rateLimitOf(first)?.remainingRequestsMinute).toBe(1);
  });

  it("stays out of JSON and keys", () => {
    const value = attachMeta({ id: "a" }, "r1", headersWithRemaining(1));

    expect(JSON.stringify(value)).toBe('{"id":"a"}');
    expect(Object.keys(value)).toEqual(["id"]);
  });

  it("is undefined without headers", () => {
    const value = attachMeta({ id: "a" }, "r1");

    expect(rateLimitOf(value)).toBeUndefined();
  });

  // A getter that looked up `this` in a WeakMap found nothing when read through a Proxy (as Vue's
  // reactive(), MobX and Immer wrap objects) or an object inheriting from the response.
  it("reads through a Proxy", () => {
    const value = attachMeta({ id: "a" }, "r1", headersWithRemaining(7));
    const proxy = new Proxy(value, {});

    expect(rateLimitOf(proxy)?.remainingRequestsMinute).toBe(7);
  });

  it("reads through an inheriting object", () => {
    const value = attachMeta({ id: "a" }, "r1", headersWithRemaining(7));

    expect(rateLimitOf(Object.create(value))?.remainingRequestsMinute).toBe(7);
  });

  // A second attachMeta on an object whose rateLimit was read must not keep the first parse.
  it("takes new headers on a second attach", () => {
    const value = attachMeta({ id: "a" }, "r1", headersWithRemaining(1));
    rateLimitOf(value);
    attachMeta(value, "r2", headersWithRemaining(2));

    expect(rateLimitOf(value)?.remainingRequestsMinute).toBe(2);
  });
});
