import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Agents } from "../../src/resources/agents.js";
import { Conversations } from "../../src/resources/conversations.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { agentsRoutes } from "../../src/testing/routes/agents.js";
import { conversationsRoutes } from "../../src/testing/routes/conversations.js";
import type {
  ConversationAppendRequest,
  ConversationRequest,
} from "../../src/types/conversations.js";
import { requestSchemaValidator, responseSchemaValidator } from "./spec.js";

const apiKey = "sk-contract-test-key";

/** Start bodies as callers build them, without `stream`, which the method sets. */
const startRequests: Record<string, ConversationRequest> = {
  "model and text": { model: "mistral-small-latest", inputs: "Hello" },
  "entries with chunks and a function result": {
    model: "mistral-medium-latest",
    inputs: [
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          { type: "image_url", image_url: "https://example.com/cat.png" },
        ],
      },
      {
        type: "function.call",
        tool_call_id: "Kd83nBv1x",
        name: "get_weather",
        arguments: '{"city":"Paris"}',
      },
      { type: "function.result", tool_call_id: "Kd83nBv1x", result: '{"temp_c":18}' },
      { role: "assistant", content: "It is", prefix: true },
    ],
  },
  "every field": {
    model: "mistral-large-latest",
    inputs: "Plan a trip",
    store: true,
    handoff_execution: "server",
    instructions: "Be brief.",
    tools: [
      { type: "web_search" },
      {
        type: "function",
        function: { name: "book", parameters: { type: "object", properties: {} } },
      },
    ],
    completion_args: { temperature: 0.5, max_tokens: 300, tool_choice: "auto" },
    guardrails: [{ moderation_llm_v2: { action: "none" } }],
    name: "trip",
    metadata: { user: "u1" },
  },
};

const appendRequests: Record<string, ConversationAppendRequest> = {
  text: { inputs: "And then?" },
  "every field": {
    inputs: [{ role: "user", content: "And then?" }],
    store: true,
    handoff_execution: "client",
    completion_args: { max_tokens: 100 },
    tool_confirmations: [{ tool_call_id: "Kd83nBv1x", confirmation: "allow" }],
  },
};

let server: MockMistralServer;
let conversations: Conversations;
let agents: Agents;
let client: MistralClient;

