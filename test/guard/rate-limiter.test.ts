import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InMemoryRateLimiter, type LimitPermit } from "../../src/guard/rate-limiter.js";
import { RetryBudget } from "../../src/guard/retry-budget.js";
import { estimateTokens } from "../../src/guard/token-estimate.js";
import { isMistralError } from "../../src/index.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

const request = (user?: string, estimatedTokens = 0) => ({ user, estimatedTokens });

describe("InMemoryRateLimiter", () => {
  it("lets a burst through, then one call per interval", async () => {
    const limiter = new InMemoryRateLimiter({ requestsPerSecond: 2, burst: 2 });
    const grantedAt: number[] = [];
    const calls = Array.from({ length: 6 }, () =>
      limiter.acquire(request()).then((permit) => {
        grantedAt.push(Date.now());
        permit.release();
      }),
    );
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(calls);
    const offsets = grantedAt.map((time) => time - 1_000_000);
    expect(offsets.slice(0, 2)).toEqual([0, 0]);
    expect(offsets[2]).toBeGreaterThanOrEqual(500);
    expect(offsets[5]).toBeGreaterThanOrEqual(2_000);
  });

  it("serves waiting calls in arrival order", async () => {
    const limiter = new InMemoryRateLimiter({ maxConcurrent: 1 });
    const order: number[] = [];
    const first = await limiter.acquire(request());
    const waiting = [1, 2, 3].map((index) =>
      limiter.acquire(request()).then((permit) => {
        order.push(index);
        return permit;
      }),
    );
    first.release();
    for (const pending of waiting) {
      const permit = await pending;
      permit.release();
    }

    expect(order).toEqual([1, 2, 3]);
  });

  it("fails with the limit name when the wait bound passes", async () => {
    const limiter = new InMemoryRateLimiter({ maxConcurrent: 1, maxWaitMs: 200 });
    await limiter.acquire(request());
    const pending = limiter.acquire(request()).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(250);
    const error = await pending;
    expect(isMistralError(error, "client_rate_limit")).toBe(true);
    expect((error as { limit: string }).limit).toBe("concurrency");
    expect(String(error)).toContain("concurrency");
  });

  it("fails at once when the known wait exceeds the bound", async () => {
    const limiter = new InMemoryRateLimiter({ requestsPerSecond: 0.1, maxWaitMs: 1_000 });
    (await limiter.acquire(request())).release();
    const error = await limiter.acquire(request()).catch((caught: unknown) => caught);
    expect(isMistralError(error, "client_rate_limit")).toBe(true);
    expect((error as { limit: string }).limit).toBe("requests_per_second");
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(9_000);
  });

  it("keeps tokens per minute and corrects from usage", async () => {
    const limiter = new InMemoryRateLimiter({ tokensPerMinute: 1_000, maxWaitMs: 120_000 });
    const first = await limiter.acquire(request(undefined, 900));
    first.release(100);
    const second = await limiter.acquire(request(undefined, 800));
    second.release(800);
    let granted = false;
    const third = limiter.acquire(request(undefined, 500)).then((permit) => {
      granted = true;
      return permit;
    });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(granted).toBe(true);
    (await third).release();
  });

  it("rejects a call larger than the whole minute limit", async () => {
    const limiter = new InMemoryRateLimiter({ tokensPerMinute: 100 });
    const error = await limiter.acquire(request(undefined, 101)).catch((caught: unknown) => caught);
    expect((error as { limit: string }).limit).toBe("tokens_per_minute");
  });

  it("isolates users from each other", async () => {
    const limiter = new InMemoryRateLimiter({ perUser: { maxConcurrent: 1 } });
    const busy = await limiter.acquire(request("u-1"));
    let blockedGranted = false;
    const blocked = limiter.acquire(request("u-1")).then((permit) => {
      blockedGranted = true;
      return permit;
    });
    const other = await limiter.acquire(request("u-2"));
    expect(blockedGranted).toBe(false);
    other.release();
    busy.release();
    (await blocked).release();
    expect(blockedGranted).toBe(true);
  });

  it("fails fast once a token budget is spent", async () => {
    const limiter = new InMemoryRateLimiter({
      perUserTokenBudget: { tokens: 1_000, windowMs: 3_600_000 },
    });
    const permit = await limiter.acquire(request("u-1", 10));
    permit.release(995);
    const error = await limiter.acquire(request("u-1", 10)).catch((caught: unknown) => caught);
    expect((error as { limit: string }).limit).toBe("token_budget");
    expect((error as { scope: string }).scope).toBe("user:u-1");
    const otherUser = await limiter.acquire(request("u-2", 10));
    otherUser.release(10);
  });

  it("pauses after a 429 for the server's wait", async () => {
    const limiter = new InMemoryRateLimiter({});
    limiter.observeResponse(429, new Headers(), 2_000);
    let permit: LimitPermit | undefined;
    const pending = limiter.acquire(request()).then((granted) => {
      permit = granted;
    });
    await vi.advanceTimersByTimeAsync(1_900);
    expect(permit).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    await pending;
    expect(permit?.limit).toBe("server_quota");
  });

  it("pauses when headers report no quota left", async () => {
    const limiter = new InMemoryRateLimiter({});
    limiter.observeResponse(
      200,
      new Headers({ "x-ratelimit-remaining-tokens-minute": "0" }),
      undefined,
    );
    let granted = false;
    const pending = limiter.acquire(request()).then((permit) => {
      granted = true;
      permit.release();
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(600);
    await pending;
    expect(granted).toBe(true);
  });

  it("rejects a waiting call when its signal aborts", async () => {
    const limiter = new InMemoryRateLimiter({ maxConcurrent: 1 });
    await limiter.acquire(request());
    const controller = new AbortController();
    const pending = limiter
      .acquire({ ...request(), signal: controller.signal })
      .catch((error: unknown) => error);
    controller.abort();
    expect(isMistralError(await pending, "abort")).toBe(true);
  });
});

describe("RetryBudget", () => {
  it("caps retries to the deposits", () => {
    const budget = new RetryBudget(0.5, 2);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    budget.recordCall();
    budget.recordCall();
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
  });
});

describe("estimateTokens", () => {
  it("counts four characters per token plus max_tokens", () => {
    const body = {
      model: "m",
      messages: [{ role: "user", content: "x".repeat(40) }],
      max_tokens: 5,
    };
    expect(estimateTokens(body)).toBe(Math.ceil((40 + 4) / 4) + 5);
  });

  it("counts prompt, suffix and input", () => {
    expect(estimateTokens({ prompt: "abcd", suffix: "efgh" })).toBe(2);
    expect(estimateTokens({ input: ["abcd", "abcd"] })).toBe(2);
  });
});

describe("InMemoryRateLimiter server learning", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 2_000_000 });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("spaces calls when few requests per minute remain", async () => {
    const limiter = new InMemoryRateLimiter({ maxWaitMs: 120_000 });
    (await limiter.acquire(request())).release();
    limiter.observeResponse(
      200,
      new Headers({
        "x-ratelimit-limit-req-minute": "100",
        "x-ratelimit-remaining-req-minute": "5",
      }),
      undefined,
    );
    let granted = false;
    const pending = limiter.acquire(request()).then((permit) => {
      granted = true;
      permit.release();
    });
    await vi.advanceTimersByTimeAsync(11_000);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    await pending;
    expect(granted).toBe(true);
  });

  it("stops spacing once the quota recovers", async () => {
    const limiter = new InMemoryRateLimiter({});
    (await limiter.acquire(request())).release();
    const headers = (remaining: string) =>
      new Headers({
        "x-ratelimit-limit-req-minute": "100",
        "x-ratelimit-remaining-req-minute": remaining,
      });
    limiter.observeResponse(200, headers("5"), undefined);
    limiter.observeResponse(200, headers("80"), undefined);
    const permit = await limiter.acquire(request());
    expect(permit.waitedMs).toBe(0);
    permit.release();
  });

  it("waits when the call needs more tokens than remain", async () => {
    const limiter = new InMemoryRateLimiter({ maxWaitMs: 5_000 });
    limiter.observeResponse(
      200,
      new Headers({ "x-ratelimit-remaining-tokens-minute": "50" }),
      undefined,
    );
    let granted = false;
    const pending = limiter.acquire(request(undefined, 100)).then((permit) => {
      granted = true;
      permit.release();
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(granted).toBe(false);
    limiter.observeResponse(
      200,
      new Headers({ "x-ratelimit-remaining-tokens-minute": "5000" }),
      undefined,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await pending;
    expect(granted).toBe(true);
  });

  it("ignores the server when learning is off", async () => {
    const limiter = new InMemoryRateLimiter({ learnFromServer: false });
    limiter.observeResponse(429, new Headers(), 5_000);
    const permit = await limiter.acquire(request());
    expect(permit.waitedMs).toBe(0);
    permit.release();
  });
});
