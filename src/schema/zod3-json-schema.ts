// Converts zod 3 schemas to JSON Schema (2020-12) by reading their `_def` objects, so the library
// needs no converter package. zod 4 has its own converter and is not handled here.

import { ownValue } from "../core/own-value.js";

type JsonObject = Record<string, unknown>;

/** The parts of a zod 3 definition this converter reads. */
interface ZodThreeDef {
  typeName: string;
  description?: string;
  [key: string]: unknown;
}

/** A zod 3 schema, recognised by its `_def.typeName` (zod 4 schemas have `_zod` instead). */
export interface ZodThreeLike {
  readonly _def: ZodThreeDef;
}

/** Nesting depth after which conversion stops, against self-referencing definitions. */
const MAX_DEPTH = 64;

/** Checks for a zod 3 schema. */
export function isZodThree(value: unknown): value is ZodThreeLike {
  if (typeof value !== "object" || value === null || "_zod" in value) return false;
  const def = (value as { _def?: unknown })._def;
  return (
    typeof def === "object" &&
    def !== null &&
    typeof (def as { typeName?: unknown }).typeName === "string"
  );
}

/**
 * Returns the JSON Schema of the values a zod 3 schema accepts. Objects are closed
 * (`additionalProperties: false`) unless they use `passthrough` or `catchall`. Each `z.lazy`
 * becomes an entry of `$defs`, so recursive schemas end. Refinements and transforms are described
 * by the schema they wrap.
 *
 * @throws TypeError naming the zod type and its path when a part has no JSON form (dates without
 *   `coerce`, bigint, map, set, function, promise, symbol, undefined).
 */
export function zodThreeToJsonSchema(schema: ZodThreeLike): JsonObject {
  const converter = new Converter();
  const result = converter.convert(schema, "$", 0);
  return converter.withDefinitions(result);
}

class Converter {
  readonly #definitions: Record<string, JsonObject> = {};
  readonly #lazyNames = new Map<object, string>();

  withDefinitions(root: JsonObject): JsonObject {
    if (this.#lazyNames.size === 0) return root;
    return { ...root, $defs: this.#definitions };
  }

  convert(schema: unknown, path: string, depth: number): JsonObject {
    if (!isZodThree(schema)) {
      throw new TypeError(`The value at ${path} is not a zod 3 schema`);
    }

    if (depth > MAX_DEPTH) {
      throw new TypeError(`The schema at ${path} nests deeper than ${MAX_DEPTH} levels`);
    }

    const def = schema._def;
    const result = this.#convertType(schema, def, path, depth + 1);
    return typeof def.description === "string"
      ? { ...result, description: def.description }
      : result;
  }

  #convertType(schema: ZodThreeLike, def: ZodThreeDef, path: string, depth: number): JsonObject {
    switch (def.typeName) {
      case "ZodString":
        return stringSchema(def);
      case "ZodNumber":
        return numberSchema(def);
      case "ZodBoolean":
        return { type: "boolean" };
      case "ZodNull":
        return { type: "null" };
      case "ZodAny":
      case "ZodUnknown":
        return {};
      case "ZodNever":
        return { not: {} };
      case "ZodDate":
        if (def["coerce"] === true) return { type: "string", format: "date-time" };
        break;
      case "ZodLiteral":
        return literalSchema(def["value"], path);
      case "ZodEnum":
        return { type: "string", enum: [...(def["values"] as string[])] };
      case "ZodNativeEnum":
        return nativeEnumSchema(def["values"] as Record<string, string | number>);
      case "ZodArray":
        return this.#arraySchema(def, path, depth);
      case "ZodObject":
        return this.#objectSchema(def, path, depth);
      case "ZodUnion":
      case "ZodDiscriminatedUnion":
        return this.#unionSchema(def, path, depth);
      case "ZodIntersection":
        return this.#intersectionSchema(def, path, depth);
      case "ZodTuple":
        return this.#tupleSchema(def, path, depth);
      case "ZodRecord":
        return {
          type: "object",
          additionalProperties: this.convert(def["valueType"], `${path}.*`, depth),
        };
      case "ZodLazy":
        return this.#lazySchema(schema, def, path, depth);
      case "ZodNullable":
        return { anyOf: [this.convert(def["innerType"], path, depth), { type: "null" }] };
      case "ZodDefault":
        return { ...this.convert(def["innerType"], path, depth), default: defaultValue(def) };
      case "ZodOptional":
      case "ZodCatch":
      case "ZodReadonly":
        return this.convert(def["innerType"], path, depth);
      case "ZodEffects":
        return this.convert(def["schema"], path, depth);
      case "ZodBranded":
        return this.convert(def["type"], path, depth);
      case "ZodPipeline":
        return this.convert(def["in"], path, depth);
    }

    throw new TypeError(`zod type ${def.typeName} at ${path} has no JSON Schema form`);
  }

  #arraySchema(def: ZodThreeDef, path: string, depth: number): JsonObject {
    const result: JsonObject = {
      type: "array",
      items: this.convert(def["type"], `${path}[*]`, depth),
    };
    const exact = lengthValue(def["exactLength"]);
    const min = exact ?? lengthValue(def["minLength"]);
    const max = exact ?? lengthValue(def["maxLength"]);
    if (min !== undefined) result["minItems"] = min;
    if (max !== undefined) result["maxItems"] = max;
    return result;
  }

  #objectSchema(def: ZodThreeDef, path: string, depth: number): JsonObject {
    const shape = (def["shape"] as () => Record<string, unknown>)();
    const properties: JsonObject = {};
    const required: string[] = [];
    for (const [name, property] of Object.entries(shape)) {
      properties[name] = this.convert(property, `${path}.${name}`, depth);
      if (!acceptsMissing(property)) required.push(name);
    }

