import type { Transport } from "../../core/transport.js";
import { Speech } from "./speech.js";
import { Transcriptions } from "./transcriptions.js";
import { Voices } from "./voices.js";

/** The audio API: speech to text, text to speech and saved voices. */
export class Audio {
  /** `POST /v1/audio/transcriptions`. */
  readonly transcriptions: Transcriptions;
  /** `POST /v1/audio/speech`. */
  readonly speech: Speech;
  /** `/v1/audio/voices`. */
  readonly voices: Voices;

  constructor(transport: Transport) {
    this.transcriptions = new Transcriptions(transport);
    this.speech = new Speech(transport);
    this.voices = new Voices(transport);
  }
}
