import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import type { TranscriptionRequest } from "../../types/audio.js";
import { toUploadPart } from "./upload-file.js";

/** Fields that name where the audio comes from; a request sets exactly one. */
const sourceFields = ["file", "file_url", "file_id"] as const;

/** Wire names of the request fields, to point camelCase spellings to them. */
const wireNames = [
  "model",
  "file",
  "file_url",
  "file_id",
  "language",
  "temperature",
  "diarize",
  "context_bias",
  "timestamp_granularities",
];

/**
 * Checks a transcription request before anything is sent, listing each problem with its path:
 * the model, exactly one audio source, the language code and the `context_bias` words (each
 * without commas or whitespace, as the API requires).
 */
export function checkTranscriptionRequest(request: unknown): void {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }]);
  }

  const body = request as Record<string, unknown>;
  const problems: InputProblem[] = [];
  if (typeof body.model !== "string" || body.model.trim() === "") {
    problems.push({ path: "model", message: "is required: a non-empty string" });
  }

  const sources = sourceFields.filter((name) => body[name] !== undefined && body[name] !== null);
  if (sources.length !== 1) {
    const found = sources.length === 0 ? "none is set" : `${sources.join(" and ")} are set`;
    problems.push({
      path: "file",
      message: `set exactly one of file, file_url, file_id: ${found}`,
    });
  }

  if (body.language != null && !/^\w{2}$/.test(String(body.language))) {
    problems.push({ path: "language", message: "must be a two-letter code such as 'en'" });
  }

  checkContextBias(body.context_bias, problems);
  checkFieldNames(body, problems);
  if (problems.length > 0) {
    throw new ValidationError(problems);
  }
}

function checkContextBias(value: unknown, problems: InputProblem[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push({ path: "context_bias", message: "must be an array of words" });
    return;
  }

  value.forEach((word, index) => {
    if (typeof word !== "string" || !/^[^,\s]+$/.test(word)) {
      const message = "must be a non-empty word without commas or whitespace";
      problems.push({ path: `context_bias[${index}]`, message });
    }
  });
}

function checkFieldNames(body: Record<string, unknown>, problems: InputProblem[]): void {
  for (const name of Object.keys(body)) {
    if (name === "stream") {
      const message = "is set by the method: call stream() for a stream, create() otherwise";
      problems.push({ path: name, message });
      continue;
    }

    const snakeCase = name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    if (snakeCase !== name && wireNames.includes(snakeCase)) {
      problems.push({ path: name, message: `is not an API field: use ${snakeCase}` });
    }
  }
}

/**
 * Builds the multipart body: each set field as a text part (arrays as repeated parts, `null`
 * left out), `stream=true` for a stream, the fields of `extraBody`, then the file part last.
 */
export async function buildTranscriptionForm(
  request: TranscriptionRequest,
  stream: boolean,
  extraBody: Record<string, unknown> | undefined,
  maxUploadBytes = Number.POSITIVE_INFINITY,
): Promise<FormData> {
  const form = new FormData();
  for (const [name, value] of Object.entries(request)) {
    if (name !== "file") appendField(form, name, value);
  }

  if (stream) form.append("stream", "true");
  for (const [name, value] of Object.entries(extraBody ?? {})) {
    form.delete(name);
    appendField(form, name, value);
  }

  if (request.file !== undefined && request.file !== null) {
    const part = await toUploadPart(request.file, "file");
    if (part.blob.size > maxUploadBytes) {
      throw new ValidationError([
        {
          path: "file",
          message:
            `${JSON.stringify(part.filename)} has ${part.blob.size} bytes, more than ` +
            `limits.maxUploadBytes (${maxUploadBytes}): raise the limit only for a server that ` +
            "accepts larger files",
        },
      ]);
    }

    form.append("file", part.blob, part.filename);
  }

  return form;
}

function appendField(form: FormData, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) appendField(form, name, item);
    return;
  }

  form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
}
