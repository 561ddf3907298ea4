import { type ValidationIssue, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import { SSE_CONTENT_TYPE } from "../sse.js";
import { voiceRoutes } from "./audio-voices.js";
import type { Route } from "./route.js";

type JsonObject = Record<string, unknown>;

/** Length given to each sentence of a transcript, in seconds of audio. */
const secondsPerSentence = 2;

/**
 * Default replies of the audio API. A transcription is two sentences that name its source: the
 * uploaded file's name and size, the URL's last segment, or the file id. It has segments when
 * `timestamp_granularities` contains `segment`, and `stream=true` sends it as named events.
 * Speech returns a short silent WAV file, base64-encoded, or streams it in two pieces. Voices are
 * kept per server (see `voiceRoutes`).
 */
export const audioRoutes: Route[] = [
  { method: "POST", path: "/v1/audio/transcriptions", handle: transcriptionPlan },
  { method: "POST", path: "/v1/audio/speech", handle: speechPlan },
  ...voiceRoutes,
];

interface TranscriptionForm {
  model: string;
  sentences: string[];
  language: string;
  withSegments: boolean;
  diarize: boolean;
  stream: boolean;
}

async function transcriptionPlan(call: IncomingCall): Promise<ResponsePlan> {
  const form = await readForm(call);
  const parsed = form === undefined ? notMultipart() : parseTranscriptionForm(form);
  if (Array.isArray(parsed)) return validationErrorPlan(parsed);
  const result = transcription(parsed);
  if (!parsed.stream) return jsonPlan(200, result);
  const words = result.text.split(/(?<= )/);
  return namedEventsPlan([
    { type: "transcription.language", audio_language: parsed.language },
    ...words.map((text) => ({ type: "transcription.text.delta", text })),
    ...result.segments.map(({ type: _type, ...segment }) => ({
      type: "transcription.segment",
      ...segment,
    })),
    { ...result, type: "transcription.done" },
  ]);
}

/** Parses a multipart body with the runtime's own form parser; undefined if it is not one. */
async function readForm(call: IncomingCall): Promise<FormData | undefined> {
  const contentType = call.headers["content-type"];
  if (contentType === undefined || !contentType.startsWith("multipart/form-data")) {
    return undefined;
  }

  try {
    const request = new Request("http://127.0.0.1/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: new Uint8Array(call.rawBody),
    });
    return await request.formData();
  } catch {
    return undefined;
  }
}

function notMultipart(): ValidationIssue[] {
  const msg = "Expected a multipart/form-data body";
  return [{ type: "value_error", loc: ["body"], msg, input: null }];
}

function parseTranscriptionForm(form: FormData): TranscriptionForm | ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const model = form.get("model");
  if (typeof model !== "string" || model === "") {
    issues.push({ type: "missing", loc: ["body", "model"], msg: "Field required", input: null });
  }

  const file = form.get("file");
  const fileURL = form.get("file_url");
  const fileId = form.get("file_id");
  const sources = [file, fileURL, fileId].filter((value) => value !== null);
  if (sources.length !== 1) {
    const msg = "Value error, exactly one of file, file_url or file_id must be provided";
    issues.push({ type: "value_error", loc: ["body"], msg, input: null });
  }

  const language = form.get("language") ?? "en";
  if (typeof language !== "string" || !/^\w{2}$/.test(language)) {
    const msg = "String should match pattern '^\\w{2}$'";
    issues.push({
      type: "string_pattern_mismatch",
      loc: ["body", "language"],
      msg,
      input: language,
    });
  }

  if (issues.length > 0) return issues;
  return {
    model: model as string,
    sentences: describeAudio(file, fileURL, fileId),
    language: language as string,
    withSegments: form.getAll("timestamp_granularities").includes("segment"),
    diarize: form.get("diarize") === "true",
    stream: form.get("stream") === "true",
  };
}

function describeAudio(
  file: FormDataEntryValue | null,
  fileURL: FormDataEntryValue | null,
  fileId: FormDataEntryValue | null,
): string[] {
  if (file !== null && typeof file !== "string") {
    return [`Transcript of ${file.name}.`, ` The upload has ${file.size} bytes.`];
  }

  if (typeof fileURL === "string") {
    const path = fileURL.split(/[?#]/, 1)[0]!;
    return [`Transcript of ${path.slice(path.lastIndexOf("/") + 1) || path}.`, " Fetched by URL."];
  }

  return [`Transcript of file ${String(fileId ?? file)}.`, " Read from the files API."];
}

function transcription(form: TranscriptionForm) {
  const text = form.sentences.join("");
  const segments = form.withSegments
    ? form.sentences.map((sentence, index) => ({
        type: "transcription_segment",
        text: sentence.trim(),
        start: index * secondsPerSentence,
        end: (index + 1) * secondsPerSentence,
        ...(form.diarize ? { speaker_id: `speaker_${(index % 2) + 1}` } : {}),
      }))
    : [];
  const completionTokens = text.split(/\s+/).filter(Boolean).length;
  const usage = {
    prompt_tokens: 4,
    completion_tokens: completionTokens,
    total_tokens: 4 + completionTokens,
    prompt_audio_seconds: form.sentences.length * secondsPerSentence,
  };
  return { model: form.model, text, language: form.language, segments, usage };
}

function speechPlan(call: IncomingCall): ResponsePlan {
  const body = (typeof call.body === "object" && call.body !== null ? call.body : {}) as JsonObject;
  if (typeof body.input !== "string") {
    return validationErrorPlan([
      { type: "missing", loc: ["body", "input"], msg: "Field required", input: null },
    ]);
  }

  const audio = silentWav(body.input.length);
  if (body.stream !== true) return jsonPlan(200, { audio_data: audio.toString("base64") });
  const words = body.input.split(/\s+/).filter(Boolean).length;
  const usage = { prompt_tokens: words, completion_tokens: 2, total_tokens: words + 2 };
  return namedEventsPlan([
    { type: "speech.audio.delta", audio_data: audio.subarray(0, 44).toString("base64") },
    { type: "speech.audio.delta", audio_data: audio.subarray(44).toString("base64") },
    { type: "speech.audio.done", usage },
  ]);
}

/**
 * Builds a WAV file (16-bit mono PCM at 8000 Hz) of silence: the 44-byte header, then two
 * samples per character of the input, at most 128 samples.
 */
export function silentWav(characters: number): Buffer {
  const dataBytes = Math.min(characters * 2, 128) * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  wav.write("RIFF", 0, "ascii");
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write("WAVEfmt ", 8, "ascii");
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16_000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36, "ascii");
  wav.writeUInt32LE(dataBytes, 40);
  return wav;
}

/** Sends each event with its `type` as the SSE `event:` field, then ends without `[DONE]`. */
function namedEventsPlan(events: Array<{ type: string } & JsonObject>): ResponsePlan {
  const chunks = events.map((event) =>
    Buffer.from(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
  );
  return {
    status: 200,
    headers: { "content-type": SSE_CONTENT_TYPE, "cache-control": "no-cache" },
    chunks,
    framing: "chunked",
  };
}
