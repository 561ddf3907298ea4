import { createReadStream } from "node:fs";
import type { CommandName } from "../arguments.js";
import { CliError, UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";

/** A text input of a command: a file, or stdin when `path` is `-`. */
export interface TextSource {
  path: string;
  /** The option or argument that named the source, for messages, such as `--prompt-file`. */
  name: string;
  /** Command whose help a usage error points to. */
  command: CommandName;
}

type InputContext = Pick<CommandContext, "stdin" | "signal" | "output">;

/**
 * Reads a whole text input as UTF-8, bounded to `maxBytes`. Pipes work too, since the size is
 * not checked up front.
 *
 * @throws UsageError when the file cannot be read or is larger than `maxBytes`.
 */
export async function readText(
  source: TextSource,
  context: InputContext,
  maxBytes: number,
): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of readChunks(source, context)) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      throw new UsageError(`${describe(source)} is larger than ${maxBytes} bytes`, source.command);
    }

    parts.push(chunk);
  }

  return Buffer.concat(parts).toString("utf8");
}

/**
 * Yields the lines of a text input, split on LF with a trailing CR removed, and numbered from 1.
 * Only the current line is held in memory.
 *
 * @throws UsageError when the file cannot be read or a line is longer than `maxLineBytes`.
 */
export async function* readLines(
  source: TextSource,
  context: InputContext,
  maxLineBytes: number,
): AsyncGenerator<{ text: string; number: number }, void, undefined> {
  let parts: Buffer[] = [];
  let length = 0;
  let number = 0;
  const checkLength = (): void => {
    if (length > maxLineBytes) {
      throw new UsageError(
        `Line ${number + 1} of ${describe(source)} is longer than ${maxLineBytes} bytes`,
        source.command,
      );
    }
  };

  for await (const chunk of readChunks(source, context)) {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      length += end - start;
      checkLength();
      parts.push(chunk.subarray(start, end));
      number++;
      yield { text: decodeLine(parts), number };
      parts = [];
      length = 0;
      start = end + 1;
    }

    if (start < chunk.byteLength) {
      length += chunk.byteLength - start;
      checkLength();
      parts.push(chunk.subarray(start));
    }
  }

  if (length > 0) yield { text: decodeLine(parts), number: number + 1 };
}

/**
 * Yields the bytes of a source. Ctrl-C destroys the stream, and the read then ends with the
 * interrupted exit status.
 */
async function* readChunks(
  source: TextSource,
  context: InputContext,
): AsyncGenerator<Buffer, void, undefined> {
  const fromStdin = source.path === "-";
  if (fromStdin && context.stdin.isTTY) {
    context.output.diagnostic("Type the input, then press Ctrl-D on an empty line to send it.");
  }

  const stream = fromStdin ? context.stdin : createReadStream(source.path);
  const onAbort = (): void => {
    stream.destroy();
  };
  context.signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      yield typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    }
  } catch (error) {
    if (context.signal.aborted) throw interrupted(source);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`Cannot read ${describe(source)} (${reason})`, source.command);
  } finally {
    context.signal.removeEventListener("abort", onAbort);
    if (!fromStdin) stream.destroy();
  }

  if (context.signal.aborted) throw interrupted(source);
}

function decodeLine(parts: Buffer[]): string {
  const text = Buffer.concat(parts).toString("utf8");
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

function describe(source: TextSource): string {
  return source.path === "-" ? `${source.name} (stdin)` : `${source.name} ${source.path}`;
}

function interrupted(source: TextSource): CliError {
  return new CliError(`Interrupted while reading ${describe(source)}`, ExitCode.interrupted);
}
