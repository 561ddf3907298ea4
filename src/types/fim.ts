import type { ChatCompletionResponse } from "./chat.js";

/** Body of a fill-in-the-middle request, without `stream`, which the client sets. */
export interface FimCompletionRequest {
  /** A Codestral model, for example `codestral-latest`. */
  model: string;
  /** Code before the cursor. */
  prompt: string;
  /** Code after the cursor. An empty string is sent as given; leave it out to send none. */
  suffix?: string | null;
  /** Sampling temperature, 0 to 1.5. */
  temperature?: number | null;
  /** Nucleus sampling probability mass, 0 to 1. */
  top_p?: number;
  max_tokens?: number | null;
  min_tokens?: number | null;
  /** Generation stops before any of these strings. */
  stop?: string | string[];
  random_seed?: number | null;
  metadata?: Record<string, unknown> | null;
  prompt_cache_key?: string | null;
}

/** The completion holds only the middle part: neither the prompt nor the suffix is repeated. */
export type FimCompletionResponse = ChatCompletionResponse;
