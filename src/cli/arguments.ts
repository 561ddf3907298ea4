import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./cli-error.js";

/** Model used by `chat` and `demo` when `--model` is not given. */
export const defaultModel = "mistral-small-latest";

/**
 * Commands whose own module parses their arguments once it is loaded, so startup loads neither
 * them nor their option tables.
 */
export const deferredCommandNames = [
  "embed",
  "fim",
  "files",
  "batch",
  "ocr",
  "transcribe",
  "conversation",
] as const;
export type DeferredCommandName = (typeof deferredCommandNames)[number];

export const commandNames = ["chat", "models", "demo", ...deferredCommandNames] as const;
export type CommandName = (typeof commandNames)[number];

/**
 * Amount of diagnostics: 0 by default, 1 with `-v` (stack traces and the library's `info` log
 * lines), 2 with `-vv` or `--verbose=debug` (its `debug` lines too).
 */
export type Verbosity = 0 | 1 | 2;

/** Source of the chat prompt: the command line, or stdin for `-`. */
export type PromptSource = { kind: "text"; text: string } | { kind: "stdin" };

export interface ChatArguments {
  prompt: PromptSource;
  model: string;
  system: string | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  /** Print the whole completion as JSON instead of streaming the text. */
  json: boolean;
  /** Path of a JSON Schema file: the answer is parsed, checked and printed as JSON. */
  schema: string | undefined;
  apiKeyFile: string | undefined;
}

export interface ModelsArguments {
  json: boolean;
  apiKeyFile: string | undefined;
}

export interface DemoArguments {
  /** Undefined means the demo's own prompt. */
  prompt: string | undefined;
  model: string;
}

/** The command line after parsing: which command runs, with its checked arguments. */
export type CommandLine =
  | { command: "help"; topic: CommandName | undefined }
  | { command: "version" }
  | { command: "chat"; verbose: boolean; args: ChatArguments }
  | { command: "models"; verbose: boolean; args: ModelsArguments }
  | { command: "demo"; verbose: boolean; args: DemoArguments }
  | { command: DeferredCommandName; verbosity: Verbosity; argv: string[] };

export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Result of `parseOptions`: values typed after the option table `T`, and the positionals. */
export type ParsedOptions<T extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

const sharedOptions = {
  help: { type: "boolean", short: "h" },
  verbose: { type: "boolean", short: "v" },
} as const satisfies OptionsConfig;

const chatOptions = {
  ...sharedOptions,
  model: { type: "string", short: "m" },
  system: { type: "string", short: "s" },
  temperature: { type: "string", short: "t" },
  "max-tokens": { type: "string" },
  json: { type: "boolean" },
  schema: { type: "string" },
  "api-key-file": { type: "string" },
} as const satisfies OptionsConfig;

const modelsOptions = {
  ...sharedOptions,
  json: { type: "boolean" },
  "api-key-file": { type: "string" },
} as const satisfies OptionsConfig;

const demoOptions = {
  ...sharedOptions,
  model: { type: "string", short: "m" },
} as const satisfies OptionsConfig;

/**
 * Parses the arguments after `node main.js`. Options before the command are the tool's own
 * (`--help`, `--version`, `--verbose`); the rest belong to the command. The arguments of a
 * deferred command are returned unparsed, for its module to parse.
 *
 * @throws UsageError for anything invalid, including any `--api-key` flag.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  rejectApiKeyFlag(argv);
  let help = false;
  let verbosity = 0;
  let index = 0;
  for (; index < argv.length; index++) {
    const token = argv[index]!;
    if (!token.startsWith("-") || token === "-") break;
    const level = verbosityOf(token, undefined);
    if (token === "-h" || token === "--help") help = true;
    else if (token === "-V" || token === "--version") return { command: "version" };
    else if (level !== undefined) verbosity += level;
    else throw unknownLeadingOption(token);
  }

  const name = argv[index];
  const rest = argv.slice(index + 1);
  if (name === undefined) {
    if (help) return { command: "help", topic: undefined };
    throw new UsageError(`No command given: use ${commandNames.join(", ")}`);
  }

  if (name === "help") return { command: "help", topic: parseHelpTopic(rest) };
  const command = checkCommandName(name);
  if (help) return { command: "help", topic: command };
  const deferred = deferredCommandNames.find((candidate) => candidate === command);
  if (deferred !== undefined) {
    return { command: deferred, verbosity: capVerbosity(verbosity), argv: rest };
  }

  return parseCommand(command as "chat" | "models" | "demo", rest, verbosity > 0);
}

/**
 * Returns how much a verbosity option adds (`-v`, `--verbose`, `-vv`, `--verbose=info` or
 * `--verbose=debug`), or undefined for any other token.
 *
 * @throws UsageError for `--verbose=` with another level, pointing to the help of `command`.
 */
export function verbosityOf(token: string, command: CommandName | undefined): number | undefined {
  if (token === "-v" || token === "--verbose") return 1;
  if (/^-v+$/.test(token)) return token.length - 1;
  if (!token.startsWith("--verbose=")) return undefined;
  const level = token.slice("--verbose=".length);
  if (level === "info") return 1;
  if (level === "debug") return 2;
  throw new UsageError(
    `--verbose takes info or debug, got ${JSON.stringify(level.slice(0, 20))}`,
    command,
  );
}

