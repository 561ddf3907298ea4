import { inspect } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { z as z3 } from "zod3";
import { z as z4Preview } from "zod3/v4";
import { z as z4 } from "zod4";
import { BadRequestError } from "../../src/core/errors/api-error.js";
import { ValidationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { StructuredOutputError } from "../../src/core/errors/structured-output-error.js";
import {
  jsonSchemaResponseFormat,
  schemaResponseFormat,
} from "../../src/resources/chat/response-format.js";
import { checkJsonSchema } from "../../src/schema/json-schema-check.js";
import type { ChatCompletionRequest } from "../../src/types/chat.js";
import { readAll, rejectionOf, useLoopbackChatServer } from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

const dunePrompt: ChatCompletionRequest["messages"] = [
  { role: "user", content: "Extract: 'Dune' by Frank Herbert" },
];

/** The schema of the field case: a book whose authors reference a nested `Author` definition. */
const bookSchema = {
  type: "object",
  additionalProperties: false,
  required: ["title", "authors"],
  properties: {
    title: { type: "string" },
    authors: { type: "array", items: { $ref: "#/$defs/Author" } },
  },
  $defs: {
    Author: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: { name: { type: "string" } },
    },
  },
};

const duneRequest = {
  model: "mistral-small-latest",
  messages: dunePrompt,
  response_format: {
    type: "json_schema" as const,
    json_schema: { name: "book", strict: true, schema: bookSchema },
  },
};

/** Builds a whole completion as the API sends it, with the given content and finish reason. */
function completion(content: unknown, finishReason = "stop", extra: object = {}) {
  return {
    id: "j1",
    object: "chat.completion",
    created: 1764806400,
    model: "mistral-small-latest",
    choices: [
      { index: 0, message: { role: "assistant", content, ...extra }, finish_reason: finishReason },
    ],
    usage: { prompt_tokens: 60, total_tokens: 80, completion_tokens: 20 },
  };
}

const duneCompletion = completion('{"title":"Dune","authors":[{"name":"Frank Herbert"}]}');
const truncatedCompletion = completion('{"title":"Dune","auth', "length");

function lastBody(): Record<string, unknown> {
  const request = loopback.server.requests.at(-1);
  if (request === undefined) throw new Error("The server received no request");
  return request.body as Record<string, unknown>;
}

/** Collects every value under `key` anywhere in a JSON value. */
function valuesOfKey(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {
    for (const item of value) valuesOfKey(item, key, found);
  } else if (typeof value === "object" && value !== null) {
    for (const [name, child] of Object.entries(value)) {
      if (name === key) found.push(child);
      valuesOfKey(child, key, found);
    }
  }

  return found;
}

/** Resolves `#` and `#/a/b` against the document, as a JSON Schema validator would. */
function resolveLocal(document: unknown, reference: string): unknown {
  if (reference === "#") return document;
  if (!reference.startsWith("#/")) return undefined;
  let node: unknown = document;
  for (const token of reference.slice(2).split("/")) {
    const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
    node =
      typeof node === "object" && node !== null
        ? (node as Record<string, unknown>)[key]
        : undefined;
  }

  return node;
}

/** Checks the rules for generated schemas: no `$schema`, no `$id`, every `$ref` resolvable. */
function expectSelfContained(schema: Record<string, unknown>): void {
  expect(valuesOfKey(schema, "$schema")).toEqual([]);
  expect(valuesOfKey(schema, "$id")).toEqual([]);
  for (const reference of valuesOfKey(schema, "$ref")) {
    expect(typeof reference).toBe("string");
    expect(resolveLocal(schema, reference as string), `$ref ${reference}`).toBeTypeOf("object");
  }

  expect(() => new Ajv2020({ strict: false }).compile(schema)).not.toThrow();
}

