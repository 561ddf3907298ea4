import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { FileListQuery, FileObject, FileUploadRequest } from "../../index.js";
import type { Verbosity } from "../arguments.js";
import { CliError, UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { stripControlCharacters } from "../output.js";
import { byteProgress, createStderrProgress, formatBytes } from "../progress.js";
import { writeFileAtomically, writeStdout } from "./byte-output.js";
import { openClientFor, printHelp, printJson } from "./command-client.js";
import { deferredCommandOptions, parseCommandOptions, takeSubcommand } from "./command-options.js";
import { formatTable } from "./table.js";

const subcommands = ["upload", "list", "info", "download", "delete"] as const;
type FilesSubcommand = (typeof subcommands)[number];

const uploadOptions = {
  ...deferredCommandOptions,
  purpose: { type: "string" },
  visibility: { type: "string" },
  json: { type: "boolean" },
} as const;
const listOptions = {
  ...deferredCommandOptions,
  purpose: { type: "string" },
  json: { type: "boolean" },
} as const;
const downloadOptions = {
  ...deferredCommandOptions,
  output: { type: "string", short: "o" },
} as const;
const deleteOptions = { ...deferredCommandOptions, json: { type: "boolean" } } as const;

/**
 * Purpose of an upload when `--purpose` is not given. NOTE: the API reference marks `purpose`
 * optional without naming its default, so the command always sends one.
 */
const defaultPurpose = "fine-tune";

type Handler = (argv: string[], context: CommandContext, verbosity: Verbosity) => Promise<ExitCode>;

/** `mistral files SUBCOMMAND`: upload, list, show, download and delete stored files. */
export async function runFiles(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const { name, rest } = takeSubcommand("files", subcommands, argv);
  if (name === "help") return printHelp("files", context);
  return handlers[name](rest, context, verbosity);
}

/** Uploads the file with a progress display, then prints its id (or metadata with `--json`). */
const uploadFile: Handler = async (argv, context, verbosity) => {
  const parsed = parseCommandOptions("files", argv, uploadOptions, verbosity);
  if (parsed.help) return printHelp("files", context);
  const { values } = parsed;
  const path = onePositional(parsed.positionals, "upload", "one file path");
  const purpose = checkWord(values.purpose, "--purpose", "batch") ?? defaultPurpose;
  const visibility = checkWord(values.visibility, "--visibility", "user");
  // Checked before the key, so a wrong path fails first.
  await checkUploadPath(path);
  const client = await openClientFor("files", parsed, context);

  const progress = createStderrProgress(parsed.verbosity, context.env);
  const label = `Uploading ${stripControlCharacters(basename(path))}`;
  const request: FileUploadRequest = {
    file: path,
    purpose,
    onProgress: ({ sentBytes, totalBytes }) => {
      progress.update(byteProgress(label, sentBytes, totalBytes));
    },
  };
  if (visibility !== undefined) request.visibility = visibility;
  let file: FileObject;
  try {
    file = await client.files.upload(request, { signal: context.signal });
  } finally {
    progress.end();
  }

  if (values.json === true) await printJson(file, context);
  else await context.output.line(file.id);
  return ExitCode.success;
};

/** Prints the files as a table, or one JSON line per file with `--json`, across all pages. */
const listFiles: Handler = async (argv, context, verbosity) => {
  const parsed = parseCommandOptions("files", argv, listOptions, verbosity);
  if (parsed.help) return printHelp("files", context);
  const { values } = parsed;
  if (parsed.positionals.length > 0) {
    throw new UsageError(
      `files list takes no arguments, got ${parsed.positionals.length}`,
      "files",
    );
  }

  const query: FileListQuery = {};
  const purpose = checkWord(values.purpose, "--purpose", "batch");
  if (purpose !== undefined) query.purpose = purpose;
  const client = await openClientFor("files", parsed, context);
  const files = client.files.list(query, { signal: context.signal });
  if (values.json === true) {
    for await (const file of files) await context.output.line(JSON.stringify(file));
    return ExitCode.success;
  }

  const rows: string[][] = [];
  for await (const file of files) rows.push(fileRow(file));
  if (rows.length === 0) {
    context.output.diagnostic("No files.");
    return ExitCode.success;
  }

  for (const line of formatTable([["ID", "PURPOSE", "BYTES", "CREATED", "NAME"], ...rows])) {
    await context.output.line(line);
  }

  return ExitCode.success;
};

const showFile: Handler = async (argv, context, verbosity) => {
  const parsed = parseCommandOptions("files", argv, deferredCommandOptions, verbosity);
  if (parsed.help) return printHelp("files", context);
  const id = onePositional(parsed.positionals, "info", "one file id");
  const client = await openClientFor("files", parsed, context);
  await printJson(await client.files.retrieve(id, { signal: context.signal }), context);
  return ExitCode.success;
};

/** Streams the content to stdout, or to the `-o` file with a progress display. */
const downloadFile: Handler = async (argv, context, verbosity) => {
  const parsed = parseCommandOptions("files", argv, downloadOptions, verbosity);
  if (parsed.help) return printHelp("files", context);
  const id = onePositional(parsed.positionals, "download", "one file id");
  const output = parsed.values.output;
  if (output === "") throw new UsageError("--output needs a file path, or - for stdout", "files");
  const client = await openClientFor("files", parsed, context);
  const download = await client.files.download(id, { signal: context.signal });
  if (output === undefined || output === "-") {
    await writeStdout(download.body, context);
    return ExitCode.success;
  }

  const progress = createStderrProgress(parsed.verbosity, context.env);
  const label = `Downloading ${stripControlCharacters(id)}`;
  let written: number;
  try {
    written = await writeFileAtomically(download.body, output, (bytes) => {
      progress.update(byteProgress(label, bytes, download.contentLength));
    });
  } finally {
    progress.end();
  }

  context.output.diagnostic(`Saved ${formatBytes(written)} to ${output}`);
  return ExitCode.success;
};

/** Deletes the file and prints its id, or the API's response with `--json`. */
const deleteFile: Handler = async (argv, context, verbosity) => {
  const parsed = parseCommandOptions("files", argv, deleteOptions, verbosity);
  if (parsed.help) return printHelp("files", context);
  const id = onePositional(parsed.positionals, "delete", "one file id");
  const client = await openClientFor("files", parsed, context);
  const result = await client.files.delete(id, { signal: context.signal });
  if (parsed.values.json === true) await printJson(result, context);
  if (result.deleted === false) {
    throw new CliError(`The API did not delete file ${id} (deleted: false)`, ExitCode.apiError);
  }

  if (parsed.values.json !== true) await context.output.line(result.id ?? id);
  return ExitCode.success;
};

const handlers: Record<FilesSubcommand, Handler> = {
  upload: uploadFile,
  list: listFiles,
  info: showFile,
  download: downloadFile,
  delete: deleteFile,
};

/** Returns the only positional argument of a subcommand that takes exactly one. */
function onePositional(positionals: string[], name: FilesSubcommand, expected: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `files ${name} takes ${expected}, got ${positionals.length} arguments`,
      "files",
    );
  }

  return positionals[0]!;
}

/** Checks the path before the upload, so a wrong path is a usage error, not a failed request. */
async function checkUploadPath(path: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`Cannot read ${path} (${reason})`, "files");
  }

  if (!isFile) throw new UsageError(`${path} is not a regular file`, "files");
}

/** Rejects an empty value, or one with spaces or control characters: the values are words. */
function checkWord(value: string | undefined, flag: string, example: string): string | undefined {
  if (value !== undefined && !/^[\x21-\x7e]+$/.test(value)) {
    throw new UsageError(
      `${flag} must be a word such as ${example}, got ${JSON.stringify(value.slice(0, 40))}`,
      "files",
    );
  }

  return value;
}

function fileRow(file: FileObject): string[] {
  const created = Number.isFinite(file.created_at)
    ? new Date(file.created_at * 1000).toISOString().slice(0, 16).replace("T", " ")
    : "";
  return [file.id, String(file.purpose ?? ""), String(file.bytes ?? ""), created, file.filename];
}
