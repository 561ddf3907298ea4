import type { BatchJob } from "../../index.js";
import { UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { printJson } from "./command-client.js";
import { formatTable } from "./table.js";

/** Prints a job as aligned `field value` lines, or as JSON. */
export async function printJob(job: BatchJob, json: boolean, context: CommandContext) {
  if (json) {
    await printJson(job, context);
    return;
  }

  for (const line of formatTable(describeJob(job))) await context.output.line(line);
}

/** Rows of the `batch status` table. Result files are listed only once they exist. */
export function describeJob(job: BatchJob): string[][] {
  const rows = [
    ["id", job.id],
    ["status", String(job.status)],
    ["endpoint", job.endpoint],
    ["model", job.model ?? job.agent_id ?? ""],
    ["requests", describeCounts(job)],
  ];
  if (job.output_file) rows.push(["output file", job.output_file]);
  if (job.error_file) rows.push(["error file", job.error_file]);
  for (const error of job.errors ?? []) rows.push(["error", error.message]);
  return rows;
}

/** Formats the request counts, such as `3 total, 1 done (1 succeeded, 0 failed)`. */
function describeCounts(job: BatchJob): string {
  return (
    `${job.total_requests} total, ${job.completed_requests} done ` +
    `(${job.succeeded_requests} succeeded, ${job.failed_requests} failed)`
  );
}

/** Returns the job id of a subcommand that takes exactly one. */
export function jobIdOf(positionals: string[], name: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `batch ${name} takes one job id, got ${positionals.length} arguments`,
      "batch",
    );
  }

  return positionals[0]!;
}

/** Options of each request of a batch command: Ctrl-C aborts it. */
export function requestOptions(context: CommandContext): { signal: AbortSignal } {
  return { signal: context.signal };
}
