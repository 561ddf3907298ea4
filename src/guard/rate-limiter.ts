import { abortErrorFrom } from "../core/abort.js";
import { type ClientLimit, ClientRateLimitError } from "../core/errors/client-rate-limit-error.js";
import { SlidingWindow, TokenBucket } from "./limit-windows.js";
import type { LimitSet, RateLimitOptions, TokenBudget } from "./rate-limit-options.js";

/** Request a call makes to the limiter. */
export interface LimitRequest {
  user: string | undefined;
  /** Tokens the call is expected to use (prompt plus completion). */
  estimatedTokens: number;
  signal?: AbortSignal | undefined;
}

/** Permission to send one call; `release` must be called once it ends. */
export interface LimitPermit {
  readonly waitedMs: number;
  /** The limit that made the call wait, when it waited. */
  readonly limit: ClientLimit | undefined;
  /** Frees the concurrency slot and replaces the token estimate with the real use. */
  release(usedTokens?: number): void;
}

/**
 * A client-side limiter. The in-memory one below serves one process; an implementation backed
 * by a shared store (Redis) can keep the same interface for several processes.
 */
export interface RateLimiter {
  acquire(request: LimitRequest): Promise<LimitPermit>;
  /** Learns from a response: a 429 and its wait, or rate-limit headers reporting no quota. */
  observeResponse(status: number, headers: Headers, retryAfterMs: number | undefined): void;
}

const minuteMs = 60_000;
const dayMs = 86_400_000;

/** Pause after a 429 without a usable wait. */
const defaultPauseMs = 1000;

/**
 * Maximum pause one 429 can cause. The transport already caps the wait at `retry.maxRetryAfterMs`;
 * this bound protects callers of `observeResponse` that pass a server value unchecked.
 */
const maxPauseMs = 10 * minuteMs;

/** Per-user state is dropped for the least recently used user beyond this many users. */
const maxTrackedUsers = 10_000;

class Scope {
  readonly name: string;
  readonly bucket: TokenBucket | undefined;
  readonly tokens: SlidingWindow | undefined;
  readonly budget: SlidingWindow | undefined;
  readonly maxConcurrent: number;
  active = 0;

  constructor(name: string, limits: LimitSet, budget: TokenBudget | undefined, now: number) {
    this.name = name;
    const rate = limits.requestsPerSecond;
    this.bucket =
      rate === undefined
        ? undefined
        : new TokenBucket(rate, limits.burst ?? Math.max(1, rate), now);
    this.tokens =
      limits.tokensPerMinute === undefined
        ? undefined
        : new SlidingWindow(limits.tokensPerMinute, minuteMs);
    this.budget =
      budget === undefined ? undefined : new SlidingWindow(budget.tokens, budget.windowMs ?? dayMs);
    this.maxConcurrent = limits.maxConcurrent ?? Number.POSITIVE_INFINITY;
  }
}

interface Waiter {
  request: LimitRequest;
  enqueuedAt: number;
  deadline: number;
  firstLimit: ClientLimit | undefined;
  resolve: (permit: LimitPermit) => void;
  reject: (error: unknown) => void;
  onAbort: (() => void) | undefined;
}

type Check = { ok: true } | { ok: false; limit: ClientLimit; scope: Scope; waitMs: number };

/**
 * In-memory limiter: token bucket for requests per second, sliding windows for tokens per minute
 * and token budgets, a counter for concurrency. Waiting calls are served in arrival order; a
 * call held only by its own user's limit does not hold up other users.
 */
