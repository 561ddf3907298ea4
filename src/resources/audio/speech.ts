import type { RequestOptions } from "../../core/client-options.js";
import { ValidationError } from "../../core/errors/client-errors.js";
import { StreamError } from "../../core/errors/transport-errors.js";
import { readJsonResponse, type WithResponseMeta } from "../../core/json-response.js";
import type { ApiResponse, Transport } from "../../core/transport.js";
import type {
  SpeechDoneEvent,
  SpeechRequest,
  SpeechResponse,
  SpeechStreamEvent,
} from "../../types/audio.js";
import { AudioEventStream } from "./audio-event-stream.js";
import { decodeBase64 } from "./base64.js";

const path = "/v1/audio/speech";

/**
 * A streamed speech generation. Iterate it for every event in order (`speech.audio.delta`,
 * `speech.audio.done`, and types added later), or use `audioChunks()` for the decoded audio;
 * `final()` resolves to the `speech.audio.done` event with the usage.
 */
export class SpeechStream extends AudioEventStream<SpeechStreamEvent, SpeechDoneEvent> {
  constructor(api: ApiResponse, maxLineBytes: number) {
    super(api, maxLineBytes, "speech.audio.done");
  }

  /** Yields each piece of audio, decoded from base64, in `response_format`. */
  async *audioChunks(): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const event of this) {
      if (event.type === "speech.audio.delta" && typeof event.audio_data === "string") {
        yield decodeBase64(event.audio_data, "audio_data of a speech.audio.delta event");
      }
    }
  }
}

/** Text to speech: `POST /v1/audio/speech`. */
export class Speech {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Generates speech and returns the whole audio, base64-encoded in `audio_data`. */
  async create(
    request: SpeechRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<SpeechResponse>> {
    const api = await this.#send(request, false, options);
    return readJsonResponse<SpeechResponse>(api, this.#transport.config.maxResponseBytes);
  }

  /** Generates speech and returns the audio as bytes, decoded from `audio_data`. */
  async createAudio(request: SpeechRequest, options?: RequestOptions): Promise<Uint8Array> {
    const response = await this.create(request, options);
    if (typeof response.audio_data !== "string") {
      throw new StreamError("The speech response has no audio_data string: check baseURL", {
        requestId: response.requestId,
      });
    }

    return decodeBase64(response.audio_data, "audio_data of the speech response");
  }

  /** Sends the request with `stream: true` and returns the stream once headers arrived. */
  async stream(request: SpeechRequest, options?: RequestOptions): Promise<SpeechStream> {
    const api = await this.#send(request, true, options);
    return new SpeechStream(api, this.#transport.config.maxStreamLineBytes);
  }

  #send(
    request: SpeechRequest,
    stream: boolean,
    options: RequestOptions | undefined,
  ): Promise<ApiResponse> {
    checkSpeechRequest(request);
    const body = stream ? { ...request, stream: true } : request;
    return this.#transport.send({ method: "POST", path, body, stream, options });
  }
}

function checkSpeechRequest(request: unknown): void {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }]);
  }

  const body = request as Record<string, unknown>;
  const problems = [];
  if (typeof body.input !== "string") {
    problems.push({ path: "input", message: "is required: the text to speak" });
  }

  if ("stream" in body) {
    const message = "is set by the method: call stream() for a stream, create() otherwise";
    problems.push({ path: "stream", message });
  }

  if (problems.length > 0) {
    throw new ValidationError(problems);
  }
}
