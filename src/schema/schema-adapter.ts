import { ValidationError } from "../core/errors/client-errors.js";
import {
  isSchemaObject,
  type JsonSchemaObject,
  unresolvedReferences,
  withoutDialectKeywords,
} from "./json-schema.js";
import { checkJsonSchema } from "./json-schema-check.js";
import { formatPath, type SchemaCheck } from "./schema-check.js";
import {
  isStandardSchema,
  type StandardSchemaLike,
  standardJsonSchema,
  validateStandard,
} from "./standard-schema.js";
import { isZodFour, zodFourMethodJsonSchema } from "./zod.js";
import { isZodThree, type ZodThreeLike, zodThreeToJsonSchema } from "./zod3-json-schema.js";

/**
 * Output type of a schema, found by shape: the Standard Schema `types.output` (zod 3.24+, zod 4,
 * valibot, ArkType), else zod 3's `_output`, else `unknown` (a plain JSON Schema).
 */
export type InferSchemaOutput<S> = S extends {
  readonly "~standard": { readonly types?: { readonly output: infer Output } | undefined };
}
  ? Output
  : S extends { readonly _output: infer Output }
    ? Output
    : unknown;

/** A schema in any accepted form, reduced to what the API needs and what the client checks. */
export interface AdaptedSchema {
  /** JSON Schema sent to the API. */
  readonly jsonSchema: JsonSchemaObject;
  /** Checks a parsed JSON value and returns the validator's output value or the problems. */
  validate(value: unknown): Promise<SchemaCheck>;
}

export interface AdaptSchemaOptions {
  /** JSON Schema to send, sent as written, in place of one generated from a validator. */
  jsonSchema?: JsonSchemaObject | undefined;
  /** Location of the schema in the caller's input, for error messages (`response_format`). */
  path: string;
}

/**
 * Adapts a zod 3 or zod 4 schema, a Standard Schema validator or a plain JSON Schema object.
 * Validators check values themselves and have their JSON Schema generated, without `$schema` and
 * `$id`. A plain JSON Schema is sent unchanged and checked with the built-in subset validator.
 *
 * @throws ValidationError when the value is not one of these kinds, when no JSON Schema can be
 *   generated, or when a generated schema has a `$ref` that does not resolve inside it.
 */
export function adaptSchema(source: unknown, options: AdaptSchemaOptions): AdaptedSchema {
  const explicit = options.jsonSchema;
  if (explicit !== undefined && !isSchemaObject(explicit)) {
    throw invalid(`${options.path}.jsonSchema`, "must be a JSON Schema object");
  }

  if (isStandardSchema(source) || isZodThree(source)) {
    const jsonSchema = explicit ?? generateJsonSchema(source, options.path);
    return { jsonSchema, validate: (value) => validateWithValidator(source, value) };
  }

  if (isSchemaObject(source)) {
    const jsonSchema = explicit ?? source;
    return { jsonSchema, validate: async (value) => checkPlainSchema(jsonSchema, value) };
  }

  throw invalid(
    options.path,
    "must be a zod schema, a Standard Schema validator or a JSON Schema object",
  );
}

function generateJsonSchema(source: StandardSchemaLike | ZodThreeLike, path: string) {
  let generated: JsonSchemaObject | undefined;
  try {
    generated =
      (isStandardSchema(source) ? standardJsonSchema(source) : undefined) ??
      (isZodFour(source) ? zodFourMethodJsonSchema(source) : undefined) ??
      (isZodThree(source) ? zodThreeToJsonSchema(source) : undefined);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(
      path,
      `has no JSON Schema form (${reason}): pass jsonSchema with a schema written for it`,
    );
  }

  if (!isSchemaObject(generated)) {
    const vendor = isStandardSchema(source) ? source["~standard"].vendor : "unknown";
    throw invalid(
      path,
      `is a ${vendor} schema without JSON Schema output: pass its JSON Schema as jsonSchema`,
    );
  }

  const cleaned = withoutDialectKeywords(generated);
  const unresolved = unresolvedReferences(cleaned);
  if (unresolved.length > 0) {
    throw invalid(
      path,
      `generated a JSON Schema whose $ref ${unresolved.join(", ")} does not resolve inside it: ` +
        "pass jsonSchema with a self-contained schema",
    );
  }

  return cleaned;
}

async function validateWithValidator(
  source: StandardSchemaLike | ZodThreeLike,
  value: unknown,
): Promise<SchemaCheck> {
  if (isStandardSchema(source)) return validateStandard(source, value);
  return validateZodThreeWithoutStandard(source, value);
}

interface SafeParseResult {
  success: boolean;
  data?: unknown;
  error?: { issues?: Array<{ path?: Array<string | number>; message: string }> };
}

/** zod 3 before 3.24 has no `~standard` property; `safeParseAsync` does the same job. */
async function validateZodThreeWithoutStandard(
  source: ZodThreeLike,
  value: unknown,
): Promise<SchemaCheck> {
  const safeParseAsync = (source as { safeParseAsync?: unknown }).safeParseAsync;
  if (typeof safeParseAsync !== "function") {
    return {
      ok: false,
      problems: [{ path: "$", message: "the zod schema has no safeParseAsync" }],
    };
  }

  const result = (await safeParseAsync.call(source, value)) as SafeParseResult;
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error?.issues ?? [];
  const problems = issues.map((issue) => ({
    path: formatPath(issue.path ?? []),
    message: issue.message,
  }));
  return { ok: false, problems };
}

function checkPlainSchema(schema: JsonSchemaObject, value: unknown): SchemaCheck {
  const problems = checkJsonSchema(schema, value);
  return problems.length === 0 ? { ok: true, value } : { ok: false, problems };
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message }], "Invalid schema");
}
