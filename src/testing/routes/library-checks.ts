import type { ValidationIssue } from "../error-envelope.js";
import type { RouteParameters } from "./route.js";

// Request checks of the libraries routes, reporting problems as the API's 422 `detail` entries.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Expected type of one body field. An optional field also accepts `null`. */
export type FieldRule =
  | { type: "string" | "integer" | "object" | "uuid"; required?: boolean }
  | { type: "enum"; values: readonly string[]; required?: boolean };

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** Checks that every path parameter (all ids in this API) is a UUID. */
export function pathIssues(parameters: RouteParameters): ValidationIssue[] {
  return Object.entries(parameters)
    .filter(([, value]) => !isUuid(value))
    .map(([name, value]) => uuidIssue(["path", name], value));
}

/** Checks a JSON body, which must be an object, against its field rules. */
export function bodyIssues(body: unknown, rules: Record<string, FieldRule>): ValidationIssue[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const message = "Input should be a valid dictionary or object to extract fields from";
    return [{ type: "model_attributes_type", loc: ["body"], msg: message, input: body ?? null }];
  }

  const fields = body as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    const issue = fieldIssue(["body", name], fields[name], rule);
    if (issue !== undefined) issues.push(issue);
  }

  return issues;
}

function fieldIssue(
  loc: Array<string | number>,
  value: unknown,
  rule: FieldRule,
): ValidationIssue | undefined {
  if (value === undefined) {
    return rule.required ? { type: "missing", loc, msg: "Field required", input: null } : undefined;
  }

  if (value === null && !rule.required) {
    return undefined;
  }

  switch (rule.type) {
    case "string":
      return typeof value === "string"
        ? undefined
        : { type: "string_type", loc, msg: "Input should be a valid string", input: value };
    case "integer":
      return Number.isInteger(value)
        ? undefined
        : { type: "int_type", loc, msg: "Input should be a valid integer", input: value };
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value)
        ? undefined
        : { type: "dict_type", loc, msg: "Input should be a valid dictionary", input: value };
    case "uuid":
      return isUuid(value) ? undefined : uuidIssue(loc, value);
    case "enum":
      return rule.values.includes(value as string)
        ? undefined
        : {
            type: "enum",
            loc,
            msg: `Input should be ${rule.values.map((item) => `'${item}'`).join(" or ")}`,
            input: value,
          };
  }
}

function uuidIssue(loc: Array<string | number>, value: unknown): ValidationIssue {
  return { type: "uuid_parsing", loc, msg: "Input should be a valid UUID", input: value };
}

/** Checks `page` (at least 0) and `page_size` (1 to 100) of a document list query. */
export function listQueryIssues(query: Record<string, string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const bounds = { page: [0, Number.POSITIVE_INFINITY], page_size: [1, 100] } as const;
  for (const [name, [minimum, maximum]] of Object.entries(bounds)) {
    const text = query[name];
    if (text === undefined) continue;
    const value = Number(text);
    const loc = ["query", name];
    if (text.trim() === "" || !Number.isInteger(value)) {
      issues.push({
        type: "int_parsing",
        loc,
        msg: "Input should be a valid integer",
        input: text,
      });
    } else if (value < minimum) {
      const msg = `Input should be greater than or equal to ${minimum}`;
      issues.push({ type: "greater_than_equal", loc, msg, input: text });
    } else if (value > maximum) {
      const msg = `Input should be less than or equal to ${maximum}`;
      issues.push({ type: "less_than_equal", loc, msg, input: text });
    }
  }

  return issues;
}
