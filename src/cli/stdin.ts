import { CliError, UsageError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/**
 * Largest prompt read from stdin, in bytes: roughly a million tokens, estimated at 4 bytes per
 * token of English text. Only a wrong input, such as a binary file, should reach it.
 */
export const maxStdinPromptBytes = 4 * 1024 * 1024;

/**
 * Reads stdin to its end as UTF-8, bounded to `maxStdinPromptBytes`, without trailing white
 * space, and rejects an empty prompt. An abort of `signal` (Ctrl-C) stops the read with the interrupted exit status.
 */
export async function readPromptFromStdin(
  stdin: NodeJS.ReadStream,
  signal: AbortSignal,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const onAbort = (): void => {
    stdin.destroy();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of stdin) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      size += bytes.byteLength;
      if (size > maxStdinPromptBytes) {
        throw new UsageError(
          `The prompt on stdin is larger than ${maxStdinPromptBytes / 1024 / 1024} MiB`,
          "chat",
        );
      }

      chunks.push(bytes);
    }
  } catch (error) {
    if (signal.aborted) throw interrupted();
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }

  if (signal.aborted) throw interrupted();
  // The line end that `echo` or an editor adds is not part of the message.
  const prompt = Buffer.concat(chunks).toString("utf8").trimEnd();
  if (prompt.trim() === "") throw new UsageError("The prompt on stdin is empty", "chat");
  return prompt;
}

function interrupted(): CliError {
  return new CliError("Interrupted while reading the prompt from stdin", ExitCode.interrupted);
}