beforeAll(async () => {
  server = await MockMistralServer.start({
    apiKey,
    routes: [...agentsRoutes, ...conversationsRoutes],
  });
  const config = resolveConfig({ apiKey, baseURL: server.url, maxRetries: 0 });
  const transport = new Transport(config, "mistralai-ts/contract");
  conversations = new Conversations(transport);
  agents = new Agents(transport);
  client = new MistralClient({ apiKey, baseURL: server.url, maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
});

/** Drops the non-enumerable response metadata, keeping the body as the server sent it. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function lastBody(): unknown {
  return server.requests.at(-1)?.body;
}

describe("conversation request bodies", () => {
  const validateStart = requestSchemaValidator("POST", "/v1/conversations");
  const validateAppend = requestSchemaValidator("POST", "/v1/conversations/conv_1");
  const validateRestart = requestSchemaValidator("POST", "/v1/conversations/conv_1/restart");

  for (const [name, request] of Object.entries(startRequests)) {
    it(`start() and startStream() bodies validate: ${name}`, async () => {
      await conversations.start(request);
      expect(lastBody()).toEqual(request);
      expect(validateStart(lastBody()).errors).toEqual([]);

      await (await conversations.startStream(request)).finalResponse();
      expect(lastBody()).toEqual({ ...request, stream: true });
      expect(validateStart(lastBody()).errors).toEqual([]);
    });
  }

  it("a start with an agent validates", async () => {
    const agent = await agents.create({ model: "mistral-small-latest", name: "contract" });
    const request = { agent_id: agent.id, agent_version: 0, inputs: "Hi" };
    await conversations.start(request);
    expect(validateStart(lastBody()).errors).toEqual([]);
  });

  for (const [name, request] of Object.entries(appendRequests)) {
    it(`append() and appendStream() bodies validate: ${name}`, async () => {
      const { conversation_id } = await conversations.start(startRequests["model and text"]!);

      await conversations.append(conversation_id, request);
      expect(lastBody()).toEqual(request);
      expect(validateAppend(lastBody()).errors).toEqual([]);

      await (await conversations.appendStream(conversation_id, request)).finalResponse();
      expect(lastBody()).toEqual({ ...request, stream: true });
      expect(validateAppend(lastBody()).errors).toEqual([]);
    });
  }

  it("restart() and restartStream() bodies validate", async () => {
    const first = await conversations.start(startRequests["model and text"]!);
    const entryId = (first.outputs[0] as { id: string }).id;
    const request = {
      from_entry_id: entryId,
      inputs: "Try again",
      store: true,
      metadata: { branch: "b" },
      completion_args: { temperature: 0 },
    };

    await conversations.restart(first.conversation_id, request);
    expect(validateRestart(lastBody()).errors).toEqual([]);

    await (await conversations.restartStream(first.conversation_id, request)).finalResponse();
    expect(lastBody()).toEqual({ ...request, stream: true });
    expect(validateRestart(lastBody()).errors).toEqual([]);
  });
});

describe("conversation default replies", () => {
  it("turn responses validate", async () => {
    const validate = responseSchemaValidator("POST", "/v1/conversations");
    const started = await conversations.start(startRequests["every field"]!);
    const id = started.conversation_id;
    const appended = await conversations.append(id, appendRequests.text!);
    const entryId = (started.outputs[0] as { id: string }).id;
    const restarted = await conversations.restart(id, { from_entry_id: entryId, inputs: "Again" });
    for (const response of [started, appended, restarted]) {
      expect(validate(plain(response)).errors).toEqual([]);
    }
  });

  it("an agent conversation validates", async () => {
    const agent = await agents.create({ model: "mistral-small-latest", name: "contract-2" });
    const response = await conversations.start({ agent_id: agent.id, inputs: "Hi" });
    const conversation = await conversations.get(response.conversation_id);

    expect(responseSchemaValidator("POST", "/v1/conversations")(plain(response)).errors).toEqual(
      [],
    );
    const path = `/v1/conversations/${response.conversation_id}`;
    expect(responseSchemaValidator("GET", path)(plain(conversation)).errors).toEqual([]);
  });

  it("list, get, history and messages validate", async () => {
    const started = await conversations.start(
      startRequests["entries with chunks and a function result"]!,
    );
    const id = started.conversation_id;
    const path = `/v1/conversations/${id}`;

    const page = await conversations.list({ page_size: 5 }).page();
    expect(responseSchemaValidator("GET", "/v1/conversations")(plain(page.raw)).errors).toEqual([]);

    const conversation = await conversations.get(id);
    expect(responseSchemaValidator("GET", path)(plain(conversation)).errors).toEqual([]);

    const history = await conversations.history(id);
    const validateHistory = responseSchemaValidator("GET", `${path}/history`);
    expect(validateHistory(plain(history)).errors).toEqual([]);

    const messages = await conversations.messages(id);
    const validateMessages = responseSchemaValidator("GET", `${path}/messages`);
    expect(validateMessages(plain(messages)).errors).toEqual([]);
  });

  it("each stream event validates, with its event line", async () => {
    const validate = responseSchemaValidator("POST", "/v1/conversations", 200, "text/event-stream");
    const body = { ...startRequests["model and text"], stream: true };
    const events = await client.request({
      method: "POST",
      path: "/v1/conversations",
      body,
      stream: true,
    });
    let count = 0;
    for await (const event of events) {
      const data = JSON.parse(event.data) as { type: string };
      expect(event.event).toBe(data.type);
      expect(validate({ event: event.event, data }).errors).toEqual([]);
      count++;
    }

    expect(count).toBeGreaterThanOrEqual(3);
  });

  it("the response assembled from a stream validates", async () => {
    const validate = responseSchemaValidator("POST", "/v1/conversations");
    const stream = await conversations.startStream(startRequests["model and text"]!);
    expect(validate(plain(await stream.finalResponse())).errors).toEqual([]);
  });
});

describe("stream assembly", () => {
  it("a turn with every output kind assembles into a valid response", async () => {
    const validate = responseSchemaValidator("POST", "/v1/conversations");
    const eventSchema = responseSchemaValidator(
      "POST",
      "/v1/conversations",
      200,
      "text/event-stream",
    );
    for (const event of everyKindOfEvent) {
      expect(eventSchema({ event: event.type, data: event }).errors).toEqual([]);
    }

    server.enqueue({
      writes: everyKindOfEvent.map(
        (event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
      ),
    });
    const stream = await conversations.startStream(startRequests["model and text"]!);
    const final = await stream.finalResponse();

    expect(final.outputs).toHaveLength(4);
    expect(validate(plain(final)).errors).toEqual([]);
  });
});

const at = "2026-12-04T12:00:00Z";

/** One event of each type the API defines, except the error event, in a plausible order. */
const everyKindOfEvent: Array<{ type: string; [key: string]: unknown }> = [
  { type: "conversation.response.started", created_at: at, conversation_id: "conv_1" },
  {
    type: "tool.execution.started",
    created_at: at,
    output_index: 0,
    id: "tool_1",
    model: "mistral-medium-latest",
    agent_id: null,
    name: "web_search",
    arguments: '{"query":',
  },
  {
    type: "tool.execution.delta",
    created_at: at,
    output_index: 0,
    id: "tool_1",
    name: "web_search",
    arguments: '"weather"}',
  },
  {
    type: "tool.execution.done",
    created_at: at,
    output_index: 0,
    id: "tool_1",
    name: "web_search",
    info: { results: 3 },
  },
  {
    type: "message.output.delta",
    created_at: at,
    output_index: 1,
    id: "msg_1",
    content_index: 0,
    model: "mistral-medium-latest",
    role: "assistant",
    content: { type: "thinking", thinking: [{ type: "text", text: "Look it up." }] },
  },
  {
    type: "message.output.delta",
    created_at: at,
    output_index: 1,
    id: "msg_1",
    content_index: 1,
    content: "Sunny",
  },
  {
    type: "message.output.delta",
    created_at: at,
    output_index: 1,
    id: "msg_1",
    content_index: 2,
    content: { type: "tool_reference", tool: "web_search", title: "Forecast", url: null },
  },
  {
    type: "function.call.delta",
    created_at: at,
    output_index: 2,
    id: "fc_1",
    name: "get_weather",
    tool_call_id: "Kd83nBv1x",
    arguments: '{"city":"Paris"}',
    confirmation_status: null,
  },
  {
    type: "agent.handoff.started",
    created_at: at,
    output_index: 3,
    id: "ho_1",
    previous_agent_id: "ag_a",
    previous_agent_name: "A",
  },
  {
    type: "agent.handoff.done",
    created_at: at,
    output_index: 3,
    id: "ho_1",
    next_agent_id: "ag_b",
    next_agent_name: "B",
  },
  {
    type: "conversation.response.done",
    created_at: at,
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, connector_tokens: 2 },
  },
];
