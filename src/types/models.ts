import type { OpenString } from "./common.js";

// Wire types of the models API: GET /v1/models, GET and DELETE /v1/models/{model_id}.

/** Features a model supports. A capability the server leaves out is false. */
export interface ModelCapabilities {
  completion_chat?: boolean;
  function_calling?: boolean;
  /** Fill-in-the-middle completion. */
  completion_fim?: boolean;
  fine_tuning?: boolean;
  /** Image input. */
  vision?: boolean;
  ocr?: boolean;
  classification?: boolean;
  moderation?: boolean;
  audio?: boolean;
  audio_transcription?: boolean;
  [key: string]: unknown;
}

/** Kind of model card: a Mistral model or a model fine-tuned from one. */
export type ModelType = OpenString<"base" | "fine-tuned">;

/** Fields shared by every model card. */
export interface ModelCardCommon {
  id: string;
  /** `"model"`. */
  object?: string;
  /** Creation time, in Unix seconds. */
  created?: number;
  /** Server default: `"mistralai"`. */
  owned_by?: string;
  capabilities: ModelCapabilities;
  name?: string | null;
  description?: string | null;
  /** Context window, in tokens. Server default: 32768. */
  max_context_length?: number;
  /** Other ids that resolve to this model. */
  aliases?: string[];
  /** Deprecation date and time (ISO 8601), when the model is deprecated. */
  deprecation?: string | null;
  /** Id of the model to use instead once this one is deprecated. */
  deprecation_replacement_model?: string | null;
  /** Temperature the model uses when a request sets none. */
  default_model_temperature?: number | null;
  [key: string]: unknown;
}

/** A model provided by Mistral. */
export interface BaseModelCard extends ModelCardCommon {
  /** Server default: `"base"`. */
  type?: "base";
}

/** A model fine-tuned by the account. */
export interface FTModelCard extends ModelCardCommon {
  type: "fine-tuned";
  /** Id of the fine-tuning job that produced the model. */
  job: string;
  /** Id of the model it was fine-tuned from. */
  root: string;
  /** Default false. */
  archived?: boolean;
}

/**
 * A model card as the models API returns it. The type is open because it contains base cards, fine-tuned
 * cards and cards of a `type` added later, so the fine-tuned fields are optional here. Check
 * `type === "fine-tuned"` before reading them.
 */
export interface Model extends ModelCardCommon {
  /** Server default: `"base"`. */
  type?: ModelType;
  /** Fine-tuned models only. */
  job?: string;
  /** Fine-tuned models only. */
  root?: string;
  /** Fine-tuned models only. */
  archived?: boolean;
}

export interface ModelList {
  /** `"list"`. */
  object?: string;
  data: Model[];
  [key: string]: unknown;
}

export interface DeleteModelResponse {
  /** Id of the deleted model. */
  id: string;
  /** `"model"`. */
  object?: string;
  deleted?: boolean;
  [key: string]: unknown;
}

// Fine-tuned model management: PATCH /v1/fine_tuning/models/{model_id} and
// POST / DELETE /v1/fine_tuning/models/{model_id}/archive.

/** Fields of a fine-tuned model to change; fields left out stay as they are. */
export interface FTModelUpdateRequest {
  name?: string | null;
}

/** Capabilities of a fine-tuned model. */
export interface FTModelCapabilities {
  /** Server default: true. */
  completion_chat?: boolean;
  completion_fim?: boolean;
  function_calling?: boolean;
  fine_tuning?: boolean;
  classification?: boolean;
  [key: string]: unknown;
}

/** One target of a fine-tuned classifier. */
export interface ClassifierTarget {
  name: string;
  labels: string[];
  weight: number;
  loss_function: OpenString<"single_class" | "multi_class">;
  [key: string]: unknown;
}

/** Kind of fine-tuned model. */
export type FTModelType = OpenString<"completion" | "classifier">;

/**
 * A fine-tuned model as the fine-tuning API returns it. `classifier_targets` is present when
 * `model_type` is `"classifier"`.
 */
export interface FTModel {
  id: string;
  /** `"model"`. */
  object?: string;
  /** Creation time, in Unix seconds. */
  created: number;
  owned_by: string;
  workspace_id: string;
  /** Id of the model it was fine-tuned from. */
  root: string;
  root_version: string;
  archived: boolean;
  name?: string | null;
  capabilities: FTModelCapabilities;
  /** Context window, in tokens. Server default: 32768. */
  max_context_length?: number;
  aliases?: string[];
  /** Id of the fine-tuning job that produced the model. */
  job: string;
  /** Server default: `"completion"`. */
  model_type?: FTModelType;
  classifier_targets?: ClassifierTarget[];
  [key: string]: unknown;
}

/** Result of archiving or unarchiving a fine-tuned model. */
export interface FTModelArchiveResponse {
  id: string;
  /** `"model"`. */
  object?: string;
  /** The new state: true after `archive`, false after `unarchive`. */
  archived?: boolean;
  [key: string]: unknown;
}
