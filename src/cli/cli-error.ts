import { ExitCode } from "./exit-codes.js";

/**
 * A failure found by the command itself (command line, key file, stdin), before or beside the
 * library. Its message is printed as is, and its exit status is `exitCode`.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** An invalid command line; the message ends by pointing to the right `--help`. */
export class UsageError extends CliError {
  constructor(message: string, command?: string) {
    const help = command === undefined ? "mistral --help" : `mistral ${command} --help`;
    super(`${message} (see \`${help}\`)`, ExitCode.usage);
    this.name = "UsageError";
  }
}
