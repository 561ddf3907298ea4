import { jsonSchemaTarget } from "./standard-schema.js";

// zod is recognised by shape, never imported: the caller's own copy of zod 3 or zod 4 is used.

/** A zod 4 schema, recognised by its `_zod.def` object. */
export interface ZodFourLike {
  readonly _zod: { readonly def: object };
}

type ToJsonSchemaMethod = (options: { target: string; io: "input" | "output" }) => unknown;

/** Checks for a zod 4 schema (classic or mini). */
export function isZodFour(value: unknown): value is ZodFourLike {
  if (typeof value !== "object" || value === null) return false;
  const internals = (value as { _zod?: unknown })._zod;
  return (
    typeof internals === "object" &&
    internals !== null &&
    typeof (internals as { def?: unknown }).def === "object"
  );
}

/**
 * Returns the JSON Schema of a zod 4 schema from its `toJSONSchema()` method, which zod 4 classic
 * has and zod mini lacks. Output mode is preferred, as for Standard JSON Schema; input mode is the
 * fallback for transforms. Returns undefined when there is no such method.
 */
export function zodFourMethodJsonSchema(schema: ZodFourLike): Record<string, unknown> | undefined {
  const method = (schema as { toJSONSchema?: unknown }).toJSONSchema;
  if (typeof method !== "function") return undefined;
  const convert = (io: "input" | "output") =>
    (method as ToJsonSchemaMethod).call(schema, { target: jsonSchemaTarget, io });
  try {
    return convert("output") as Record<string, unknown>;
  } catch {
    return convert("input") as Record<string, unknown>;
  }
}
