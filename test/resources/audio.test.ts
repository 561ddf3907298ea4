import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import {
  AbortError,
  InternalServerError,
  isMistralError,
  MistralClient,
  StreamError,
  ValidationError,
} from "../../src/index.js";
import { Audio } from "../../src/resources/audio/audio.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { audioRoutes, silentWav } from "../../src/testing/routes/audio.js";
import type { TranscriptionRequest } from "../../src/types/audio.js";
import { captureRejection, drain } from "../helpers/error-capture.js";

const apiKey = "audio-test-key";
const model = "voxtral-mini-latest";
const mp3Bytes = new Uint8Array([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a]);

let server: MockMistralServer;
let audio: Audio;
let directory: string;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: audioRoutes });
  const config = resolveConfig(
    { apiKey, baseURL: server.url, maxRetries: 2, retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    {},
  );
  audio = new Audio(new Transport(config, "mistralai-ts/test"));
  directory = await mkdtemp(join(tmpdir(), "mistralai-audio-"));
});

afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

beforeEach(() => {
  server.reset();
});

/** Forgets the recorded requests but keeps the stored voices, unlike `server.reset()`. */
function forgetRequests(): void {
  server.requests.length = 0;
}

function onlyRequest(): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

/** Parses the multipart body of a recorded request with the runtime's form parser. */
async function sentForm(request: RecordedRequest): Promise<FormData> {
  const parser = new Request("http://127.0.0.1/", {
    method: "POST",
    headers: { "content-type": request.headers["content-type"] ?? "" },
    body: new Uint8Array(request.rawBody),
  });
  return parser.formData();
}

/** Collects the text fields of a form, with the values of a repeated name in order. */
function textFields(form: FormData): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string") continue;
    const values = fields[name] ?? [];
    values.push(value);
    fields[name] = values;
  }

  return fields;
}

/** Builds a stream body whose events are written one per write, as the API sends them. */
function eventWrites(events: Array<[name: string | undefined, data: string]>): string[] {
  return events.map(
    ([name, data]) => `${name === undefined ? "" : `event: ${name}\n`}data: ${data}\n\n`,
  );
}