    const result: JsonObject = { type: "object", properties };
    if (required.length > 0) result["required"] = required;
    const catchall = def["catchall"];
    if (isZodThree(catchall) && catchall._def.typeName !== "ZodNever") {
      result["additionalProperties"] = this.convert(catchall, `${path}.*`, depth);
    } else if (def["unknownKeys"] !== "passthrough") {
      result["additionalProperties"] = false;
    }

    return result;
  }

  #unionSchema(def: ZodThreeDef, path: string, depth: number): JsonObject {
    const options = def["options"];
    const list = options instanceof Map ? [...options.values()] : (options as unknown[]);
    return { anyOf: list.map((option) => this.convert(option, path, depth)) };
  }

  /** Merges two closed objects into one, since `allOf` of closed objects accepts nothing. */
  #intersectionSchema(def: ZodThreeDef, path: string, depth: number): JsonObject {
    const left = this.convert(def["left"], path, depth);
    const right = this.convert(def["right"], path, depth);
    if (left["type"] !== "object" || right["type"] !== "object") {
      return { allOf: [left, right] };
    }

    const required = [...asStrings(left["required"]), ...asStrings(right["required"])];
    return {
      type: "object",
      properties: { ...(left["properties"] as JsonObject), ...(right["properties"] as JsonObject) },
      ...(required.length > 0 ? { required: [...new Set(required)] } : {}),
      additionalProperties: false,
    };
  }

  #tupleSchema(def: ZodThreeDef, path: string, depth: number): JsonObject {
    const items = def["items"] as unknown[];
    const prefixItems = items.map((item, index) => this.convert(item, `${path}[${index}]`, depth));
    const rest = def["rest"];
    const result: JsonObject = { type: "array", prefixItems, minItems: items.length };
    if (isZodThree(rest)) {
      result["items"] = this.convert(rest, `${path}[*]`, depth);
    } else {
      result["items"] = false;
      result["maxItems"] = items.length;
    }

    return result;
  }

  /** Keys the definition by the lazy schema itself, because its getter may build a new schema. */
  #lazySchema(schema: ZodThreeLike, def: ZodThreeDef, path: string, depth: number): JsonObject {
    let name = this.#lazyNames.get(schema);
    if (name === undefined) {
      name = `Lazy${this.#lazyNames.size + 1}`;
      this.#lazyNames.set(schema, name);
      this.#definitions[name] = {};
      this.#definitions[name] = this.convert((def["getter"] as () => unknown)(), path, depth);
    }

    return { $ref: `#/$defs/${name}` };
  }
}

function stringSchema(def: ZodThreeDef): JsonObject {
  const result: JsonObject = { type: "string" };
  for (const check of checksOf(def)) {
    const value = check["value"];
    if (check.kind === "min") result["minLength"] = value;
    else if (check.kind === "max") result["maxLength"] = value;
    else if (check.kind === "length") Object.assign(result, { minLength: value, maxLength: value });
    else if (check.kind === "regex") result["pattern"] = (check["regex"] as RegExp).source;
    else if (ownValue(stringFormats, check.kind) !== undefined) {
      result["format"] = ownValue(stringFormats, check.kind);
    }
  }

  return result;
}

/** zod 3 string checks with a JSON Schema `format` of the same meaning. */
const stringFormats: Record<string, string> = {
  email: "email",
  url: "uri",
  uuid: "uuid",
  datetime: "date-time",
  date: "date",
  time: "time",
};

function numberSchema(def: ZodThreeDef): JsonObject {
  const result: JsonObject = { type: "number" };
  for (const check of checksOf(def)) {
    const value = check["value"];
    const inclusive = check["inclusive"] !== false;
    if (check.kind === "int") result["type"] = "integer";
    else if (check.kind === "min") result[inclusive ? "minimum" : "exclusiveMinimum"] = value;
    else if (check.kind === "max") result[inclusive ? "maximum" : "exclusiveMaximum"] = value;
    else if (check.kind === "multipleOf") result["multipleOf"] = value;
  }

  return result;
}

function literalSchema(value: unknown, path: string): JsonObject {
  if (value === null) return { type: "null" };
  const type = typeof value;
  if (type === "string" || type === "boolean") return { type, const: value };
  if (type === "number")
    return { type: Number.isInteger(value) ? "integer" : "number", const: value };
  throw new TypeError(`The ${type} literal at ${path} has no JSON Schema form`);
}

/** Lists the values of a TypeScript enum object, without the reverse entries of numeric enums. */
function nativeEnumSchema(values: Record<string, string | number>): JsonObject {
  const list = Object.keys(values)
    .filter((key) => typeof values[values[key] as string] !== "number")
    .map((key) => values[key] as string | number);
  const types = [
    ...new Set(list.map((value) => (typeof value === "number" ? "number" : "string"))),
  ];
  return { type: types.length === 1 ? types[0] : types, enum: list };
}

/** Asks the schema itself whether `undefined` passes, as zod decides optional object keys. */
function acceptsMissing(schema: unknown): boolean {
  const isOptional = (schema as { isOptional?: unknown }).isOptional;
  if (typeof isOptional === "function") return isOptional.call(schema) === true;
  const typeName = (schema as ZodThreeLike)._def.typeName;
  return typeName === "ZodOptional" || typeName === "ZodDefault";
}

function defaultValue(def: ZodThreeDef): unknown {
  const value = def["defaultValue"];
  return typeof value === "function" ? value() : value;
}

function checksOf(def: ZodThreeDef): Array<{ kind: string; [key: string]: unknown }> {
  return Array.isArray(def["checks"]) ? def["checks"] : [];
}

function lengthValue(limit: unknown): number | undefined {
  const value = (limit as { value?: unknown } | null)?.value;
  return typeof value === "number" ? value : undefined;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}
