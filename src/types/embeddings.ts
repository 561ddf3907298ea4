import type { OpenString, UsageInfo } from "./common.js";

/** Number type of the returned vectors. `binary` and `ubinary` pack 8 dimensions per value. */
export type EmbeddingDtype = OpenString<"float" | "int8" | "uint8" | "binary" | "ubinary">;

export interface EmbeddingRequest {
  /** An embedding model, for example `mistral-embed` or `codestral-embed`. */
  model: string;
  /** One text, or several embedded in one call. */
  input: string | string[];
  /** Length of each vector, for models that support it. Greater than 0. */
  output_dimension?: number | null;
  /** Server default: `float`. */
  output_dtype?: EmbeddingDtype;
  /** Server default: `float`. */
  encoding_format?: OpenString<"float" | "base64">;
  metadata?: Record<string, unknown> | null;
}

export interface Embedding {
  /** `"embedding"`. */
  object?: string;
  /** The vector, exactly as the server sent it (integers for the int and binary types). */
  embedding: number[];
  /** Position of the input this vector belongs to. */
  index: number;
  [key: string]: unknown;
}

export interface EmbeddingResponse {
  id: string;
  object: string;
  model: string;
  usage: UsageInfo;
  /** Sorted by `index` by the client, so `data[i]` belongs to `input[i]`. */
  data: Embedding[];
  [key: string]: unknown;
}
