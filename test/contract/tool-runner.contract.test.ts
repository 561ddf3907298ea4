import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z as z4 } from "zod4";
import { MistralClient } from "../../src/client.js";
import { schemaResponseFormat } from "../../src/resources/chat/response-format.js";
import { defineTool, type RunnableTool } from "../../src/resources/chat/tool-definition.js";
import type { ToolRunRequest } from "../../src/resources/chat/tool-runner.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { requestSchemaValidator, responseSchemaValidator } from "./spec.js";

// Every request body a tool run or a structured output call sends, checked against the API's own
// request schema, so a message the runner appends can never be rejected as malformed.

const apiKey = "sk-contract-tool-runner";
const validateRequest = requestSchemaValidator("POST", "/v1/chat/completions");
const validateResponse = responseSchemaValidator("POST", "/v1/chat/completions");

let server: MockMistralServer;
let client: MistralClient;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey });
  client = new MistralClient({ apiKey, baseURL: server.url, maxRetries: 0 });
});

beforeEach(() => {
  server.reset();
});

afterAll(async () => {
  await server.close();
});

const weatherRequest: ToolRunRequest = {
  model: "mistral-large-latest",
  messages: [
    { role: "system", content: "Answer briefly." },
    { role: "user", content: "Weather in Paris and Lyon?" },
  ],
};

const weather = defineTool({
  name: "get_weather",
  description: "Current weather of a city",
  parameters: z4.object({ city: z4.string(), unit: z4.enum(["c", "f"]).optional() }),
  execute: (args) => ({ city: args.city, temp_c: 18 }),
});

const clock: RunnableTool = {
  name: "get_time",
  parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
  strict: true,
  execute: () => "12:00",
};

const failing: RunnableTool = {
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } } },
  execute: () => {
    throw new Error("weather service is down");
  },
};

/** Checks each recorded body against the request schema and returns how many there were. */
function expectValidBodies(): number {
  for (const [index, request] of server.requests.entries()) {
    expect(validateRequest(request.body).errors, `request ${index + 1}`).toEqual([]);
  }

  return server.requests.length;
}

describe("tool run request bodies", () => {
  it("reject an assistant message with an extra field", () => {
    const body = {
      model: "mistral-large-latest",
      messages: [{ role: "assistant", content: "{}", parsed: {} }],
    };

    expect(validateRequest(body).errors).not.toEqual([]);
  });

  it("validate for a two-step loop", async () => {
    await client.chat.runTools(weatherRequest, { tools: [weather] });

    expect(expectValidBodies()).toBe(2);
  });

  it("validate for parallel calls", async () => {
    await client.chat.runTools(
      { ...weatherRequest, parallel_tool_calls: true },
      { tools: [weather, clock] },
    );

    expect(expectValidBodies()).toBe(2);
    const body = server.requests[1]?.body as { messages: Array<{ role: string }> } | undefined;
    const messages = body?.messages ?? [];
    expect(messages.filter((message) => message.role === "tool")).toHaveLength(2);
  });

  it("validate when a tool fails", async () => {
    await client.chat.runTools(weatherRequest, { tools: [failing] });

    expect(expectValidBodies()).toBe(2);
  });

  it("validate when arguments are invalid", async () => {
    const strictCity = defineTool({
      name: "get_weather",
      parameters: z4.object({ city: z4.string().min(20) }),
      execute: () => "never",
    });

    await client.chat.runTools(weatherRequest, { tools: [strictCity] });

    expect(expectValidBodies()).toBe(2);
  });

  it("validate for a streamed run", async () => {
    const stream = client.chat.runToolsStream(weatherRequest, { tools: [weather, clock] });
    await stream.finalResult();

    expect(expectValidBodies()).toBe(2);
  });

  it("validate with a structured answer after the tools", async () => {
    const format = schemaResponseFormat(z4.object({ summary: z4.string() }), { name: "report" });

    const result = await client.chat.runTools(
      { ...weatherRequest, response_format: format },
      { tools: [weather] },
    );

    expect(expectValidBodies()).toBe(2);
    expect(JSON.parse(result.text)).toEqual({ summary: "example" });
  });
});

describe("structured output request bodies", () => {
  it("validate for a generated schema", async () => {
    const Book = z4.object({ title: z4.string(), authors: z4.array(z4.string()) });

    const result = await client.chat.parse({ ...weatherRequest, response_format: Book });

    expect(expectValidBodies()).toBe(1);
    expect(validateResponse(JSON.parse(JSON.stringify(result))).errors).toEqual([]);
  });

  it("validate for a streamed parse", async () => {
    const Book = z4.object({ title: z4.string() });

    const stream = await client.chat.streamParse({ ...weatherRequest, response_format: Book });
    await stream.finalParsed();

    expect(expectValidBodies()).toBe(1);
  });
});
