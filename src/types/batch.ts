import type { OpenString } from "./common.js";

/**
 * State of a batch job. `SUCCESS`, `FAILED`, `TIMEOUT_EXCEEDED` and `CANCELLED` are final.
 * `CANCELLATION_REQUESTED` is not, because requests may still finish before the job stops.
 */
export type BatchJobStatus = OpenString<
  | "QUEUED"
  | "RUNNING"
  | "SUCCESS"
  | "FAILED"
  | "TIMEOUT_EXCEEDED"
  | "CANCELLATION_REQUESTED"
  | "CANCELLED"
>;

/** API operation every request of a batch job is sent to. */
export type BatchEndpoint = OpenString<
  | "/v1/chat/completions"
  | "/v1/embeddings"
  | "/v1/fim/completions"
  | "/v1/moderations"
  | "/v1/chat/moderations"
  | "/v1/ocr"
  | "/v1/classifications"
  | "/v1/chat/classifications"
  | "/v1/conversations"
  | "/v1/audio/transcriptions"
>;

/** One request of a batch: the body of one call to the job's endpoint. */
export interface BatchRequest {
  /** Caller's id, echoed on the result line so results can be matched to requests. */
  custom_id?: string | null;
  body: Record<string, unknown>;
}

/** Body of `POST /v1/batch/jobs`. Set `input_files` or `requests`. */
export interface BatchJobCreateRequest {
  /** Ids of uploaded JSONL files (purpose `batch`), one request per line. */
  input_files?: string[] | null;
  /** Requests sent inline in the job body, at most 10000. */
  requests?: BatchRequest[] | null;
  endpoint: BatchEndpoint;
  model?: string | null;
  /** Agent of the deprecated agents API that runs the requests, in place of `model`. */
  agent_id?: string | null;
  /** Caller's labels: keys of 1 to 32 characters, values of 1 to 512 characters. */
  metadata?: Record<string, string> | null;
  /** Hours before the job stops with `TIMEOUT_EXCEEDED`. Server default: 24. */
  timeout_hours?: number;
}

/** Parameters of `batch.createFromRequests`: the job, with requests uploaded as a JSONL file. */
export interface BatchJobFromRequests
  extends Omit<BatchJobCreateRequest, "input_files" | "requests"> {
  /** Requests, each with a unique, non-empty `custom_id`. */
  requests: Array<BatchRequest & { custom_id: string }>;
  /** Name of the uploaded file. Default: `batch-requests.jsonl`. */
  filename?: string;
}

/** One error a batch job reported, with how often it happened. */
export interface BatchError {
  message: string;
  count?: number;
  [key: string]: unknown;
}

/** A batch job, as create, get, list and cancel return it. */
export interface BatchJob {
  id: string;
  /** Always `"batch"`. */
  object?: string;
  input_files: string[];
  metadata?: Record<string, unknown> | null;
  endpoint: string;
  model?: string | null;
  agent_id?: string | null;
  /** Id of the JSONL file of successful results. Download it with `files.download`. */
  output_file?: string | null;
  /** Id of the JSONL file of failed requests. */
  error_file?: string | null;
  errors: BatchError[];
  /** Results inline, when the job was read with `inline: true`. */
  outputs?: Array<Record<string, unknown>> | null;
  status: BatchJobStatus;
  /** Unix time in seconds. */
  created_at: number;
  total_requests: number;
  completed_requests: number;
  succeeded_requests: number;
  failed_requests: number;
  /** Unix time in seconds. */
  started_at?: number | null;
  /** Unix time in seconds. */
  completed_at?: number | null;
  [key: string]: unknown;
}

/** Response of `GET /v1/batch/jobs`. */
export interface BatchJobList {
  data?: BatchJob[];
  object?: string;
  total: number;
  [key: string]: unknown;
}

/** Query of `GET /v1/batch/jobs`. */
export interface BatchJobListQuery {
  /** Zero-based page to start from. Default: 0. */
  page?: number;
  /** Jobs per page. Default: 100. */
  page_size?: number;
  model?: string;
  agent_id?: string;
  /** Matches jobs created with these labels; sent as a JSON object. */
  metadata?: Record<string, unknown>;
  /** Only jobs created after this time; a Date is sent as an ISO 8601 string. */
  created_after?: string | Date;
  created_by_me?: boolean;
  status?: BatchJobStatus | BatchJobStatus[];
  /** Server default: `"-created"`, newest first. */
  order_by?: OpenString<"created" | "-created">;
}

/** Query of `GET /v1/batch/jobs/{job_id}`. */
export interface BatchJobGetQuery {
  /** Return the results inline, in `outputs`. */
  inline?: boolean;
}

/** Response of one batch request: the HTTP status and body the endpoint returned. */
export interface BatchResponse<TBody = unknown> {
  status_code: number;
  body: TBody;
  [key: string]: unknown;
}

/**
 * One line of a batch output or error file. A request the endpoint rejected has a `response`
 * with an error status and body; a request that could not run at all has `error` set.
 */
export interface BatchResultLine<TBody = unknown> {
  id?: string;
  /** The request's `custom_id`, unchanged (a string stays a string). */
  custom_id: string | null;
  response: BatchResponse<TBody> | null;
  error: unknown;
  [key: string]: unknown;
}
