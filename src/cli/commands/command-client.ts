import type { Logger, LogLevel, MistralClient } from "../../index.js";
import { type CommandName, checkKeyFilePath, type Verbosity } from "../arguments.js";
import type { CommandContext } from "../context.js";
import { resolveApiKey } from "../credentials.js";
import { ExitCode } from "../exit-codes.js";
import { helpText } from "../help.js";
import { type Output, stripControlCharacters } from "../output.js";

/** Library log level of each verbosity. Undefined leaves the level to `MISTRAL_LOG`. */
const logLevels: Readonly<Record<Verbosity, LogLevel | undefined>> = {
  0: undefined,
  1: "info",
  2: "debug",
};

/**
 * Creates a logger for the library that writes each line to stderr. The library masks
 * credentials in its lines, and control characters are removed here because lines can quote
 * server messages.
 */
export function createStderrLogger(output: Output): Logger {
  const write = (...data: unknown[]): void => {
    output.diagnostic(stripControlCharacters(data.map(String).join(" ")));
  };
  return { error: write, warn: write, info: write, debug: write };
}

/**
 * Creates the client of a deferred command. Like `openClient`, it takes the key from
 * `--api-key-file` or `MISTRAL_API_KEY`. The library's log lines go to stderr, never to stdout
 * where results go: at `info` (one line per call, retries) with `-v`, at `debug` with `-vv`,
 * otherwise at the level `MISTRAL_LOG` sets (default off).
 */
export async function openCommandClient(
  keyFile: string | undefined,
  context: CommandContext,
  verbosity: Verbosity,
): Promise<MistralClient> {
  const key = await resolveApiKey(keyFile, context.env, (message) => {
    context.output.diagnostic(message);
  });
  context.keyOrigin = key.origin;
  const { MistralClient } = await import("../../index.js");
  const logLevel = logLevels[verbosity];
  const telemetry = {
    logger: createStderrLogger(context.output),
    ...(logLevel === undefined ? {} : { logLevel }),
  };
  return new MistralClient(
    key.apiKey === undefined ? { telemetry } : { apiKey: key.apiKey, telemetry },
  );
}

/** The parts of a parsed command line that `openClientFor` reads. */
export interface ClientArguments {
  values: { "api-key-file"?: string | undefined };
  verbosity: Verbosity;
}

/**
 * Applies the verbosity of a parsed command line to the context (stack traces of errors) and
 * opens the client with its `--api-key-file`.
 */
export async function openClientFor(
  command: CommandName,
  parsed: ClientArguments,
  context: CommandContext,
): Promise<MistralClient> {
  context.verbose = parsed.verbosity > 0;
  const keyFile = checkKeyFilePath(parsed.values["api-key-file"], command);
  return openCommandClient(keyFile, context, parsed.verbosity);
}

/** Prints the help of `topic` on stdout, for `mistral COMMAND --help`. */
export async function printHelp(topic: CommandName, context: CommandContext): Promise<ExitCode> {
  await context.output.text(helpText(topic));
  return ExitCode.success;
}

/** Prints a value as indented JSON on stdout. */
export async function printJson(value: unknown, context: CommandContext): Promise<void> {
  await context.output.line(JSON.stringify(value, null, 2));
}