describe("transcriptions.create", () => {
  it("sends an upload with every field", async () => {
    const file = new File([mp3Bytes], "standup.mp3", { type: "audio/mpeg" });
    const response = await audio.transcriptions.create({
      model,
      file,
      language: "fr",
      temperature: 0.2,
      diarize: true,
      context_bias: ["Mistral", "Voxtral"],
      timestamp_granularities: ["segment"],
    });

    const sent = onlyRequest();
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/audio/transcriptions");
    expect(sent.query).toEqual({});
    expect(sent.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const form = await sentForm(sent);
    expect(textFields(form)).toEqual({
      model: [model],
      language: ["fr"],
      temperature: ["0.2"],
      diarize: ["true"],
      context_bias: ["Mistral", "Voxtral"],
      timestamp_granularities: ["segment"],
    });
    const part = form.get("file") as File;
    expect(part.name).toBe("standup.mp3");
    expect(part.type).toBe("audio/mpeg");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(mp3Bytes);

    expect(response.model).toBe(model);
    expect(response.text).toBe("Transcript of standup.mp3. The upload has 10 bytes.");
    expect(response.language).toBe("fr");
    expect(response.segments?.map((segment) => segment.speaker_id)).toEqual([
      "speaker_1",
      "speaker_2",
    ]);
    expect(response.segments?.[1]).toMatchObject({ start: 2, end: 4 });
    expect(response.usage.prompt_audio_seconds).toBe(4);
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends a file URL without a file part", async () => {
    const response = await audio.transcriptions.create({
      model,
      file_url: "https://example.com/calls/call-42.wav",
    });

    const form = await sentForm(onlyRequest());
    expect(textFields(form)).toEqual({
      model: [model],
      file_url: ["https://example.com/calls/call-42.wav"],
    });
    expect(form.has("file")).toBe(false);
    expect(response.text).toContain("call-42.wav");
    expect(response.segments).toEqual([]);
  });

  it("sends a file id", async () => {
    const fileId = "0b6a9c1e-3f2d-4e5a-9b8c-7d6e5f4a3b21";
    const response = await audio.transcriptions.create({ model, file_id: fileId, file: null });

    expect(textFields(await sentForm(onlyRequest()))).toEqual({
      model: [model],
      file_id: [fileId],
    });
    expect(response.text).toContain(fileId);
  });

  it("reads a path while sending", async () => {
    const path = join(directory, "memo.wav");
    await writeFile(path, mp3Bytes);
    await audio.transcriptions.create({ model, file: path });

    const part = (await sentForm(onlyRequest())).get("file") as File;
    expect(part.name).toBe("memo.wav");
    expect(part.type).toBe("audio/wav");
    expect(part.size).toBe(mp3Bytes.byteLength);
  });

  it("renames a path upload", async () => {
    const path = join(directory, "raw.bin");
    await writeFile(path, mp3Bytes);
    await audio.transcriptions.create({ model, file: { path, name: "meeting.ogg" } });

    const part = (await sentForm(onlyRequest())).get("file") as File;
    expect(part.name).toBe("meeting.ogg");
    expect(part.type).toBe("audio/ogg");
  });

  it("buffers a stream upload", async () => {
    const data = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(mp3Bytes.subarray(0, 4));
        controller.enqueue(mp3Bytes.subarray(4));
        controller.close();
      },
    });
    await audio.transcriptions.create({ model, file: { name: "live.mp3", data } });

    const part = (await sentForm(onlyRequest())).get("file") as File;
    expect(part.name).toBe("live.mp3");
    expect(part.type).toBe("audio/mpeg");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(mp3Bytes);
  });

  it("adds extraBody fields to the form", async () => {
    await audio.transcriptions.create(
      { model, file_id: "f-1" },
      { extraBody: { prompt_mode: "fast", speakers: [1, 2] } },
    );

    expect(textFields(await sentForm(onlyRequest()))).toEqual({
      model: [model],
      file_id: ["f-1"],
      prompt_mode: ["fast"],
      speakers: ["1", "2"],
    });
  });

  it("retries a 503 with the same form", async () => {
    server.enqueue({
      match: { path: "/v1/audio/transcriptions" },
      status: 503,
      body: { object: "error", message: "busy", type: "service_unavailable", code: null },
    });
    const file = new File([mp3Bytes], "retry.mp3");
    const response = await audio.transcriptions.create({ model, file });

    expect(server.requests).toHaveLength(2);
    const part = (await sentForm(server.requests[1]!)).get("file") as File;
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(mp3Bytes);
    expect(response.text).toContain("retry.mp3");
  });
});

