import type { RequestOptions } from "../../core/client-options.js";
import { ValidationError } from "../../core/errors/client-errors.js";
import { StreamError } from "../../core/errors/transport-errors.js";
import { attachMeta, readJsonResponse, type WithResponseMeta } from "../../core/json-response.js";
import { PagedList } from "../../core/pagination.js";
import { apiPath } from "../../core/path.js";
import type { ApiRequest, Transport } from "../../core/transport.js";
import type {
  Voice,
  VoiceCreateRequest,
  VoiceList,
  VoiceListParams,
  VoiceUpdateRequest,
} from "../../types/audio.js";
import { decodeBase64 } from "./base64.js";
import { readBoundedBytes } from "./binary-response.js";

/** Voices per page when the caller sets none; the server's own default. */
const defaultPageSize = 10;

/** Saved voices for speech: `/v1/audio/voices`. */
export class Voices {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Lists the voices, one page per request (`limit` and `offset` on the wire). Nothing is fetched
   * until the list is iterated or a page is read.
   */
  list(params: VoiceListParams = {}, options?: RequestOptions): PagedList<Voice> {
    const pageSize = params.pageSize ?? defaultPageSize;
    return new PagedList<Voice>(
      async (page, size) => {
        const query = { limit: size, offset: page * size };
        const list = await this.#json<VoiceList>(
          { method: "GET", path: "/v1/audio/voices", query },
          options,
        );
        return { items: list.items, total: list.total, raw: list };
      },
      params.page ?? 0,
      pageSize,
    );
  }

  /** Returns one voice, without its sample. */
  async retrieve(voiceId: string, options?: RequestOptions): Promise<WithResponseMeta<Voice>> {
    return this.#json({ method: "GET", path: apiPath`/v1/audio/voices/${voiceId}` }, options);
  }

  /** Saves a voice from a base64-encoded audio sample. */
  async create(
    request: VoiceCreateRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Voice>> {
    checkCreateRequest(request);
    return this.#json(
      { method: "POST", path: "/v1/audio/voices", body: request, retryMode: "unsent" },
      options,
    );
  }

  /** Changes the name, languages, gender, age or tags of a voice. */
  async update(
    voiceId: string,
    request: VoiceUpdateRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Voice>> {
    const path = apiPath`/v1/audio/voices/${voiceId}`;
    return this.#json({ method: "PATCH", path, body: request }, options);
  }

  /** Deletes a saved voice and returns it as it was. */
  async delete(voiceId: string, options?: RequestOptions): Promise<WithResponseMeta<Voice>> {
    return this.#json({ method: "DELETE", path: apiPath`/v1/audio/voices/${voiceId}` }, options);
  }

  /**
   * Downloads the audio sample of a voice as a Blob with the server's media type. A sample sent
   * as a JSON string is decoded from base64.
   */
  async sample(voiceId: string, options?: RequestOptions): Promise<WithResponseMeta<Blob>> {
    const api = await this.#transport.send({
      method: "GET",
      path: apiPath`/v1/audio/voices/${voiceId}/sample`,
      options: withAccept(options, "audio/wav, application/json;q=0.5"),
    });
    const contentType = api.response.headers.get("content-type") ?? "";
    const bytes = await readBoundedBytes(api, this.#transport.config.maxResponseBytes);
    const isJson = /^application\/json\b/i.test(contentType);
    const audio = isJson ? decodeJsonSample(bytes) : bytes;
    // NOTE: the API reference lists only audio/wav besides JSON, so a JSON sample is assumed WAV.
    const type = isJson ? "audio/wav" : contentType;
    return attachMeta(new Blob([audio as BlobPart], { type }), api.requestId, api.response.headers);
  }

  async #json<T>(
    request: Omit<ApiRequest, "options">,
    options: RequestOptions | undefined,
  ): Promise<WithResponseMeta<T>> {
    const api = await this.#transport.send({ ...request, options });
    return readJsonResponse<T>(api, this.#transport.config.maxResponseBytes);
  }
}

function checkCreateRequest(request: unknown): void {
  const body = (typeof request === "object" && request !== null ? request : {}) as Record<
    string,
    unknown
  >;
  const problems = [];
  if (typeof body.name !== "string" || body.name === "") {
    problems.push({ path: "name", message: "is required: a non-empty string" });
  }

  if (typeof body.sample_audio !== "string" || body.sample_audio === "") {
    problems.push({ path: "sample_audio", message: "is required: the base64-encoded sample" });
  }

  if (problems.length > 0) {
    throw new ValidationError(problems);
  }
}

/** Adds an `accept` header unless the caller set one. */
function withAccept(options: RequestOptions | undefined, accept: string): RequestOptions {
  const headers = options?.headers ?? {};
  const hasAccept = Object.keys(headers).some((name) => name.toLowerCase() === "accept");
  return { ...options, headers: hasAccept ? headers : { ...headers, accept } };
}

function decodeJsonSample(bytes: Uint8Array): Uint8Array {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    value = undefined;
  }

  if (typeof value !== "string") {
    throw new StreamError("The voice sample response is JSON but not a base64 string");
  }

  return decodeBase64(value, "voice sample");
}
