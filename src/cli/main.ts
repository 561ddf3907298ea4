#!/usr/bin/env node
import { version } from "../version.js";
import { type CommandLine, parseCommandLine } from "./arguments.js";
import type { CommandContext } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { reportFailure } from "./failure.js";
import { helpText } from "./help.js";
import { listenForInterrupt } from "./interrupt.js";
import { Output } from "./output.js";

// Startup imports only the command line modules. Each command module is imported when its
// command runs, and imports the client (and `demo` the test server), so `mistral --help` stays
// fast.

/** Runs the `mistral` command with the arguments after the script name; returns its status. */
async function main(argv: readonly string[]): Promise<ExitCode> {
  const output = new Output(process.stdout, process.stderr);
  const interrupt = listenForInterrupt();
  const context: CommandContext = {
    env: process.env,
    output,
    stdin: process.stdin,
    signal: interrupt.signal,
    verbose: false,
    keyOrigin: undefined,
  };

  try {
    const commandLine = parseCommandLine(argv);
    context.verbose =
      "verbose" in commandLine
        ? commandLine.verbose
        : "verbosity" in commandLine && commandLine.verbosity > 0;
    return await dispatch(commandLine, context);
  } catch (error) {
    return await reportFailure(error, context);
  } finally {
    interrupt.dispose();
    await output.flush();
  }
}

async function dispatch(commandLine: CommandLine, context: CommandContext): Promise<ExitCode> {
  switch (commandLine.command) {
    case "help":
      await context.output.text(helpText(commandLine.topic));
      return ExitCode.success;
    case "version":
      await context.output.line(version);
      return ExitCode.success;
    case "chat":
      return (await import("./commands/chat.js")).runChat(commandLine.args, context);
    case "models":
      return (await import("./commands/models.js")).runModels(commandLine.args, context);
    case "demo":
      return (await import("./commands/demo.js")).runDemo(commandLine.args, context);
    default:
      return runDeferred(commandLine, context);
  }
}

/** Imports the module of a command that parses its own arguments, and runs it. */
async function runDeferred(
  commandLine: Extract<CommandLine, { argv: string[] }>,
  context: CommandContext,
): Promise<ExitCode> {
  const { argv, verbosity } = commandLine;
  switch (commandLine.command) {
    case "embed":
      return (await import("./commands/embed.js")).runEmbed(argv, context, verbosity);
    case "fim":
      return (await import("./commands/fim.js")).runFim(argv, context, verbosity);
    case "files":
      return (await import("./commands/files.js")).runFiles(argv, context, verbosity);
    case "batch":
      return (await import("./commands/batch.js")).runBatch(argv, context, verbosity);
    case "ocr":
      return (await import("./commands/ocr.js")).runOcr(argv, context, verbosity);
    case "transcribe":
      return (await import("./commands/transcribe.js")).runTranscribe(argv, context, verbosity);
    case "conversation":
      return (await import("./commands/conversation.js")).runConversation(argv, context, verbosity);
  }
}

/**
 * Ends the command when stdout fails. EPIPE means the reader closed the pipe early, as in
 * `mistral models | head -1`, so the command ends quietly with success.
 */
function exitOnStdoutError(error: NodeJS.ErrnoException): void {
  process.exit(error.code === "EPIPE" ? ExitCode.success : ExitCode.unexpected);
}

process.stdout.on("error", exitOnStdoutError);
// Exiting explicitly, after the flush in main, ends the process even when an idle keep-alive
// socket of fetch is still open.
process.exit(await main(process.argv.slice(2)));
