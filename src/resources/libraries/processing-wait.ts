import { sleep } from "../../core/abort.js";
import { ValidationError } from "../../core/errors/client-errors.js";
import { TimeoutError } from "../../core/errors/transport-errors.js";
import type { WithResponseMeta } from "../../core/json-response.js";
import type { DocumentProcessingStatus } from "../../types/libraries.js";

/** Timing of `documents.waitUntilProcessed`. */
export interface ProcessingWaitOptions {
  /** Pause between two status reads, in milliseconds. Default: 1000. */
  pollIntervalMs?: number;
  /** Time after which waiting fails with a TimeoutError, in milliseconds. Default: 300000. */
  timeoutMs?: number;
}

/**
 * Statuses of a document whose processing has not ended. Any other status, including one added
 * to the API later, ends the wait, so an unknown status cannot make it poll until the timeout.
 */
const PENDING_STATUSES: ReadonlySet<string> = new Set([
  "todo",
  "in_progress",
  "waiting_for_capacity",
]);

type StatusReader = () => Promise<WithResponseMeta<DocumentProcessingStatus>>;

/** Reads the status until it leaves the pending statuses, then returns the last one read. */
export async function waitForProcessing(
  readStatus: StatusReader,
  documentId: string,
  wait: ProcessingWaitOptions = {},
  signal?: AbortSignal,
): Promise<WithResponseMeta<DocumentProcessingStatus>> {
  const pollIntervalMs = wait.pollIntervalMs ?? 1000;
  const timeoutMs = wait.timeoutMs ?? 300_000;
  checkDurations({ pollIntervalMs, timeoutMs });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await readStatus();
    if (!PENDING_STATUSES.has(status.process_status)) {
      return status;
    }

    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      throw new TimeoutError(
        `Document ${documentId} is still ${status.process_status} after ${timeoutMs} ms: ` +
          "wait again or raise timeoutMs",
        { phase: "total", timeoutMs },
      );
    }

    await sleep(Math.min(pollIntervalMs, remainingMs), signal);
  }
}

function checkDurations(durations: Record<string, number>): void {
  const problems = Object.entries(durations)
    .filter(([, value]) => !Number.isFinite(value) || value < 0)
    .map(([name]) => ({ path: name, message: "must be a number of milliseconds of at least 0" }));
  if (problems.length > 0) {
    throw new ValidationError(problems, "Invalid wait options");
  }
}
