import * as v from "valibot";
import { describe, expectTypeOf, it } from "vitest";
import { z as z3 } from "zod3";
import { z as z4 } from "zod4";
import type { Chat } from "../../src/resources/chat/chat.js";
import {
  jsonSchemaResponseFormat,
  schemaResponseFormat,
} from "../../src/resources/chat/response-format.js";
import type { ParsedOutput } from "../../src/resources/chat/structured-output.js";
import { defineTool } from "../../src/resources/chat/tool-definition.js";
import type { InferSchemaOutput } from "../../src/schema/schema-adapter.js";

// These checks run in the type checker (`npm run typecheck`); at run time they do nothing.

type Book = { title: string; year?: number | undefined; tags: string[] };

const zod3Book = z3.object({
  title: z3.string(),
  year: z3.number().optional(),
  tags: z3.array(z3.string()),
});
const zod4Book = z4.object({
  title: z4.string(),
  year: z4.number().optional(),
  tags: z4.array(z4.string()),
});
const valibotBook = v.object({
  title: v.string(),
  year: v.optional(v.number()),
  tags: v.array(v.string()),
});

type ParseResult<F extends object> = Awaited<ReturnType<typeof parseWith<F>>>;
declare function parseWith<F extends object>(
  chat: Chat,
  format: F,
): ReturnType<typeof chat.parse<F>>;

describe("type of parsed", () => {
  it("comes from a zod 3 schema", () => {
    expectTypeOf<InferSchemaOutput<typeof zod3Book>>().toEqualTypeOf<z3.infer<typeof zod3Book>>();
    expectTypeOf<ParsedOutput<typeof zod3Book>>().toMatchTypeOf<Book>();
    expectTypeOf<
      ParseResult<typeof zod3Book>["choices"][number]["message"]["parsed"]
    >().toEqualTypeOf<z3.infer<typeof zod3Book>>();
  });

  it("comes from a zod 4 schema", () => {
    expectTypeOf<ParsedOutput<typeof zod4Book>>().toEqualTypeOf<z4.infer<typeof zod4Book>>();
    expectTypeOf<
      ParseResult<typeof zod4Book>["choices"][number]["message"]["parsed"]
    >().toEqualTypeOf<z4.infer<typeof zod4Book>>();
  });

  it("comes from the output of a transform", () => {
    const schema = z4.object({ pages: z4.string().transform((text) => Number(text)) });

    expectTypeOf<ParsedOutput<typeof schema>>().toEqualTypeOf<{ pages: number }>();
  });

  it("comes from a Standard Schema library", () => {
    expectTypeOf<ParsedOutput<typeof valibotBook>>().toEqualTypeOf<
      v.InferOutput<typeof valibotBook>
    >();
  });

  it("comes from the schema of a helper format", () => {
    const format = schemaResponseFormat(zod4Book, { name: "book" });

    expectTypeOf<ParsedOutput<typeof format>>().toEqualTypeOf<z4.infer<typeof zod4Book>>();
  });

  it("is the type given to jsonSchemaResponseFormat", () => {
    const format = jsonSchemaResponseFormat<Book>("book", { type: "object" });

    expectTypeOf<ParsedOutput<typeof format>>().toEqualTypeOf<Book>();
  });

  it("is unknown for a hand-written format", () => {
    const format = { type: "json_schema", json_schema: { name: "book", schema: {} } } as const;

    expectTypeOf<ParsedOutput<typeof format>>().toBeUnknown();
    expectTypeOf<ParsedOutput<{ type: "json_object" }>>().toBeUnknown();
  });
});

describe("type of tool arguments", () => {
  it("comes from the parameters schema", () => {
    defineTool({
      name: "get_weather",
      parameters: z4.object({ city: z4.string() }),
      execute(args) {
        expectTypeOf(args).toEqualTypeOf<{ city: string }>();
      },
    });
    defineTool({
      name: "get_weather",
      parameters: z3.object({ city: z3.string() }),
      execute(args) {
        expectTypeOf(args).toEqualTypeOf<{ city: string }>();
      },
    });
    defineTool({
      name: "get_weather",
      parameters: { type: "object" },
      execute(args) {
        expectTypeOf(args).toBeUnknown();
      },
    });
  });
});