describe("json_schema response format on the wire", () => {
  it("sends a hand-written format unchanged", async () => {
    loopback.server.enqueue({ body: duneCompletion });

    await loopback.client().chat.parse(duneRequest);

    expect(lastBody()).toEqual({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Extract: 'Dune' by Frank Herbert" }],
      response_format: {
        type: "json_schema",
        json_schema: { name: "book", strict: true, schema: bookSchema },
      },
    });
  });

  it("uses the wire key schema", async () => {
    loopback.server.enqueue({ body: duneCompletion });

    await loopback.client().chat.parse(duneRequest);

    const jsonSchema = (lastBody()["response_format"] as Record<string, unknown>)["json_schema"];
    expect(Object.keys(jsonSchema as object).sort()).toEqual(["name", "schema", "strict"]);
    expect(valuesOfKey(lastBody(), "schema_definition")).toEqual([]);
    expect(valuesOfKey(lastBody(), "schemaDefinition")).toEqual([]);
  });

  it("keeps $defs and $schema of a hand-written schema", async () => {
    const schema = { $schema: "https://json-schema.org/draft/2020-12/schema", ...bookSchema };
    const format = jsonSchemaResponseFormat("book", schema, { strict: false });
    loopback.server.enqueue({ body: duneCompletion });

    await loopback.client().chat.parse({ ...duneRequest, response_format: format });

    expect(lastBody()["response_format"]).toEqual({
      type: "json_schema",
      json_schema: { name: "book", strict: false, schema },
    });
  });

  it("names a bare schema response and makes it strict", async () => {
    const Book = z4.object({ title: z4.string() });

    await loopback.client().chat.parse({ ...duneRequest, response_format: Book });

    const format = lastBody()["response_format"] as { json_schema: Record<string, unknown> };
    expect(format.json_schema["name"]).toBe("response");
    expect(format.json_schema["strict"]).toBe(true);
  });

  it("sends the name, description and strict of the helper", async () => {
    const format = schemaResponseFormat(z4.object({ title: z4.string() }), {
      name: "book",
      description: "A book and its authors",
      strict: false,
    });

    await loopback.client().chat.parse({ ...duneRequest, response_format: format });

    const sent = lastBody()["response_format"] as { json_schema: Record<string, unknown> };
    expect(sent.json_schema["name"]).toBe("book");
    expect(sent.json_schema["description"]).toBe("A book and its authors");
    expect(sent.json_schema["strict"]).toBe(false);
  });
});

