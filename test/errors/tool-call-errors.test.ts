import { describe, expect, it } from "vitest";
import { BadRequestError, type MistralApiError } from "../../src/core/errors/api-error.js";
import type { ValidationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { createToolCallId } from "../../src/resources/chat/tool-call-id.js";
import type { ChatMessage, Tool } from "../../src/types/chat.js";
import { okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer } from "../helpers/loopback-fixture.js";
import { rawHttpResponse } from "../helpers/raw-http.js";

const serverId = "Qw7Rt2Yp9";
const correlationId = "01936f2a-0000-7000-8000-00000000abcd";

const weatherTool: Tool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    },
  },
};

const userTurn: ChatMessage = { role: "user", content: "Weather in Paris?" };

/** The second-turn body the API expects, byte for byte as in the recorded case. */
const expectedSecondTurn = JSON.parse(
  '{"model":"mistral-large-latest","messages":[{"role":"user","content":"Weather in Paris?"},' +
    '{"role":"assistant","content":"","tool_calls":[{"id":"Qw7Rt2Yp9","type":"function",' +
    '"function":{"name":"get_weather","arguments":"{\\"city\\": \\"Paris\\"}"}}]},' +
    '{"role":"tool","tool_call_id":"Qw7Rt2Yp9","name":"get_weather","content":"{\\"temp_c\\":18}"}],' +
    '"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",' +
    '"properties":{"city":{"type":"string"}},"required":["city"]}}}]}',
);

const firstTurnResponse = {
  id: "t1",
  object: "chat.completion",
  created: 1764806400,
  model: "mistral-large-latest",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: "",
        tool_calls: [
          {
            id: serverId,
            type: "function",
            function: { name: "get_weather", arguments: '{"city": "Paris"}' },
          },
        ],
      },
      finish_reason: "tool_calls",
    },
  ],
  usage: { prompt_tokens: 80, total_tokens: 101, completion_tokens: 21 },
};

/** The first turn streamed with the whole call in one delta, as the API sends it. */
const firstTurnEvents = [
  '{"id":"e1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-large-latest",' +
    '"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  '{"id":"e1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-large-latest",' +
    '"choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"id":"Qw7Rt2Yp9","function":' +
    '{"name":"get_weather","arguments":"{\\"city\\": \\"Paris\\"}"},"index":0}]},' +
    '"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":80,"total_tokens":101,' +
    '"completion_tokens":21}}',
];

const wrongIdBody =
  '{"object":"error","message":"Tool call id was call_8f2b1c9d0e but must be a-z, A-Z, 0-9, with a ' +
  'length of 9.","type":"invalid_function_call","param":null,"code":"3280","raw_status_code":400}';

const missingIdBody =
  '{"object":"error","message":"Tool call id has to be defined in serving mode.",' +
  '"type":"invalid_function_call","param":null,"code":"3280","raw_status_code":400}';

const wrongIdHeaders = {
  "content-type": "application/json",
  "mistral-correlation-id": correlationId,
  "x-kong-request-id": correlationId,
};

function toolResult(id: string): ChatMessage {
  return { role: "tool", tool_call_id: id, name: "get_weather", content: '{"temp_c":18}' };
}

describe("tool-call ids round-trip", () => {
  it("sends the server's id unchanged in the next turn", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ body: firstTurnResponse }, { body: okCompletion });
    const client = clientFor(server);
    const request = { model: "mistral-large-latest", tools: [weatherTool] };

    const first = await client.chat.create({ ...request, messages: [userTurn] });
    const assistant = first.choices[0]!.message;
    const call = assistant.tool_calls![0]!;
    await client.chat.create({
      ...request,
      messages: [userTurn, assistant as ChatMessage, toolResult(call.id!)],
    });

    const second = server.requests[1]!;
    expect(second.body).toEqual(expectedSecondTurn);
    expect(second.rawBody.toString()).toContain(`"id":"${serverId}"`);
    expect(second.rawBody.toString()).toContain(`"tool_call_id":"${serverId}"`);
  });

  it("keeps the id of a streamed tool call unchanged", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ events: firstTurnEvents }, { body: okCompletion });
    const client = clientFor(server);
    const request = { model: "mistral-large-latest", tools: [weatherTool] };

    const stream = await client.chat.stream({ ...request, messages: [userTurn] });
    const final = await stream.finalCompletion();
    const assistant = final.choices[0]!.message;
    const call = assistant.tool_calls![0]!;
    await client.chat.create({
      ...request,
      messages: [userTurn, assistant as ChatMessage, toolResult(call.id!)],
    });

    const body = server.requests[1]!.body as typeof expectedSecondTurn;
    expect(call.id).toBe(serverId);
    expect(body.messages[1].tool_calls[0].id).toBe(serverId);
    expect(body.messages[1].tool_calls[0].function).toEqual({
      name: "get_weather",
      arguments: '{"city": "Paris"}',
    });
    expect(body.messages[2]).toEqual(expectedSecondTurn.messages[2]);
  });

  it("rejects ids of other formats before sending, without rewriting them", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server);

    for (const id of ["call_8f2b1c9d0e", "toolu_01A09q90qw90lq917835lq9", "turn1_0", "a"]) {
      const error = await captureRejection(
        client.chat.create({
          model: "mistral-large-latest",
          messages: [
            userTurn,
            {
              role: "assistant",
              content: "",
              tool_calls: [
                { id, type: "function", function: { name: "get_weather", arguments: "{}" } },
              ],
            },
            toolResult(id),
          ],
        }),
      );

      expect(isMistralError(error, "validation")).toBe(true);
      const paths = (error as ValidationError).problems.map((problem) => problem.path);
      expect(paths).toEqual(["messages[1].tool_calls[0].id", "messages[2].tool_call_id"]);
    }

    expect(server.requests).toHaveLength(0);
  });
});

