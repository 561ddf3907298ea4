import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { readStreamChunks } from "../../core/stream-chunks.js";
import { CliError, UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";

/** Receives the count of bytes written so far, after each chunk. */
export type ByteCounter = (writtenBytes: number) => void;

/**
 * Writes a byte stream to stdout as it arrives, waiting whenever the pipe is full, so memory
 * holds at most the stream's buffer and one chunk. On a terminal the bytes are decoded as UTF-8 and written
 * without control characters, like model output.
 */
export async function writeStdout(
  body: ReadableStream<Uint8Array>,
  context: CommandContext,
): Promise<void> {
  if (context.output.stdoutIsTerminal) {
    const decoder = new TextDecoder();
    for await (const chunk of readStreamChunks(body)) {
      await context.output.text(decoder.decode(chunk, { stream: true }));
    }

    await context.output.text(decoder.decode());
    return;
  }

  for await (const chunk of readStreamChunks(body)) {
    if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
  }
}

/**
 * Writes a byte stream to `path` through a temporary file in the same directory, renamed to
 * `path` once the stream ended. A failed or interrupted download removes the temporary file and
 * leaves an existing file at `path` unchanged. Returns the count of bytes written.
 */
export async function writeFileAtomically(
  body: ReadableStream<Uint8Array>,
  path: string,
  onProgress: ByteCounter,
): Promise<number> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${randomBytes(4).toString("hex")}.part`,
  );
  const file = await openForWriting(temporary, path);
  let written = 0;
  try {
    for await (const chunk of readStreamChunks(body)) {
      await file.write(chunk);
      written += chunk.byteLength;
      onProgress(written);
    }

    await file.close();
    await rename(temporary, path);
    return written;
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temporary, { force: true });
    throw isFileSystemError(error) ? writeFailure(path, error) : error;
  }
}

async function openForWriting(temporary: string, path: string): Promise<FileHandle> {
  try {
    // `wx` fails instead of following a link an attacker placed under the random name.
    return await open(temporary, "wx");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`Cannot write ${path} (${reason}): check the directory`, "files");
  }
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

function writeFailure(path: string, error: NodeJS.ErrnoException): CliError {
  return new CliError(
    `Writing ${path} failed (${error.code ?? error.message}): nothing was saved`,
    ExitCode.unexpected,
  );
}