describe("generated schemas", () => {
  const Zod3Author = z3.object({ name: z3.string().describe("Full name") });
  // Children are optional, so the test server's generated example of the tree ends.
  type Zod3Tree = { label: string; children?: Zod3Tree[] | undefined };
  const Zod3Node: z3.ZodType<Zod3Tree> = z3.lazy(() =>
    z3.object({ label: z3.string(), children: z3.array(Zod3Node).optional() }),
  );
  const Zod4Author = z4.object({ name: z4.string() }).meta({ id: "Author" });
  const Zod4Node = z4.object({
    label: z4.string(),
    get children() {
      return z4.array(Zod4Node).optional();
    },
  });

  const schemas = {
    "zod 3 with shared and nested objects": z3.object({
      title: z3.string(),
      authors: z3.array(Zod3Author),
      editor: Zod3Author.optional(),
    }),
    "zod 3 with a recursive z.lazy": z3.object({ tree: Zod3Node }),
    "zod 4 with a registered Author": z4.object({
      title: z4.string(),
      authors: z4.array(Zod4Author),
      editor: Zod4Author.optional(),
    }),
    "zod 4 with a recursive getter": z4.object({ tree: Zod4Node }),
  };

  for (const [label, schema] of Object.entries(schemas)) {
    it(`are self-contained (${label})`, () => {
      const format = schemaResponseFormat(schema, { name: "book" });

      expectSelfContained(format.json_schema.schema);
    });

    it(`are sent as generated and parse the reply (${label})`, async () => {
      const format = schemaResponseFormat(schema, { name: "book" });

      const result = await loopback
        .client()
        .chat.parse({ ...duneRequest, response_format: format });

      expect(lastBody()["response_format"]).toEqual(JSON.parse(JSON.stringify(format)));
      expect(result.choices[0]?.message.parsed).toBeTypeOf("object");
    });
  }

  it("uses $defs for a zod 4 registered schema", () => {
    const format = schemaResponseFormat(z4.object({ authors: z4.array(Zod4Author) }));

    expect(format.json_schema.schema["$defs"]).toHaveProperty("Author");
    expect(valuesOfKey(format.json_schema.schema, "$ref")).toEqual(["#/$defs/Author"]);
  });

  it("converts the common zod 3 types", () => {
    const schema = z3.object({
      text: z3.string().min(1).max(20).email(),
      count: z3.number().int().min(0),
      ratio: z3.number().gt(0).lte(1),
      flag: z3.boolean(),
      kind: z3.enum(["novel", "essay"]),
      fixed: z3.literal("book"),
      tags: z3.array(z3.string()).min(1),
      note: z3.string().optional(),
      subtitle: z3.string().nullable(),
      either: z3.union([z3.string(), z3.number()]),
      scores: z3.record(z3.number()),
      pages: z3.number().default(100),
      summary: z3.string().describe("One sentence"),
    });

    const generated = schemaResponseFormat(schema).json_schema.schema;

    expect(generated).toEqual({
      type: "object",
      properties: {
        text: { type: "string", minLength: 1, maxLength: 20, format: "email" },
        count: { type: "integer", minimum: 0 },
        ratio: { type: "number", exclusiveMinimum: 0, maximum: 1 },
        flag: { type: "boolean" },
        kind: { type: "string", enum: ["novel", "essay"] },
        fixed: { type: "string", const: "book" },
        tags: { type: "array", items: { type: "string" }, minItems: 1 },
        note: { type: "string" },
        subtitle: { anyOf: [{ type: "string" }, { type: "null" }] },
        either: { anyOf: [{ type: "string" }, { type: "number" }] },
        scores: { type: "object", additionalProperties: { type: "number" } },
        pages: { type: "number", default: 100 },
        summary: { type: "string", description: "One sentence" },
      },
      required: [
        "text",
        "count",
        "ratio",
        "flag",
        "kind",
        "fixed",
        "tags",
        "subtitle",
        "either",
        "scores",
        "summary",
      ],
      additionalProperties: false,
    });
  });

  it("rejects a zod 3 date with a ValidationError", () => {
    const error = (() => {
      try {
        schemaResponseFormat(z3.object({ published: z3.date() }));
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain("ZodDate at $.published");
    expect((error as ValidationError).message).toContain("jsonSchema");
  });
});

describe("chat.parse", () => {
  it("returns the parsed book of the field case", async () => {
    loopback.server.enqueue({ body: duneCompletion });

    const result = await loopback.client().chat.parse(duneRequest);

    expect(result.choices[0]?.message.parsed).toEqual({
      title: "Dune",
      authors: [{ name: "Frank Herbert" }],
    });
    expect(result.choices[0]?.message.content).toBe(duneCompletion.choices[0]?.message.content);
  });

  it("parses with a zod 3 schema", async () => {
    const Book = z3.object({
      title: z3.string(),
      authors: z3.array(z3.object({ name: z3.string() })),
    });

    const result = await loopback.client().chat.parse({ ...duneRequest, response_format: Book });

    expect(result.choices[0]?.message.parsed).toEqual({
      title: "example",
      authors: [{ name: "example" }],
    });
  });

  it("parses with a zod 4 schema", async () => {
    const Book = z4.object({
      title: z4.string(),
      authors: z4.array(z4.object({ name: z4.string() })),
    });

    const result = await loopback.client().chat.parse({ ...duneRequest, response_format: Book });

    expect(result.choices[0]?.message.parsed).toEqual({
      title: "example",
      authors: [{ name: "example" }],
    });
  });

  it("returns the validator's output value", async () => {
    const Book = z4.object({ title: z4.string().transform((title) => title.toUpperCase()) });

    const result = await loopback.client().chat.parse({ ...duneRequest, response_format: Book });

    expect(result.choices[0]?.message.parsed).toEqual({ title: "EXAMPLE" });
  });

  it("parses with valibot and its JSON Schema", async () => {
    const Book = v.object({ title: v.string(), authors: v.array(v.object({ name: v.string() })) });
    const format = schemaResponseFormat(Book, { name: "book", jsonSchema: bookSchema });

    const result = await loopback.client().chat.parse({ ...duneRequest, response_format: format });

    expect(result.choices[0]?.message.parsed).toEqual({
      title: "example",
      authors: [{ name: "example" }],
    });
    expect(lastBody()["response_format"]).toEqual({
      type: "json_schema",
      json_schema: { name: "book", strict: true, schema: bookSchema },
    });
  });

  it("rejects valibot without jsonSchema before sending", async () => {
    const Book = v.object({ title: v.string() });

    const error = await rejectionOf(
      loopback.client().chat.parse({ ...duneRequest, response_format: Book }),
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      {
        path: "response_format",
        message:
          "is a valibot schema without JSON Schema output: pass its JSON Schema as jsonSchema",
      },
    ]);
    expect(loopback.server.requests).toHaveLength(0);
  });

  it("parses with a plain JSON Schema", async () => {
    const format = jsonSchemaResponseFormat<{ title: string }>("book", bookSchema);

    const result = await loopback.client().chat.parse({ ...duneRequest, response_format: format });

    expect(result.choices[0]?.message.parsed).toEqual({
      title: "example",
      authors: [{ name: "example" }],
    });
  });

  it("needs jsonSchema for a zod 4 copy without JSON Schema output", async () => {
    // zod 3.25 ships an early zod 4 that has neither `~standard.jsonSchema` nor `toJSONSchema()`.
    const Book = z4Preview.object({ title: z4Preview.string() });

    const error = await rejectionOf(
      loopback.client().chat.parse({ ...duneRequest, response_format: Book }),
    );
    const jsonSchema = { type: "object", properties: { title: { type: "string" } } };
    const format = schemaResponseFormat(Book, { jsonSchema });
    const result = await loopback.client().chat.parse({ ...duneRequest, response_format: format });

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("zod schema without JSON Schema output");
    expect(result.choices[0]?.message.parsed).toEqual({ title: "example" });
  });

  it("parses a json_object reply without a schema", async () => {
    const result = await loopback.client().chat.parse({
      ...duneRequest,
      response_format: { type: "json_object" },
    });

    expect(result.choices[0]?.message.parsed).toEqual({
      echo: "Echo: Extract: 'Dune' by Frank Herbert",
    });
  });

  it("keeps parsed out of the message JSON", async () => {
    loopback.server.enqueue({ body: duneCompletion });

    const result = await loopback.client().chat.parse(duneRequest);
    const message = result.choices[0]!.message;

    expect(JSON.stringify(message)).not.toContain("parsed");
    expect(Object.keys(message)).not.toContain("parsed");
    expect(message.parsed).toBeDefined();
  });

  it("rejects a missing response_format", async () => {
    const request = { model: "mistral-small-latest", messages: dunePrompt } as never;

    const error = await rejectionOf(loopback.client().chat.parse(request));

    expect(error).toBeInstanceOf(ValidationError);
    expect(loopback.server.requests).toHaveLength(0);
  });

  it("rejects a bare JSON Schema without a name", async () => {
    const error = await rejectionOf(
      loopback.client().chat.parse({ ...duneRequest, response_format: bookSchema }),
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("jsonSchemaResponseFormat(name, schema)");
  });

  it("rejects a hand-written format without a name", async () => {
    const format = { type: "json_schema", json_schema: { schema: bookSchema } };

    const error = await rejectionOf(
      loopback.client().chat.parse({ ...duneRequest, response_format: format }),
    );

    expect((error as ValidationError).problems[0]?.path).toBe("response_format.json_schema.name");
  });
});

describe("chat.parse failures", () => {
  async function parseFailure(body: object, request: object = duneRequest) {
    loopback.server.enqueue({ body });
    const error = await rejectionOf(loopback.client().chat.parse(request as typeof duneRequest));
    expect(error).toBeInstanceOf(StructuredOutputError);
    return error as StructuredOutputError;
  }

  it("throws on a truncated reply", async () => {
    const error = await parseFailure(truncatedCompletion);

    expect(error).not.toBeInstanceOf(SyntaxError);
    expect(error.kind).toBe("structured_output");
    expect(isMistralError(error, "structured_output")).toBe(true);
    expect(error.reason).toBe("truncated");
    expect(error.finishReason).toBe("length");
    expect(error.rawText).toBe('{"title":"Dune","auth');
    expect(error.completion).toEqual(truncatedCompletion);
    expect(error.choiceIndex).toBe(0);
    expect(error.message).toContain("max_tokens");
  });

  it("throws on a reply cut at the context length", async () => {
    const error = await parseFailure(completion('{"title":"Du', "model_length"));

    expect(error.reason).toBe("truncated");
    expect(error.finishReason).toBe("model_length");
  });

  it("throws on text that is not JSON", async () => {
    const error = await parseFailure(completion("The book is Dune."));

    expect(error.reason).toBe("invalid_json");
    expect(error.rawText).toBe("The book is Dune.");
    expect(error.cause).toBeUndefined();
  });

  it("throws on JSON that a zod schema rejects", async () => {
    const Book = z4.object({
      title: z4.string(),
      authors: z4.array(z4.object({ name: z4.string() })),
    });
    const request = { ...duneRequest, response_format: Book };

    const error = await parseFailure(completion('{"title":"Dune","authors":[{}]}'), request);

    expect(error.reason).toBe("schema_mismatch");
    expect(error.issues.map((issue) => issue.path)).toEqual(["$.authors[0].name"]);
  });

  it("throws on JSON that a plain JSON Schema rejects", async () => {
    const error = await parseFailure(completion('{"title":7,"authors":[{"name":"x","age":3}]}'));

    expect(error.reason).toBe("schema_mismatch");
    expect(error.issues).toEqual([
      { path: "$.title", message: "must be of type string, got number" },
      {
        path: "$.authors[0].age",
        message: "is not a property of the schema (additionalProperties)",
      },
    ]);
  });

  it("throws on a zod 3 mismatch with the issue paths", async () => {
    const Book = z3.object({ title: z3.string(), year: z3.number().int() });
    const request = { ...duneRequest, response_format: Book };

    const error = await parseFailure(completion('{"title":"Dune","year":1965.5}'), request);

    expect(error.reason).toBe("schema_mismatch");
    expect(error.issues.map((issue) => issue.path)).toEqual(["$.year"]);
  });

  it("throws on JSON that valibot rejects", async () => {
    const Book = v.object({ title: v.string() });
    const format = schemaResponseFormat(Book, { jsonSchema: { type: "object" } });

    const error = await parseFailure(completion('{"title":1}'), {
      ...duneRequest,
      response_format: format,
    });

    expect(error.reason).toBe("schema_mismatch");
    expect(error.issues.map((issue) => issue.path)).toEqual(["$.title"]);
  });

  it("throws on empty content", async () => {
    const error = await parseFailure(completion("", "tool_calls"));

    expect(error.reason).toBe("empty");
    expect(error.finishReason).toBe("tool_calls");
  });

  it("throws on a refusal", async () => {
    const error = await parseFailure(completion("", "stop", { refusal: "I cannot help" }));

    expect(error.reason).toBe("refusal");
  });

  it("throws on finish_reason error", async () => {
    const error = await parseFailure(completion('{"title":"Dune","authors":[]}', "error"));

    expect(error.reason).toBe("model_error");
  });

  it("throws when there is no choice", async () => {
    const error = await parseFailure({ ...duneCompletion, choices: [] });

    expect(error.reason).toBe("empty");
  });

  it("names the failed choice", async () => {
    const good = duneCompletion.choices[0]!;
    const bad = { index: 1, message: { role: "assistant", content: "{" }, finish_reason: "stop" };

    const error = await parseFailure({ ...duneCompletion, choices: [good, bad] });

    expect(error.choiceIndex).toBe(1);
    expect(error.reason).toBe("invalid_json");
  });

  it("keeps the model output out of logs", async () => {
    const secret = "CANARY-output-5e1d";
    const error = await parseFailure(completion(`not json ${secret}`));

    expect(error.rawText).toContain(secret);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
    expect(inspect(error, { depth: 10 })).not.toContain(secret);
  });

  it("carries the request id", async () => {
    loopback.server.enqueue({
      body: truncatedCompletion,
      headers: { "mistral-correlation-id": "corr-structured-1" },
    });

    const error = await rejectionOf(loopback.client().chat.parse(duneRequest));

    expect((error as StructuredOutputError).requestId).toBe("corr-structured-1");
  });

  it("throws BadRequestError for an unresolvable reference, without retry", async () => {
    const message = "Did not find definition for reference `Author`";
    loopback.server.enqueue({
      status: 400,
      body: { object: "error", message, type: "invalid_request_error", param: null, code: null },
    });

    const error = await rejectionOf(loopback.client({ maxRetries: 2 }).chat.parse(duneRequest));

    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).kind).toBe("bad_request");
    expect((error as BadRequestError).status).toBe(400);
    expect((error as BadRequestError).serverMessage).toBe(message);
    expect((error as BadRequestError).type).toBe("invalid_request_error");
    expect(loopback.server.requests).toHaveLength(1);
  });
});

describe("plain JSON Schema checks", () => {
  const cases: Array<[string, Record<string, unknown>, unknown, string[]]> = [
    ["integer", { type: "integer" }, 1.5, ["$: must be of type integer, got number"]],
    ["type list", { type: ["string", "null"] }, null, []],
    ["enum", { enum: ["a", "b"] }, "c", ['$: must be one of "a", "b"']],
    ["const", { const: { a: 1 } }, { a: 1 }, []],
    ["minLength", { type: "string", minLength: 3 }, "ab", ["$: must have at least 3 characters"]],
    [
      "pattern",
      { type: "string", pattern: "^[a-z]+$" },
      "A1",
      ["$: must match the pattern ^[a-z]+$"],
    ],
    ["minimum", { minimum: 1 }, 0, ["$: must be at least 1"]],
    ["exclusiveMaximum", { exclusiveMaximum: 10 }, 10, ["$: must be less than 10"]],
    ["multipleOf", { multipleOf: 5 }, 12, ["$: must be a multiple of 5"]],
    ["maxItems", { type: "array", maxItems: 1 }, [1, 2], ["$: must have at most 1 items"]],
    [
      "prefixItems and items false",
      { type: "array", prefixItems: [{ type: "string" }], items: false },
      ["a", "b"],
      ["$[1]: is not allowed"],
    ],
    ["required", { type: "object", required: ["a b"] }, {}, ['$["a b"]: is required']],
    [
      "inherited name is not present",
      { type: "object", required: ["toString"] },
      {},
      ["$.toString: is required"],
    ],
    [
      "anyOf",
      { anyOf: [{ type: "string" }, { type: "number" }] },
      true,
      ["$: does not match any of the allowed schemas (anyOf)"],
    ],
    [
      "oneOf with two matches",
      { oneOf: [{ type: "number" }, { minimum: 0 }] },
      3,
      ["$: must match exactly one schema of oneOf, matches 2"],
    ],
    ["not", { not: { type: "string" } }, "x", ["$: must not match the schema of not"]],
    [
      "$ref",
      { $defs: { Name: { type: "string" } }, properties: { name: { $ref: "#/$defs/Name" } } },
      { name: 1 },
      ["$.name: must be of type string, got number"],
    ],
    [
      "recursive $ref",
      { type: "object", properties: { child: { $ref: "#" } }, additionalProperties: false },
      { child: { child: { extra: 1 } } },
      ["$.child.child.extra: is not a property of the schema (additionalProperties)"],
    ],
  ];

  for (const [label, schema, value, expected] of cases) {
    it(`checks ${label}`, () => {
      const problems = checkJsonSchema(schema, value);

      expect(problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual(expected);
    });
  }
});

describe("chat.streamParse", () => {
  /** Stream events that spell `pieces` and end with `finishReason`. */
  function streamEvents(pieces: string[], finishReason: string) {
    return pieces.map((content, index) => ({
      id: "s1",
      object: "chat.completion.chunk",
      created: 1764806400,
      model: "mistral-small-latest",
      choices: [
        {
          index: 0,
          delta: index === 0 ? { role: "assistant", content } : { content },
          finish_reason: index === pieces.length - 1 ? finishReason : null,
        },
      ],
    }));
  }

  it("yields partial text, then the parsed value", async () => {
    const pieces = ['{"title":"Du', 'ne","authors":[{"na', 'me":"Frank Herbert"}]}'];
    loopback.server.enqueue({ events: streamEvents(pieces, "stop") });

    const stream = await loopback.client().chat.streamParse(duneRequest);
    const texts = await readAll(stream);

    expect(texts).toEqual(pieces);
    expect(await stream.finalParsed()).toEqual({
      title: "Dune",
      authors: [{ name: "Frank Herbert" }],
    });
    expect(lastBody()["stream"]).toBe(true);
    expect(lastBody()["response_format"]).toEqual(duneRequest.response_format);
  });

  it("parses the default server's stream with zod", async () => {
    const Book = z4.object({ title: z4.string() });

    const stream = await loopback.client().chat.streamParse({
      ...duneRequest,
      response_format: Book,
    });

    expect(await stream.finalParsed()).toEqual({ title: "example" });
  });

  it("throws on a truncated stream", async () => {
    loopback.server.enqueue({ events: streamEvents(['{"title":"Dune","auth'], "length") });

    const stream = await loopback.client().chat.streamParse(duneRequest);
    const error = await rejectionOf(stream.finalParsed());

    expect(error).toBeInstanceOf(StructuredOutputError);
    expect((error as StructuredOutputError).reason).toBe("truncated");
    expect((error as StructuredOutputError).rawText).toBe('{"title":"Dune","auth');
  });
});
