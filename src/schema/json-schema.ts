/** A JSON Schema object. Boolean schemas appear only inside one. */
export type JsonSchemaObject = Record<string, unknown>;

/** Keywords whose value is a map of names to subschemas. */
const schemaMapKeywords = [
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
];

/** Keywords whose value is a subschema, or a list of them for `items` in older drafts. */
const schemaKeywords = [
  "items",
  "additionalItems",
  "additionalProperties",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
];

/** Keywords whose value is a list of subschemas. */
const schemaListKeywords = ["anyOf", "oneOf", "allOf", "prefixItems"];

/**
 * Calls `visit` on the schema and each of its subschemas, with the JSON Pointer of each. Values
 * under data keywords (`const`, `enum`, `default`, `examples`) are not schemas and are skipped, as
 * are property names: a property called `$id` stays a property.
 */
export function forEachSubschema(
  schema: unknown,
  visit: (node: JsonSchemaObject, pointer: string) => void,
  pointer = "#",
): void {
  if (!isSchemaObject(schema)) return;
  visit(schema, pointer);
  for (const keyword of schemaMapKeywords) {
    const map = schema[keyword];
    if (!isSchemaObject(map)) continue;
    for (const [name, child] of Object.entries(map)) {
      forEachSubschema(child, visit, `${pointer}/${keyword}/${escapePointer(name)}`);
    }
  }

  for (const keyword of schemaKeywords) {
    const child = schema[keyword];
    if (Array.isArray(child)) {
      visitList(child, visit, `${pointer}/${keyword}`);
    } else {
      forEachSubschema(child, visit, `${pointer}/${keyword}`);
    }
  }

  for (const keyword of schemaListKeywords) {
    const list = schema[keyword];
    if (Array.isArray(list)) visitList(list, visit, `${pointer}/${keyword}`);
  }
}

function visitList(
  list: unknown[],
  visit: (node: JsonSchemaObject, pointer: string) => void,
  pointer: string,
): void {
  for (const [index, item] of list.entries()) {
    forEachSubschema(item, visit, `${pointer}/${index}`);
  }
}

/**
 * Returns a deep copy without the `$schema` and `$id` keywords, which the API has rejected with
 * "failed to compile JSON schema". Only schemas that the library generated go through this:
 * a schema the caller wrote is sent as written.
 */
export function withoutDialectKeywords(schema: JsonSchemaObject): JsonSchemaObject {
  const copy = structuredClone(schema);
  forEachSubschema(copy, (node) => {
    delete node["$schema"];
    delete node["$id"];
  });
  return copy;
}

/**
 * Lists the `$ref` values that do not resolve inside the schema itself: references to other
 * documents, and local JSON Pointers (`#`, `#/$defs/Name`) that point at nothing.
 */
export function unresolvedReferences(schema: JsonSchemaObject): string[] {
  const unresolved: string[] = [];
  forEachSubschema(schema, (node) => {
    const reference = node["$ref"];
    if (typeof reference === "string" && resolvePointer(schema, reference) === undefined) {
      unresolved.push(reference);
    }
  });
  return unresolved;
}

/** Resolves a local reference (`#` or `#/a/b`, RFC 6901) against the root schema. */
export function resolvePointer(root: unknown, reference: string): unknown {
  if (reference === "#") return root;
  if (!reference.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const token of reference.slice(2).split("/")) {
    const key = decodeURIComponent(token).replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }

  return node;
}

export function isSchemaObject(value: unknown): value is JsonSchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escapePointer(name: string): string {
  return name.replaceAll("~", "~0").replaceAll("/", "~1");
}
