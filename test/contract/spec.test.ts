import { afterEach, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/types/chat.js";
import type { UsageInfo } from "../../src/types/common.js";
import type { ModelCapabilities } from "../../src/types/models.js";
import {
  loadSpec,
  requestSchemaValidator,
  responseSchemaValidator,
  SPEC_PATH_VARIABLE,
  schemaValidator,
} from "./spec.js";

const CHAT_PATH = "/v1/chat/completions";

// Stream events of a whole tool call in one delta, with `content: null` and no `type`.
const toolCallChunks = [
  {
    id: "e1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "mistral-large-latest",
    choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
  },
  {
    id: "e1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "mistral-large-latest",
    choices: [
      {
        index: 0,
        delta: {
          content: null,
          tool_calls: [
            {
              id: "Qw7Rt2Yp9",
              function: { name: "get_weather", arguments: '{"city": "Paris"}' },
              index: 0,
            },
          ],
        },
        finish_reason: "tool_calls",
      },
    ],
    usage: { prompt_tokens: 80, total_tokens: 101, completion_tokens: 21 },
  },
];

// Stream events of a reasoning model: thinking chunks, an extra `delta.index`, `logprobs: null`.
const thinkingChunks = [
  {
    id: "m1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "magistral-medium-latest",
    choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
  },
  {
    id: "m1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "magistral-medium-latest",
    choices: [
      {
        index: 0,
        delta: {
          content: [{ type: "thinking", thinking: [{ type: "text", text: "User says hi" }] }],
        },
        finish_reason: null,
      },
    ],
  },
  {
    id: "m1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "magistral-medium-latest",
    choices: [
      {
        index: 0,
        delta: {
          index: 0,
          content: [
            {
              type: "thinking",
              thinking: [{ type: "text", text: "; answer briefly." }],
              closed: true,
            },
          ],
        },
        finish_reason: null,
        logprobs: null,
      },
    ],
  },
  {
    id: "m1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "magistral-medium-latest",
    choices: [{ index: 0, delta: { content: "Hello" }, finish_reason: null }],
  },
  {
    id: "m1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "magistral-medium-latest",
    choices: [
      { index: 0, delta: { content: [{ type: "text", text: "!" }] }, finish_reason: "stop" },
    ],
    usage: { prompt_tokens: 6, total_tokens: 40, completion_tokens: 34 },
  },
];

const chatCompletion = {
  id: "m2",
  object: "chat.completion",
  created: 1764806400,
  model: "magistral-small-latest",
  choices: [
    {
      index: 0,
      finish_reason: "stop",
      message: {
        role: "assistant",
        tool_calls: null,
        content: [
          { type: "thinking", thinking: [{ type: "text", text: "Short greeting expected." }] },
          { type: "text", text: "Hello!" },
        ],
      },
    },
  ],
  usage: { prompt_tokens: 6, total_tokens: 20, completion_tokens: 14 },
};

const invalidFunctionCallError = {
  object: "error",
  message: "Tool call id was call_8f2b1c9d0e but must be a-z, A-Z, 0-9, with a length of 9.",
  type: "invalid_function_call",
  param: null,
  code: "3280",
  raw_status_code: 400,
};

describe("loadSpec", () => {
  const saved = process.env[SPEC_PATH_VARIABLE];

  afterEach(() => {
    if (saved === undefined) {
      delete process.env[SPEC_PATH_VARIABLE];
    } else {
      process.env[SPEC_PATH_VARIABLE] = saved;
    }
  });

  it("parses the description", () => {
    const spec = loadSpec();

    expect(spec.openapi).toMatch(/^3\.1/);
    expect(spec.paths[CHAT_PATH]?.["post"]).toBeDefined();
  });

  it("names the path of a missing file", () => {
    process.env[SPEC_PATH_VARIABLE] = "/nonexistent/mistral-openapi.yaml";

    expect(() => loadSpec()).toThrow("/nonexistent/mistral-openapi.yaml");
    expect(() => loadSpec()).toThrow(SPEC_PATH_VARIABLE);
  });
});

describe("chat request schema", () => {
  const validate = requestSchemaValidator("POST", CHAT_PATH);

  it("accepts a minimal request", () => {
    const result = validate({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Hi" }],
    });

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("rejects a request without model", () => {
    const result = validate({ messages: [] });

    expect(result.valid).toBe(false);
    expect(result.errors).toContain("(root) must have required property 'model'");
  });

  it("rejects an OpenAI-only field", () => {
    const result = validate({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Hi" }],
      max_completion_tokens: 64,
    });

    expect(result.valid).toBe(false);
    expect(result.errors).toContain(
      '(root) must NOT have additional properties: "max_completion_tokens"',
    );
  });
});

describe("chat response schema", () => {
  const validate = responseSchemaValidator("POST", CHAT_PATH);

  it("accepts a completion without data", () => {
    const result = validate(chatCompletion);

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("rejects an error body", () => {
    const result = validate(invalidFunctionCallError);

    expect(result.valid).toBe(false);
    expect(result.errors).toContain("(root) must have required property 'choices'");
  });
});

describe("wire types", () => {
  // `Required<...>` makes the compiler demand every field of the type, so these objects list the
  // type's fields in full and their keys can be compared with the schema's properties.
  const fullRequest: Required<ChatCompletionRequest> = {
    model: "mistral-small-latest",
    messages: [
      { role: "system", content: [{ type: "text", text: "Be brief." }] },
      { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
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
    temperature: 0,
    top_p: 1,
    max_tokens: 64,
    stop: ["\n\n"],
    random_seed: 42,
    metadata: { team: "search" },
    response_format: {
      type: "json_schema",
      json_schema: { name: "weather", schema: { type: "object" }, strict: true },
    },
    tools: [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Current weather of a city",
          parameters: { type: "object", properties: { city: { type: "string" } } },
          strict: false,
        },
      },
    ],
    tool_choice: { type: "function", function: { name: "get_weather" } },
    presence_penalty: 0,
    frequency_penalty: 0,
    n: 1,
    prediction: { type: "content", content: "" },
    parallel_tool_calls: false,
    prompt_mode: "reasoning",
    reasoning_effort: "none",
    guardrails: [{ block_on_error: false, moderation_llm_v2: { action: "block" } }],
    prompt_cache_key: "session-1",
    safe_prompt: false,
  };

  const fullUsage: Required<UsageInfo> = {
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    prompt_audio_seconds: null,
    num_cached_tokens: 0,
    prompt_tokens_details: { cached_tokens: 0 },
    prompt_token_details: null,
  };

  const allCapabilities: Required<ModelCapabilities> = {
    completion_chat: true,
    function_calling: true,
    completion_fim: false,
    fine_tuning: false,
    vision: false,
    ocr: false,
    classification: false,
    moderation: false,
    audio: false,
    audio_transcription: false,
  };

  function specProperties(componentName: string): string[] {
    const schema = loadSpec().components.schemas[componentName] as { properties: object };
    return Object.keys(schema.properties).sort();
  }

  it("request covers every spec field", () => {
    const expected = specProperties("ChatCompletionRequest").filter((name) => name !== "stream");

    expect(Object.keys(fullRequest).sort()).toEqual(expected);
  });

  it("request with every field is valid", () => {
    const result = requestSchemaValidator("POST", CHAT_PATH)(fullRequest);

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("usage covers every spec field", () => {
    expect(Object.keys(fullUsage).sort()).toEqual(specProperties("UsageInfo"));
    expect(schemaValidator("UsageInfo")(fullUsage).errors).toEqual([]);
  });

  it("capabilities cover every spec field", () => {
    expect(Object.keys(allCapabilities).sort()).toEqual(specProperties("ModelCapabilities"));
    expect(schemaValidator("ModelCapabilities")(allCapabilities).errors).toEqual([]);
  });
});

describe("chat stream schema", () => {
  const validateChunk = schemaValidator("CompletionChunk");
  const validateEvent = responseSchemaValidator("POST", CHAT_PATH, 200, "text/event-stream");

  const cases = [
    ...toolCallChunks.map((chunk, index) => ({ name: `tool call chunk ${index}`, chunk })),
    ...thinkingChunks.map((chunk, index) => ({ name: `thinking chunk ${index}`, chunk })),
  ];

  it.each(cases)("accepts $name", ({ chunk }) => {
    const result = validateChunk(chunk);

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(cases)("accepts $name as an SSE event", ({ chunk }) => {
    const result = validateEvent({ data: chunk });

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("rejects a chunk without choices", () => {
    const { choices: _choices, ...chunk } = toolCallChunks[1]!;
    const result = validateChunk(chunk);

    expect(result.valid).toBe(false);
    expect(result.errors).toContain("(root) must have required property 'choices'");
  });
});

describe("operation lookup", () => {
  it("matches a concrete path to its template", () => {
    const validate = responseSchemaValidator("GET", "/v1/models/mistral-small-latest?x=1");
    const result = validate({
      id: "mistral-small-latest",
      object: "model",
      type: "base",
      capabilities: { completion_chat: true, function_calling: true },
    });

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("prefers a literal segment to a template", () => {
    const validate = responseSchemaValidator("GET", "/v1/agents/pages");
    const result = validate({ object: "list", data: [], next_page_token: null });

    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("picks the #stream entry for stream: true", () => {
    const validate = requestSchemaValidator("POST", "/v1/conversations");

    expect(validate({ inputs: "Hi", model: "mistral-small-latest", stream: true }).valid).toBe(
      true,
    );
    expect(validate({ inputs: "Hi", model: "mistral-small-latest", stream: false }).valid).toBe(
      true,
    );
    expect(validate({ model: "mistral-small-latest", stream: true }).valid).toBe(false);
  });

  it("accepts an explicit #stream path", () => {
    const validate = requestSchemaValidator("POST", "/v1/conversations#stream");

    expect(validate({ inputs: "Hi", stream: true }).valid).toBe(true);
    expect(validate({ inputs: "Hi", stream: false }).valid).toBe(false);
  });

  it("rejects an unknown path", () => {
    expect(() => requestSchemaValidator("POST", "/v1/nothing-here")).toThrow(
      'No POST operation matches "/v1/nothing-here"',
    );
  });

  it("rejects an unknown component", () => {
    expect(() => schemaValidator("NoSuchSchema")).toThrow('Schema "NoSuchSchema" not found');
  });

  it("reuses compiled validators", () => {
    expect(schemaValidator("CompletionChunk")).toBe(schemaValidator("CompletionChunk"));
  });
});
