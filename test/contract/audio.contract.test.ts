import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Audio } from "../../src/resources/audio/audio.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { audioRoutes, silentWav } from "../../src/testing/routes/audio.js";
import type {
  SpeechRequest,
  TranscriptionRequest,
  VoiceCreateRequest,
  VoiceUpdateRequest,
} from "../../src/types/audio.js";
import {
  requestSchemaValidator,
  responseSchemaValidator,
  schemaValidator,
  type Validator,
} from "./spec.js";

const apiKey = "sk-audio-contract-key";
const model = "voxtral-mini-latest";
const audioFile = new File([new Uint8Array([0x49, 0x44, 0x33, 0x04])], "memo.mp3", {
  type: "audio/mpeg",
});

const transcriptions: Record<string, TranscriptionRequest> = {
  upload: { model, file: audioFile },
  "file URL": { model, file_url: "https://example.com/call.wav" },
  "file id": { model, file_id: "0b6a9c1e-3f2d-4e5a-9b8c-7d6e5f4a3b21" },
  "every field": {
    model,
    file: audioFile,
    language: "en",
    temperature: 0,
    diarize: true,
    context_bias: ["Mistral", "Voxtral"],
    timestamp_granularities: ["segment"],
  },
};

const speechRequests: Record<string, SpeechRequest> = {
  minimal: { input: "Hello" },
  "every field": {
    model: "voxtral-tts-latest",
    input: "Hello there",
    voice_id: "narrator",
    response_format: "wav",
  },
  "reference audio": { input: "Hi", ref_audio: "UklGRg==", model: null, voice_id: null },
};

const voiceCreates: Record<string, VoiceCreateRequest> = {
  minimal: { name: "Guide", sample_audio: silentWav(2).toString("base64") },
  "every field": {
    name: "Narrator",
    sample_audio: silentWav(4).toString("base64"),
    sample_filename: "narrator.wav",
    slug: "narrator",
    languages: ["en"],
    gender: "female",
    age: 40,
    tags: ["calm"],
    color: "#336699",
    retention_notice: 7,
  },
};

const voiceUpdate: VoiceUpdateRequest = {
  name: "Tour guide",
  languages: ["en", "fr"],
  gender: null,
  age: 35,
  tags: null,
};

interface CapturedReply {
  method: string;
  path: string;
  status: number;
  contentType: string;
  text: string;
}

let server: MockMistralServer;
let audio: Audio;
const replies: CapturedReply[] = [];

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: audioRoutes });
  const config = resolveConfig(
    {
      apiKey,
      baseURL: server.url,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        replies.push({
          method: init?.method ?? "GET",
          path: new URL(input instanceof Request ? input.url : input).pathname,
          status: response.status,
          contentType: response.headers.get("content-type") ?? "",
          text: await response.clone().text(),
        });
        return response;
      },
    },
    {},
  );
  audio = new Audio(new Transport(config, "mistralai-ts/contract-test"));
});

afterAll(async () => {
  await server.close();
});

/** Field types of the transcription form, to turn its text parts back into JSON values. */
const formFieldTypes: Record<string, "number" | "boolean" | "array"> = {
  temperature: "number",
  diarize: "boolean",
  stream: "boolean",
  context_bias: "array",
  timestamp_granularities: "array",
};

/**
 * Parses a recorded multipart body into the object the spec's form schema describes: numbers and
 * booleans from their text, repeated parts as arrays, and the file part as its name (the schema
 * types it as a binary string).
 */
async function formObject(request: RecordedRequest): Promise<Record<string, unknown>> {
  const form = await new Request("http://127.0.0.1/", {
    method: "POST",
    headers: { "content-type": request.headers["content-type"] ?? "" },
    body: new Uint8Array(request.rawBody),
  }).formData();
  const value: Record<string, unknown> = {};
  for (const name of new Set(form.keys())) {
    const parts = form.getAll(name).map((part) => (typeof part === "string" ? part : part.name));
    const type = formFieldTypes[name];
    if (type === "array") value[name] = parts;
    else if (type === "number") value[name] = Number(parts[0]);
    else if (type === "boolean") value[name] = parts[0] === "true";
    else value[name] = parts[0];
  }

  return value;
}

/** Splits an event stream into `{ event, data }` objects, the shape the spec describes. */
function streamEvents(text: string): Array<{ event: string | undefined; data: unknown }> {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((line) => line.startsWith("event: "))?.slice(7);
      const data = lines.find((line) => line.startsWith("data: "))?.slice(6) ?? "null";
      return { event, data: JSON.parse(data) };
    });
}

