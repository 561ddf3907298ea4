import { sleep } from "../../core/abort.js";
import { checkDuration } from "../../core/config.js";
import { TimeoutError } from "../../core/errors/transport-errors.js";
import type { BatchJob } from "../../types/batch.js";
import { isTerminalBatchStatus } from "./batch-status.js";

/** Options of `batch.wait`. */
export interface BatchWaitOptions {
  /** Delay before the second poll, in milliseconds. Later delays grow by half. Default: 2000. */
  pollIntervalMs?: number;
  /** Maximum delay between two polls, in milliseconds. Default: 30000. */
  maxPollIntervalMs?: number;
  /** Maximum total wait in milliseconds, then a TimeoutError. Default: no limit. */
  timeoutMs?: number;
  /** Stops waiting with an AbortError, aborting the poll in flight too. */
  signal?: AbortSignal;
  /** Called with the job after each poll, final one included, to report its counts. */
  onProgress?: (job: BatchJob) => void;
}

const defaultPollIntervalMs = 2_000;
const defaultMaxPollIntervalMs = 30_000;

/** Growth of the delay after each poll that found the job still running. */
const backoffFactor = 1.5;

/**
 * Polls `fetchJob` until the job reaches a final status and returns it. The first poll happens at
 * once. An unknown status counts as still running. `fetchJob` must apply `options.signal` itself.
 */
export async function waitForJob(
  jobId: string,
  fetchJob: () => Promise<BatchJob>,
  options: BatchWaitOptions,
): Promise<BatchJob> {
  const { signal, onProgress } = options;
  let delayMs = optionalDuration(options.pollIntervalMs, "pollIntervalMs", defaultPollIntervalMs);
  const maxDelayMs = optionalDuration(
    options.maxPollIntervalMs,
    "maxPollIntervalMs",
    defaultMaxPollIntervalMs,
  );
  const timeoutMs =
    options.timeoutMs === undefined ? undefined : checkDuration(options.timeoutMs, "timeoutMs");
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (;;) {
    const job = await fetchJob();
    onProgress?.(job);
    if (isTerminalBatchStatus(job.status)) {
      return job;
    }

    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      throw waitTimeout(jobId, job, timeoutMs!);
    }

    await sleep(Math.min(delayMs, maxDelayMs, remainingMs), signal);
    delayMs = Math.min(maxDelayMs, delayMs * backoffFactor);
  }
}

function optionalDuration(value: unknown, name: string, fallback: number): number {
  return value === undefined ? fallback : checkDuration(value, name);
}

function waitTimeout(jobId: string, job: BatchJob, timeoutMs: number): TimeoutError {
  return new TimeoutError(
    `Batch job ${jobId} is still ${job.status} after ${timeoutMs} ms (timeoutMs): the job keeps ` +
      "running on the server; wait again, or cancel it with batch.cancel",
    { phase: "total", timeoutMs },
  );
}
