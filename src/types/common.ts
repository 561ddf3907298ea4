/**
 * A string enum that stays open: editors still suggest the known values `T`, but any other string
 * type-checks too, because the API adds enum values without notice.
 */
export type OpenString<T extends string> = T | (string & Record<never, never>);

/** Breakdown of the prompt tokens. */
export interface PromptTokensDetails {
  /** Prompt tokens served from the prompt cache. */
  cached_tokens?: number;
  [key: string]: unknown;
}

/** Token counts of one request, as the server reports them. */
export interface UsageInfo {
  prompt_tokens: number;
  completion_tokens: number;
  /** Sum of prompt and completion tokens. */
  total_tokens: number;
  /** Length of the audio input, in seconds, for requests that include audio. */
  prompt_audio_seconds?: number | null;
  /** Prompt tokens served from the prompt cache. */
  num_cached_tokens?: number | null;
  prompt_tokens_details?: PromptTokensDetails | null;
  /** Alternative spelling of `prompt_tokens_details`, also listed in the API reference. */
  prompt_token_details?: PromptTokensDetails | null;
  [key: string]: unknown;
}

/** Action a moderation guardrail takes when a category score exceeds its threshold. */
export type ModerationLLMAction = OpenString<"none" | "block">;

/** Score threshold per moderation category of the first moderation model. */
export interface ModerationLLMV1CategoryThresholds {
  sexual?: number | null;
  hate_and_discrimination?: number | null;
  violence_and_threats?: number | null;
  dangerous_and_criminal_content?: number | null;
  selfharm?: number | null;
  health?: number | null;
  financial?: number | null;
  law?: number | null;
  pii?: number | null;
}

/** Thresholds of the second moderation model, which splits some categories of the first. */
export interface ModerationLLMV2CategoryThresholds {
  sexual?: number | null;
  hate_and_discrimination?: number | null;
  violence_and_threats?: number | null;
  dangerous?: number | null;
  criminal?: number | null;
  selfharm?: number | null;
  health?: number | null;
  financial?: number | null;
  law?: number | null;
  pii?: number | null;
  jailbreaking?: number | null;
}

/** Settings of a guardrail that runs a moderation model on the conversation. */
export interface ModerationLLMV1Config {
  /** Moderation model to run. Server default: `mistral-moderation-2411`. */
  model_name?: string;
  custom_category_thresholds?: ModerationLLMV1CategoryThresholds | null;
  /** When true, only the categories in `custom_category_thresholds` are checked. Default false. */
  ignore_other_categories?: boolean;
  /** Server default: `"none"`. */
  action?: ModerationLLMAction;
}

/** Settings of a guardrail that runs the second-generation moderation model. */
export interface ModerationLLMV2Config {
  /** Moderation model to run. Server default: `mistral-moderation-2603`. */
  model_name?: string;
  custom_category_thresholds?: ModerationLLMV2CategoryThresholds | null;
  /** When true, only the categories in `custom_category_thresholds` are checked. Default false. */
  ignore_other_categories?: boolean;
  /** Server default: `"none"`. */
  action?: ModerationLLMAction;
}

/** One guardrail applied to a chat, agent or conversation request. */
export interface GuardrailConfig {
  /** When true, a server-side failure of the guardrail blocks the request with HTTP 403. */
  block_on_error?: boolean;
  moderation_llm_v1?: ModerationLLMV1Config | null;
  moderation_llm_v2?: ModerationLLMV2Config | null;
}
