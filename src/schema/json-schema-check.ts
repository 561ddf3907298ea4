import type { InputProblem } from "../core/errors/client-errors.js";
import { isSchemaObject, type JsonSchemaObject, resolvePointer } from "./json-schema.js";
import { formatPath, type PathSegment } from "./schema-check.js";

// A small JSON Schema validator for the keywords that structured output and tool parameters use,
// so a plain JSON Schema can check the model's output without a validation package.
//
// NOTE: `format`, `uniqueItems`, `patternProperties`, `dependentRequired`, `if`/`then`/`else`,
// `unevaluated*`, `min/maxProperties` and references to other documents are not checked, so a
// value can pass here and still fail a full validator. Use zod or a Standard Schema library when
// those matter.

/** Nesting depth after which checking stops, against self-referencing schemas. */
const MAX_DEPTH = 64;

interface CheckContext {
  root: JsonSchemaObject;
  problems: InputProblem[];
}

/** Checks a value against a JSON Schema and returns every problem found (none when it matches). */
export function checkJsonSchema(schema: JsonSchemaObject, value: unknown): InputProblem[] {
  const context: CheckContext = { root: schema, problems: [] };
  checkNode(context, schema, value, [], 0);
  return context.problems;
}

function checkNode(
  context: CheckContext,
  schema: unknown,
  value: unknown,
  path: PathSegment[],
  depth: number,
): void {
  if (schema === false) {
    report(context, path, "is not allowed");
    return;
  }

  if (!isSchemaObject(schema) || depth > MAX_DEPTH) return;
  const reference = schema["$ref"];
  if (typeof reference === "string") {
    checkNode(context, resolvePointer(context.root, reference), value, path, depth + 1);
  }

  if (!checkType(context, schema, value, path)) return;
  checkValue(context, schema, value, path);
  if (typeof value === "string") checkString(context, schema, value, path);
  if (typeof value === "number") checkNumber(context, schema, value, path);
  if (Array.isArray(value)) checkArray(context, schema, value, path, depth);
  if (isSchemaObject(value)) checkObject(context, schema, value, path, depth);
  checkCombinations(context, schema, value, path, depth);
}

/** Reports a type mismatch and returns false, so the other keywords do not add noise. */
function checkType(
  context: CheckContext,
  schema: JsonSchemaObject,
  value: unknown,
  path: PathSegment[],
): boolean {
  const type = schema["type"];
  if (type === undefined) return true;
  const allowed = Array.isArray(type) ? type : [type];
  if (allowed.some((name) => hasType(value, name))) return true;
  report(context, path, `must be of type ${allowed.join(" or ")}, got ${typeName(value)}`);
  return false;
}

function checkValue(
  context: CheckContext,
  schema: JsonSchemaObject,
  value: unknown,
  path: PathSegment[],
): void {
  if ("const" in schema && !deepEqual(schema["const"], value)) {
    report(context, path, `must be ${JSON.stringify(schema["const"])}`);
  }

  const allowed = schema["enum"];
  if (Array.isArray(allowed) && !allowed.some((item) => deepEqual(item, value))) {
    report(
      context,
      path,
      `must be one of ${allowed.map((item) => JSON.stringify(item)).join(", ")}`,
    );
  }
}

function checkString(
  context: CheckContext,
  schema: JsonSchemaObject,
  value: string,
  path: PathSegment[],
): void {
  const length = [...value].length;
  const minLength = numberKeyword(schema, "minLength");
  const maxLength = numberKeyword(schema, "maxLength");
  if (minLength !== undefined && length < minLength) {
    report(context, path, `must have at least ${minLength} characters`);
  }

  if (maxLength !== undefined && length > maxLength) {
    report(context, path, `must have at most ${maxLength} characters`);
  }

  const pattern = schema["pattern"];
  if (typeof pattern === "string" && !matchesPattern(pattern, value)) {
    report(context, path, `must match the pattern ${pattern}`);
  }
}

