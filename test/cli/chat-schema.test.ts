import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { buildIfStale, runCli } from "./run-cli.js";

const apiKey = "cli-schema-test-key-0123";
let server: MockMistralServer;
let workDirectory: string;

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

function serverEnv(): Record<string, string> {
  return { MISTRAL_API_KEY: apiKey, MISTRAL_BASE_URL: server.url };
}

/** Writes `content` (JSON-encoded unless a string) to a file of the work directory. */
async function schemaFile(name: string, content: unknown): Promise<string> {
  const path = join(workDirectory, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function completion(content: string, finishReason = "stop") {
  return {
    id: "c1",
    object: "chat.completion",
    created: 1764806400,
    model: "mistral-small-latest",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
    usage: { prompt_tokens: 5, total_tokens: 10, completion_tokens: 5 },
  };
}

beforeAll(async () => {
  buildIfStale();
  server = await MockMistralServer.start({ apiKey });
  workDirectory = await mkdtemp(join(tmpdir(), "mistral-cli-schema-"));
}, 120_000);

afterEach(() => {
  server.reset();
});

afterAll(async () => {
  await server?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

describe("mistral chat --schema", () => {
  it("prints the parsed answer as JSON", async () => {
    const path = await schemaFile("book.json", bookSchema);

    const result = await runCli(["chat", "--schema", path, "Extract: Dune"], { env: serverEnv() });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(ExitCode.success);
    expect(JSON.parse(result.stdout)).toEqual({ title: "example", authors: [{ name: "example" }] });
    expect(result.stdout).toBe(
      `${JSON.stringify({ title: "example", authors: [{ name: "example" }] }, null, 2)}\n`,
    );
  });

  it("sends the schema named after the file, strict", async () => {
    const path = await schemaFile("book.schema.json", bookSchema);

    await runCli(["chat", "--schema", path, "Extract: Dune"], { env: serverEnv() });

    expect(server.requests[0]?.body).toEqual({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Extract: Dune" }],
      response_format: {
        type: "json_schema",
        json_schema: { name: "book_schema", schema: bookSchema, strict: true },
      },
    });
  });

  it("sends a name, schema and strict object as written", async () => {
    const wrapper = { name: "book", schema: bookSchema, strict: false };
    const path = await schemaFile("wrapper.json", wrapper);

    const result = await runCli(["chat", "--schema", path, "Extract: Dune"], {
      env: serverEnv(),
    });

    expect(result.code).toBe(ExitCode.success);
    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(body["response_format"]).toEqual({ type: "json_schema", json_schema: wrapper });
  });

  it("prints the whole completion with --json", async () => {
    const path = await schemaFile("book.json", bookSchema);

    const result = await runCli(["chat", "--json", "--schema", path, "Extract: Dune"], {
      env: serverEnv(),
    });

    expect(result.code).toBe(ExitCode.success);
    const printed = JSON.parse(result.stdout);
    expect(printed.object).toBe("chat.completion");
    expect(JSON.parse(printed.choices[0].message.content)).toEqual({
      title: "example",
      authors: [{ name: "example" }],
    });
  });

  it("fails on a truncated answer", async () => {
    const path = await schemaFile("book.json", bookSchema);
    server.enqueue({ body: completion('{"title":"Dune","auth', "length") });

    const result = await runCli(["chat", "--schema", path, "Extract: Dune"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.stream);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('was cut off after 21 characters (finish_reason "length")');
  });

  it("fails on an answer that does not match", async () => {
    const path = await schemaFile("book.json", bookSchema);
    server.enqueue({ body: completion('{"title":7,"authors":[]}') });

    const result = await runCli(["chat", "--schema", path, "Extract: Dune"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.stream);
    expect(result.stderr).toContain("- $.title: must be of type string, got number");
  });

  it("rejects a missing file before sending", async () => {
    const path = join(workDirectory, "no-such-schema.json");

    const result = await runCli(["chat", "--schema", path, "Hi"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain(`Cannot read --schema ${path} (ENOENT)`);
    expect(server.requests).toHaveLength(0);
  });

  it("rejects a file that is not JSON", async () => {
    const path = await schemaFile("broken.json", "{ not json");

    const result = await runCli(["chat", "--schema", path, "Hi"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain(`--schema ${path} is not valid JSON`);
    expect(server.requests).toHaveLength(0);
  });

  it("rejects a file that holds no object", async () => {
    const path = await schemaFile("list.json", [bookSchema]);

    const result = await runCli(["chat", "--schema", path, "Hi"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain("must contain a JSON object");
  });

  it("rejects an empty path", async () => {
    const result = await runCli(["chat", "--schema", "", "Hi"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain("--schema needs a file path");
  });

  it("is described in the help", async () => {
    const result = await runCli(["chat", "--help"]);

    expect(result.stdout).toContain("--schema FILE");
  });
});
