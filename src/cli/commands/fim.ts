import type { FimCompletionRequest } from "../../index.js";
import type { Verbosity } from "../arguments.js";
import { UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { formatSummary, printStream } from "../stream-output.js";
import { openClientFor, printHelp, printJson } from "./command-client.js";
import {
  deferredCommandOptions,
  parseCommandOptions,
  parseWholeNumber,
} from "./command-options.js";
import { readText, type TextSource } from "./text-input.js";

const fimOptions = {
  ...deferredCommandOptions,
  prompt: { type: "string", short: "p" },
  "prompt-file": { type: "string" },
  suffix: { type: "string", short: "s" },
  "suffix-file": { type: "string" },
  model: { type: "string", short: "m" },
  "max-tokens": { type: "string" },
  json: { type: "boolean" },
} as const;

/** Model used when `--model` is not given. */
const defaultFimModel = "codestral-latest";

/**
 * Largest prompt or suffix file read, in bytes. The library rejects requests of more than
 * 4,000,000 characters by default, so a larger file is almost certainly the wrong one.
 */
const maxCodeFileBytes = 4_000_000;

/** Source of the prompt or the suffix: text on the command line, or a file. */
type CodeSource = { kind: "text"; text: string } | { kind: "file"; source: TextSource };

export interface FimArguments {
  prompt: CodeSource;
  suffix: CodeSource | undefined;
  model: string;
  maxTokens: number | undefined;
  /** Print the whole completion as JSON instead of streaming the text. */
  json: boolean;
}

/**
 * `mistral fim`: streams the code that fits between the prompt and the suffix to stdout, or
 * prints the whole completion as JSON with `--json`. With `--verbose` a summary line follows on
 * stderr.
 */
export async function runFim(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("fim", argv, fimOptions, verbosity);
  if (parsed.help) return printHelp("fim", context);
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw new UsageError("fim takes no arguments: pass the code with --prompt", "fim");
  }

  if (values["prompt-file"] === "-" && values["suffix-file"] === "-") {
    throw new UsageError("Only one of --prompt-file and --suffix-file can read stdin", "fim");
  }

  const args: FimArguments = {
    prompt: pickSource(values.prompt, values["prompt-file"], "prompt"),
    suffix: pickOptionalSource(values.suffix, values["suffix-file"], "suffix"),
    model: values.model ?? defaultFimModel,
    maxTokens: parseWholeNumber(values["max-tokens"], "--max-tokens", "fim"),
    json: values.json === true,
  };

  const client = await openClientFor("fim", parsed, context);
  const request = await buildFimRequest(args, context);
  const options = { signal: context.signal };
  if (args.json) {
    await printJson(await client.fim.create(request, options), context);
    return ExitCode.success;
  }

  const started = performance.now();
  const stream = await client.fim.stream(request, options);
  const completion = await printStream(stream, context.output);
  if (context.verbose) {
    const elapsedMs = performance.now() - started;
    context.output.diagnostic(
      formatSummary({ completion, elapsedMs, requestId: stream.requestId }),
    );
  }

  return ExitCode.success;
}

/** Reads the code files and builds the request with only the fields the command line set. */
async function buildFimRequest(
  args: FimArguments,
  context: CommandContext,
): Promise<FimCompletionRequest> {
  const request: FimCompletionRequest = {
    model: args.model,
    prompt: await readCode(args.prompt, context),
  };
  if (args.suffix !== undefined) request.suffix = await readCode(args.suffix, context);
  if (args.maxTokens !== undefined) request.max_tokens = args.maxTokens;
  return request;
}

async function readCode(source: CodeSource, context: CommandContext): Promise<string> {
  return source.kind === "text" ? source.text : readText(source.source, context, maxCodeFileBytes);
}

function pickSource(
  text: string | undefined,
  file: string | undefined,
  name: "prompt" | "suffix",
): CodeSource {
  const source = pickOptionalSource(text, file, name);
  if (source === undefined) {
    throw new UsageError(`Missing code: pass --${name} TEXT or --${name}-file FILE`, "fim");
  }

  return source;
}

function pickOptionalSource(
  text: string | undefined,
  file: string | undefined,
  name: "prompt" | "suffix",
): CodeSource | undefined {
  if (text !== undefined && file !== undefined) {
    throw new UsageError(`Pass --${name} or --${name}-file, not both`, "fim");
  }

  if (file === "") throw new UsageError(`--${name}-file needs a file path`, "fim");
  if (file !== undefined) {
    return { kind: "file", source: { path: file, name: `--${name}-file`, command: "fim" } };
  }

  return text === undefined ? undefined : { kind: "text", text };
}
