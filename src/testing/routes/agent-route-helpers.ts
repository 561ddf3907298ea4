import { errorPlan, type ValidationIssue } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import type { ResponsePlan } from "../reply-plan.js";
import type { ServerState } from "./route.js";

// Request checks and small replies shared by the agents and conversations routes. Problems are
// reported as the API's 422 `detail` entries.

export type JsonObject = Record<string, unknown>;

/** Returns the server's current time as an ISO 8601 string. */
export function isoNow(state: ServerState): string {
  return new Date(state.now()).toISOString();
}

/** Returns a new id with a prefix, such as `ag_0f3a...`. */
export function prefixedId(state: ServerState, prefix: string): string {
  return `${prefix}_${state.newId().replaceAll("-", "")}`;
}

/** Builds the 404 error envelope of a missing agent, version, alias, conversation or entry. */
export function notFound(kind: string, id: string): ResponsePlan {
  return errorPlan(404, `${kind} ${id} not found`, "invalid_request_error", "not_found");
}

/** Builds an empty 204 response. */
export function noContent(): ResponsePlan {
  return { status: 204, headers: {}, chunks: [], framing: "content-length" };
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Lists what is wrong with a JSON body: not an object, a missing field, an unknown field. */
export function bodyIssues(
  body: unknown,
  allowed: readonly string[],
  required: readonly string[],
): ValidationIssue[] {
  if (!isObject(body)) {
    return [
      {
        type: "model_attributes_type",
        loc: ["body"],
        msg: "Input should be an object",
        input: body ?? null,
      },
    ];
  }

  const issues: ValidationIssue[] = [];
  for (const name of required) {
    if (body[name] === undefined) {
      issues.push({ type: "missing", loc: ["body", name], msg: "Field required", input: body });
    }
  }

  for (const name of Object.keys(body)) {
    if (!allowed.includes(name)) {
      const msg = "Extra inputs are not permitted";
      issues.push({ type: "extra_forbidden", loc: ["body", name], msg, input: body[name] });
    }
  }

  return issues;
}

/** Reads an integer query parameter, `fallback` when absent; an invalid value adds an issue. */
export function integerQuery(
  call: IncomingCall,
  name: string,
  fallback: number,
  [minimum, maximum]: [number, number],
  issues: ValidationIssue[],
): number {
  const text = call.query[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < minimum || value > maximum) {
    const msg = `Input should be an integer from ${minimum} to ${maximum}`;
    issues.push({ type: "int_parsing", loc: ["query", name], msg, input: text });
  }

  return value;
}

/**
 * Builds a predicate that checks whether a `metadata` object contains every key-value pair of the
 * JSON `metadata` filter in the query. An invalid filter adds an issue.
 */
export function metadataFilter(
  call: IncomingCall,
  issues: ValidationIssue[],
): (metadata: unknown) => boolean {
  const text = call.query.metadata;
  if (text === undefined) return () => true;
  let filter: unknown;
  try {
    filter = JSON.parse(text);
  } catch {
    filter = undefined;
  }

  if (!isObject(filter)) {
    const msg = "Input should be a JSON object";
    issues.push({ type: "json_invalid", loc: ["query", "metadata"], msg, input: text });
    return () => true;
  }

  return (metadata) =>
    isObject(metadata) &&
    Object.entries(filter).every(
      ([key, value]) => JSON.stringify(metadata[key]) === JSON.stringify(value),
    );
}
