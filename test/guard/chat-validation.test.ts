import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { FetchFunction } from "../../src/core/client-options.js";
import type { ValidationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import type { ChatCompletionRequest } from "../../src/types/chat.js";
import { okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";

const serverId = "Qw7Rt2Yp9";

/** Builds a client whose fetch counts the requests that would have left the process. */
function countingClient(): { client: MistralClient; sent: () => number } {
  let sent = 0;
  const fetch: FetchFunction = async () => {
    sent++;
    return Response.json(okCompletion);
  };
  const client = new MistralClient({
    apiKey: "sk-test-CANARY-7f3a9c1e",
    baseURL: "http://127.0.0.1:9",
    fetch,
  });
  return { client, sent: () => sent };
}

async function validationError(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await captureRejection(promise);
  expect(isMistralError(error, "validation"), String(error)).toBe(true);
  return error as ValidationError;
}

function pathsOf(error: ValidationError): string[] {
  return error.problems.map((problem) => problem.path);
}

const user = { role: "user", content: "Weather in Paris?" };
const assistantCall = (id: unknown) => ({
  role: "assistant",
  content: "",
  tool_calls: [{ id, type: "function", function: { name: "get_weather", arguments: "{}" } }],
});
const toolResult = (id?: unknown) => ({
  role: "tool",
  name: "get_weather",
  content: '{"temp_c":18}',
  ...(id === undefined ? {} : { tool_call_id: id }),
});

interface Rule {
  rule: string;
  /** Fields merged into a valid request to break it, and the path the problem must name. */
  invalid: Record<string, unknown>;
  path: string;
  /** The same fields with a valid value, which must be sent. */
  valid: Record<string, unknown>;
}

const rules: Rule[] = [
  {
    rule: "temperature above 1.5",
    invalid: { temperature: 9 },
    path: "temperature",
    valid: { temperature: 1.5 },
  },
  {
    rule: "temperature below 0",
    invalid: { temperature: -0.1 },
    path: "temperature",
    valid: { temperature: 0 },
  },
  {
    rule: "temperature as text",
    invalid: { temperature: "0.7" },
    path: "temperature",
    valid: { temperature: null },
  },
  {
    rule: "temperature NaN",
    invalid: { temperature: Number.NaN },
    path: "temperature",
    valid: { temperature: 0.7 },
  },
  { rule: "top_p above 1", invalid: { top_p: 1.01 }, path: "top_p", valid: { top_p: 1 } },
  { rule: "top_p null", invalid: { top_p: null }, path: "top_p", valid: { top_p: 0.9 } },
  {
    rule: "presence_penalty above 2",
    invalid: { presence_penalty: 2.5 },
    path: "presence_penalty",
    valid: { presence_penalty: 2 },
  },
  {
    rule: "frequency_penalty below -2",
    invalid: { frequency_penalty: -3 },
    path: "frequency_penalty",
    valid: { frequency_penalty: -2 },
  },
  {
    rule: "max_tokens negative",
    invalid: { max_tokens: -1 },
    path: "max_tokens",
    valid: { max_tokens: 0 },
  },
  {
    rule: "max_tokens fractional",
    invalid: { max_tokens: 1.5 },
    path: "max_tokens",
    valid: { max_tokens: null },
  },
  { rule: "n of 0", invalid: { n: 0 }, path: "n", valid: { n: 1 } },
  {
    rule: "random_seed negative",
    invalid: { random_seed: -1 },
    path: "random_seed",
    valid: { random_seed: 0 },
  },
  {
    rule: "random_seed unsafe",
    invalid: { random_seed: 2 ** 60 },
    path: "random_seed",
    valid: { random_seed: 42 },
  },
  { rule: "stop as number", invalid: { stop: 5 }, path: "stop", valid: { stop: "END" } },
  {
    rule: "stop with a number",
    invalid: { stop: ["END", 1] },
    path: "stop[1]",
    valid: { stop: ["END", "STOP"] },
  },
  {
    rule: "tool_choice typo",
    invalid: { tool_choice: "requred" },
    path: "tool_choice",
    valid: { tool_choice: "required" },
  },
  {
    rule: "tool_choice without name",
    invalid: { tool_choice: { type: "function", function: {} } },
    path: "tool_choice.function.name",
    valid: { tool_choice: { type: "function", function: { name: "get_weather" } } },
  },
  {
    rule: "response_format type unknown",
    invalid: { response_format: { type: "xml" } },
    path: "response_format.type",
    valid: { response_format: { type: "json_object" } },
  },
  {
    rule: "json_schema without schema",
    invalid: { response_format: { type: "json_schema" } },
    path: "response_format.json_schema",
    valid: {
      response_format: {
        type: "json_schema",
        json_schema: { name: "w", schema: { type: "object" } },
      },
    },
  },
  {
    rule: "json_schema without name",
    invalid: { response_format: { type: "json_schema", json_schema: { schema: {} } } },
    path: "response_format.json_schema.name",
    valid: { response_format: { type: "text" } },
  },
  {
    rule: "reasoning_effort as number",
    invalid: { reasoning_effort: 5 },
    path: "reasoning_effort",
    valid: { reasoning_effort: "high" },
  },
  // Open enum: a level the API may add later is sent as is.
  {
    rule: "reasoning_effort open",
    invalid: { reasoning_effort: null },
    path: "reasoning_effort",
    valid: { reasoning_effort: "medium" },
  },
  {
    rule: "prompt_mode as number",
    invalid: { prompt_mode: 1 },
    path: "prompt_mode",
    valid: { prompt_mode: "reasoning" },
  },
  {
    rule: "parallel_tool_calls as text",
    invalid: { parallel_tool_calls: "yes" },
    path: "parallel_tool_calls",
    valid: { parallel_tool_calls: false },
  },
  {
    rule: "safe_prompt as number",
    invalid: { safe_prompt: 1 },
    path: "safe_prompt",
    valid: { safe_prompt: true },
  },
  {
    rule: "metadata as text",
    invalid: { metadata: "x" },
    path: "metadata",
    valid: { metadata: { team: "search" } },
  },
  {
    rule: "tool without name",
    invalid: { tools: [{ type: "function", function: { parameters: {} } }] },
    path: "tools[0].function.name",
    valid: { tools: [{ type: "function", function: { name: "get_weather", parameters: {} } }] },
  },
  {
    rule: "prediction type unknown",
    invalid: { prediction: { type: "diff", content: "x" } },
    path: "prediction.type",
    valid: { prediction: { type: "content", content: "x" } },
  },
  {
    rule: "model empty",
    invalid: { model: " " },
    path: "model",
    valid: { model: "mistral-large-latest" },
  },
  { rule: "model missing", invalid: { model: undefined }, path: "model", valid: {} },
  {
    rule: "camelCase field",
    invalid: { maxTokens: 5 },
    path: "maxTokens",
    valid: { max_tokens: 5 },
  },
  {
    rule: "messages empty",
    invalid: { messages: [] },
    path: "messages",
    valid: { messages: [user] },
  },
  {
    rule: "messages not an array",
    invalid: { messages: "hi" },
    path: "messages",
    valid: { messages: [user] },
  },
  {
    rule: "unknown role",
    invalid: { messages: [{ role: "developer", content: "Be brief" }, user] },
    path: "messages[0].role",
    valid: { messages: [{ role: "system", content: "Be brief" }, user] },
  },
  {
    rule: "role missing",
    invalid: { messages: [{ content: "Hi" }] },
    path: "messages[0].role",
    valid: { messages: [{ role: "user", content: "Hi" }] },
  },
  {
    rule: "message not an object",
    invalid: { messages: ["Hi"] },
    path: "messages[0]",
    valid: { messages: [{ role: "user", content: "Hi" }] },
  },
  {
    rule: "user content missing",
    invalid: { messages: [{ role: "user" }] },
    path: "messages[0].content",
    valid: { messages: [{ role: "user", content: null }] },
  },
  {
    rule: "content as number",
    invalid: { messages: [{ role: "user", content: 5 }] },
    path: "messages[0].content",
    valid: { messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] },
  },
  {
    rule: "system content null",
    invalid: { messages: [{ role: "system", content: null }, user] },
    path: "messages[0].content",
    valid: { messages: [{ role: "system", content: [{ type: "text", text: "Be brief" }] }, user] },
  },
  {
    rule: "chunk without type",
    invalid: { messages: [{ role: "user", content: [{ text: "Hi" }] }] },
    path: "messages[0].content[0].type",
    // Open: a chunk type this release does not know is sent unchanged.
    valid: { messages: [{ role: "user", content: [{ type: "new_kind", data: 1 }] }] },
  },
  {
    rule: "text chunk without text",
    invalid: { messages: [{ role: "user", content: [{ type: "text" }] }] },
    path: "messages[0].content[0].text",
    valid: {
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: "https://x.test/a.png" }] },
      ],
    },
  },
  {
    rule: "tool message without tool_call_id",
    invalid: { messages: [user, assistantCall(serverId), toolResult()] },
    path: "messages[2].tool_call_id",
    valid: { messages: [user, assistantCall(serverId), toolResult(serverId)] },
  },
  {
    rule: "tool_call_id not 9 alphanumerics",
    invalid: { messages: [user, assistantCall(serverId), toolResult("call_8f2b1c9d0e")] },
    path: "messages[2].tool_call_id",
    valid: { messages: [user, assistantCall("abcDEF123"), toolResult("abcDEF123")] },
  },
  {
    rule: "tool_call_id of 10 characters",
    invalid: { messages: [user, assistantCall(serverId), toolResult("Qw7Rt2Yp9x")] },
    path: "messages[2].tool_call_id",
    valid: { messages: [user, assistantCall(serverId), toolResult(serverId)] },
  },
  {
    rule: "assistant tool-call id in another format",
    invalid: { messages: [user, assistantCall("toolu_01A09q90qw90"), toolResult(serverId)] },
    path: "messages[1].tool_calls[0].id",
    valid: { messages: [user, assistantCall(serverId), toolResult(serverId)] },
  },
  {
    rule: "assistant tool-call id missing",
    invalid: { messages: [user, assistantCall(undefined), toolResult(serverId)] },
    path: "messages[1].tool_calls[0].id",
    valid: { messages: [user, assistantCall(serverId), toolResult(serverId)] },
  },
  {
    rule: "tool-call arguments as number",
    invalid: {
      messages: [
        user,
        {
          role: "assistant",
          tool_calls: [{ id: serverId, function: { name: "f", arguments: 1 } }],
        },
        toolResult(serverId),
      ],
    },
    path: "messages[1].tool_calls[0].function.arguments",
    valid: {
      messages: [
        user,
        {
          role: "assistant",
          tool_calls: [{ id: serverId, function: { name: "f", arguments: {} } }],
        },
        toolResult(serverId),
      ],
    },
  },
  {
    rule: "prefix not last",
    invalid: { messages: [user, { role: "assistant", content: "Sure", prefix: true }, user] },
    path: "messages[1].prefix",
    valid: { messages: [user, { role: "assistant", content: "Sure", prefix: true }] },
  },
  {
    rule: "prefix not boolean",
    invalid: { messages: [user, { role: "assistant", content: "Sure", prefix: "yes" }] },
    path: "messages[1].prefix",
    valid: { messages: [user, { role: "assistant", content: "Sure", prefix: false }] },
  },
];

