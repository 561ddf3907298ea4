import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import { StreamError } from "../../core/errors/transport-errors.js";
import { readJsonResponse, type WithResponseMeta } from "../../core/json-response.js";
import type { ApiRequest, Transport } from "../../core/transport.js";

/** Sends a request and parses its JSON response. */
export async function sendForJson<T>(
  transport: Transport,
  request: ApiRequest,
): Promise<WithResponseMeta<T>> {
  const api = await transport.send(request);
  return readJsonResponse<T>(api, transport.config.maxResponseBytes);
}

/** Sends a request whose success response has no body (HTTP 204), reading whatever arrives. */
export async function sendForNoContent(transport: Transport, request: ApiRequest): Promise<void> {
  await sendForJson<unknown>(transport, request);
}

/** Sends a request whose response body is one JSON string, such as a signed URL. */
export async function sendForString(transport: Transport, request: ApiRequest): Promise<string> {
  const value = await sendForJson<unknown>(transport, request);
  if (typeof value !== "string") {
    throw new StreamError(
      `The response of ${request.method} ${request.path} is not a JSON string: the server or a ` +
        "proxy returned something else; check baseURL",
      { payload: JSON.stringify(value).slice(0, 200) },
    );
  }

  return value;
}

/**
 * Checks that a request body is a plain object whose `required` fields are non-empty strings,
 * throwing a ValidationError that lists every problem.
 */
export function checkBody(body: unknown, required: readonly string[], summary: string): void {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }], summary);
  }

  const problems: InputProblem[] = [];
  const fields = body as Record<string, unknown>;
  for (const name of required) {
    const value = fields[name];
    if (value === undefined) {
      problems.push({ path: name, message: "is required" });
    } else if (typeof value !== "string" || value.trim() === "") {
      problems.push({ path: name, message: "must be a non-empty string" });
    }
  }

  if (problems.length > 0) {
    throw new ValidationError(problems, summary);
  }
}
