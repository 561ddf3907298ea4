import { errorPlan, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import {
  type JobRequest,
  parseInputLines,
  type ResultLine,
  runJobRequests,
  toJobRequest,
} from "./batch-runner.js";
import { fileStore, storeFile } from "./files.js";
import { areaState, type Route, type ServerState } from "./route.js";

type JsonObject = Record<string, unknown>;

interface JobRecord {
  job: JsonObject;
  /** `GET /v1/batch/jobs/{id}` calls so far; the job advances one step per call after the first. */
  reads: number;
  results: { output: ResultLine[]; errors: ResultLine[] };
}

/**
 * Default handlers of `/v1/batch/jobs`. A job runs its requests when created, through the server's
 * own chat, FIM or embeddings handlers, but reports them step by step. The first `GET` of the job
 * shows `QUEUED` and the second `RUNNING` with half of the requests done. The third shows `SUCCESS`
 * with an output file and, when a request failed, an error file. A cancelled job shows
 * `CANCELLATION_REQUESTED`, then `CANCELLED` on the next `GET`.
 */
export const batchRoutes: Route[] = [
  { method: "POST", path: "/v1/batch/jobs", handle: (call, _, state) => createPlan(call, state) },
  { method: "GET", path: "/v1/batch/jobs", handle: (call, _, state) => listPlan(call, state) },
  {
    method: "GET",
    path: "/v1/batch/jobs/{job_id}",
    handle: (call, parameters, state) =>
      withJob(state, parameters.job_id!, (record) => {
        record.reads += 1;
        if (record.reads > 1 || record.job.status === "CANCELLATION_REQUESTED") {
          advance(record, state);
        }

        const outputs = call.query.inline === "true" ? inlineOutputs(record) : null;
        return jsonPlan(200, { ...record.job, outputs });
      }),
  },
  {
    method: "POST",
    path: "/v1/batch/jobs/{job_id}/cancel",
    handle: (_, parameters, state) =>
      withJob(state, parameters.job_id!, (record) => {
        if (record.job.status === "QUEUED" || record.job.status === "RUNNING") {
          record.job.status = "CANCELLATION_REQUESTED";
        }

        return jsonPlan(200, record.job);
      }),
  },
];

function jobs(state: ServerState): Map<string, JobRecord> {
  return areaState(state, "batch", () => new Map<string, JobRecord>());
}

async function createPlan(call: IncomingCall, state: ServerState): Promise<ResponsePlan> {
  const body = isObject(call.body) ? call.body : undefined;
  if (body === undefined || typeof body.endpoint !== "string") {
    const msg = body === undefined ? "Body must be a JSON object" : "Field required";
    return validationErrorPlan([{ type: "missing", loc: ["body", "endpoint"], msg, input: null }]);
  }

  const read = readRequests(body, state);
  if ("plan" in read) {
    return read.plan;
  }

  const id = state.newId();
  const model = typeof body.model === "string" ? body.model : null;
  const results = await runJobRequests(
    id,
    { endpoint: body.endpoint, model },
    read.requests,
    state,
  );
  const job: JsonObject = {
    id,
    object: "batch",
    input_files: read.inputFiles,
    metadata: body.metadata ?? null,
    endpoint: body.endpoint,
    model,
    agent_id: body.agent_id ?? null,
    output_file: null,
    error_file: null,
    errors: [],
    outputs: null,
    status: "QUEUED",
    created_at: Math.floor(state.now() / 1000),
    total_requests: read.requests.length,
    completed_requests: 0,
    succeeded_requests: 0,
    failed_requests: 0,
    started_at: null,
    completed_at: null,
  };
  jobs(state).set(id, { job, reads: 0, results });
  return jsonPlan(200, job);
}

/** Collects the requests of the input files and of the inline list. */
function readRequests(
  body: JsonObject,
  state: ServerState,
): { requests: JobRequest[]; inputFiles: string[] } | { plan: ResponsePlan } {
  const inputFiles = Array.isArray(body.input_files) ? body.input_files.map(String) : [];
  const inline = Array.isArray(body.requests) ? body.requests : [];
  if (inputFiles.length === 0 && inline.length === 0) {
    const msg = "Set input_files or requests";
    return { plan: validationErrorPlan([{ type: "missing", loc: ["body"], msg, input: null }]) };
  }

  const requests: JobRequest[] = [];
  for (const fileId of inputFiles) {
    const file = fileStore(state).get(fileId);
    if (file === undefined) {
      return { plan: errorPlan(404, `Input file ${fileId} not found`, "invalid_request_error") };
    }

    requests.push(...parseInputLines(file.content));
  }

  for (const [index, item] of inline.entries()) {
    requests.push(toJobRequest(item, `requests[${index}]`));
  }

  return { requests, inputFiles };
}

/** Moves a job one step along QUEUED → RUNNING → SUCCESS, or on to CANCELLED. */
function advance(record: JobRecord, state: ServerState): void {
  const { job, results } = record;
  const now = Math.floor(state.now() / 1000);
  const total = job.total_requests as number;
  if (job.status === "QUEUED") {
    const done = Math.floor(total / 2);
    const succeeded = Math.min(done, results.output.length);
    Object.assign(job, {
      status: "RUNNING",
      started_at: now,
      completed_requests: done,
      succeeded_requests: succeeded,
      failed_requests: done - succeeded,
    });
  } else if (job.status === "RUNNING") {
    finish(record, state, now);
  } else if (job.status === "CANCELLATION_REQUESTED") {
    Object.assign(job, { status: "CANCELLED", completed_at: now });
  }
}

function finish(record: JobRecord, state: ServerState, now: number): void {
  const { job, results } = record;
  const id = String(job.id);
  Object.assign(job, {
    status: job.total_requests === 0 ? "FAILED" : "SUCCESS",
    errors: job.total_requests === 0 ? [{ message: "The job has no requests", count: 1 }] : [],
    completed_at: now,
    completed_requests: job.total_requests,
    succeeded_requests: results.output.length,
    failed_requests: results.errors.length,
    output_file: resultFile(state, `batch-${id}-output.jsonl`, results.output, "batch_result"),
    error_file: resultFile(state, `batch-${id}-error.jsonl`, results.errors, "batch_error"),
  });
}

/** Stores result lines as a JSONL file without a final newline; none when there are no lines. */
function resultFile(
  state: ServerState,
  filename: string,
  lines: ResultLine[],
  sampleType: string,
): string | null {
  if (lines.length === 0) {
    return null;
  }

  const content = Buffer.from(lines.map((line) => JSON.stringify(line)).join("\n"));
  const metadata = storeFile(state, {
    filename,
    purpose: "batch",
    content,
    mimetype: "application/jsonl",
    source: "mistral",
    sampleType,
  });
  return String(metadata.id);
}

function inlineOutputs(record: JobRecord): ResultLine[] | null {
  const done = record.job.status === "SUCCESS";
  return done ? [...record.results.output, ...record.results.errors] : null;
}

function listPlan(call: IncomingCall, state: ServerState): ResponsePlan {
  const query = new URLSearchParams(call.url.split("?")[1] ?? "");
  const page = Number(query.get("page") ?? 0);
  const pageSize = Number(query.get("page_size") ?? 100);
  if (!Number.isInteger(page) || page < 0 || !Number.isInteger(pageSize) || pageSize < 1) {
    const msg = "page must be an integer of at least 0, page_size of at least 1";
    return validationErrorPlan([{ type: "int_parsing", loc: ["query"], msg, input: null }]);
  }

  const matching = [...jobs(state).values()]
    .map((record) => record.job)
    .filter((job) => matchesFilters(job, query));
  if (query.get("order_by") !== "created") {
    matching.reverse();
  }

  const data = matching.slice(page * pageSize, (page + 1) * pageSize);
  return jsonPlan(200, { data, object: "list", total: matching.length });
}

function matchesFilters(job: JsonObject, query: URLSearchParams): boolean {
  const statuses = query.getAll("status");
  const createdAfter = query.get("created_after");
  const metadata = parseJson(query.get("metadata"));
  const jobMetadata = isObject(job.metadata) ? job.metadata : {};
  return (
    (query.get("model") === null || job.model === query.get("model")) &&
    (query.get("agent_id") === null || job.agent_id === query.get("agent_id")) &&
    (statuses.length === 0 || statuses.includes(String(job.status))) &&
    (createdAfter === null || (job.created_at as number) * 1000 > Date.parse(createdAfter)) &&
    (!isObject(metadata) ||
      Object.entries(metadata).every(([key, value]) => jobMetadata[key] === value))
  );
}

function withJob(
  state: ServerState,
  jobId: string,
  plan: (record: JobRecord) => ResponsePlan,
): ResponsePlan {
  const record = jobs(state).get(jobId);
  if (record === undefined) {
    return errorPlan(404, `Batch job ${jobId} not found`, "invalid_request_error");
  }

  return plan(record);
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
