import type { isMistralError as IsMistralError, MistralErrorCode } from "../index.js";
import { CliError } from "./cli-error.js";
import type { CommandContext } from "./context.js";
import { describeKeyOrigin } from "./credentials.js";
import { ExitCode } from "./exit-codes.js";
import { stripControlCharacters } from "./output.js";

/**
 * Exit status of each library error kind. A `Record` makes the compiler flag a kind added to the
 * library and missing here.
 */
const exitCodeByKind: Record<MistralErrorCode, ExitCode> = {
  configuration: ExitCode.configuration,
  authentication: ExitCode.authentication,
  permission_denied: ExitCode.authentication,
  validation: ExitCode.validation,
  bad_request: ExitCode.validation,
  unprocessable_entity: ExitCode.validation,
  rate_limit: ExitCode.rateLimit,
  client_rate_limit: ExitCode.rateLimit,
  timeout: ExitCode.timeout,
  connection: ExitCode.connection,
  not_found: ExitCode.apiError,
  conflict: ExitCode.apiError,
  server_error: ExitCode.apiError,
  api_error: ExitCode.apiError,
  stream: ExitCode.stream,
  response_too_large: ExitCode.stream,
  structured_output: ExitCode.stream,
  tool_runner: ExitCode.apiError,
  abort: ExitCode.interrupted,
};

/**
 * Library messages name client options such as `timeoutMs` and `baseURL`. These lines name the
 * variables that set them for the command.
 */
const variableHints: Partial<Record<ExitCode, string>> = {
  [ExitCode.timeout]: "MISTRAL_TIMEOUT sets the time limit of each attempt, in seconds.",
  [ExitCode.connection]: "MISTRAL_BASE_URL sets the base URL the command connects to.",
};

/** Maps any thrown value to the command's exit status. */
export function exitCodeForError(error: unknown, isMistralError: typeof IsMistralError): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  for (const [kind, code] of Object.entries(exitCodeByKind)) {
    if (isMistralError(error, kind as MistralErrorCode)) return code;
  }

  return ExitCode.unexpected;
}

/**
 * Prints the failure on stderr and returns the exit status. Library errors never contain the key
 * (a guarantee of the library), and the stack is shown only with `--verbose`.
 */
export async function reportFailure(error: unknown, context: CommandContext): Promise<ExitCode> {
  if (context.signal.aborted) {
    context.output.diagnostic("mistral: interrupted");
    return ExitCode.interrupted;
  }

  const { isMistralError } = await import("../index.js");
  const code = exitCodeForError(error, isMistralError);
  const requestId = isMistralError(error) ? error.requestId : undefined;
  for (const line of describeFailure(error, code, requestId, context)) {
    context.output.diagnostic(clean(line));
  }

  if (context.verbose) printStacks(error, context);
  return code;
}

/** Lines of the failure report: the message, then the request id and hints where they apply. */
function describeFailure(
  error: unknown,
  code: ExitCode,
  requestId: string | undefined,
  context: CommandContext,
): string[] {
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`mistral: ${code === ExitCode.unexpected ? "unexpected error: " : ""}${message}`];
  if (requestId && !message.includes(requestId)) lines.push(`Request id: ${requestId}`);
  if (code === ExitCode.authentication && context.keyOrigin) {
    lines.push(`${describeKeyOrigin(context.keyOrigin)}.`);
  }

  const hint = error instanceof CliError ? undefined : variableHints[code];
  if (hint !== undefined) lines.push(hint);
  if (code === ExitCode.unexpected && !context.verbose) {
    lines.push("Run the command again with --verbose to see the stack trace.");
  }

  return lines;
}

/** Messages may quote server text, which must not reach the terminal as control sequences. */
function clean(text: string): string {
  return stripControlCharacters(text);
}

function printStacks(error: unknown, context: CommandContext): void {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const stack = clean(current.stack ?? current.message);
    context.output.diagnostic(depth === 0 ? stack : `Caused by: ${stack}`);
    current = current.cause;
  }
}
