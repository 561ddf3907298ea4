import { readFile, stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { MistralClient, OCRDocument, OCRRequest, OCRResponse } from "../../index.js";
import type { Verbosity } from "../arguments.js";
import { UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { stripControlCharacters } from "../output.js";
import { byteProgress, createStderrProgress } from "../progress.js";
import { openClientFor, printHelp, printJson } from "./command-client.js";
import { deferredCommandOptions, parseCommandOptions } from "./command-options.js";

const ocrOptions = {
  ...deferredCommandOptions,
  model: { type: "string", short: "m" },
  pages: { type: "string" },
  upload: { type: "boolean" },
  "file-id": { type: "string" },
  json: { type: "boolean" },
} as const;

/** Model used when `--model` is not given. */
const defaultOcrModel = "mistral-ocr-latest";

/**
 * Maximum size of a local file sent inside the request as a base64 `data:` URL, in bytes. Base64 makes the
 * body a third larger, so larger files are uploaded instead.
 */
const maxInlineBytes = 4 * 1024 * 1024;

/** Media types of the local files sent inline, by lower-case extension. */
const mediaTypes: Readonly<Record<string, string>> = {
  ".pdf": "application/pdf",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".avif": "image/avif",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".bmp": "image/bmp",
};

/** Pages as the API accepts them: zero-based numbers and ranges, such as `0,2-4`. */
const pagesPattern = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/** The document named on the command line. */
type OcrSource =
  | { kind: "url"; url: string }
  | { kind: "file"; path: string; size: number }
  | { kind: "file-id"; id: string };

/**
 * `mistral ocr`: reads a document or image and prints the markdown of each page, or the whole
 * response with `--json`. A local file is sent inline when small, and otherwise uploaded with
 * purpose `ocr` and deleted once read.
 */
export async function runOcr(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("ocr", argv, ocrOptions, verbosity);
  if (parsed.help) return printHelp("ocr", context);
  const { values } = parsed;
  const pages = values.pages?.replace(/\s+/g, "");
  if (pages !== undefined && !pagesPattern.test(pages)) {
    throw new UsageError(
      `--pages must list zero-based pages and ranges such as 0,2-4, got ${JSON.stringify(values.pages?.slice(0, 40))}`,
      "ocr",
    );
  }

  const source = await resolveSource(parsed.positionals, values["file-id"]);
  const client = await openClientFor("ocr", parsed, context);
  const upload = source.kind === "file" && (values.upload === true || source.size > maxInlineBytes);
  const fileId = upload
    ? await uploadDocument(client, source.path, parsed.verbosity, context)
    : undefined;
  let response: OCRResponse;
  try {
    const document = fileId === undefined ? await documentOf(source) : fileChunk(fileId);
    const request: OCRRequest = { model: values.model ?? defaultOcrModel, document };
    if (pages !== undefined) request.pages = pages;
    response = await client.ocr.process(request, { signal: context.signal });
  } finally {
    if (fileId !== undefined) await deleteUpload(client, fileId, context);
  }

  if (values.json === true) {
    await printJson(response, context);
    return ExitCode.success;
  }

  await printPages(response, context);
  return ExitCode.success;
}

/** Prints the markdown of each page, pages separated by a blank line. */
async function printPages(response: OCRResponse, context: CommandContext): Promise<void> {
  const pages = Array.isArray(response.pages) ? response.pages : [];
  if (pages.length === 0) {
    context.output.diagnostic("The response contains no pages.");
    return;
  }

  for (const [index, page] of pages.entries()) {
    if (index > 0) await context.output.line("");
    await context.output.line(page.markdown.trimEnd());
  }
}

async function resolveSource(
  positionals: string[],
  fileId: string | undefined,
): Promise<OcrSource> {
  if (fileId !== undefined) {
    if (positionals.length > 0 || fileId === "") {
      throw new UsageError("Pass either FILE|URL or --file-id ID", "ocr");
    }

    return { kind: "file-id", id: fileId };
  }

  if (positionals.length !== 1) {
    throw new UsageError(
      `ocr takes one file path or URL, got ${positionals.length} arguments`,
      "ocr",
    );
  }

  const target = positionals[0]!;
  if (/^https?:\/\//i.test(target)) {
    if (!URL.canParse(target)) {
      throw new UsageError(`${JSON.stringify(target.slice(0, 80))} is not a valid URL`, "ocr");
    }

    return { kind: "url", url: target };
  }

  return { kind: "file", path: target, size: await fileSize(target) };
}

/** Builds the `document` of a URL, a file id, or a small local file read as a data URL. */
async function documentOf(source: OcrSource): Promise<OCRDocument> {
  if (source.kind === "file-id") return fileChunk(source.id);
  if (source.kind === "url") {
    const path = new URL(source.url).pathname;
    return isImage(mediaTypes[extname(path).toLowerCase()])
      ? { type: "image_url", image_url: source.url }
      : { type: "document_url", document_url: source.url };
  }

  const { ocrDocumentFromBytes } = await import("../../index.js");
  const bytes = await readFile(source.path);
  const mediaType = mediaTypes[extname(source.path).toLowerCase()] ?? "application/octet-stream";
  return ocrDocumentFromBytes(bytes, mediaType, basename(source.path));
}

async function uploadDocument(
  client: MistralClient,
  path: string,
  verbosity: Verbosity,
  context: CommandContext,
): Promise<string> {
  const progress = createStderrProgress(verbosity, context.env);
  const label = `Uploading ${stripControlCharacters(basename(path))}`;
  try {
    const file = await client.files.upload(
      {
        file: path,
        purpose: "ocr",
        onProgress: ({ sentBytes, totalBytes }) => {
          progress.update(byteProgress(label, sentBytes, totalBytes));
        },
      },
      { signal: context.signal },
    );
    return file.id;
  } finally {
    progress.end();
  }
}

/**
 * Deletes the file uploaded for this command. It runs without the Ctrl-C signal, so an
 * interrupted command still removes its upload, and a failure is reported, not thrown.
 */
async function deleteUpload(
  client: MistralClient,
  fileId: string,
  context: CommandContext,
): Promise<void> {
  try {
    await client.files.delete(fileId);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.output.diagnostic(
      `Warning: the uploaded file ${fileId} was not deleted (${stripControlCharacters(reason)}): ` +
        `delete it with \`mistral files delete ${fileId}\``,
    );
  }
}

function fileChunk(fileId: string): OCRDocument {
  return { type: "file", file_id: fileId };
}

function isImage(mediaType: string | undefined): boolean {
  return mediaType?.startsWith("image/") === true;
}

async function fileSize(path: string): Promise<number> {
  try {
    const stats = await stat(path);
    if (stats.isFile()) return stats.size;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`Cannot read ${path} (${reason})`, "ocr");
  }

  throw new UsageError(`${path} is not a regular file`, "ocr");
}
