import type { ValidationIssue } from "./errors/api-error.js";

/** Fields read from an error response body, whatever envelope the API used. */
export interface ParsedErrorBody {
  /** Text for an error message: the body's message, then other details, cut at 500 characters. */
  message: string | undefined;
  /** The body's `message` exactly as sent when it is plain text; otherwise `message`, uncut. */
  serverMessage: string | undefined;
  code: unknown;
  type: string | undefined;
  param: unknown;
  issues: ValidationIssue[];
  requestId: string | undefined;
}

/** Maximum length of a server message kept in an error message; longer ones are cut. */
const maxMessageLength = 500;

/**
 * Parses an error body in any envelope the API has used: `{object:"error", message}` with the
 * message as text, as a JSON-encoded string or as an object holding `detail`; a bare FastAPI
 * `{detail}` whose detail is a list or a sentence; gateway bodies such as `{message, request_id}`;
 * and text that is not JSON at all. It never throws.
 */
export function parseErrorBody(text: string): ParsedErrorBody {
  const result: ParsedErrorBody = {
    message: undefined,
    serverMessage: undefined,
    code: null,
    type: undefined,
    param: null,
    issues: [],
    requestId: undefined,
  };
  const json = parseJson(text);
  if (!isRecord(json)) {
    result.serverMessage = plainTextMessage(text);
    result.message =
      result.serverMessage === undefined ? undefined : truncate(result.serverMessage);
    return result;
  }

  // A proxy may wrap the envelope as `{error: {...}}`; top-level fields win over nested ones.
  if (isRecord(json.error)) readEnvelopeFields(json.error, result);
  readEnvelopeFields(json, result);
  const details = collectDetails(json);
  result.issues = details.issues;
  const joined = joinMessages(details.sentences, result.issues);
  result.serverMessage = plainMessageField(json) ?? joined;
  result.message = joined === undefined ? undefined : truncate(joined);
  return result;
}

function readEnvelopeFields(json: Record<string, unknown>, result: ParsedErrorBody): void {
  if ("code" in json) result.code = json.code;
  if (typeof json.type === "string") result.type = json.type;
  if ("param" in json) result.param = json.param;
  if (typeof json.request_id === "string") result.requestId = json.request_id;
}

/** Returns the `message` field when it is readable text rather than a JSON-encoded envelope. */
function plainMessageField(json: Record<string, unknown>): string | undefined {
  const message = json.message;
  if (typeof message !== "string" || message.trim() === "") return undefined;
  const trimmed = message.trim();
  const isJson = /^[[{]/.test(trimmed) && parseJson(trimmed) !== undefined;
  return isJson ? undefined : message;
}

interface Details {
  sentences: string[];
  issues: ValidationIssue[];
}

/**
 * Gathers sentences and validation issues from `message`, `detail` and `error`, deduplicated. The
 * documented `message` comes first, so the error message starts with it.
 */
function collectDetails(json: Record<string, unknown>): Details {
  const details: Details = { sentences: [], issues: [] };
  for (const key of ["message", "detail", "error"]) {
    collectValue(json[key], details, 0);
  }

  details.issues = dedupeIssues(details.issues);
  return details;
}

function collectValue(value: unknown, details: Details, depth: number): void {
  if (depth > 3 || value === undefined || value === null) {
    return;
  }

  if (typeof value === "string") {
    collectString(value, details, depth);
  } else if (Array.isArray(value)) {
    for (const item of value) {
      const issue = toIssue(item);
      if (issue) details.issues.push(issue);
      else collectValue(item, details, depth + 1);
    }
  } else if (isRecord(value)) {
    const issue = toIssue(value);
    if (issue) {
      details.issues.push(issue);
      return;
    }

    for (const key of ["detail", "message", "msg", "error"]) {
      collectValue(value[key], details, depth + 1);
    }
  }
}

/**
 * Collects a string, parsing it first when it is JSON text containing the real envelope (an
 * early API format).
 */
function collectString(value: string, details: Details, depth: number): void {
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const nested = parseJson(trimmed);
    if (nested !== undefined) {
      collectValue(nested, details, depth + 1);
      return;
    }
  }

  if (trimmed.length > 0 && !details.sentences.includes(trimmed)) {
    details.sentences.push(trimmed);
  }
}

function toIssue(value: unknown): ValidationIssue | undefined {
  if (!isRecord(value) || typeof value.msg !== "string") {
    return undefined;
  }

  const loc = Array.isArray(value.loc)
    ? value.loc.filter(
        (part): part is string | number => typeof part === "string" || typeof part === "number",
      )
    : [];
  const type = typeof value.type === "string" ? value.type : "unknown";
  return { loc, msg: value.msg, type };
}

function dedupeIssues(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.loc, issue.msg, issue.type]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function joinMessages(sentences: string[], issues: ValidationIssue[]): string | undefined {
  const parts = [...sentences];
  for (const issue of issues) {
    parts.push(`${issue.loc.join(".") || "request"}: ${issue.msg}`);
  }

  if (parts.length === 0) {
    return undefined;
  }

  return parts.join("; ");
}

function plainTextMessage(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.startsWith("<")) {
    return undefined;
  }

  return trimmed.replace(/\s+/g, " ");
}

/** Runs this long of base64 or hex are documents or images the server echoed back. */
const encodedRun = /[A-Za-z0-9+/_-]{120,}={0,2}/g;

function truncate(text: string): string {
  const scrubbed = text.replace(encodedRun, (run) => `[${run.length} encoded characters removed]`);
  if (scrubbed.length <= maxMessageLength) {
    return scrubbed;
  }

  return `${scrubbed.slice(0, maxMessageLength)}… (cut at ${maxMessageLength} characters)`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
