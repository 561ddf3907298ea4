import type { BatchJobStatus } from "../../types/batch.js";

/** Statuses after which a job no longer changes. `CANCELLATION_REQUESTED` is not one of them. */
const finalStatuses: ReadonlySet<string> = new Set([
  "SUCCESS",
  "FAILED",
  "TIMEOUT_EXCEEDED",
  "CANCELLED",
]);

/**
 * Returns true when a batch job with this status will not change any more. An unknown status
 * returns false, so a poller keeps polling rather than stopping on a state the API added later.
 */
export function isTerminalBatchStatus(status: BatchJobStatus): boolean {
  return finalStatuses.has(status);
}
