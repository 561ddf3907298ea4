import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import type { BatchJobCreateRequest, BatchJobFromRequests } from "../../types/batch.js";

/** Maximum number of requests the API takes inline in a job body. */
const maxInlineRequests = 10_000;

/** Checks a job body before `POST /v1/batch/jobs`, listing every problem. */
export function checkCreateRequest(request: BatchJobCreateRequest): void {
  const problems = checkJobFields(request);
  const body = request as unknown as Record<string, unknown>;
  const files = body.input_files;
  const requests = body.requests;
  const hasFiles = Array.isArray(files) && files.length > 0;
  const hasRequests = Array.isArray(requests) && requests.length > 0;
  if (!hasFiles && !hasRequests) {
    problems.push({ path: "input_files", message: "set input_files or requests (non-empty)" });
  }

  if (files !== undefined && files !== null) {
    checkFileIds(files, problems);
  }

  if (requests !== undefined && requests !== null) {
    checkRequests(requests, false, problems);
    if (Array.isArray(requests) && requests.length > maxInlineRequests) {
      problems.push({
        path: "requests",
        message:
          `has ${requests.length} items, over the ${maxInlineRequests} the API takes inline: ` +
          "use batch.createFromRequests, which uploads them as a file",
      });
    }
  }

  throwIfAny(problems);
}

/** Checks the parameters of `createFromRequests`: every request needs its own `custom_id`. */
export function checkFromRequests(request: BatchJobFromRequests): void {
  const problems = checkJobFields(request);
  const body = request as unknown as Record<string, unknown>;
  if (!Array.isArray(body.requests) || body.requests.length === 0) {
    problems.push({ path: "requests", message: "must be a non-empty array" });
  } else {
    checkRequests(body.requests, true, problems);
  }

  if (body.filename !== undefined && (typeof body.filename !== "string" || body.filename === "")) {
    problems.push({ path: "filename", message: "must be a non-empty string" });
  }

  throwIfAny(problems);
}

/** Encodes requests as JSONL, one `{custom_id, body}` object per line. */
export function toJsonLines(requests: BatchJobFromRequests["requests"]): string {
  return requests
    .map((request) => JSON.stringify({ custom_id: request.custom_id, body: request.body }))
    .join("\n");
}

function checkJobFields(request: unknown): InputProblem[] {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }]);
  }

  const body = request as Record<string, unknown>;
  const problems: InputProblem[] = [];
  if (typeof body.endpoint !== "string" || !body.endpoint.startsWith("/v1/")) {
    problems.push({
      path: "endpoint",
      message: "is required: an API path such as /v1/chat/completions",
    });
  }

  for (const name of ["model", "agent_id"]) {
    const value = body[name];
    if (value !== undefined && value !== null && (typeof value !== "string" || value === "")) {
      problems.push({ path: name, message: "must be a non-empty string" });
    }
  }

  const hours = body.timeout_hours;
  if (hours !== undefined && (!Number.isSafeInteger(hours) || (hours as number) < 1)) {
    problems.push({
      path: "timeout_hours",
      message: "must be a whole number of hours, at least 1",
    });
  }

  if (body.metadata !== undefined && body.metadata !== null) {
    checkMetadata(body.metadata, problems);
  }

  return problems;
}

/** Length limits from the API reference: keys 1 to 32 characters, values 1 to 512. */
function checkMetadata(metadata: unknown, problems: InputProblem[]): void {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    problems.push({ path: "metadata", message: "must be an object of strings" });
    return;
  }

  for (const [key, value] of Object.entries(metadata)) {
    if (key.length < 1 || key.length > 32) {
      problems.push({ path: `metadata.${key}`, message: "key must have 1 to 32 characters" });
    }

    if (typeof value !== "string" || value.length < 1 || value.length > 512) {
      problems.push({
        path: `metadata.${key}`,
        message: "must be a string of 1 to 512 characters",
      });
    }
  }
}

function checkFileIds(files: unknown, problems: InputProblem[]): void {
  if (!Array.isArray(files)) {
    problems.push({ path: "input_files", message: "must be an array of file ids" });
    return;
  }

  files.forEach((id, index) => {
    if (typeof id !== "string" || id === "") {
      problems.push({ path: `input_files[${index}]`, message: "must be a non-empty file id" });
    }
  });
}

/** Checks each request's body and that no two requests share a `custom_id`. */
function checkRequests(requests: unknown, idRequired: boolean, problems: InputProblem[]): void {
  if (!Array.isArray(requests)) {
    problems.push({ path: "requests", message: "must be an array of { custom_id, body }" });
    return;
  }

  const firstIndexById = new Map<string, number>();
  requests.forEach((item: unknown, index) => {
    const path = `requests[${index}]`;
    if (typeof item !== "object" || item === null) {
      problems.push({ path, message: "must be an object { custom_id, body }" });
      return;
    }

    const { custom_id: id, body } = item as Record<string, unknown>;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      problems.push({ path: `${path}.body`, message: "must be an object" });
    }

    if (id === undefined || id === null) {
      if (idRequired) problems.push({ path: `${path}.custom_id`, message: "is required" });
      return;
    }

    if (typeof id !== "string" || id === "") {
      problems.push({ path: `${path}.custom_id`, message: "must be a non-empty string" });
      return;
    }

    const first = firstIndexById.get(id);
    if (first !== undefined) {
      problems.push({
        path: `${path}.custom_id`,
        message:
          `${JSON.stringify(id)} is already used by requests[${first}], ` +
          "but results are matched by custom_id",
      });
    } else {
      firstIndexById.set(id, index);
    }
  });
}

function throwIfAny(problems: InputProblem[]): void {
  if (problems.length > 0) {
    throw new ValidationError(problems, "Invalid batch job");
  }
}
