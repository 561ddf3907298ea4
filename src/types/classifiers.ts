import type { ChatMessage } from "./chat.js";

// Wire types of the moderation and classification endpoints: POST /v1/moderations,
// /v1/chat/moderations, /v1/classifications and /v1/chat/classifications.

/** Body of a text moderation or text classification request. */
export interface ClassificationRequest {
  /** A moderation model (`mistral-moderation-latest`) or a fine-tuned classifier id. */
  model: string;
  /** One text, or several classified independently in one call. */
  input: string | string[];
  /** Caller-defined key-value pairs attached to the request. */
  metadata?: Record<string, unknown> | null;
}

/** Body of a text moderation request; the same shape as a classification request. */
export type ModerationRequest = ClassificationRequest;

/** Body of a conversation moderation request. */
export interface ChatModerationRequest {
  model: string;
  /** One conversation, or several moderated independently. */
  input: ChatMessage[] | ChatMessage[][];
}

/** One conversation to classify. */
export interface InstructRequest {
  messages: ChatMessage[];
}

/** Body of a conversation classification request. */
export interface ChatClassificationRequest {
  /** A fine-tuned classifier id. */
  model: string;
  /** One conversation, or several classified independently. */
  input: InstructRequest | InstructRequest[];
}

/**
 * Moderation categories of `mistral-moderation-latest`. Other moderation models add or split
 * categories, so the maps also accept any other name.
 */
export type ModerationCategory =
  | "sexual"
  | "hate_and_discrimination"
  | "violence_and_threats"
  | "dangerous_and_criminal_content"
  | "selfharm"
  | "health"
  | "financial"
  | "law"
  | "pii";

/** The verdict on one input. */
export interface ModerationResult {
  /** Per category, whether the input was flagged. */
  categories?: Partial<Record<ModerationCategory, boolean>> & Record<string, boolean>;
  /** Per category, the score from 0 to 1 the verdict is based on. */
  category_scores?: Partial<Record<ModerationCategory, number>> & Record<string, number>;
  [key: string]: unknown;
}

export interface ModerationResponse {
  id: string;
  model: string;
  /** One result per input, in input order. */
  results: ModerationResult[];
  [key: string]: unknown;
}

/** Scores of one classifier target: label name to score. */
export interface ClassificationTargetResult {
  scores: Record<string, number>;
  [key: string]: unknown;
}

export interface ClassificationResponse {
  id: string;
  model: string;
  /** One entry per input, in input order, mapping each target name to its scores. */
  results: Array<Record<string, ClassificationTargetResult>>;
  [key: string]: unknown;
}