const base = { model: "mistral-small-latest", messages: [user] };

describe("chat request validation", () => {
  for (const { rule, invalid, path, valid } of rules) {
    it(`rejects ${rule} at ${path}`, async () => {
      const { client, sent } = countingClient();
      const request = { ...base, ...invalid } as unknown as ChatCompletionRequest;

      const error = await validationError(client.chat.create(request));

      expect(pathsOf(error)).toContain(path);
      expect(error.message).toContain(`- ${path}: `);
      expect(sent()).toBe(0);
    });

    it(`sends ${rule}, fixed`, async () => {
      const { client, sent } = countingClient();
      const request = { ...base, ...valid } as unknown as ChatCompletionRequest;

      await client.chat.create(request);

      expect(sent()).toBe(1);
    });
  }

  it("lists every problem at once, with its path", async () => {
    const { client, sent } = countingClient();
    const request = {
      model: "",
      temperature: 9,
      top_p: -1,
      tool_choice: "sometimes",
      response_format: { type: "xml" },
      messages: [
        { role: "developer", content: "Be brief" },
        { role: "user", content: 5 },
        {
          role: "assistant",
          content: "",
          prefix: true,
          tool_calls: [{ id: "call_1", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", content: "18 C" },
      ],
    } as unknown as ChatCompletionRequest;

    const error = await validationError(client.chat.stream(request));

    expect(pathsOf(error)).toEqual([
      "model",
      "temperature",
      "top_p",
      "response_format.type",
      "tool_choice",
      "messages[0].role",
      "messages[1].content",
      "messages[2].prefix",
      "messages[2].tool_calls[0].id",
      "messages[3].tool_call_id",
    ]);
    expect(error.message.split("\n")[0]).toBe("Invalid chat completion request: 10 problem(s)");
    expect(error.message.split("\n")).toHaveLength(11);
    expect(sent()).toBe(0);
  });

  it("keeps every problem but lists 50 in the message", async () => {
    const { client } = countingClient();
    const messages = Array.from({ length: 60 }, () => ({ role: "robot", content: "hi" }));
    const request = { ...base, messages } as unknown as ChatCompletionRequest;

    const error = await validationError(client.chat.create(request));

    expect(error.problems).toHaveLength(60);
    expect(error.problems[59]?.path).toBe("messages[59].role");
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(1 + 50 + 1);
    expect(lines.at(-1)).toBe("  - and 10 more, listed in error.problems");
  });

  it("sends fields named like Object members", async () => {
    const { client, sent } = countingClient();
    // JSON.parse makes `__proto__` an own field, as a request read from a file would have.
    const extra = JSON.parse('{"constructor":1,"toString":2,"hasOwnProperty":3,"__proto__":4}');
    const request = Object.assign(JSON.parse(JSON.stringify(base)), extra);

    await client.chat.create(request as ChatCompletionRequest);

    expect(sent()).toBe(1);
  });

  it("skips fields set to undefined", async () => {
    const { client, sent } = countingClient();

    await client.chat.create({
      ...base,
      temperature: undefined,
      stop: undefined,
    } as ChatCompletionRequest);

    expect(sent()).toBe(1);
  });
});

describe("FIM request validation", () => {
  const fim = { model: "codestral-latest", prompt: "def add(a, b):" };
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["prompt as number", { prompt: 5 }, "prompt"],
    ["prompt missing", { prompt: undefined }, "prompt"],
    ["suffix as number", { suffix: 5 }, "suffix"],
    ["min_tokens negative", { min_tokens: -1 }, "min_tokens"],
    ["temperature above 1.5", { temperature: 2 }, "temperature"],
  ];

  for (const [rule, fields, path] of cases) {
    it(`rejects ${rule}`, async () => {
      const { client, sent } = countingClient();

      const error = await validationError(client.fim.create({ ...fim, ...fields } as never));

      expect(pathsOf(error)).toEqual([path]);
      expect(sent()).toBe(0);
    });
  }

  it("sends a valid request", async () => {
    const { client, sent } = countingClient();

    await client.fim.create({ ...fim, suffix: "return a + b", min_tokens: 0, temperature: 0.2 });

    expect(sent()).toBe(1);
  });
});

describe("agents request validation", () => {
  it("lists agent and message problems together", async () => {
    const { client, sent } = countingClient();
    const request = {
      messages: [user, { role: "tool", content: "x", tool_call_id: "bad" }],
      max_tokens: -5,
      temperature: 0.5,
    };

    const error = await validationError(client.agents.complete(request as never));

    expect(pathsOf(error)).toEqual([
      "agent_id",
      "max_tokens",
      "messages[1].tool_call_id",
      "temperature",
    ]);
    expect(error.message).toContain("Invalid agents completion request: 4 problem(s)");
    expect(sent()).toBe(0);
  });
});

describe("embeddings request validation", () => {
  it("rejects an input that is not text", async () => {
    const { client, sent } = countingClient();

    const error = await validationError(
      client.embeddings.create({ model: "mistral-embed", input: ["a", 5] } as never),
    );

    expect(pathsOf(error)).toEqual(["input[1]"]);
    expect(sent()).toBe(0);
  });
});
