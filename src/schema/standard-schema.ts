import { formatPath, type PathSegment, type SchemaCheck } from "./schema-check.js";

// Structural types of the Standard Schema interface (version 1, standardschema.dev), which zod
// 3.24+, zod 4, valibot and ArkType implement. They are declared here, not imported, so the
// library depends on no validation package.

/** One problem reported by a Standard Schema validator. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** Result of `~standard.validate`: the output value, or the issues found. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/**
 * JSON Schema output of the Standard JSON Schema extension. Each function returns the schema of
 * the validator's input or output for a target such as `"draft-2020-12"`, and may throw when a
 * part of the schema has no JSON Schema form.
 */
export interface StandardJsonSchemaConverter {
  readonly input: (options: { readonly target: string }) => Record<string, unknown>;
  readonly output: (options: { readonly target: string }) => Record<string, unknown>;
}

/** A validator that implements the Standard Schema interface. */
export interface StandardSchemaLike<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
    readonly jsonSchema?: StandardJsonSchemaConverter | undefined;
  };
}

/** JSON Schema dialect requested from converters; the one the API's own schemas use. */
export const jsonSchemaTarget = "draft-2020-12";

/** Checks for an object with a `~standard.validate` function. */
export function isStandardSchema(value: unknown): value is StandardSchemaLike {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const standard = (value as { "~standard"?: unknown })["~standard"];
  return (
    typeof standard === "object" &&
    standard !== null &&
    typeof (standard as { validate?: unknown }).validate === "function"
  );
}

/**
 * Returns the JSON Schema that a Standard Schema offers through the Standard JSON Schema
 * extension, or undefined when it offers none. The output schema is preferred because it is the
 * stricter one: objects are closed and defaulted fields are required. The input schema is the
 * fallback for parts with no output form, such as transforms. Throws the converter's own error
 * when neither form can be produced.
 */
export function standardJsonSchema(
  schema: StandardSchemaLike,
): Record<string, unknown> | undefined {
  const converter = schema["~standard"].jsonSchema;
  if (typeof converter?.output !== "function" || typeof converter.input !== "function") {
    return undefined;
  }

  try {
    return converter.output({ target: jsonSchemaTarget });
  } catch {
    return converter.input({ target: jsonSchemaTarget });
  }
}

/** Validates a value and turns the issues into problems with JSONPath paths. */
export async function validateStandard(
  schema: StandardSchemaLike,
  value: unknown,
): Promise<SchemaCheck> {
  const result = await schema["~standard"].validate(value);
  if (result.issues === undefined) {
    return { ok: true, value: result.value };
  }

  const problems = result.issues.map((issue) => ({
    path: formatPath(pathSegments(issue.path)),
    message: issue.message,
  }));
  return { ok: false, problems };
}

function pathSegments(path: StandardSchemaIssue["path"]): PathSegment[] {
  return (path ?? []).map((item) => {
    const key = typeof item === "object" && item !== null ? item.key : item;
    return typeof key === "number" ? key : String(key);
  });
}
