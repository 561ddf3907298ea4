import type { EmbeddingRequest, MistralClient } from "../../index.js";
import type { Verbosity } from "../arguments.js";
import { UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { openClientFor, printHelp } from "./command-client.js";
import {
  deferredCommandOptions,
  parseCommandOptions,
  parseWholeNumber,
} from "./command-options.js";
import { readLines } from "./text-input.js";

const embedOptions = {
  ...deferredCommandOptions,
  model: { type: "string", short: "m" },
  dimension: { type: "string" },
  dtype: { type: "string" },
} as const;

/** Model used when `--model` is not given. */
const defaultEmbeddingModel = "mistral-embed";

/**
 * Inputs sent in one request. NOTE: the API reference states no maximum count of inputs per
 * request; 64 lines of ordinary text stay well below the models' token limit per request.
 */
const inputsPerRequest = 64;

/** Maximum length of a stdin line, in bytes, far above the token limit of one input. */
const maxLineBytes = 1024 * 1024;

export interface EmbedArguments {
  /** Texts from the command line, or `"stdin"` for one text per non-empty stdin line. */
  texts: string[] | "stdin";
  model: string;
  dimension: number | undefined;
  dtype: string | undefined;
}

/**
 * `mistral embed`: prints one vector per input as a JSON array on its own line, in input order.
 * Stdin lines are sent in requests of `inputsPerRequest`, and each request's vectors are printed
 * before the next request, so a long input streams through.
 */
export async function runEmbed(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("embed", argv, embedOptions, verbosity);
  if (parsed.help) return printHelp("embed", context);
  const { values, positionals } = parsed;
  const args: EmbedArguments = {
    texts: readTexts(positionals),
    model: values.model ?? defaultEmbeddingModel,
    dimension: parseWholeNumber(values.dimension, "--dimension", "embed", 1),
    dtype: checkDtype(values.dtype),
  };

  const client = await openClientFor("embed", parsed, context);
  let count = 0;
  for await (const inputs of inputBatches(args, context)) {
    await printVectors(client, buildEmbeddingRequest(args, inputs), context);
    count += inputs.length;
  }

  if (count === 0) {
    throw new UsageError("stdin has no text to embed: it has no non-empty line", "embed");
  }

  return ExitCode.success;
}

/** Builds the request with only the fields the command line set. */
export function buildEmbeddingRequest(args: EmbedArguments, inputs: string[]): EmbeddingRequest {
  const request: EmbeddingRequest = { model: args.model, input: inputs };
  if (args.dimension !== undefined) request.output_dimension = args.dimension;
  if (args.dtype !== undefined) request.output_dtype = args.dtype;
  return request;
}

async function printVectors(
  client: MistralClient,
  request: EmbeddingRequest,
  context: CommandContext,
): Promise<void> {
  const response = await client.embeddings.create(request, { signal: context.signal });
  for (const item of response.data) {
    await context.output.line(JSON.stringify(item.embedding));
  }
}

/** Yields the inputs in groups of at most `inputsPerRequest`. */
async function* inputBatches(
  args: EmbedArguments,
  context: CommandContext,
): AsyncGenerator<string[], void, undefined> {
  if (args.texts !== "stdin") {
    for (let start = 0; start < args.texts.length; start += inputsPerRequest) {
      yield args.texts.slice(start, start + inputsPerRequest);
    }

    return;
  }

  let batch: string[] = [];
  const source = { path: "-", name: "the texts", command: "embed" } as const;
  for await (const line of readLines(source, context, maxLineBytes)) {
    if (line.text.trim() === "") continue;
    batch.push(line.text);
    if (batch.length === inputsPerRequest) {
      yield batch;
      batch = [];
    }
  }

  if (batch.length > 0) yield batch;
}

function readTexts(positionals: string[]): string[] | "stdin" {
  if (positionals.length === 0) {
    throw new UsageError("Missing text: pass one or more texts, or `-` to read stdin", "embed");
  }

  if (positionals.includes("-")) {
    if (positionals.length > 1) {
      throw new UsageError("`-` reads the texts from stdin: pass no other text", "embed");
    }

    return "stdin";
  }

  const empty = positionals.findIndex((text) => text.trim() === "");
  if (empty !== -1) throw new UsageError(`Text ${empty + 1} is empty`, "embed");
  return positionals;
}

function checkDtype(dtype: string | undefined): string | undefined {
  if (dtype !== undefined && !/^[a-z0-9_]+$/.test(dtype)) {
    throw new UsageError(
      `--dtype must be a type name such as float or int8, got ${JSON.stringify(dtype.slice(0, 40))}`,
      "embed",
    );
  }

  return dtype;
}
