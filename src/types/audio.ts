import type { OpenString, UsageInfo } from "./common.js";
import type { UploadFile } from "./files.js";

// Wire types of the audio API: transcription (POST /v1/audio/transcriptions, multipart), speech
// (POST /v1/audio/speech) and saved voices (/v1/audio/voices).

// ---- Transcription ----

export type TimestampGranularity = OpenString<"segment" | "word">;

/**
 * Body of a transcription request, sent as `multipart/form-data`. Give exactly one source:
 * `file`, `file_url` or `file_id`. The client sets `stream`.
 */
export interface TranscriptionRequest {
  /** A transcription model, for example `voxtral-mini-latest`. */
  model: string;
  /**
   * Audio to upload with the request: a path (Node.js only), a `File`, or `{ name, data }`. A path
   * or Blob is read while sending; a stream is read into memory first.
   */
  file?: UploadFile | null;
  /** URL of the audio, fetched by the server; at most 2083 characters. */
  file_url?: string | null;
  /** Id of an audio file uploaded earlier through the files API. */
  file_id?: string | null;
  /** Two-letter language code such as `en`. Default: detected. */
  language?: string | null;
  temperature?: number | null;
  /** Whether segments name their speaker in `speaker_id`. Default false. */
  diarize?: boolean;
  /** Words or names the model should favour; each without commas or whitespace. */
  context_bias?: string[];
  /** Granularity of the timestamps in the response. */
  timestamp_granularities?: TimestampGranularity[];
}

/** A stretch of the transcript with its position in the audio. */
export interface TranscriptionSegment {
  /** `"transcription_segment"`. */
  type?: string;
  text: string;
  /** In seconds from the start of the audio. */
  start: number;
  /** In seconds from the start of the audio. */
  end: number;
  score?: number | null;
  /** Present when `diarize` was true. */
  speaker_id?: string | null;
  [key: string]: unknown;
}

export interface TranscriptionResponse {
  model: string;
  text: string;
  /** Two-letter language code, given or detected. */
  language: string | null;
  segments?: TranscriptionSegment[];
  usage: UsageInfo;
  [key: string]: unknown;
}

/** The language of the audio, sent once it is known. */
export interface TranscriptionLanguageEvent {
  type: "transcription.language";
  /** Two-letter language code. */
  audio_language: string;
  [key: string]: unknown;
}

/** The next piece of transcript text. */
export interface TranscriptionTextDeltaEvent {
  type: "transcription.text.delta";
  text: string;
  [key: string]: unknown;
}

/** A finished segment with its timing. */
export interface TranscriptionSegmentEvent {
  type: "transcription.segment";
  text: string;
  /** In seconds from the start of the audio. */
  start: number;
  /** In seconds from the start of the audio. */
  end: number;
  speaker_id?: string | null;
  [key: string]: unknown;
}

/** The last event: the whole transcription, as the non-streamed call returns it. */
export interface TranscriptionDoneEvent extends TranscriptionResponse {
  type: "transcription.done";
}

/** An event of a type this version of the library does not define, kept as received. */
export interface UnknownAudioStreamEvent {
  type: string;
  [key: string]: unknown;
}

export type KnownTranscriptionStreamEvent =
  | TranscriptionLanguageEvent
  | TranscriptionTextDeltaEvent
  | TranscriptionSegmentEvent
  | TranscriptionDoneEvent;

/**
 * One event of a transcription stream: the JSON `data` of the server-sent event, whose `type` is
 * the event name. Comparing `type` to a known value does not narrow away
 * {@link UnknownAudioStreamEvent}, so narrow to {@link KnownTranscriptionStreamEvent} first when
 * the fields of a known event are needed.
 */
export type TranscriptionStreamEvent = KnownTranscriptionStreamEvent | UnknownAudioStreamEvent;

// ---- Speech ----

/** Encoding of generated audio. */
export type SpeechOutputFormat = OpenString<"pcm" | "wav" | "mp3" | "flac" | "opus">;

/** Body of a speech request, without `stream`, which the client sets. */
export interface SpeechRequest {
  /** Text to speak. */
  input: string;
  /** A speech model. Default: chosen by the server. */
  model?: string | null;
  /** A preset voice or the id of a saved voice. */
  voice_id?: string | null;
  /** Base64-encoded audio clip of the voice to imitate, instead of `voice_id`. */
  ref_audio?: string | null;
  /** Server default: `"mp3"`. */
  response_format?: SpeechOutputFormat;
}

export interface SpeechResponse {
  /** The audio, base64-encoded, in `response_format`. */
  audio_data: string;
  [key: string]: unknown;
}

/** The next piece of generated audio. */
export interface SpeechAudioDeltaEvent {
  type: "speech.audio.delta";
  /** Base64-encoded audio bytes. */
  audio_data: string;
  [key: string]: unknown;
}

/** The last event of a speech stream. */
export interface SpeechDoneEvent {
  type: "speech.audio.done";
  usage: UsageInfo;
  [key: string]: unknown;
}

export type KnownSpeechStreamEvent = SpeechAudioDeltaEvent | SpeechDoneEvent;

/** One event of a speech stream; see {@link TranscriptionStreamEvent} on narrowing. */
export type SpeechStreamEvent = KnownSpeechStreamEvent | UnknownAudioStreamEvent;

// ---- Voices ----

/** A saved voice, without its audio sample. */
export interface Voice {
  /** UUID. */
  id: string;
  name: string;
  slug?: string | null;
  /** Language codes the voice speaks. */
  languages?: string[];
  gender?: string | null;
  age?: number | null;
  tags?: string[] | null;
  color?: string | null;
  /** Server default: 30. */
  retention_notice?: number;
  /** ISO 8601 date and time. */
  created_at: string;
  user_id: string | null;
  [key: string]: unknown;
}

/** Body of a request that saves a voice from an audio sample. */
export interface VoiceCreateRequest {
  name: string;
  /** Base64-encoded audio sample. */
  sample_audio: string;
  /** Original file name of the sample, from which the server detects its format. */
  sample_filename?: string | null;
  slug?: string | null;
  languages?: string[];
  gender?: string | null;
  age?: number | null;
  tags?: string[] | null;
  color?: string | null;
  /** Server default: 30. */
  retention_notice?: number;
}

/** Fields of a voice to change; fields left out stay as they are. */
export interface VoiceUpdateRequest {
  name?: string | null;
  languages?: string[] | null;
  gender?: string | null;
  age?: number | null;
  tags?: string[] | null;
}

/** One page of the voice list, as the server returns it. */
export interface VoiceList {
  items: Voice[];
  /** Number of voices across all pages. */
  total: number;
  page: number;
  page_size: number;
  total_pages: number;
  [key: string]: unknown;
}

/** Paging of `voices.list()`; sent as `limit` and `offset`. */
export interface VoiceListParams {
  /** Voices per request. Default: 10. */
  pageSize?: number;
  /** Zero-based page to start from. Default: 0. */
  page?: number;
}
