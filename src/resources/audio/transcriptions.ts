import type { RequestOptions } from "../../core/client-options.js";
import { readJsonResponse, type WithResponseMeta } from "../../core/json-response.js";
import type { ApiResponse, Transport } from "../../core/transport.js";
import type {
  TranscriptionDoneEvent,
  TranscriptionRequest,
  TranscriptionResponse,
  TranscriptionStreamEvent,
} from "../../types/audio.js";
import { AudioEventStream } from "./audio-event-stream.js";
import { buildTranscriptionForm, checkTranscriptionRequest } from "./transcription-form.js";

const path = "/v1/audio/transcriptions";

/**
 * A streamed transcription. Iterate it for every event in order (`transcription.language`,
 * `transcription.text.delta`, `transcription.segment`, `transcription.done`, and types added
 * later), or use `textDeltas()`; `final()` resolves to the `transcription.done` event, which contains
 * the whole transcription.
 */
export class TranscriptionStream extends AudioEventStream<
  TranscriptionStreamEvent,
  TranscriptionDoneEvent
> {
  constructor(api: ApiResponse, maxLineBytes: number) {
    super(api, maxLineBytes, "transcription.done");
  }

  /** Yields the transcript text as it arrives. */
  async *textDeltas(): AsyncGenerator<string, void, undefined> {
    for await (const event of this) {
      if (event.type === "transcription.text.delta" && typeof event.text === "string") {
        yield event.text;
      }
    }
  }
}

/** Speech to text: `POST /v1/audio/transcriptions`, sent as `multipart/form-data`. */
export class Transcriptions {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Transcribes a file, given as an upload, a URL or a file id, and returns the whole text. */
  async create(
    request: TranscriptionRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<TranscriptionResponse>> {
    const api = await this.#send(request, false, options);
    return readJsonResponse<TranscriptionResponse>(api, this.#transport.config.maxResponseBytes);
  }

  /**
   * Sends the request with `stream=true` and returns the stream once the response headers
   * arrived. Failures before that are retried like `create()`.
   */
  async stream(
    request: TranscriptionRequest,
    options?: RequestOptions,
  ): Promise<TranscriptionStream> {
    const api = await this.#send(request, true, options);
    return new TranscriptionStream(api, this.#transport.config.maxStreamLineBytes);
  }

  async #send(
    request: TranscriptionRequest,
    stream: boolean,
    options: RequestOptions | undefined,
  ): Promise<ApiResponse> {
    checkTranscriptionRequest(request);
    // `extraBody` goes into the form, because the transport merges it into JSON bodies only.
    const { extraBody, ...sendOptions } = options ?? {};
    const maxUploadBytes = this.#transport.config.limits.maxUploadBytes;
    const body = await buildTranscriptionForm(request, stream, extraBody, maxUploadBytes);
    return this.#transport.send({ method: "POST", path, body, stream, options: sendOptions });
  }
}
