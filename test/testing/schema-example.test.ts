import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { exampleForSchema } from "../../src/testing/index.js";

const ajv = new Ajv2020({ strict: false, validateFormats: false });

const validSchemas: Array<[string, object]> = [
  ["empty object", { type: "object" }],
  [
    "weather parameters",
    {
      type: "object",
      properties: { city: { type: "string" }, unit: { enum: ["celsius", "fahrenheit"] } },
      required: ["city"],
    },
  ],
  ["integer bounds", { type: "integer", minimum: 3, maximum: 9 }],
  ["exclusive maximum", { type: "number", exclusiveMaximum: 0 }],
  ["exclusive minimum", { type: "integer", exclusiveMinimum: 10 }],
  ["multiple of", { type: "integer", minimum: 7, multipleOf: 5 }],
  ["string lengths", { type: "string", minLength: 12, maxLength: 20 }],
  ["short string", { type: "string", maxLength: 3 }],
  ["date-time format", { type: "string", format: "date-time" }],
  ["const", { const: "fixed" }],
  ["nullable type list", { type: ["null", "string"] }],
  ["anyOf", { anyOf: [{ type: "integer" }, { type: "string" }] }],
  ["array minItems", { type: "array", items: { type: "boolean" }, minItems: 3 }],
  ["array maxItems 0", { type: "array", items: { type: "string" }, maxItems: 0 }],
  ["tuple", { type: "array", prefixItems: [{ type: "string" }, { type: "number" }] }],
  [
    "local $ref",
    {
      type: "object",
      properties: { place: { $ref: "#/$defs/Place" } },
      required: ["place"],
      $defs: {
        Place: {
          type: "object",
          properties: {
            lat: { type: "number" },
            tags: { type: "array", items: { type: "string" } },
          },
          required: ["lat", "tags"],
        },
      },
    },
  ],
  [
    "allOf",
    {
      allOf: [
        { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
        { properties: { b: { type: "integer", minimum: 2 } }, required: ["b"] },
      ],
    },
  ],
  [
    "required name without property",
    { type: "object", required: ["extra"], additionalProperties: { type: "string" } },
  ],
];

describe("exampleForSchema", () => {
  it.each(validSchemas)("validates against %s", (_name, schema) => {
    const example = exampleForSchema(schema);
    const validate = ajv.compile(schema);

    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });

  it("writes plain text for a format named like an Object member", () => {
    const schema = { type: "string", format: "constructor" };

    expect(exampleForSchema(schema)).toBe("example");
  });

  it("fills every listed property", () => {
    const schema = {
      type: "object",
      properties: {
        city: { type: "string" },
        days: { type: "integer" },
        metric: { type: "boolean" },
      },
      required: ["city"],
    };

    expect(exampleForSchema(schema)).toEqual({ city: "example", days: 1, metric: true });
  });

  it("picks the first enum value", () => {
    expect(exampleForSchema({ type: "string", enum: ["b", "a"] })).toBe("b");
  });

  it("ends on recursive schemas", () => {
    const schema = {
      $defs: {
        Node: {
          type: "object",
          properties: { child: { $ref: "#/$defs/Node" } },
        },
      },
      $ref: "#/$defs/Node",
    };

    const validate = ajv.compile(schema);

    expect(validate(exampleForSchema(schema)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("is deterministic", () => {
    const schema = validSchemas[1]![1];

    expect(JSON.stringify(exampleForSchema(schema))).toBe(JSON.stringify(exampleForSchema(schema)));
  });
});
