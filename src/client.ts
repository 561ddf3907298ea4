import type { ClientOptions, RequestOptions } from "./core/client-options.js";
import { type ResolvedConfig, resolveConfig, resolveEndpoint } from "./core/config.js";
import type { WithResponseMeta } from "./core/json-response.js";
import { type RawRequest, sendRawRequest, sendRawStreamRequest } from "./core/raw-request.js";
import type { ServerSentEvent } from "./core/sse-decoder.js";
import { Transport } from "./core/transport.js";
import { Agents } from "./resources/agents.js";
import { Audio } from "./resources/audio/audio.js";
import { Batch } from "./resources/batch.js";
import { Chat } from "./resources/chat/chat.js";
import { Classifiers } from "./resources/classifiers.js";
import { Conversations } from "./resources/conversations.js";
import { Embeddings } from "./resources/embeddings.js";
import { Files } from "./resources/files.js";
import { Fim } from "./resources/fim.js";
import { Libraries } from "./resources/libraries/libraries.js";
import { Models } from "./resources/models.js";
import { Ocr } from "./resources/ocr.js";
import type { AuditEventStream } from "./telemetry/audit-event-stream.js";
import { createTelemetry } from "./telemetry/create-telemetry.js";
import type { Metrics } from "./telemetry/metrics.js";
import { version } from "./version.js";

/**
 * Client of the Mistral AI API. Options left out come from `MISTRAL_API_KEY`,
 * `MISTRAL_BASE_URL`, `MISTRAL_TIMEOUT` (seconds) and `MISTRAL_MAX_RETRIES`. The key is kept in
 * a closure: no property, `util.inspect` or `JSON.stringify` of the client shows it.
 */
export class MistralClient {
  readonly agents: Agents;
  readonly audio: Audio;
  readonly batch: Batch;
  readonly chat: Chat;
  readonly classifiers: Classifiers;
  readonly conversations: Conversations;
  readonly embeddings: Embeddings;
  readonly files: Files;
  readonly fim: Fim;
  readonly libraries: Libraries;
  readonly models: Models;
  readonly ocr: Ocr;
  /** Counters and latency histograms of every call; empty when `telemetry: false`. */
  readonly metrics: Metrics;
  /** Audit events as an async iterable (bounded buffer); see also `telemetry.onEvent`. */
  readonly events: AuditEventStream;
  readonly #transport: Transport;
  readonly #config: ResolvedConfig;

  constructor(options?: ClientOptions) {
    this.#config = resolveConfig(options);
    const fimConfig = resolveEndpoint(this.#config, options?.endpoints?.fim, "fim");
    const telemetryOptions = options?.telemetry === false ? undefined : options?.telemetry;
    const telemetry = createTelemetry(telemetryOptions, {
      baseURL: this.#config.baseURL,
      fimBaseURL: fimConfig.baseURL,
      keyFingerprint: () => this.#config.apiKey.fingerprint,
    });
    this.metrics = telemetry.metrics;
    this.events = telemetry.events;
    if (options?.telemetry !== false) {
      this.#config.pipeline.observers.unshift(...telemetry.observers);
      this.#config.apiKey.trackFingerprint();
      fimConfig.apiKey.trackFingerprint();
    }

    const userAgent = `mistralai-ts/${version}`;
    this.#transport = new Transport(this.#config, userAgent);
    this.agents = new Agents(this.#transport);
    this.audio = new Audio(this.#transport);
    this.batch = new Batch(this.#transport);
    this.files = new Files(this.#transport);
    this.chat = new Chat(this.#transport);
    this.classifiers = new Classifiers(this.#transport);
    this.ocr = new Ocr(this.#transport);
    this.conversations = new Conversations(this.#transport);
    this.embeddings = new Embeddings(this.#transport);
    this.libraries = new Libraries(this.#transport);
    this.fim = new Fim(
      fimConfig === this.#config ? this.#transport : new Transport(fimConfig, userAgent),
    );
    this.models = new Models(this.#transport);
  }

  /** Base URL every request goes to, without a trailing slash. */
  get baseURL(): string {
    return this.#config.baseURL;
  }

  /** Sends any API operation through the same pipeline (retries, timeouts, errors). */
  request<T = unknown>(
    request: RawRequest & { stream?: false },
    options?: RequestOptions,
  ): Promise<WithResponseMeta<T>>;
  request(
    request: RawRequest & { stream: true },
    options?: RequestOptions,
  ): Promise<AsyncGenerator<ServerSentEvent, void, undefined>>;
  request(request: RawRequest, options?: RequestOptions): Promise<unknown> {
    if (request.stream === true) {
      return sendRawStreamRequest(this.#transport, request, options);
    }

    return sendRawRequest(this.#transport, { ...request, stream: false }, options);
  }

  toJSON(): Record<string, unknown> {
    return { baseURL: this.baseURL };
  }

  toString(): string {
    return `MistralClient(${this.baseURL})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `MistralClient { baseURL: '${this.baseURL}' }`;
  }
}