/** Caps a count of verbosity options at the highest level. */
export function capVerbosity(count: number): Verbosity {
  if (count >= 2) return 2;
  return count === 1 ? 1 : 0;
}

/**
 * Rejects `--api-key` and `--api-key=...` before the `--` terminator. The value is never echoed,
 * because it is likely a real key.
 */
function rejectApiKeyFlag(argv: readonly string[]): void {
  for (const token of argv) {
    if (token === "--") return;
    if (token === "--api-key" || token.startsWith("--api-key=")) {
      throw new UsageError(
        "--api-key is not accepted: a key on the command line is visible to other users in the " +
          "process list and is saved in shell history. Set MISTRAL_API_KEY, or put the key in a " +
          "file readable only by you and pass --api-key-file PATH",
      );
    }
  }
}

function unknownLeadingOption(token: string): UsageError {
  // Only the name is shown: an inline value could be a secret typed in the wrong place.
  const name = token.split("=")[0];
  return new UsageError(
    `Unknown option ${name} before the command: put command options after the command name`,
  );
}

function parseHelpTopic(rest: readonly string[]): CommandName | undefined {
  if (rest.length > 1) throw new UsageError("help takes at most one command name");
  return rest[0] === undefined ? undefined : checkCommandName(rest[0]);
}

function checkCommandName(name: string): CommandName {
  const known = commandNames.find((command) => command === name);
  if (known === undefined) {
    throw new UsageError(
      `Unknown command ${JSON.stringify(name.slice(0, 40))}: use ${commandNames.join(", ")}`,
    );
  }

  return known;
}

function parseCommand(
  command: "chat" | "models" | "demo",
  rest: string[],
  verbose: boolean,
): CommandLine {
  if (command === "chat") {
    const { values, positionals } = parseOptions(command, rest, chatOptions);
    if (values.help) return { command: "help", topic: command };
    return {
      command,
      verbose: verbose || values.verbose === true,
      args: {
        prompt: readPromptSource(positionals),
        model: values.model ?? defaultModel,
        system: values.system,
        temperature: parseTemperature(values.temperature),
        maxTokens: parseMaxTokens(values["max-tokens"]),
        json: values.json === true,
        schema: checkSchemaPath(values.schema),
        apiKeyFile: checkKeyFilePath(values["api-key-file"], command),
      },
    };
  }

  if (command === "models") {
    const { values, positionals } = parseOptions(command, rest, modelsOptions);
    if (values.help) return { command: "help", topic: command };
    if (positionals.length > 0) {
      throw new UsageError(`models takes no arguments, got ${positionals.length}`, command);
    }

    return {
      command,
      verbose: verbose || values.verbose === true,
      args: {
        json: values.json === true,
        apiKeyFile: checkKeyFilePath(values["api-key-file"], command),
      },
    };
  }

  const { values, positionals } = parseOptions(command, rest, demoOptions);
  if (values.help) return { command: "help", topic: command };
  return {
    command,
    verbose: verbose || values.verbose === true,
    args: {
      prompt: positionals.length > 0 ? positionals.join(" ") : undefined,
      model: values.model ?? defaultModel,
    },
  };
}

/** Runs `parseArgs` in strict mode, turning its errors into usage errors for `command`. */
export function parseOptions<T extends OptionsConfig>(
  command: CommandName,
  args: string[],
  options: T,
): ParsedOptions<T> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message, command);
    }

    throw error;
  }
}

function readPromptSource(positionals: string[]): PromptSource {
  if (positionals.length === 0) {
    throw new UsageError("Missing prompt: pass it as an argument, or `-` to read stdin", "chat");
  }

  if (positionals.includes("-")) {
    if (positionals.length > 1) {
      throw new UsageError("`-` reads the whole prompt from stdin: pass no other text", "chat");
    }

    return { kind: "stdin" };
  }

  // Unquoted words are joined, so `mistral chat hello there` works like a quoted prompt.
  return { kind: "text", text: positionals.join(" ") };
}

/**
 * Checks the syntax only. The library checks the range (0 to 1.5) before sending, so a value out
 * of range fails with the validation exit status and the list of problems.
 */
function parseTemperature(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) {
    throw new UsageError(
      `--temperature must be a number such as 0.7, got ${JSON.stringify(value.slice(0, 40))}`,
      "chat",
    );
  }

  return Number(value);
}

function parseMaxTokens(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const tokens = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(tokens)) {
    throw new UsageError(
      `--max-tokens must be a whole number such as 500, got ${JSON.stringify(value.slice(0, 40))}`,
      "chat",
    );
  }

  return tokens;
}

function checkSchemaPath(path: string | undefined): string | undefined {
  if (path === "") throw new UsageError("--schema needs a file path", "chat");
  return path;
}

/** Rejects `--api-key-file ""`, which `parseArgs` accepts as a value. */
export function checkKeyFilePath(
  path: string | undefined,
  command: CommandName,
): string | undefined {
  if (path === "") throw new UsageError("--api-key-file needs a file path", command);
  return path;
}