function checkNumber(
  context: CheckContext,
  schema: JsonSchemaObject,
  value: number,
  path: PathSegment[],
): void {
  const bounds: Array<[string, (limit: number) => boolean, string]> = [
    ["minimum", (limit) => value >= limit, "at least"],
    ["maximum", (limit) => value <= limit, "at most"],
    ["exclusiveMinimum", (limit) => value > limit, "greater than"],
    ["exclusiveMaximum", (limit) => value < limit, "less than"],
  ];
  for (const [keyword, holds, wording] of bounds) {
    const limit = numberKeyword(schema, keyword);
    if (limit !== undefined && !holds(limit)) report(context, path, `must be ${wording} ${limit}`);
  }

  const multipleOf = numberKeyword(schema, "multipleOf");
  if (multipleOf !== undefined && multipleOf > 0 && !Number.isInteger(value / multipleOf)) {
    report(context, path, `must be a multiple of ${multipleOf}`);
  }
}

function checkArray(
  context: CheckContext,
  schema: JsonSchemaObject,
  value: unknown[],
  path: PathSegment[],
  depth: number,
): void {
  const minItems = numberKeyword(schema, "minItems");
  const maxItems = numberKeyword(schema, "maxItems");
  if (minItems !== undefined && value.length < minItems) {
    report(context, path, `must have at least ${minItems} items`);
  }

  if (maxItems !== undefined && value.length > maxItems) {
    report(context, path, `must have at most ${maxItems} items`);
  }

  // Before draft 2020-12, a list under `items` played the part of `prefixItems`.
  const oldTuple = Array.isArray(schema["items"]);
  const prefix = listKeyword(schema, oldTuple ? "items" : "prefixItems");
  const rest = oldTuple ? schema["additionalItems"] : schema["items"];
  value.forEach((item, index) => {
    const itemSchema = index < prefix.length ? prefix[index] : rest;
    checkNode(context, itemSchema, item, [...path, index], depth + 1);
  });
}

function checkObject(
  context: CheckContext,
  schema: JsonSchemaObject,
  value: Record<string, unknown>,
  path: PathSegment[],
  depth: number,
): void {
  const required = Array.isArray(schema["required"]) ? schema["required"] : [];
  for (const name of required) {
    if (typeof name === "string" && !Object.hasOwn(value, name))
      report(context, [...path, name], "is required");
  }

  const properties = isSchemaObject(schema["properties"]) ? schema["properties"] : {};
  const additional = schema["additionalProperties"];
  for (const [name, item] of Object.entries(value)) {
    if (Object.hasOwn(properties, name)) {
      checkNode(context, properties[name], item, [...path, name], depth + 1);
    } else if (additional === false) {
      report(context, [...path, name], "is not a property of the schema (additionalProperties)");
    } else if (additional !== undefined) {
      checkNode(context, additional, item, [...path, name], depth + 1);
    }
  }
}

function checkCombinations(
  context: CheckContext,
  schema: JsonSchemaObject,
  value: unknown,
  path: PathSegment[],
  depth: number,
): void {
  for (const member of listKeyword(schema, "allOf")) {
    checkNode(context, member, value, path, depth + 1);
  }

  const anyOf = listKeyword(schema, "anyOf");
  if (anyOf.length > 0 && !anyOf.some((branch) => matches(context, branch, value, depth))) {
    report(context, path, "does not match any of the allowed schemas (anyOf)");
  }

  const oneOf = listKeyword(schema, "oneOf");
  const matching = oneOf.filter((branch) => matches(context, branch, value, depth)).length;
  if (oneOf.length > 0 && matching !== 1) {
    report(context, path, `must match exactly one schema of oneOf, matches ${matching}`);
  }

  if ("not" in schema && matches(context, schema["not"], value, depth)) {
    report(context, path, "must not match the schema of not");
  }
}

function matches(context: CheckContext, schema: unknown, value: unknown, depth: number): boolean {
  const branch: CheckContext = { root: context.root, problems: [] };
  checkNode(branch, schema, value, [], depth + 1);
  return branch.problems.length === 0;
}

function hasType(value: unknown, name: unknown): boolean {
  switch (name) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    default:
      return typeName(value) === name;
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) {
    return false;
  }

  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  return (
    leftKeys.length === rightKeys.length &&
    leftKeys.every((key) =>
      deepEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
    )
  );
}

/** Tests an ECMA-262 pattern, as JSON Schema defines them; an invalid pattern passes. */
function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true;
  }
}

function numberKeyword(schema: JsonSchemaObject, keyword: string): number | undefined {
  const value = schema[keyword];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function listKeyword(schema: JsonSchemaObject, keyword: string): unknown[] {
  const value = schema[keyword];
  return Array.isArray(value) ? value : [];
}

function report(context: CheckContext, path: PathSegment[], message: string): void {
  context.problems.push({ path: formatPath(path), message });
}
