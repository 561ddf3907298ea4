import { chatCompletionPlan } from "../chat-completion.js";
import type { IncomingCall } from "../incoming-request.js";
import type { ResponsePlan } from "../reply-plan.js";
import { completionRoutes } from "./completions.js";
import type { ServerState } from "./route.js";

/** One request of a job, as read from an input file line or the inline list. */
export type JobRequest =
  | { customId: unknown; body: Record<string, unknown> }
  | { customId: unknown; problem: string };

/** One line of an output or error file. */
export interface ResultLine {
  id: string;
  custom_id: unknown;
  response: { status_code: number; body: unknown } | null;
  error: { message: string } | null;
}

/** Parses the lines of an input file. A line that is not `{custom_id, body}` becomes a problem. */
export function parseInputLines(content: Buffer): JobRequest[] {
  const requests: JobRequest[] = [];
  const lines = content.toString("utf8").split("\n");
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      requests.push({ customId: null, problem: `Line ${index + 1} is not valid JSON` });
      return;
    }

    requests.push(toJobRequest(value, `Line ${index + 1}`));
  });
  return requests;
}

/** Checks one `{custom_id, body}` item of an inline list or input file. */
export function toJobRequest(value: unknown, label: string): JobRequest {
  const record = isObject(value) ? value : {};
  const customId = record.custom_id ?? null;
  if (!isObject(record.body)) {
    return { customId, problem: `${label} has no "body" object` };
  }

  return { customId, body: record.body };
}

/**
 * Runs every request of a job through the server's own handler for the endpoint (chat, FIM or
 * embeddings), so results are as deterministic as those handlers. Requests that succeed go to the
 * output lines; rejected or malformed ones go to the error lines.
 */
export async function runJobRequests(
  jobId: string,
  job: { endpoint: string; model: string | null },
  requests: JobRequest[],
  state: ServerState,
): Promise<{ output: ResultLine[]; errors: ResultLine[] }> {
  const output: ResultLine[] = [];
  const errors: ResultLine[] = [];
  for (const [index, request] of requests.entries()) {
    const id = `batch-${jobId.slice(0, 8)}-${index + 1}`;
    if ("problem" in request) {
      errors.push({
        id,
        custom_id: request.customId,
        response: null,
        error: { message: request.problem },
      });
      continue;
    }

    const response = await runOne(job, request.body, state);
    const line = { id, custom_id: request.customId, response, error: null };
    (response.status_code === 200 ? output : errors).push(line);
  }

  return { output, errors };
}

async function runOne(
  job: { endpoint: string; model: string | null },
  requestBody: Record<string, unknown>,
  state: ServerState,
): Promise<{ status_code: number; body: unknown }> {
  const { stream: _stream, ...rest } = requestBody;
  const body = job.model === null || "model" in rest ? rest : { ...rest, model: job.model };
  const call = syntheticCall(job.endpoint, body, state.now());
  let plan: ResponsePlan;
  if (job.endpoint === "/v1/chat/completions") {
    plan = chatCompletionPlan(call, state.now());
  } else {
    const route = completionRoutes.find((candidate) => candidate.path === job.endpoint);
    if (route === undefined) {
      const message = `The test server runs no batch requests for ${job.endpoint}`;
      return { status_code: 400, body: errorBody(message) };
    }

    plan = await route.handle(call, {}, state);
  }

  const text = Buffer.concat(plan.chunks).toString("utf8");
  return { status_code: plan.status, body: text === "" ? null : JSON.parse(text) };
}

function syntheticCall(path: string, body: Record<string, unknown>, now: number): IncomingCall {
  const rawBody = Buffer.from(JSON.stringify(body));
  return {
    method: "POST",
    path,
    url: path,
    query: {},
    headers: { "content-type": "application/json" },
    rawBody,
    body,
    receivedAt: now,
  };
}

function errorBody(message: string) {
  return { object: "error", message, type: "invalid_request_error", param: null, code: null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
