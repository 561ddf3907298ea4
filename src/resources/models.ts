import type { RequestOptions } from "../core/client-options.js";
import { readJsonResponse, type WithResponseMeta } from "../core/json-response.js";
import { apiPath } from "../core/path.js";
import type { Transport } from "../core/transport.js";
import type {
  DeleteModelResponse,
  FTModel,
  FTModelArchiveResponse,
  FTModelUpdateRequest,
  Model,
  ModelList,
} from "../types/models.js";

/** Models available to the key: `/v1/models`, and fine-tuned models: `/v1/fine_tuning/models`. */
export class Models {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Lists the models the key can use. */
  async list(options?: RequestOptions): Promise<WithResponseMeta<ModelList>> {
    return this.#json<ModelList>({ method: "GET", path: "/v1/models" }, options);
  }

  /** Returns one model by id. */
  async retrieve(modelId: string, options?: RequestOptions): Promise<WithResponseMeta<Model>> {
    return this.#json<Model>({ method: "GET", path: apiPath`/v1/models/${modelId}` }, options);
  }

  /** Deletes a fine-tuned model. */
  async delete(
    modelId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<DeleteModelResponse>> {
    return this.#json<DeleteModelResponse>(
      { method: "DELETE", path: apiPath`/v1/models/${modelId}` },
      options,
    );
  }

  /** Renames a fine-tuned model. */
  async update(
    modelId: string,
    request: FTModelUpdateRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<FTModel>> {
    return this.#json<FTModel>(
      { method: "PATCH", path: apiPath`/v1/fine_tuning/models/${modelId}`, body: request },
      options,
    );
  }

  /** Archives a fine-tuned model. */
  async archive(
    modelId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<FTModelArchiveResponse>> {
    return this.#json<FTModelArchiveResponse>(
      { method: "POST", path: apiPath`/v1/fine_tuning/models/${modelId}/archive` },
      options,
    );
  }

  /** Restores an archived fine-tuned model. */
  async unarchive(
    modelId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<FTModelArchiveResponse>> {
    return this.#json<FTModelArchiveResponse>(
      { method: "DELETE", path: apiPath`/v1/fine_tuning/models/${modelId}/archive` },
      options,
    );
  }

  async #json<T>(
    request: { method: "GET" | "POST" | "PATCH" | "DELETE"; path: string; body?: object },
    options: RequestOptions | undefined,
  ): Promise<WithResponseMeta<T>> {
    const api = await this.#transport.send({ ...request, options });
    return readJsonResponse<T>(api, this.#transport.config.maxResponseBytes);
  }
}
