import type { BatchJob, BatchWaitOptions } from "../../index.js";
import type { Verbosity } from "../arguments.js";
import { CliError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { createStderrProgress, type ProgressState } from "../progress.js";
import { jobIdOf, printJob, requestOptions } from "./batch-job.js";
import { openClientFor, printHelp } from "./command-client.js";
import { deferredCommandOptions, parseCommandOptions, parseSeconds } from "./command-options.js";

const waitOptions = {
  ...deferredCommandOptions,
  "poll-interval": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
} as const;
const resultsOptions = { ...deferredCommandOptions, errors: { type: "boolean" } } as const;

/** Maximum delay between two polls, in milliseconds, unless `--poll-interval` is longer. */
const maxPollIntervalMs = 30_000;

/**
 * `batch wait ID`: polls the job with a progress display until it ends, then prints it. A job
 * that ends other than `SUCCESS` exits with the API error status, after printing it.
 */
export async function waitForJob(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("batch", argv, waitOptions, verbosity);
  if (parsed.help) return printHelp("batch", context);
  const { values } = parsed;
  const id = jobIdOf(parsed.positionals, "wait");
  const pollIntervalMs = parseSeconds(values["poll-interval"], "--poll-interval", "batch");
  const timeoutMs = parseSeconds(values.timeout, "--timeout", "batch");
  const client = await openClientFor("batch", parsed, context);

  const progress = createStderrProgress(parsed.verbosity, context.env);
  let last: BatchJob | undefined;
  const wait: BatchWaitOptions = {
    signal: context.signal,
    maxPollIntervalMs: Math.max(maxPollIntervalMs, pollIntervalMs ?? 0),
    onProgress: (job) => {
      last = job;
      progress.update(jobProgress(job));
    },
  };
  if (pollIntervalMs !== undefined) wait.pollIntervalMs = pollIntervalMs;
  if (timeoutMs !== undefined) wait.timeoutMs = timeoutMs;
  const started = performance.now();
  let job: BatchJob;
  try {
    job = await client.batch.wait(id, wait);
  } catch (error) {
    progress.end();
    const waitedMs = performance.now() - started;
    throw await explainWaitFailure(error, { id, last, timeoutMs, waitedMs }, context);
  }

  progress.end();
  await printJob(job, values.json === true, context);
  return checkOutcome(job, context);
}

/**
 * `batch results ID`: prints each result line of a finished job as one JSON line, or with
 * `--errors` only the lines of failed requests.
 */
export async function printResults(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("batch", argv, resultsOptions, verbosity);
  if (parsed.help) return printHelp("batch", context);
  const id = jobIdOf(parsed.positionals, "results");
  const onlyErrors = parsed.values.errors === true;
  const client = await openClientFor("batch", parsed, context);
  const { isBatchResultSuccess, isTerminalBatchStatus } = await import("../../index.js");
  const job = await client.batch.get(id, {}, requestOptions(context));
  if (!isTerminalBatchStatus(job.status)) {
    throw new CliError(
      `Batch job ${id} is still ${job.status}: wait for it with \`mistral batch wait ${id}\``,
      ExitCode.validation,
    );
  }

  let total = 0;
  let failed = 0;
  for await (const line of client.batch.results(job, requestOptions(context))) {
    total++;
    const succeeded = isBatchResultSuccess(line);
    if (!succeeded) failed++;
    if (!onlyErrors || !succeeded) await context.output.line(JSON.stringify(line));
  }

  if (total === 0) context.output.diagnostic(`Batch job ${id} has no result lines.`);
  else if (failed > 0 && !onlyErrors) {
    context.output.diagnostic(`${failed} of ${total} requests failed: --errors prints only those.`);
  }

  return ExitCode.success;
}

/** Builds the progress state of a job: its status as the stage, and the requests done. */
export function jobProgress(job: BatchJob): ProgressState {
  const total = job.total_requests;
  const known = typeof total === "number" && total > 0;
  return {
    label: `Batch job ${job.id} ${job.status}`,
    fraction: known ? job.completed_requests / total : undefined,
    detail: known
      ? `${job.completed_requests} of ${total} requests done, ${job.failed_requests} failed`
      : "no request count yet",
    stage: String(job.status),
  };
}

/** Returns the exit status of a finished job, reporting failed requests of a successful one. */
function checkOutcome(job: BatchJob, context: CommandContext): ExitCode {
  if (job.status !== "SUCCESS") {
    const reasons = (job.errors ?? []).map((error) => error.message).join("; ");
    throw new CliError(
      `Batch job ${job.id} ended with status ${job.status}${reasons ? `: ${reasons}` : ""}`,
      ExitCode.apiError,
    );
  }

  if (job.failed_requests > 0) {
    context.output.diagnostic(
      `${job.failed_requests} of ${job.total_requests} requests failed: print them with ` +
        `\`mistral batch results ${job.id} --errors\``,
    );
  }

  return ExitCode.success;
}

interface WaitFailure {
  id: string;
  /** The job as the last poll returned it. */
  last: BatchJob | undefined;
  timeoutMs: number | undefined;
  waitedMs: number;
}

/**
 * Says that the job keeps running when the wait stops early (Ctrl-C, `--timeout`). A timeout of
 * `--timeout` becomes a CliError with the timeout status, so the failure report does not point
 * to MISTRAL_TIMEOUT, which limits single requests.
 */
async function explainWaitFailure(
  error: unknown,
  failure: WaitFailure,
  context: CommandContext,
): Promise<unknown> {
  const { id, last, timeoutMs, waitedMs } = failure;
  const cancelHint = `cancel it with \`mistral batch cancel ${id}\``;
  if (context.signal.aborted) {
    context.output.diagnostic(`Batch job ${id} keeps running on the server: ${cancelHint}.`);
    return error;
  }

  const { isMistralError } = await import("../../index.js");
  if (isMistralError(error, "timeout") && timeoutMs !== undefined && waitedMs >= timeoutMs) {
    return new CliError(
      `Batch job ${id} is still ${last?.status ?? "not finished"} after --timeout ` +
        `${timeoutMs / 1000} s. It keeps running on the server: wait again, or ${cancelHint}`,
      ExitCode.timeout,
    );
  }

  return error;
}
