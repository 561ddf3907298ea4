import {
  type CommandName,
  capVerbosity,
  type OptionsConfig,
  type ParsedOptions,
  parseOptions,
  type Verbosity,
  verbosityOf,
} from "../arguments.js";
import { UsageError } from "../cli-error.js";

// Option parsing shared by the commands that parse their own arguments once loaded (see
// `deferredCommandNames`).

/** Options every deferred command takes besides its own. */
export const deferredCommandOptions = {
  help: { type: "boolean", short: "h" },
  // Repeatable, so `-vv` counts twice.
  verbose: { type: "boolean", short: "v", multiple: true },
  "api-key-file": { type: "string" },
} as const satisfies OptionsConfig;

/** Arguments of a deferred command after `parseCommandOptions`. */
export interface ParsedCommandOptions<T extends OptionsConfig> {
  values: ParsedOptions<T>["values"];
  positionals: string[];
  help: boolean;
  /** Verbosity given before the command plus the one given after it. */
  verbosity: Verbosity;
}

/**
 * Parses the arguments of a deferred command (or subcommand) in strict mode. `--verbose=LEVEL`
 * is taken out first, because `parseArgs` has no option that is both a flag and a value. Usage
 * errors point to `mistral COMMAND --help`.
 */
export function parseCommandOptions<T extends OptionsConfig>(
  command: CommandName,
  args: readonly string[],
  options: T,
  verbosity: Verbosity,
): ParsedCommandOptions<T> {
  let extra = 0;
  const remaining: string[] = [];
  for (const [index, token] of args.entries()) {
    if (token === "--") {
      remaining.push(...args.slice(index));
      break;
    }

    const level = token.startsWith("--verbose=") ? verbosityOf(token, command) : undefined;
    if (level === undefined) remaining.push(token);
    else extra += level;
  }

  const { values, positionals } = parseOptions(command, remaining, options);
  const flags = (values as { verbose?: boolean[] }).verbose ?? [];
  return {
    values,
    positionals,
    help: (values as { help?: boolean }).help === true,
    verbosity: capVerbosity(verbosity + extra + flags.length),
  };
}

/**
 * Takes the subcommand off the arguments of a command such as `files upload PATH`. Returns
 * `"help"` for `mistral COMMAND --help`.
 *
 * @throws UsageError when the subcommand is missing or unknown.
 */
export function takeSubcommand<T extends string>(
  command: CommandName,
  names: readonly T[],
  argv: readonly string[],
): { name: T | "help"; rest: string[] } {
  const [first, ...rest] = argv;
  if (first === "-h" || first === "--help") return { name: "help", rest };
  const known = names.find((name) => name === first);
  if (known !== undefined) return { name: known, rest };
  throw new UsageError(
    `${describeSubcommandProblem(first)}: the subcommands of ${command} are ${names.join(", ")}`,
    command,
  );
}

function describeSubcommandProblem(first: string | undefined): string {
  if (first === undefined) return "Missing subcommand";
  // Only the option name is shown: an inline value could be a secret typed in the wrong place.
  if (first.startsWith("-")) return `Put ${first.split("=")[0]} after the subcommand`;
  return `Unknown subcommand ${JSON.stringify(first.slice(0, 40))}`;
}

/**
 * Parses a whole number option such as `--dimension 256`, at least `minimum`.
 *
 * @throws UsageError naming `flag` and pointing to the help of `command`.
 */
export function parseWholeNumber(
  value: string | undefined,
  flag: string,
  command: CommandName,
  minimum = 0,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < minimum) {
    throw new UsageError(
      `${flag} must be a whole number of at least ${minimum}, got ${JSON.stringify(value.slice(0, 40))}`,
      command,
    );
  }

  return number;
}

/**
 * Parses a duration option given in seconds, such as `--poll-interval 2` or `0.5`, into
 * milliseconds.
 */
export function parseSeconds(
  value: string | undefined,
  flag: string,
  command: CommandName,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value) || Number(value) <= 0) {
    throw new UsageError(
      `${flag} must be a number of seconds above 0, such as 2 or 0.5, got ${JSON.stringify(value.slice(0, 40))}`,
      command,
    );
  }

  return Math.round(Number(value) * 1000);
}
