import { basename } from "node:path";
import type { BatchJob, BatchJobCreateRequest, MistralClient } from "../../index.js";
import type { Verbosity } from "../arguments.js";
import { UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { stripControlCharacters } from "../output.js";
import { byteProgress, createStderrProgress } from "../progress.js";
import { checkBatchInput } from "./batch-input.js";
import { jobIdOf, printJob, requestOptions } from "./batch-job.js";
import { printResults, waitForJob } from "./batch-wait.js";
import { openClientFor, printHelp, printJson } from "./command-client.js";
import {
  deferredCommandOptions,
  parseCommandOptions,
  parseWholeNumber,
  takeSubcommand,
} from "./command-options.js";

const subcommands = ["create", "status", "wait", "results", "cancel"] as const;

const createOptions = {
  ...deferredCommandOptions,
  input: { type: "string", short: "i" },
  "file-id": { type: "string", multiple: true },
  endpoint: { type: "string", short: "e" },
  model: { type: "string", short: "m" },
  metadata: { type: "string", multiple: true },
  "timeout-hours": { type: "string" },
  json: { type: "boolean" },
} as const;
const jobOptions = { ...deferredCommandOptions, json: { type: "boolean" } } as const;

/** Endpoint of the requests when `--endpoint` is not given. */
const defaultEndpoint = "/v1/chat/completions";

/** `mistral batch SUBCOMMAND`: create batch jobs, follow them and print their results. */
export async function runBatch(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const { name, rest } = takeSubcommand("batch", subcommands, argv);
  if (name === "help") return printHelp("batch", context);
  if (name === "create") return createJob(rest, context, verbosity);
  if (name === "wait") return waitForJob(rest, context, verbosity);
  if (name === "results") return printResults(rest, context, verbosity);
  return showJob(name, rest, context, verbosity);
}

/**
 * Checks and uploads `--input` (or takes `--file-id`), creates the job and prints its id, or the
 * job as JSON with `--json`.
 */
async function createJob(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("batch", argv, createOptions, verbosity);
  if (parsed.help) return printHelp("batch", context);
  const { values } = parsed;
  if (parsed.positionals.length > 0) {
    throw new UsageError("batch create takes no arguments: pass the file with --input", "batch");
  }

  const input = values.input;
  const fileIds = values["file-id"] ?? [];
  if ((input === undefined) === (fileIds.length === 0)) {
    throw new UsageError("Pass either --input FILE or --file-id ID", "batch");
  }

  if (input === "" || input === "-") {
    throw new UsageError(
      "--input needs the path of a JSONL file (stdin cannot be uploaded)",
      "batch",
    );
  }

  const job = buildJobRequest(values);
  // The file is checked before the key and before any request, so a bad line costs nothing.
  const requests = input === undefined ? undefined : await checkBatchInput(input, context);
  const client = await openClientFor("batch", parsed, context);
  const inputFiles =
    input === undefined ? fileIds : [await uploadInput(client, input, parsed.verbosity, context)];
  let created: BatchJob;
  try {
    created = await client.batch.create(
      { ...job, input_files: inputFiles },
      requestOptions(context),
    );
  } catch (error) {
    if (input !== undefined) {
      context.output.diagnostic(
        `The requests stay uploaded as file ${inputFiles[0]}: retry with --file-id ${inputFiles[0]}`,
      );
    }

    throw error;
  }

  const count =
    requests === undefined ? "" : ` with ${requests} request${requests === 1 ? "" : "s"}`;
  context.output.diagnostic(
    `Created batch job ${created.id}${count}: follow it with \`mistral batch wait ${created.id}\``,
  );
  if (values.json === true) await printJson(created, context);
  else await context.output.line(created.id);
  return ExitCode.success;
}

/** Builds the job body, without its input files, from the options the command line set. */
function buildJobRequest(values: {
  endpoint?: string | undefined;
  model?: string | undefined;
  metadata?: string[] | undefined;
  "timeout-hours"?: string | undefined;
}): BatchJobCreateRequest {
  const job: BatchJobCreateRequest = { endpoint: values.endpoint ?? defaultEndpoint };
  if (values.model !== undefined) job.model = values.model;
  if (values.metadata !== undefined) job.metadata = parseMetadata(values.metadata);
  const hours = parseWholeNumber(values["timeout-hours"], "--timeout-hours", "batch", 1);
  if (hours !== undefined) job.timeout_hours = hours;
  return job;
}

async function uploadInput(
  client: MistralClient,
  path: string,
  verbosity: Verbosity,
  context: CommandContext,
): Promise<string> {
  const progress = createStderrProgress(verbosity, context.env);
  const label = `Uploading ${stripControlCharacters(basename(path))}`;
  try {
    const file = await client.files.upload(
      {
        file: { path, type: "application/jsonl" },
        purpose: "batch",
        onProgress: ({ sentBytes, totalBytes }) => {
          progress.update(byteProgress(label, sentBytes, totalBytes));
        },
      },
      requestOptions(context),
    );
    return file.id;
  } finally {
    progress.end();
  }
}

/** `batch status ID` and `batch cancel ID`: print the job, after asking to cancel it for `cancel`. */
async function showJob(
  name: "status" | "cancel",
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("batch", argv, jobOptions, verbosity);
  if (parsed.help) return printHelp("batch", context);
  const id = jobIdOf(parsed.positionals, name);
  const client = await openClientFor("batch", parsed, context);
  const job =
    name === "status"
      ? await client.batch.get(id, {}, requestOptions(context))
      : await client.batch.cancel(id, requestOptions(context));
  await printJob(job, parsed.values.json === true, context);
  return ExitCode.success;
}

/** Parses `--metadata KEY=VALUE` options into the job's labels. */
function parseMetadata(pairs: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf("=");
    if (separator <= 0) {
      throw new UsageError(
        `--metadata must be KEY=VALUE, got ${JSON.stringify(pair.slice(0, 40))}`,
        "batch",
      );
    }

    metadata[pair.slice(0, separator)] = pair.slice(separator + 1);
  }

  return metadata;
}