function expectValid(validate: Validator, value: unknown, label: string): void {
  expect(validate(value).errors, label).toEqual([]);
}

describe("transcription contract", () => {
  it("sent forms validate against the form schemas", async () => {
    for (const [name, request] of Object.entries(transcriptions)) {
      server.reset();
      await audio.transcriptions.create(request);
      const sent = await formObject(server.requests[0]!);
      expectValid(schemaValidator("AudioTranscriptionRequest"), sent, name);

      server.reset();
      await (await audio.transcriptions.stream(request)).final();
      const streamed = await formObject(server.requests[0]!);
      expect(streamed.stream, name).toBe(true);
      expectValid(schemaValidator("AudioTranscriptionRequestStream"), streamed, name);
    }
  });

  it("replies and stream events validate", async () => {
    const validateReply = responseSchemaValidator("POST", "/v1/audio/transcriptions");
    const validateEvent = responseSchemaValidator(
      "POST",
      "/v1/audio/transcriptions",
      200,
      "text/event-stream",
    );
    for (const [name, request] of Object.entries(transcriptions)) {
      replies.length = 0;
      await audio.transcriptions.create(request);
      await (await audio.transcriptions.stream(request)).final();

      const [json, stream] = replies;
      expect(json?.status, name).toBe(200);
      expectValid(validateReply, JSON.parse(json!.text), name);
      expect(stream?.contentType, name).toMatch(/^text\/event-stream/);
      const events = streamEvents(stream!.text);
      expect(events.length, name).toBeGreaterThan(2);
      for (const event of events) {
        expectValid(validateEvent, event, `${name} ${event.event}`);
      }
    }
  });
});

describe("speech contract", () => {
  it("bodies validate", async () => {
    const validate = requestSchemaValidator("POST", "/v1/audio/speech");
    for (const [name, request] of Object.entries(speechRequests)) {
      server.reset();
      await audio.speech.create(request);
      await (await audio.speech.stream(request)).final();
      const [plain, streamed] = server.requests.map((sent) => sent.body);
      expect(plain, name).toEqual(request);
      expect(streamed, name).toEqual({ ...request, stream: true });
      expectValid(validate, plain, name);
      expectValid(validate, streamed, `${name} stream`);
    }
  });

  it("replies and stream events validate", async () => {
    const validateReply = responseSchemaValidator(
      "POST",
      "/v1/audio/speech",
      200,
      "application/json",
    );
    const validateEvent = responseSchemaValidator(
      "POST",
      "/v1/audio/speech",
      200,
      "text/event-stream",
    );
    replies.length = 0;
    await audio.speech.create(speechRequests["every field"]!);
    await (await audio.speech.stream(speechRequests["every field"]!)).final();

    const [json, stream] = replies;
    expectValid(validateReply, JSON.parse(json!.text), "speech");
    const events = streamEvents(stream!.text);
    expect(events.map((event) => event.event)).toEqual([
      "speech.audio.delta",
      "speech.audio.delta",
      "speech.audio.done",
    ]);
    for (const event of events) {
      expectValid(validateEvent, event, `speech ${event.event}`);
    }
  });
});

describe("voices contract", () => {
  it("bodies validate", () => {
    const validateCreate = requestSchemaValidator("POST", "/v1/audio/voices");
    for (const [name, request] of Object.entries(voiceCreates)) {
      expectValid(validateCreate, request, name);
    }

    const validateUpdate = requestSchemaValidator("PATCH", "/v1/audio/voices/any");
    expectValid(validateUpdate, voiceUpdate, "update");
  });

  it("every JSON reply validates", async () => {
    server.reset();
    replies.length = 0;
    const created = [];
    for (const request of Object.values(voiceCreates)) {
      created.push(await audio.voices.create(request));
    }

    const id = created[1]!.id;
    await audio.voices.list({ pageSize: 1 }).toArray();
    await audio.voices.retrieve(id);
    await audio.voices.update(id, voiceUpdate);
    await audio.voices.sample(id);
    await audio.voices.delete(id);

    const sent = server.requests.map((request) => request.body).filter(Boolean);
    expect(sent).toEqual([...Object.values(voiceCreates), voiceUpdate]);
    const json = replies.filter((reply) => reply.contentType.startsWith("application/json"));
    expect(json.length).toBe(replies.length - 1);
    for (const reply of json) {
      const label = `${reply.method} ${reply.path}`;
      expect(reply.status, label).toBe(200);
      expectValid(responseSchemaValidator(reply.method, reply.path), JSON.parse(reply.text), label);
    }

    const sample = replies.find((reply) => reply.path.endsWith("/sample"));
    expect(sample?.contentType).toBe("audio/wav");
  });
});
