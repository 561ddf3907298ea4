import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/index.js";
import { MistralClient } from "../../src/index.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { requestSchemaValidator, responseSchemaValidator } from "./spec.js";

const apiKey = "sk-contract-test-key";

/** Chat requests as callers build them, from the smallest to one that sets every field. */
const chatRequests: Record<string, ChatCompletionRequest> = {
  minimal: { model: "mistral-small-latest", messages: [{ role: "user", content: "Hi" }] },
  "explicit falsy values": {
    model: "mistral-small-latest",
    messages: [{ role: "user", content: "Hi" }],
    safe_prompt: false,
    temperature: 0,
    max_tokens: 64,
  },
  "tool round trip": {
    model: "mistral-large-latest",
    messages: [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [
          {
            id: "Qw7Rt2Yp9",
            type: "function",
            function: { name: "get_weather", arguments: '{"city": "Paris"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "Qw7Rt2Yp9", name: "get_weather", content: '{"temp_c":18}' },
    ],
    tools: [
      {
        type: "function",
        function: {
          name: "get_weather",
          parameters: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
          },
        },
      },
    ],
  },
  "content chunks and thinking": {
    model: "magistral-small-latest",
    messages: [
      { role: "system", content: [{ type: "text", text: "Be brief." }] },
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: [{ type: "text", text: "Short greeting expected." }] },
          { type: "text", text: "Hello!" },
        ],
      },
      { role: "user", content: "Thanks" },
    ],
    prompt_mode: "reasoning",
  },
  "every option": {
    model: "mistral-small-latest",
    messages: [{ role: "user", content: "Give JSON" }],
    temperature: 0.3,
    top_p: 0.9,
    max_tokens: 100,
    stop: ["\n\n"],
    random_seed: 42,
    metadata: { team: "search" },
    response_format: {
      type: "json_schema",
      json_schema: {
        name: "answer",
        schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
        strict: true,
      },
    },
    tool_choice: "none",
    presence_penalty: 0.1,
    frequency_penalty: 0.2,
    n: 1,
    prediction: { type: "content", content: "{}" },
    parallel_tool_calls: false,
    reasoning_effort: "none",
    safe_prompt: true,
  },
};

let server: MockMistralServer;
let client: MistralClient;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey });
  client = new MistralClient({ apiKey, baseURL: server.url, maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
});

describe("chat request bodies", () => {
  const validateRequest = requestSchemaValidator("POST", "/v1/chat/completions");

  for (const [name, request] of Object.entries(chatRequests)) {
    it(`create() body validates: ${name}`, async () => {
      server.reset();
      await client.chat.create(request);
      const body = server.requests[0]?.body;
      expect(body).toEqual(request);
      expect(validateRequest(body).errors).toEqual([]);
    });

    it(`stream() body validates: ${name}`, async () => {
      server.reset();
      const stream = await client.chat.stream(request);
      await stream.finalCompletion();
      const body = server.requests[0]?.body;
      expect(body).toEqual({ ...request, stream: true });
      expect(validateRequest(body).errors).toEqual([]);
    });
  }
});

describe("local server default replies", () => {
  it("chat completion validates against the response schema", async () => {
    const validate = responseSchemaValidator("POST", "/v1/chat/completions");
    for (const request of Object.values(chatRequests)) {
      const response = await client.chat.create(request);
      expect(validate(JSON.parse(JSON.stringify(response))).errors).toEqual([]);
    }
  });

  it("each stream chunk validates against the event schema", async () => {
    const validate = responseSchemaValidator(
      "POST",
      "/v1/chat/completions",
      200,
      "text/event-stream",
    );
    for (const request of Object.values(chatRequests)) {
      const stream = await client.chat.stream(request);
      for await (const chunk of stream) {
        expect(validate({ data: chunk }).errors).toEqual([]);
      }
    }
  });

  it("tool call reply validates and uses a 9-character id", async () => {
    const validate = responseSchemaValidator("POST", "/v1/chat/completions");
    const request = chatRequests["tool round trip"]!;
    const firstTurn = { ...request, messages: request.messages.slice(0, 1) };
    const response = await client.chat.create(firstTurn);
    expect(validate(JSON.parse(JSON.stringify(response))).errors).toEqual([]);
    const call = response.choices[0]?.message.tool_calls?.[0];
    expect(call?.id).toMatch(/^[A-Za-z0-9]{9}$/);
  });

  it("model list validates against the response schema", async () => {
    const validate = responseSchemaValidator("GET", "/v1/models");
    const list = await client.models.list();
    expect(validate(JSON.parse(JSON.stringify(list))).errors).toEqual([]);
  });
});