describe("transcription request checks", () => {
  async function problemsOf(request: unknown): Promise<string[]> {
    const error = await captureRejection(
      audio.transcriptions.create(request as TranscriptionRequest),
    );
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems.map(
      (problem) => `${problem.path}: ${problem.message}`,
    );
  }

  it("no audio source", async () => {
    expect(await problemsOf({ model })).toEqual([
      "file: set exactly one of file, file_url, file_id: none is set",
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it("two audio sources", async () => {
    expect(await problemsOf({ model, file_id: "a", file_url: "https://x.test/a.mp3" })).toEqual([
      "file: set exactly one of file, file_url, file_id: file_url and file_id are set",
    ]);
  });

  it("bad fields listed together", async () => {
    const problems = await problemsOf({
      file_id: "a",
      language: "french",
      context_bias: ["ok", "two words", "a,b"],
      fileUrl: "https://x.test/a.mp3",
      stream: true,
    });

    expect(problems).toEqual([
      "model: is required: a non-empty string",
      "language: must be a two-letter code such as 'en'",
      "context_bias[1]: must be a non-empty word without commas or whitespace",
      "context_bias[2]: must be a non-empty word without commas or whitespace",
      "fileUrl: is not an API field: use file_url",
      "stream: is set by the method: call stream() for a stream, create() otherwise",
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it("missing path fails before sending", async () => {
    const error = await captureRejection(
      audio.transcriptions.create({ model, file: join(directory, "missing.mp3") }),
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain("does not exist");
    expect(server.requests).toHaveLength(0);
  });
});

describe("transcriptions.stream", () => {
  it("events arrive in order", async () => {
    const stream = await audio.transcriptions.stream({
      model,
      file: new File([mp3Bytes], "standup.mp3"),
      timestamp_granularities: ["segment"],
    });
    const { items, error } = await drain(stream);

    expect(error).toBeUndefined();
    const fields = textFields(await sentForm(onlyRequest()));
    expect(fields.stream).toEqual(["true"]);
    expect(onlyRequest().headers.accept).toBe("text/event-stream");
    const types = items.map((event) => event.type);
    expect(types[0]).toBe("transcription.language");
    expect(types.at(-1)).toBe("transcription.done");
    expect(types.slice(-3, -1)).toEqual(["transcription.segment", "transcription.segment"]);
    expect(types.slice(1, -3).every((type) => type === "transcription.text.delta")).toBe(true);
    const text = items
      .filter((event) => event.type === "transcription.text.delta")
      .map((event) => event.text)
      .join("");
    expect(text).toBe("Transcript of standup.mp3. The upload has 10 bytes.");
    expect(await stream.final()).toMatchObject({ type: "transcription.done", text });
  });

  it("textDeltas and final agree", async () => {
    const stream = await audio.transcriptions.stream({ model, file_id: "f-9" });
    let text = "";
    for await (const delta of stream.textDeltas()) text += delta;
    const done = await stream.final();

    expect(text).toBe("Transcript of file f-9. Read from the files API.");
    expect(done.text).toBe(text);
    expect(done.usage.total_tokens).toBeGreaterThan(0);
  });

  it("final reads an unread stream", async () => {
    const stream = await audio.transcriptions.stream({ model, file_id: "f-9" });
    const done = await stream.final();

    expect(done.type).toBe("transcription.done");
    expect(done.language).toBe("en");
  });

  it("unknown events pass through", async () => {
    server.enqueue({
      writes: eventWrites([
        ["transcription.language", '{"type":"transcription.language","audio_language":"en"}'],
        ["transcription.keepalive", '{"type":"transcription.keepalive","seq":1}'],
        ["transcription.text.delta", '{"type":"transcription.text.delta","text":"Hi"}'],
        ["transcription.text.delta", '{"text":" there"}'],
        [undefined, '{"note":"no name"}'],
        [
          "transcription.done",
          '{"type":"transcription.done","model":"voxtral-mini-2507","text":"Hi there",' +
            '"language":"en","segments":[],' +
            '"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}',
        ],
      ]),
    });
    const stream = await audio.transcriptions.stream({ model, file_id: "f-1" });
    const { items, error } = await drain(stream);

    expect(error).toBeUndefined();
    expect(items).toEqual([
      { type: "transcription.language", audio_language: "en" },
      { type: "transcription.keepalive", seq: 1 },
      { type: "transcription.text.delta", text: "Hi" },
      { type: "transcription.text.delta", text: " there" },
      { type: "message", note: "no name" },
      expect.objectContaining({ type: "transcription.done", text: "Hi there" }),
    ]);
    expect((await stream.final()).model).toBe("voxtral-mini-2507");
  });

  it("a body cut before done fails", async () => {
    server.enqueue({
      writes: eventWrites([
        ["transcription.text.delta", '{"type":"transcription.text.delta","text":"Hi"}'],
      ]),
    });
    const stream = await audio.transcriptions.stream({ model, file_id: "f-1" });
    const { items, error } = await drain(stream);

    expect(items).toHaveLength(1);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain("ended before its transcription.done event");
    await expect(stream.final()).rejects.toBeInstanceOf(StreamError);
  });

  it("an error event fails the stream", async () => {
    server.enqueue({
      writes: eventWrites([["error", '{"object":"error","message":"Audio could not be decoded"}']]),
    });
    const stream = await audio.transcriptions.stream({ model, file_id: "f-1" });
    const { error } = await drain(stream);

    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain("Audio could not be decoded");
  });

  it("a DONE sentinel before done fails", async () => {
    server.enqueue({
      writes: eventWrites([
        ["transcription.text.delta", '{"type":"transcription.text.delta","text":"Hi"}'],
        [undefined, "[DONE]"],
      ]),
    });
    const stream = await audio.transcriptions.stream({ model, file_id: "f-1" });
    const { error } = await drain(stream);

    expect(error).toBeInstanceOf(StreamError);
  });

  it("leaving early rejects final", async () => {
    const stream = await audio.transcriptions.stream({ model, file_id: "f-1" });
    for await (const _event of stream) break;

    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
  });

  it("reads a stream once", async () => {
    const stream = await audio.transcriptions.stream({ model, file_id: "f-1" });
    await stream.final();

    expect(() => stream[Symbol.asyncIterator]()).toThrow("already iterated");
  });
});

describe("speech", () => {
  it("create sends the body as set", async () => {
    const request = {
      model: "voxtral-tts-latest",
      input: "Hello there",
      voice_id: "alloy",
      response_format: "wav",
    };
    const response = await audio.speech.create(request);

    const sent = onlyRequest();
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/audio/speech");
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.body).toEqual(request);
    expect(Buffer.from(response.audio_data, "base64").equals(silentWav(11))).toBe(true);
  });

  it("createAudio decodes the bytes", async () => {
    const bytes = await audio.speech.createAudio({ input: "Hi" });

    expect(Buffer.from(bytes).equals(silentWav(2))).toBe(true);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("RIFF");
  });

  it("stream yields audio chunks", async () => {
    const stream = await audio.speech.stream({ input: "Hello there", ref_audio: "UklGRg==" });
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream.audioChunks()) chunks.push(chunk);
    const done = await stream.final();

    expect(onlyRequest().body).toEqual({
      input: "Hello there",
      ref_audio: "UklGRg==",
      stream: true,
    });
    expect(chunks).toHaveLength(2);
    expect(Buffer.concat(chunks).equals(silentWav(11))).toBe(true);
    expect(done).toEqual({
      type: "speech.audio.done",
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
  });

  it("missing input fails before sending", async () => {
    const error = await captureRejection(audio.speech.create({} as never));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems[0]?.path).toBe("input");
    expect(server.requests).toHaveLength(0);
  });

  it("missing audio_data is a StreamError", async () => {
    server.enqueue({ body: { audio: "UklGRg==" } });
    const error = await captureRejection(audio.speech.createAudio({ input: "Hi" }));

    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain("no audio_data");
  });

  it("invalid base64 is a StreamError", async () => {
    server.enqueue({ body: { audio_data: "%%%" } });
    const error = await captureRejection(audio.speech.createAudio({ input: "Hi" }));

    expect(error).toBeInstanceOf(StreamError);
  });
});

describe("voices", () => {
  const sample = new Uint8Array(silentWav(4));
  const sampleBase64 = Buffer.from(sample).toString("base64");

  it("create sends the body as set", async () => {
    const request = {
      name: "Narrator",
      sample_audio: sampleBase64,
      sample_filename: "narrator.wav",
      languages: ["en", "fr"],
      gender: "female",
      age: 40,
      tags: ["calm"],
      retention_notice: 7,
    };
    const voice = await audio.voices.create(request);

    const sent = onlyRequest();
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/audio/voices");
    expect(sent.body).toEqual(request);
    expect(voice.name).toBe("Narrator");
    expect(voice.languages).toEqual(["en", "fr"]);
    expect(voice.retention_notice).toBe(7);
    expect(voice.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("create is not retried after a 500", async () => {
    server.enqueue({
      match: { method: "POST", path: "/v1/audio/voices" },
      status: 500,
      body: { object: "error", message: "boom", type: "internal_error", code: null },
    });
    const error = await captureRejection(
      audio.voices.create({ name: "Once", sample_audio: sampleBase64 }),
    );

    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it("create checks required fields", async () => {
    const error = await captureRejection(audio.voices.create({} as never));

    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).problems.map((problem) => problem.path);
    expect(paths).toEqual(["name", "sample_audio"]);
  });

  it("retrieve, update, sample, delete", async () => {
    const created = await audio.voices.create({ name: "Guide", sample_audio: sampleBase64 });
    forgetRequests();

    const fetched = await audio.voices.retrieve(created.id);
    expect(server.requests[0]).toMatchObject({
      method: "GET",
      path: `/v1/audio/voices/${created.id}`,
    });
    expect(fetched).toEqual(created);

    const updated = await audio.voices.update(created.id, { name: "Tour guide", tags: null });
    expect(server.requests[1]).toMatchObject({
      method: "PATCH",
      path: `/v1/audio/voices/${created.id}`,
      body: { name: "Tour guide", tags: null },
    });
    expect(updated.name).toBe("Tour guide");

    const blob = await audio.voices.sample(created.id);
    expect(server.requests[2]).toMatchObject({
      method: "GET",
      path: `/v1/audio/voices/${created.id}/sample`,
    });
    expect(server.requests[2]!.headers.accept).toBe("audio/wav, application/json;q=0.5");
    expect(blob.type).toBe("audio/wav");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(sample);
    expect(blob.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const deleted = await audio.voices.delete(created.id);
    expect(server.requests[3]).toMatchObject({
      method: "DELETE",
      path: `/v1/audio/voices/${created.id}`,
    });
    expect(deleted.name).toBe("Tour guide");
    await expect(audio.voices.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it("sample sent as JSON is decoded", async () => {
    server.enqueue({ body: JSON.stringify(sampleBase64) });
    const blob = await audio.voices.sample("any-voice");

    expect(blob.type).toBe("audio/wav");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(sample);
  });

  it("list pages with limit and offset", async () => {
    const names = ["Voice A", "Voice B", "Voice C"];
    for (const name of names) {
      await audio.voices.create({ name, sample_audio: sampleBase64 });
    }

    forgetRequests();
    const listed = await audio.voices.list({ pageSize: 2 }).toArray();

    expect(listed.map((voice) => voice.name)).toEqual(names);
    expect(server.requests[0]).toMatchObject({
      method: "GET",
      path: "/v1/audio/voices",
      query: { limit: "2", offset: "0" },
    });
    expect(server.requests[1]?.query).toEqual({ limit: "2", offset: "2" });
    expect(server.requests.every((request) => request.body === undefined)).toBe(true);
  });

  it("list reads one page", async () => {
    for (const name of ["First", "Second", "Third"]) {
      await audio.voices.create({ name, sample_audio: sampleBase64 });
    }

    forgetRequests();
    const page = await audio.voices.list({ pageSize: 1, page: 1 }).page();

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.query).toEqual({ limit: "1", offset: "1" });
    expect(page.items.map((voice) => voice.name)).toEqual(["Second"]);
    expect(page.total).toBe(3);
    expect(page.hasMore).toBe(true);
  });
});

describe("transcription upload limit", () => {
  it("rejects a file over limits.maxUploadBytes before sending", async () => {
    const server = await MockMistralServer.start({ apiKey: "limit-key" });
    try {
      const client = new MistralClient({
        apiKey: "limit-key",
        baseURL: server.url,
        limits: { maxUploadBytes: 1024 },
      });
      const error = await client.audio.transcriptions
        .create({
          model: "voxtral-mini-latest",
          file: { name: "big.wav", data: new Uint8Array(2048) },
        })
        .catch((caught: unknown) => caught);
      expect(isMistralError(error, "validation")).toBe(true);
      expect(String(error)).toContain("limits.maxUploadBytes");
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
