import { stat } from "node:fs/promises";
import type {
  MistralClient,
  TranscriptionRequest,
  TranscriptionSegmentEvent,
} from "../../index.js";
import type { Verbosity } from "../arguments.js";
import { UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { openClientFor, printHelp, printJson } from "./command-client.js";
import { deferredCommandOptions, parseCommandOptions } from "./command-options.js";

const transcribeOptions = {
  ...deferredCommandOptions,
  model: { type: "string", short: "m" },
  language: { type: "string", short: "l" },
  timestamps: { type: "boolean" },
  stream: { type: "boolean" },
  json: { type: "boolean" },
} as const;

/** Model used when `--model` is not given. */
const defaultTranscriptionModel = "voxtral-mini-latest";

/** Output format of the transcript. */
interface PrintMode {
  /** One line per segment with its times, instead of the plain text. */
  timestamps: boolean;
  json: boolean;
}

/** A stretch of the transcript with its times in seconds from the start of the audio. */
interface TimedText {
  text: string;
  start: number;
  end: number;
}

/**
 * `mistral transcribe`: prints the transcript of a local audio file (uploaded with the request) or
 * of the audio at a URL (fetched by the server). `--stream` prints it as it is transcribed.
 */
export async function runTranscribe(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("transcribe", argv, transcribeOptions, verbosity);
  if (parsed.help) return printHelp("transcribe", context);
  const { values } = parsed;
  const request = await buildTranscriptionRequest(parsed.positionals, {
    model: values.model,
    language: values.language,
    timestamps: values.timestamps === true,
  });
  const mode: PrintMode = { timestamps: values.timestamps === true, json: values.json === true };
  const client = await openClientFor("transcribe", parsed, context);
  if (values.stream === true) {
    await printStreamed(client, request, mode, context);
    return ExitCode.success;
  }

  const response = await client.audio.transcriptions.create(request, { signal: context.signal });
  if (mode.json) await printJson(response, context);
  else if (mode.timestamps && response.segments?.length) {
    for (const segment of response.segments) await context.output.line(formatSegment(segment));
  } else {
    await context.output.line(response.text.trim());
  }

  return ExitCode.success;
}

/** Prints text deltas, or segment lines with `--timestamps`, or every event as JSON lines. */
async function printStreamed(
  client: MistralClient,
  request: TranscriptionRequest,
  mode: PrintMode,
  context: CommandContext,
): Promise<void> {
  const stream = await client.audio.transcriptions.stream(request, { signal: context.signal });
  if (!mode.json && !mode.timestamps) {
    for await (const text of stream.textDeltas()) await context.output.text(text);
    await context.output.endLine();
    return;
  }

  for await (const event of stream) {
    if (mode.json) await context.output.line(JSON.stringify(event));
    else if (event.type === "transcription.segment") {
      await context.output.line(formatSegment(event as TranscriptionSegmentEvent));
    }
  }
}

/** Builds the request with only the fields the command line set. */
async function buildTranscriptionRequest(
  positionals: string[],
  options: { model: string | undefined; language: string | undefined; timestamps: boolean },
): Promise<TranscriptionRequest> {
  if (positionals.length !== 1) {
    throw new UsageError(
      `transcribe takes one audio file or URL, got ${positionals.length} arguments`,
      "transcribe",
    );
  }

  const target = positionals[0]!;
  const request: TranscriptionRequest = { model: options.model ?? defaultTranscriptionModel };
  if (/^https?:\/\//i.test(target)) request.file_url = target;
  else request.file = await checkAudioPath(target);
  if (options.language !== undefined) request.language = checkLanguage(options.language);
  if (options.timestamps) request.timestamp_granularities = ["segment"];
  return request;
}

/** Formats a segment as `[00:01.5 --> 00:04.0] text`. */
export function formatSegment(segment: TimedText): string {
  return `[${formatTime(segment.start)} --> ${formatTime(segment.end)}] ${segment.text.trim()}`;
}

/** Formats seconds as `mm:ss.s`, or `h:mm:ss.s` from one hour on. */
export function formatTime(seconds: number): string {
  const tenths = Math.round(Math.max(0, seconds) * 10);
  const hours = Math.floor(tenths / 36_000);
  const minutes = Math.floor((tenths % 36_000) / 600);
  const rest = ((tenths % 600) / 10).toFixed(1).padStart(4, "0");
  const clock = `${String(minutes).padStart(2, "0")}:${rest}`;
  return hours > 0 ? `${hours}:${clock}` : clock;
}

function checkLanguage(language: string): string {
  if (!/^[a-zA-Z]{2}$/.test(language)) {
    throw new UsageError(
      `--language must be a two-letter code such as en, got ${JSON.stringify(language.slice(0, 20))}`,
      "transcribe",
    );
  }

  return language.toLowerCase();
}

/** Checks the path first, so a wrong path is a usage error, not a failed request. */
async function checkAudioPath(path: string): Promise<string> {
  try {
    if ((await stat(path)).isFile()) return path;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`Cannot read ${path} (${reason})`, "transcribe");
  }

  throw new UsageError(`${path} is not a regular file`, "transcribe");
}
