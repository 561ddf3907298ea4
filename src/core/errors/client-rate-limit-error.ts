import { MistralError } from "./mistral-error.js";

/** Client-side limits a call can hit before anything is sent. */
export type ClientLimit =
  | "requests_per_second"
  | "tokens_per_minute"
  | "concurrency"
  | "token_budget"
  | "server_quota";

/**
 * A client-side rate limit or token budget stopped the call before it was sent: waiting would
 * take longer than `maxWaitMs`, or the budget is spent. `retryAfterMs` says when the limit frees,
 * when that is known.
 */
export class ClientRateLimitError extends MistralError {
  override readonly kind = "client_rate_limit";
  readonly limit: ClientLimit;
  /** `client` for the client-wide limit, else `user:<id>`. */
  readonly scope: string;
  readonly retryAfterMs: number | undefined;

  constructor(details: { limit: ClientLimit; scope: string; retryAfterMs: number | undefined }) {
    const when =
      details.retryAfterMs === undefined
        ? "when a running call finishes"
        : `in ${Math.ceil(details.retryAfterMs)} ms`;
    super(
      `Client-side limit ${details.limit} for ${details.scope} reached; it frees ${when}: ` +
        "retry later, or raise the limit in the rateLimits option",
    );
    this.limit = details.limit;
    this.scope = details.scope;
    this.retryAfterMs = details.retryAfterMs;
  }
}
