import { ValidationError } from "../../core/errors/client-errors.js";
import { isSchemaObject, type JsonSchemaObject } from "../../schema/json-schema.js";
import {
  type AdaptedSchema,
  adaptSchema,
  type InferSchemaOutput,
} from "../../schema/schema-adapter.js";
import { isStandardSchema } from "../../schema/standard-schema.js";
import { isZodThree } from "../../schema/zod3-json-schema.js";
import type { JsonSchemaFormat, ResponseFormat } from "../../types/chat.js";

/** Type-only key that carries the output type of a response format; never set at run time. */
declare const outputType: unique symbol;

/**
 * A `json_schema` response format, as sent on the wire, whose parsed output has type `T`. It can
 * be passed to `chat.create()` as well as to `chat.parse()`.
 */
export interface TypedResponseFormat<T> extends ResponseFormat {
  type: "json_schema";
  json_schema: JsonSchemaFormat;
  readonly [outputType]?: T;
}

/** Options of {@link schemaResponseFormat}. */
export interface SchemaResponseFormatOptions {
  /** Name of the output, sent as `json_schema.name`, which the API requires. Default: `"response"`. */
  name?: string;
  description?: string;
  /**
   * Whether the server constrains the output to the schema exactly. Default: true, the only
   * setting under which the output is guaranteed to parse.
   */
  strict?: boolean;
  /**
   * JSON Schema sent as written instead of a generated one. Required for a Standard Schema
   * library that has no JSON Schema output (valibot without its converter, for example).
   */
  jsonSchema?: JsonSchemaObject;
}

/** Resolved `response_format` of a request: the wire object and the check of the output. */
export interface ResolvedResponseFormat {
  wire: ResponseFormat;
  /** Undefined for `json_object`, whose output is parsed but not checked. */
  schema: AdaptedSchema | undefined;
}

const defaultName = "response";

/** Schemas of the formats built by the helpers below, found again by `resolveResponseFormat`. */
const adaptedFormats = new WeakMap<object, AdaptedSchema>();

/**
 * Builds a `json_schema` response format from a zod 3 or zod 4 schema, a Standard Schema
 * validator, or a plain JSON Schema. Generated schemas contain no `$schema` or `$id`, and every
 * `$ref` in them resolves inside the schema. `chat.parse()` checks the output with the validator.
 *
 * @throws ValidationError when no JSON Schema can be generated; see {@link adaptSchema}.
 */
export function schemaResponseFormat<S extends object>(
  schema: S,
  options: SchemaResponseFormatOptions = {},
): TypedResponseFormat<InferSchemaOutput<S>> {
  const adapted = adaptSchema(schema, {
    jsonSchema: options.jsonSchema,
    path: "response_format",
  });
  return register(wireFormat(adapted.jsonSchema, options), adapted);
}

/**
 * Builds a `json_schema` response format from a plain JSON Schema, sent unchanged, whose parsed
 * output the caller types as `T`. The output is checked with the built-in subset validator.
 */
export function jsonSchemaResponseFormat<T = unknown>(
  name: string,
  schema: JsonSchemaObject,
  options: Omit<SchemaResponseFormatOptions, "name" | "jsonSchema"> = {},
): TypedResponseFormat<T> {
  const adapted = adaptSchema(schema, { path: "response_format.json_schema.schema" });
  return register(wireFormat(schema, { ...options, name }), adapted);
}

/**
 * Resolves the `response_format` of a `chat.parse()` request: a format built by the helpers
 * above, a bare schema (named `"response"`, strict), a `json_schema` format written by hand
 * (sent unchanged), or `json_object`.
 *
 * @throws ValidationError for a missing, `text` or malformed format.
 */
export function resolveResponseFormat(format: unknown): ResolvedResponseFormat {
  const registered = typeof format === "object" && format !== null && adaptedFormats.get(format);
  if (registered) return { wire: format as ResponseFormat, schema: registered };
  if (isStandardSchema(format) || isZodThree(format)) {
    const wire = schemaResponseFormat(format);
    return { wire, schema: adaptedFormats.get(wire) };
  }

  if (!isSchemaObject(format)) {
    throw invalidFormat("is required: pass a schema, or a json_schema response format");
  }

  if (format["type"] === "json_object") return { wire: format, schema: undefined };
  if (format["type"] !== "json_schema") {
    throw invalidFormat(
      'must be a schema or have type "json_schema" or "json_object": a bare JSON Schema needs ' +
        "a name, so pass jsonSchemaResponseFormat(name, schema)",
    );
  }

  return { wire: format, schema: adaptHandWritten(format["json_schema"]) };
}

function adaptHandWritten(jsonSchema: unknown): AdaptedSchema {
  if (!isSchemaObject(jsonSchema)) {
    throw invalidFormat("must have a json_schema object with name and schema", ".json_schema");
  }

  if (typeof jsonSchema["name"] !== "string" || jsonSchema["name"] === "") {
    throw invalidFormat("is required by the API: a non-empty string", ".json_schema.name");
  }

  if (!isSchemaObject(jsonSchema["schema"])) {
    throw invalidFormat("must be a JSON Schema object", ".json_schema.schema");
  }

  return adaptSchema(jsonSchema["schema"], { path: "response_format.json_schema.schema" });
}

function wireFormat(
  schema: JsonSchemaObject,
  options: SchemaResponseFormatOptions,
): TypedResponseFormat<never> {
  const name = options.name ?? defaultName;
  if (typeof name !== "string" || name === "") {
    throw invalidFormat("is required by the API: a non-empty string", ".json_schema.name");
  }

  const jsonSchema: JsonSchemaFormat = { name, schema, strict: options.strict ?? true };
  if (options.description !== undefined) jsonSchema.description = options.description;
  return { type: "json_schema", json_schema: jsonSchema };
}

function register<T>(format: TypedResponseFormat<never>, adapted: AdaptedSchema) {
  adaptedFormats.set(format, adapted);
  return format as TypedResponseFormat<T>;
}

function invalidFormat(message: string, suffix = ""): ValidationError {
  return new ValidationError([{ path: `response_format${suffix}`, message }]);
}
