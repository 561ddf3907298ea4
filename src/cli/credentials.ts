import type { Stats } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/** Largest key file read, in bytes. A key is a few dozen characters, so more is the wrong file. */
const maxKeyFileBytes = 4096;

/** Bytes allowed in a key, the same rule as the library's: printable ASCII without spaces. */
const keyPattern = /^[\x21-\x7e]+$/;

/** Origin of the key, for messages. It never contains the key itself. */
export type KeyOrigin = { kind: "environment" } | { kind: "file"; path: string };

/** The key to use: from a file, or `undefined` to let the client read `MISTRAL_API_KEY`. */
export interface ResolvedKey {
  apiKey: string | undefined;
  origin: KeyOrigin;
}

/**
 * Finds the key: `--api-key-file PATH` when given, else `MISTRAL_API_KEY`. The file wins because
 * it is named on this command line. `warn` receives diagnostics such as loose file permissions.
 *
 * @throws CliError with the configuration exit status when there is no usable key.
 */
export async function resolveApiKey(
  keyFile: string | undefined,
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): Promise<ResolvedKey> {
  if (keyFile !== undefined) {
    return { apiKey: await readKeyFile(keyFile, warn), origin: { kind: "file", path: keyFile } };
  }

  if ((env.MISTRAL_API_KEY ?? "").trim() === "") {
    throw new CliError(
      "No API key: set MISTRAL_API_KEY, or pass --api-key-file PATH with a file that contains " +
        "the key. To try the command offline without a key, run `mistral demo`",
      ExitCode.configuration,
    );
  }

  return { apiKey: undefined, origin: { kind: "environment" } };
}

/** Describes where the key came from, for a failed authentication. */
export function describeKeyOrigin(origin: KeyOrigin): string {
  return origin.kind === "file"
    ? `The key was read from ${origin.path}`
    : "The key was read from MISTRAL_API_KEY";
}

/**
 * Reads and trims a key file, bounded to `maxKeyFileBytes`. Pipes work too, so
 * `--api-key-file <(pass show mistral)` keeps the key off disk. Messages never show the content.
 */
async function readKeyFile(path: string, warn: (message: string) => void): Promise<string> {
  let text: string;
  try {
    const file = await open(path, "r");
    try {
      warnIfShared(path, await file.stat(), warn);
      text = await readBounded(file, path);
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(
      `Cannot read the API key file ${path} (${reason}): check the path and its permissions`,
      ExitCode.configuration,
    );
  }

  return checkKey(text.trim(), path);
}

async function readBounded(file: FileHandle, path: string): Promise<string> {
  const buffer = Buffer.alloc(maxKeyFileBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }

  if (length > maxKeyFileBytes) {
    throw new CliError(
      `The API key file ${path} is larger than ${maxKeyFileBytes} bytes: it must contain only the key`,
      ExitCode.configuration,
    );
  }

  return buffer.subarray(0, length).toString("utf8");
}

function checkKey(key: string, path: string): string {
  if (key === "") {
    throw new CliError(
      `The API key file ${path} is empty: write the key into it`,
      ExitCode.configuration,
    );
  }

  if (!keyPattern.test(key)) {
    throw new CliError(
      `The API key file ${path} contains a space, control or non-ASCII character (not shown): ` +
        "it must contain only the key",
      ExitCode.configuration,
    );
  }

  return key;
}

/** Warns, as ssh does for private keys, when group or other users have any access to the file. */
function warnIfShared(path: string, stats: Stats, warn: (message: string) => void): void {
  if (process.platform === "win32" || !stats.isFile() || (stats.mode & 0o077) === 0) return;
  warn(`Warning: other users can access ${path}: restrict it with \`chmod 600 ${path}\``);
}
