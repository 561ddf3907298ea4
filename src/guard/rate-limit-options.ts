/** Limits of one scope: the whole client, or each end user. */
export interface LimitSet {
  /** Calls started per second, with bursts up to `burst` (default: the rate, at least 1). */
  requestsPerSecond?: number;
  burst?: number;
  /** Estimated tokens per minute (prompt plus `max_tokens`, corrected from `usage`). */
  tokensPerMinute?: number;
  /** Calls in flight at once; a stream counts until it ends. */
  maxConcurrent?: number;
}

/** A hard cap on tokens actually used over a window; calls fail at once when it is spent. */
export interface TokenBudget {
  tokens: number;
  /** Window length in milliseconds. Default: 86400000 (one day). */
  windowMs?: number;
}

/**
 * Client-side rate limits, token budgets and the retry budget. Limits apply to every call
 * through the pipeline; per-user limits apply to calls made with the `user` request option.
 */
export interface RateLimitOptions extends LimitSet {
  /** Limits applied to each end user separately, on top of the client-wide ones. */
  perUser?: LimitSet;
  /** Longest a call waits for a limit, in milliseconds, before it fails. Default: 30000. */
  maxWaitMs?: number;
  tokenBudget?: TokenBudget;
  perUserTokenBudget?: TokenBudget;
  /**
   * Retries allowed per call made, on average: each call adds `ratio` to a budget of at most
   * `max` retries, and each retry takes one. Default: `{ ratio: 0.2, max: 20 }`. A call whose
   * retry finds the budget empty fails with the last error.
   */
  retryBudget?: { ratio?: number; max?: number } | false;
  /** Pause new calls after a 429 or when the server reports no quota left. Default: true. */
  learnFromServer?: boolean;
  /** Tokens assumed for the completion when a request sets no `max_tokens`. Default: 0. */
  defaultCompletionTokens?: number;
}