describe("createToolCallId", () => {
  it("draws 10,000 ids of 9 letters or digits without a collision", () => {
    const ids = new Set<string>();
    for (let draw = 0; draw < 10_000; draw++) {
      const id = createToolCallId();
      expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
      ids.add(id);
    }

    expect(ids.size).toBe(10_000);
  });

  it("uses every character of the alphabet", () => {
    const seen = new Set(Array.from({ length: 2000 }, createToolCallId).join(""));

    expect(seen.size).toBe(62);
  });
});

describe("400 invalid_function_call", () => {
  const bodies: Array<[string, string, string]> = [
    [
      "wrong id",
      wrongIdBody,
      "Tool call id was call_8f2b1c9d0e but must be a-z, A-Z, 0-9, with a length of 9.",
    ],
    ["missing id", missingIdBody, "Tool call id has to be defined in serving mode."],
  ];

  for (const [name, body, serverMessage] of bodies) {
    it(`exposes every field of the ${name} body`, async (context) => {
      const server = await startLoopbackServer(context);
      server.enqueue({ status: 400, headers: wrongIdHeaders, body, times: 5 });
      const client = clientFor(server, { maxRetries: 3 });

      const error = await captureRejection(
        client.chat.create({ model: "mistral-large-latest", messages: [userTurn] }),
      );

      expect(error).toBeInstanceOf(BadRequestError);
      const apiError = error as BadRequestError;
      expect(isMistralError(error, "bad_request")).toBe(true);
      expect(apiError.status).toBe(400);
      expect(apiError.type).toBe("invalid_function_call");
      expect(apiError.errorType).toBe("invalid_function_call");
      expect(apiError.code).toBe("3280");
      expect(apiError.param).toBeNull();
      expect(apiError.serverMessage).toBe(serverMessage);
      expect(apiError.message.startsWith(serverMessage)).toBe(true);
      expect(apiError.requestId).toBe(correlationId);
      expect(apiError.body).toBe(body);
      expect(server.requests).toHaveLength(1);
    });
  }

  it("prefers mistral-correlation-id to x-kong-request-id", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({
      status: 400,
      headers: { ...wrongIdHeaders, "x-kong-request-id": "kong-1" },
      body: wrongIdBody,
    });

    const error = await captureRejection(
      clientFor(server).chat.create({ model: "mistral-large-latest", messages: [userTurn] }),
    );

    expect((error as MistralApiError).requestId).toBe(correlationId);
  });

  it("falls back to x-kong-request-id", async (context) => {
    const server = await startLoopbackServer(context);
    const headers = { "content-type": "application/json", "x-kong-request-id": correlationId };
    server.enqueue({ rawResponse: [rawHttpResponse(400, headers, wrongIdBody)] });

    const error = await captureRejection(
      clientFor(server).chat.create({ model: "mistral-large-latest", messages: [userTurn] }),
    );

    expect((error as MistralApiError).requestId).toBe(correlationId);
    expect(server.requests).toHaveLength(1);
  });

  it("is thrown by stream() before any event", async (context) => {
    const server = await startLoopbackServer(context);
    server.enqueue({ status: 400, headers: wrongIdHeaders, body: wrongIdBody, times: 3 });

    const error = await captureRejection(
      clientFor(server).chat.stream({ model: "mistral-large-latest", messages: [userTurn] }),
    );

    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).code).toBe("3280");
    expect((error as BadRequestError).requestId).toBe(correlationId);
    expect(server.requests).toHaveLength(1);
  });
});
