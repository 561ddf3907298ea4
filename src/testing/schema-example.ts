import { ownValue } from "../core/own-value.js";

/**
 * Deterministic example values for JSON Schemas, used as the arguments of default tool calls.
 *
 * Objects get every listed property (only the required ones when deeply nested) plus any other
 * required name. Strings get `"example"` (or a value for a known `format`), numbers their
 * minimum or 1, booleans true, arrays one item (or `minItems` items), and `anyOf`/`oneOf` their
 * first branch. `const` and the first `enum` value win over everything else. Local `$ref`s
 * (`#/...`) are followed.
 *
 * NOTE: `pattern`, `uniqueItems` with several items, `not`, and `oneOf` branches that overlap
 * once every property is filled are not handled, so such schemas can get invalid examples.
 */

type SchemaObject = { [keyword: string]: unknown };

/** Nesting depth after which recursive schemas get `null`, so generation always ends. */
const MAX_DEPTH = 16;

/** Nesting depth from which objects get only their required properties. */
const OPTIONAL_PROPERTY_DEPTH = 6;

const STRING_FORMATS: Record<string, string> = {
  "date-time": "2025-01-01T00:00:00Z",
  date: "2025-01-01",
  time: "00:00:00Z",
  email: "user@example.com",
  uri: "https://example.com/",
  url: "https://example.com/",
  uuid: "00000000-0000-4000-8000-000000000000",
  ipv4: "127.0.0.1",
  ipv6: "::1",
  hostname: "example.com",
};

/** Returns a value that validates against `schema` (within the limits noted above). */
export function exampleForSchema(schema: unknown): unknown {
  return exampleAt(schema, schema, 0);
}

function exampleAt(schema: unknown, root: unknown, depth: number): unknown {
  if (schema === true || schema === undefined) {
    return "example";
  }

  if (!isSchemaObject(schema) || depth > MAX_DEPTH) {
    return null;
  }

  const resolved = mergeAllOf(resolveReference(schema, root), root);
  if ("const" in resolved) {
    return resolved["const"];
  }

  if (Array.isArray(resolved["enum"]) && resolved["enum"].length > 0) {
    return resolved["enum"][0];
  }

  const branch = firstBranch(resolved);
  if (branch !== undefined) {
    const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = resolved;
    const merged = isSchemaObject(branch) ? { ...rest, ...resolveReference(branch, root) } : rest;
    return exampleAt(merged, root, depth + 1);
  }

  return exampleOfType(resolved, root, depth);
}

function exampleOfType(schema: SchemaObject, root: unknown, depth: number): unknown {
  switch (schemaType(schema)) {
    case "object":
      return exampleObject(schema, root, depth);
    case "array":
      return exampleArray(schema, root, depth);
    case "string":
      return exampleString(schema);
    case "integer":
      return exampleNumber(schema, true);
    case "number":
      return exampleNumber(schema, false);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return "example";
  }
}

/** Returns the declared type (the first non-null one of a list), or infers it from keywords. */
function schemaType(schema: SchemaObject): string | undefined {
  const type = schema["type"];
  if (typeof type === "string") {
    return type;
  }

  if (Array.isArray(type)) {
    const types = type.filter((item): item is string => typeof item === "string");
    return types.find((item) => item !== "null") ?? types[0];
  }

  if ("properties" in schema || "required" in schema) {
    return "object";
  }

  if ("items" in schema || "prefixItems" in schema) {
    return "array";
  }

  return undefined;
}

function exampleObject(schema: SchemaObject, root: unknown, depth: number): SchemaObject {
  const properties = isSchemaObject(schema["properties"]) ? schema["properties"] : {};
  const required = Array.isArray(schema["required"]) ? schema["required"] : [];
  const example: SchemaObject = {};
  for (const [name, propertySchema] of Object.entries(properties)) {
    // Deep down, optional properties are left out so that recursive schemas end validly.
    if (depth < OPTIONAL_PROPERTY_DEPTH || required.includes(name)) {
      example[name] = exampleAt(propertySchema, root, depth + 1);
    }
  }

  for (const name of required) {
    if (typeof name === "string" && !(name in example)) {
      example[name] = exampleAt(schema["additionalProperties"], root, depth + 1);
    }
  }

  return example;
}