export class InMemoryRateLimiter implements RateLimiter {
  readonly #options: RateLimitOptions;
  readonly #now: () => number;
  readonly #client: Scope;
  readonly #users = new Map<string, Scope>();
  readonly #queue: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pausedUntil = 0;
  #spacingMs = 0;
  #spacingSetAt = 0;
  #lastGrantAt = Number.NEGATIVE_INFINITY;
  #serverTokens: { remaining: number; at: number } | undefined;

  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
    this.#client = new Scope("client", options, options.tokenBudget, now());
  }

  acquire(request: LimitRequest): Promise<LimitPermit> {
    const now = this.#now();
    if (request.signal?.aborted) return Promise.reject(abortErrorFrom(request.signal));
    const budgetError = this.#checkBudgets(request, now);
    if (budgetError) return Promise.reject(budgetError);
    if (this.#queue.length === 0) {
      const check = this.#check(request, now);
      if (check.ok) return Promise.resolve(this.#grant(request, now, now, undefined));
    }

    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        request,
        enqueuedAt: now,
        deadline: now + (this.#options.maxWaitMs ?? 30_000),
        firstLimit: undefined,
        resolve,
        reject,
        onAbort: undefined,
      };
      if (request.signal) {
        waiter.onAbort = () => this.#remove(waiter, abortErrorFrom(request.signal!));
        request.signal.addEventListener("abort", waiter.onAbort, { once: true });
      }

      this.#queue.push(waiter);
      this.#pump();
    });
  }

  observeResponse(status: number, headers: Headers, retryAfterMs: number | undefined): void {
    if (this.#options.learnFromServer === false) return;
    const now = this.#now();
    let pauseMs = 0;
    if (status === 429) pauseMs = checkedPauseMs(retryAfterMs);
    const requests = readHeaderNumber(headers, "x-ratelimit-remaining-req-minute");
    const tokens = readHeaderNumber(headers, "x-ratelimit-remaining-tokens-minute");
    if (requests !== undefined && requests <= 0) pauseMs = Math.max(pauseMs, 1000);
    if (tokens !== undefined && tokens <= 0) pauseMs = Math.max(pauseMs, 1000);
    if (pauseMs > 0) this.#pausedUntil = Math.max(this.#pausedUntil, now + pauseMs);
    this.#learnSpacing(headers, requests, now);
    if (tokens !== undefined) this.#serverTokens = { remaining: tokens, at: now };
  }

  /**
   * When the server reports that 10% or less of its requests per minute remain, spaces calls so
   * the rest last a minute (the window length the header names), instead of spending them at
   * once and meeting a 429. A later response with more left removes the spacing.
   */
  #learnSpacing(headers: Headers, remaining: number | undefined, now: number): void {
    const limit = readHeaderNumber(headers, "x-ratelimit-limit-req-minute");
    if (remaining === undefined || limit === undefined || limit <= 0) return;
    this.#spacingMs = remaining <= limit * 0.1 ? minuteMs / Math.max(1, remaining) : 0;
    this.#spacingSetAt = now;
  }

  /** Returns the wait the server's quota requires: spacing when few requests or tokens remain. */
  #serverWaitMs(request: LimitRequest, now: number): number {
    if (now - this.#spacingSetAt > minuteMs) this.#spacingMs = 0;
    const spacingWait = this.#lastGrantAt + this.#spacingMs - now;
    // Too few tokens left: wait a second, then let one call through to read fresh headers.
    const tokens = this.#serverTokens;
    const short = tokens !== undefined && request.estimatedTokens > tokens.remaining;
    const tokenWait = short ? tokens.at + 1000 - now : 0;
    return Math.max(0, spacingWait, tokenWait);
  }

  #scopesFor(user: string | undefined, now: number): Scope[] {
    if (user === undefined || (!this.#options.perUser && !this.#options.perUserTokenBudget)) {
      return [this.#client];
    }

    let scope = this.#users.get(user);
    if (scope === undefined) {
      scope = new Scope(
        `user:${user}`,
        this.#options.perUser ?? {},
        this.#options.perUserTokenBudget,
        now,
      );
      if (this.#users.size >= maxTrackedUsers) this.#evictIdleUser();
    } else {
      this.#users.delete(user);
    }

    this.#users.set(user, scope);
    return [this.#client, scope];
  }

  #evictIdleUser(): void {
    for (const [user, scope] of this.#users) {
      if (scope.active === 0) {
        this.#users.delete(user);
        return;
      }
    }
  }

  #checkBudgets(request: LimitRequest, now: number): ClientRateLimitError | undefined {
    for (const scope of this.#scopesFor(request.user, now)) {
      const budget = scope.budget;
      if (budget === undefined) continue;
      const waitMs = budget.waitMs(request.estimatedTokens, now);
      if (waitMs > 0) {
        const retryAfterMs = Number.isFinite(waitMs) ? waitMs : undefined;
        return new ClientRateLimitError({ limit: "token_budget", scope: scope.name, retryAfterMs });
      }
    }

    return undefined;
  }

  #check(request: LimitRequest, now: number): Check {
    const serverWait =
      this.#options.learnFromServer === false ? 0 : this.#serverWaitMs(request, now);
    if (serverWait > 0 && this.#pausedUntil <= now) {
      return { ok: false, limit: "server_quota", scope: this.#client, waitMs: serverWait };
    }

    if (this.#pausedUntil > now) {
      return {
        ok: false,
        limit: "server_quota",
        scope: this.#client,
        waitMs: this.#pausedUntil - now,
      };
    }

    for (const scope of this.#scopesFor(request.user, now)) {
      if (scope.active >= scope.maxConcurrent) {
        return { ok: false, limit: "concurrency", scope, waitMs: Number.NaN };
      }

      const bucketWait = scope.bucket?.waitMs(now) ?? 0;
      if (bucketWait > 0)
        return { ok: false, limit: "requests_per_second", scope, waitMs: bucketWait };
      const tokenWait = scope.tokens?.waitMs(request.estimatedTokens, now) ?? 0;
      if (tokenWait > 0) return { ok: false, limit: "tokens_per_minute", scope, waitMs: tokenWait };
    }

    return { ok: true };
  }

  #grant(
    request: LimitRequest,
    now: number,
    enqueuedAt: number,
    limit: ClientLimit | undefined,
  ): LimitPermit {
    const scopes = this.#scopesFor(request.user, now);
    this.#lastGrantAt = now;
    const entries = scopes.map((scope) => {
      scope.active++;
      scope.bucket?.take(now);
      return scope.tokens?.add(request.estimatedTokens, now);
    });
    let released = false;
    return {
      waitedMs: now - enqueuedAt,
      limit,
      release: (usedTokens?: number) => {
        if (released) return;
        released = true;
        const at = this.#now();
        scopes.forEach((scope, index) => {
          scope.active--;
          const entry = entries[index];
          if (usedTokens !== undefined && entry) scope.tokens?.correct(entry, usedTokens);
          if (usedTokens !== undefined) scope.budget?.add(usedTokens, at);
        });
        this.#pump();
      },
    };
  }

  /** Grants every waiter that may go, in order, and arms a timer for the next one. */
  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#now();
    const heldUsers = new Set<string | undefined>();
    let nextWake = Number.POSITIVE_INFINITY;
    for (let index = 0; index < this.#queue.length; ) {
      const waiter = this.#queue[index]!;
      const user = waiter.request.user;
      if (heldUsers.has(user)) {
        index++;
        continue;
      }

      const check = this.#check(waiter.request, now);
      if (check.ok) {
        this.#queue.splice(index, 1);
        this.#detach(waiter);
        waiter.resolve(this.#grant(waiter.request, now, waiter.enqueuedAt, waiter.firstLimit));
        continue;
      }

      waiter.firstLimit ??= check.limit;
      const freesAt = now + (Number.isNaN(check.waitMs) ? 0 : check.waitMs);
      if (freesAt > waiter.deadline || now >= waiter.deadline) {
        this.#queue.splice(index, 1);
        this.#detach(waiter);
        const retryAfterMs = Number.isNaN(check.waitMs) ? undefined : check.waitMs;
        waiter.reject(
          new ClientRateLimitError({ limit: check.limit, scope: check.scope.name, retryAfterMs }),
        );
        continue;
      }

      nextWake = Math.min(
        nextWake,
        Number.isNaN(check.waitMs) ? waiter.deadline : freesAt,
        waiter.deadline,
      );
      // A client-wide limit blocks every later call; a user's limit blocks only that user.
      if (check.scope === this.#client) break;
      heldUsers.add(user);
      index++;
    }

    if (Number.isFinite(nextWake)) {
      this.#timer = setTimeout(() => this.#pump(), Math.max(1, nextWake - now));
    }
  }

  #remove(waiter: Waiter, error: unknown): void {
    const index = this.#queue.indexOf(waiter);
    if (index === -1) return;
    this.#queue.splice(index, 1);
    this.#detach(waiter);
    waiter.reject(error);
    this.#pump();
  }

  #detach(waiter: Waiter): void {
    if (waiter.onAbort) waiter.request.signal?.removeEventListener("abort", waiter.onAbort);
  }
}

/** Returns the pause after a 429: the server's wait capped at `maxPauseMs`, or the default. */
function checkedPauseMs(retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) {
    return defaultPauseMs;
  }

  return Math.min(retryAfterMs, maxPauseMs);
}

/** Reads a numeric header; undefined when it is absent or not a finite number. */
function readHeaderNumber(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
