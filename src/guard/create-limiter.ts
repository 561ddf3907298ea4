import { ConfigurationError } from "../core/errors/client-errors.js";
import type { RateLimitOptions } from "./rate-limit-options.js";
import { InMemoryRateLimiter, type RateLimiter } from "./rate-limiter.js";

const limitNames = ["requestsPerSecond", "burst", "tokensPerMinute", "maxConcurrent"] as const;

/** Checks the rate-limit options and builds the limiter they describe, or returns the caller's. */
export function createLimiter(options: RateLimitOptions & { limiter?: RateLimiter }): RateLimiter {
  if (options.limiter !== undefined) {
    if (typeof options.limiter?.acquire !== "function") {
      throw new ConfigurationError(
        "rateLimits.limiter must implement acquire() and observeResponse()",
      );
    }

    return options.limiter;
  }

  for (const [scope, limits] of [
    ["rateLimits", options],
    ["rateLimits.perUser", options.perUser ?? {}],
  ] as const) {
    for (const name of limitNames) {
      const value = limits[name];
      if (
        value !== undefined &&
        (typeof value !== "number" || !(value > 0) || !Number.isFinite(value))
      ) {
        throw new ConfigurationError(
          `${scope}.${name} must be a positive number; got ${String(value)}`,
        );
      }
    }
  }

  return new InMemoryRateLimiter(options);
}