function exampleArray(schema: SchemaObject, root: unknown, depth: number): unknown[] {
  const prefix = Array.isArray(schema["prefixItems"]) ? schema["prefixItems"] : [];
  const minItems = numberKeyword(schema, "minItems") ?? 0;
  const maxItems = numberKeyword(schema, "maxItems") ?? Number.POSITIVE_INFINITY;
  const count = Math.min(Math.max(1, minItems, prefix.length), maxItems);
  const example: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const itemSchema = index < prefix.length ? prefix[index] : schema["items"];
    example.push(exampleAt(itemSchema, root, depth + 1));
  }

  return example;
}

function exampleString(schema: SchemaObject): string {
  const format = schema["format"];
  let text =
    typeof format === "string" ? (ownValue(STRING_FORMATS, format) ?? "example") : "example";
  const minLength = numberKeyword(schema, "minLength") ?? 0;
  const maxLength = numberKeyword(schema, "maxLength");
  if (text.length < minLength) {
    text = text.padEnd(minLength, "x");
  }

  if (maxLength !== undefined && text.length > maxLength) {
    text = text.slice(0, maxLength);
  }

  return text;
}

function exampleNumber(schema: SchemaObject, integer: boolean): number {
  const minimum = numberKeyword(schema, "minimum");
  const exclusiveMinimum = numberKeyword(schema, "exclusiveMinimum");
  const maximum = numberKeyword(schema, "maximum");
  const exclusiveMaximum = numberKeyword(schema, "exclusiveMaximum");
  let value = minimum ?? (exclusiveMinimum === undefined ? 1 : exclusiveMinimum + 1);
  if (maximum !== undefined && value > maximum) {
    value = maximum;
  }

  if (exclusiveMaximum !== undefined && value >= exclusiveMaximum) {
    value = exclusiveMaximum - 1;
  }

  const multipleOf = numberKeyword(schema, "multipleOf");
  if (multipleOf !== undefined && multipleOf > 0) {
    value = Math.ceil(value / multipleOf) * multipleOf;
  }

  return integer ? Math.ceil(value) : value;
}

/** Follows local references such as `#/$defs/City`; unknown references resolve to `{}`. */
function resolveReference(schema: SchemaObject, root: unknown): SchemaObject {
  let current = schema;
  for (let hops = 0; typeof current["$ref"] === "string" && hops < MAX_DEPTH; hops++) {
    const { $ref: reference, ...siblings } = current;
    const target = lookUpPointer(root, reference as string);
    current = isSchemaObject(target) ? { ...target, ...siblings } : siblings;
  }

  return current;
}

/** Resolves a JSON Pointer fragment (RFC 6901) against the root schema. */
function lookUpPointer(root: unknown, reference: string): unknown {
  if (!reference.startsWith("#")) {
    return undefined;
  }

  const tokens = reference.slice(1).split("/").slice(1);
  let node: unknown = root;
  for (const token of tokens) {
    const key = decodeURIComponent(token).replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isSchemaObject(node) && !Array.isArray(node)) {
      return undefined;
    }

    node = (node as SchemaObject)[key];
  }

  return node;
}

/** Folds `allOf` members into one schema: properties and required names are combined. */
function mergeAllOf(schema: SchemaObject, root: unknown): SchemaObject {
  if (!Array.isArray(schema["allOf"])) {
    return schema;
  }

  const { allOf, ...merged } = schema;
  for (const member of allOf as unknown[]) {
    if (!isSchemaObject(member)) {
      continue;
    }

    const part = mergeAllOf(resolveReference(member, root), root);
    const properties = { ...asObject(merged["properties"]), ...asObject(part["properties"]) };
    const required = [...asArray(merged["required"]), ...asArray(part["required"])];
    Object.assign(merged, part);
    if ("properties" in merged) {
      merged["properties"] = properties;
    }

    if ("required" in merged) {
      merged["required"] = required;
    }
  }

  return merged;
}

function firstBranch(schema: SchemaObject): unknown {
  for (const keyword of ["anyOf", "oneOf"]) {
    const branches = schema[keyword];
    if (Array.isArray(branches) && branches.length > 0) {
      return branches[0];
    }
  }

  return undefined;
}

function numberKeyword(schema: SchemaObject, keyword: string): number | undefined {
  const value = schema[keyword];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): SchemaObject {
  return isSchemaObject(value) ? value : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
