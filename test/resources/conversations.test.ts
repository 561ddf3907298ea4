import { describe, expect, it, type TestContext } from "vitest";
import type { ClientOptions } from "../../src/core/client-options.js";
import { resolveConfig } from "../../src/core/config.js";
import {
  InternalServerError,
  NotFoundError,
  RateLimitError,
  UnprocessableEntityError,
} from "../../src/core/errors/api-error.js";
import { ValidationError } from "../../src/core/errors/client-errors.js";
import { StreamError } from "../../src/core/errors/transport-errors.js";
import { Transport } from "../../src/core/transport.js";
import { Agents } from "../../src/resources/agents.js";
import {
  type ConversationStream,
  isKnownConversationEvent,
} from "../../src/resources/conversations/conversation-stream.js";
import { Conversations } from "../../src/resources/conversations.js";
import { MockMistralServer, type ScriptedReply } from "../../src/testing/index.js";
import { agentsRoutes } from "../../src/testing/routes/agents.js";
import { conversationsRoutes } from "../../src/testing/routes/conversations.js";
import type {
  ConversationEvent,
  ConversationRequest,
  MessageOutputEntry,
} from "../../src/types/conversations.js";
import { captureRejection } from "../helpers/error-capture.js";
import { timedFetch, waitsBetweenCalls } from "../helpers/timed-fetch.js";

const apiKey = "sk-conversations-test-key";

/**
 * Starts a server of its own for the calling test, and the resources on one transport. The
 * server closes when the test of `context` finishes, also in concurrent tests.
 */
async function setUp(context: TestContext, options: ClientOptions = {}) {
  const server = await MockMistralServer.start({
    apiKey,
    routes: [...agentsRoutes, ...conversationsRoutes],
  });
  context.onTestFinished(() => server.close());
  const timing = timedFetch();
  const config = resolveConfig({
    apiKey,
    baseURL: server.url,
    retry: { initialDelayMs: 10, maxDelayMs: 40 },
    fetch: timing.fetch,
    ...options,
  });
  const transport = new Transport(config, "mistralai-ts/test");
  const conversations = new Conversations(transport);
  return { server, conversations, agents: new Agents(transport), calls: timing.calls };
}

const hello: ConversationRequest = { model: "mistral-small-latest", inputs: "Hello there" };

/** Formats one SSE event as the conversations API writes it: an `event:` and a `data:` line. */
function sse(data: { type: string; [key: string]: unknown }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const started = sse({ type: "conversation.response.started", conversation_id: "conv_1" });
const done = sse({
  type: "conversation.response.done",
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});

function delta(content: unknown, id = "msg_1"): string {
  return sse({ type: "message.output.delta", id, output_index: 0, content_index: 0, content });
}

async function collect(stream: ConversationStream): Promise<ConversationEvent[]> {
  const events: ConversationEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function output(response: { outputs: unknown[] }, index = 0): MessageOutputEntry {
  return response.outputs[index] as MessageOutputEntry;
}

describe("conversations.start", () => {
  it("posts the body as given and parses the response", async (context) => {
    const { server, conversations } = await setUp(context);
    const request: ConversationRequest = {
      ...hello,
      instructions: "Be brief.",
      completion_args: { temperature: 0.2 },
      metadata: { ticket: "42" },
    };

    const response = await conversations.start(request);

    const sent = server.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/conversations");
    expect(sent.body).toEqual(request);
    expect(response.conversation_id).toMatch(/^conv_/);
    expect(output(response).content).toBe("Echo: Hello there");
    expect(output(response).type).toBe("message.output");
    expect(response.usage.total_tokens).toBeGreaterThan(0);
  });

  it("uses the stored agent", async (context) => {
    const { conversations, agents } = await setUp(context);
    const agent = await agents.create({ model: "mistral-large-latest", name: "helper" });

    const response = await conversations.start({ agent_id: agent.id, inputs: "Hi" });
    const conversation = await conversations.get(response.conversation_id);

    expect(output(response).agent_id).toBe(agent.id);
    expect(output(response).model).toBe("mistral-large-latest");
    expect(conversation.agent_id).toBe(agent.id);
    expect(conversation.agent_version).toBe(0);
  });

  it("answers 404 for an unknown agent", async (context) => {
    const { conversations } = await setUp(context);

    const error = await captureRejection(conversations.start({ agent_id: "ag_x", inputs: "Hi" }));

    expect(error).toBeInstanceOf(NotFoundError);
  });

  it("rejects stream, missing inputs and camelCase names before sending", async (context) => {
    const { server, conversations } = await setUp(context);
    const request = { agentId: "ag_1", stream: true } as unknown as ConversationRequest;

    const error = await captureRejection(
      Promise.resolve().then(() => conversations.start(request)),
    );

    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).problems.map((problem) => problem.path);
    expect(paths).toEqual(["inputs", "stream", "agentId"]);
    expect(server.requests).toHaveLength(0);
  });
});

describe("conversation request fields", () => {
  it("leaves fields named like Object members to the server", async (context) => {
    const { server, conversations } = await setUp(context);
    const request = JSON.parse(
      '{"model":"mistral-small-latest","inputs":"Hi","constructor":1,"toString":2}',
    ) as ConversationRequest;

    const error = await captureRejection(conversations.start(request));

    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as Error).message).toContain("body.constructor: Extra inputs are not permitted");
    expect(server.requests).toHaveLength(1);
  });
});

describe("conversations streaming", () => {
  it("startStream yields the typed events of the turn", async (context) => {
    const { server, conversations } = await setUp(context);

    const stream = await conversations.startStream(hello);
    const events = await collect(stream);

    expect(server.requests[0]!.body).toEqual({ ...hello, stream: true });
    expect(server.requests[0]!.headers.accept).toBe("text/event-stream");
    expect(events[0]?.type).toBe("conversation.response.started");
    expect(events.at(-1)?.type).toBe("conversation.response.done");
    const middle = events.slice(1, -1).map((event) => event.type);
    expect(new Set(middle)).toEqual(new Set(["message.output.delta"]));
    expect(events.every(isKnownConversationEvent)).toBe(true);
  });

  it("finalResponse matches the stored history", async (context) => {
    const { conversations } = await setUp(context);

    const stream = await conversations.startStream(hello);
    const final = await stream.finalResponse();
    const history = await conversations.history(final.conversation_id);

    expect(output(final).content).toBe("Echo: Hello there");
    expect(final.usage.total_tokens).toBeGreaterThan(0);
    expect(history.entries.at(-1)).toEqual(expect.objectContaining(output(final)));
  });

  it("textDeltas joins to the answer", async (context) => {
    const { conversations } = await setUp(context);
    const { conversation_id } = await conversations.start(hello);

    const stream = await conversations.appendStream(conversation_id, { inputs: "More please" });
    let text = "";
    for await (const piece of stream.textDeltas()) text += piece;

    expect(text).toBe("Echo: More please");
    expect((await stream.finalResponse()).conversation_id).toBe(conversation_id);
  });

  it("passes unknown event types through untouched", async (context) => {
    const { server, conversations } = await setUp(context);
    const unknown = { type: "conversation.response.annotated", note: { level: 2 } };
    server.enqueue({ writes: [started, sse(unknown), delta("Hi"), done] });

    const events = await collect(await conversations.startStream(hello));

    expect(events).toHaveLength(4);
    expect(events[1]).toEqual(unknown);
    expect(isKnownConversationEvent(events[1]!)).toBe(false);
  });

  it("takes the type from the event line when the data has none", async (context) => {
    const { server, conversations } = await setUp(context);
    const bare = 'event: message.output.delta\ndata: {"id":"msg_1","content":"Hi"}\n\n';
    const nameless = "event: custom.kind\ndata: [1,2]\n\n";
    server.enqueue({ writes: [started, bare, nameless, done] });

    const events = await collect(await conversations.startStream(hello));

    expect(events[1]).toEqual({ type: "message.output.delta", id: "msg_1", content: "Hi" });
    expect(events[2]).toEqual({ type: "custom.kind", data: [1, 2] });
  });

  it("fails with a StreamError when the body ends before the done event", async (context) => {
    const { server, conversations } = await setUp(context);
    server.enqueue({ writes: [started, delta("Hel")] });

    const stream = await conversations.startStream(hello);
    const seen: ConversationEvent[] = [];
    const error = await captureRejection(
      (async () => {
        for await (const event of stream) seen.push(event);
      })(),
    );

    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain("ended before its final event");
    expect(await captureRejection(stream.finalResponse())).toBe(error);
  });

  it("fails with a StreamError when the connection closes mid-stream", async (context) => {
    const { server, conversations } = await setUp(context);
    server.enqueue({ writes: [started, delta("Hel"), done], fault: "close-mid-body" });

    const stream = await conversations.startStream(hello);

    expect(await captureRejection(stream.finalResponse())).toBeInstanceOf(StreamError);
  });

  it("yields the error event, then throws its message and code", async (context) => {
    const { server, conversations } = await setUp(context);
    const failure = { type: "conversation.response.error", message: "Tool failed", code: 3000 };
    server.enqueue({ writes: [started, sse(failure)] });

    const stream = await conversations.startStream(hello);
    const seen: ConversationEvent[] = [];
    const error = await captureRejection(
      (async () => {
        for await (const event of stream) seen.push(event);
      })(),
    );

    expect(seen.map((event) => event.type)).toEqual([
      "conversation.response.started",
      "conversation.response.error",
    ]);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain("Tool failed (code 3000)");
    expect(await captureRejection(stream.finalResponse())).toBe(error);
  });

  it("assembles tools, function calls, handoffs and chunks", async (context) => {
    const { server, conversations } = await setUp(context);
    server.enqueue({ writes: richTurn });

    const final = await (await conversations.startStream(hello)).finalResponse();

    expect(final.conversation_id).toBe("conv_1");
    expect(final.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    expect(final.outputs).toEqual(richTurnOutputs);
  });

  it("uses the appended conversation id when no started event came", async (context) => {
    const { server, conversations } = await setUp(context);
    server.enqueue({ writes: [delta("Hi"), done] });

    const stream = await conversations.appendStream("conv_known", { inputs: "Hi" });

    expect((await stream.finalResponse()).conversation_id).toBe("conv_known");
  });
});

describe("conversations append and restart", () => {
  it("append posts to the conversation and adds entries", async (context) => {
    const { server, conversations } = await setUp(context);
    const { conversation_id } = await conversations.start(hello);
    const request = { inputs: [{ role: "user" as const, content: "Second" }], store: true };

    const response = await conversations.append(conversation_id, request);

    const sent = server.requests.at(-1)!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe(`/v1/conversations/${conversation_id}`);
    expect(sent.body).toEqual(request);
    expect(response.conversation_id).toBe(conversation_id);
    expect(output(response).content).toBe("Echo: Second");
  });

  it("restart branches from an entry into a new conversation", async (context) => {
    const { server, conversations } = await setUp(context);
    const first = await conversations.start(hello);
    const firstAnswer = output(first).id!;
    await conversations.append(first.conversation_id, { inputs: "Unwanted turn" });
    const request = { from_entry_id: firstAnswer, inputs: "Other turn" };

    const restarted = await conversations.restart(first.conversation_id, request);

    const sent = server.requests.at(-1)!;
    expect(sent.path).toBe(`/v1/conversations/${first.conversation_id}/restart`);
    expect(sent.body).toEqual(request);
    expect(restarted.conversation_id).not.toBe(first.conversation_id);
    const history = await conversations.history(restarted.conversation_id);
    const contents = history.entries.map((entry) => entry.content);
    expect(contents).toEqual([
      "Hello there",
      "Echo: Hello there",
      "Other turn",
      "Echo: Other turn",
    ]);
  });

  it("restartStream sets stream: true", async (context) => {
    const { server, conversations } = await setUp(context);
    const first = await conversations.start(hello);
    const request = { from_entry_id: output(first).id!, inputs: "Again" };

    const stream = await conversations.restartStream(first.conversation_id, request);
    const final = await stream.finalResponse();

    expect(server.requests.at(-1)!.body).toEqual({ ...request, stream: true });
    expect(output(final).content).toBe("Echo: Again");
  });

  it("rejects a restart without from_entry_id before sending", async (context) => {
    const { server, conversations } = await setUp(context);
    const request = { inputs: "x" } as unknown as Parameters<Conversations["restart"]>[1];

    const error = await captureRejection(
      Promise.resolve().then(() => conversations.restart("conv_1", request)),
    );

    expect((error as ValidationError).problems).toEqual([
      { path: "from_entry_id", message: "is required" },
    ]);
    expect(server.requests).toHaveLength(0);
  });
});

describe("conversations reads", () => {
  it("list pages through conversations with a metadata filter", async (context) => {
    const { server, conversations } = await setUp(context);
    for (const index of [1, 2, 3]) {
      await conversations.start({ ...hello, name: `c${index}`, metadata: { batch: "a" } });
    }
    await conversations.start({ ...hello, metadata: { batch: "b" } });
    const mark = server.requests.length;

    const found = await conversations.list({ page_size: 2, metadata: { batch: "a" } }).toArray();

    expect(found.map((conversation) => conversation.name)).toEqual(["c3", "c2", "c1"]);
    const sent = server.requests.slice(mark);
    expect(sent.map((request) => request.path)).toEqual(["/v1/conversations", "/v1/conversations"]);
    expect(sent[0]!.query).toEqual({ metadata: '{"batch":"a"}', page: "0", page_size: "2" });
    expect(sent[1]!.query.page).toBe("1");
  });

  it("get, history and messages read the stored conversation", async (context) => {
    const { server, conversations } = await setUp(context);
    const { conversation_id } = await conversations.start(hello);

    const conversation = await conversations.get(conversation_id);
    expect(server.requests.at(-1)!.path).toBe(`/v1/conversations/${conversation_id}`);
    expect(conversation.id).toBe(conversation_id);
    expect(conversation.model).toBe("mistral-small-latest");

    const history = await conversations.history(conversation_id);
    expect(server.requests.at(-1)!.path).toBe(`/v1/conversations/${conversation_id}/history`);
    expect(history.entries.map((entry) => entry.type)).toEqual(["message.input", "message.output"]);

    const messages = await conversations.messages(conversation_id);
    expect(server.requests.at(-1)!.path).toBe(`/v1/conversations/${conversation_id}/messages`);
    expect(messages.messages.map((entry) => entry.content)).toEqual([
      "Hello there",
      "Echo: Hello there",
    ]);
  });
});

describe("conversations flow", () => {
  it("start, append, history, restart, delete", async (context) => {
    const { server, conversations } = await setUp(context);
    const started = await conversations.start(hello);
    const id = started.conversation_id;
    await conversations.append(id, { inputs: "How are you?" });

    const history = await conversations.history(id);
    expect(history.entries).toHaveLength(4);
    const branchPoint = history.entries[1]!.id as string;

    const branch = await conversations.restart(id, { from_entry_id: branchPoint, inputs: "Bye" });
    const branchHistory = await conversations.history(branch.conversation_id);
    expect(branchHistory.entries).toHaveLength(4);
    expect(output(branch).content).toBe("Echo: Bye");

    await conversations.delete(id);
    expect(server.requests.at(-1)!.method).toBe("DELETE");
    expect(server.requests.at(-1)!.path).toBe(`/v1/conversations/${id}`);
    expect(await captureRejection(conversations.get(id))).toBeInstanceOf(NotFoundError);
    expect((await conversations.get(branch.conversation_id)).id).toBe(branch.conversation_id);
  });
});

const rateLimitBody =
  '{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,' +
  '"code":"1300","raw_status_code":429}';

function rateLimited(retryAfter: string, path: string): ScriptedReply {
  return {
    match: { method: "POST", path },
    status: 429,
    headers: { "content-type": "application/json", "retry-after": retryAfter },
    body: rateLimitBody,
  };
}

type TurnCall = (conversations: Conversations) => Promise<string>;

const startCalls: Array<[string, TurnCall]> = [
  ["start", async (conversations) => String(output(await conversations.start(hello)).content)],
  [
    "startStream",
    async (conversations) => {
      const stream = await conversations.startStream(hello);
      return String(output(await stream.finalResponse()).content);
    },
  ],
];

describe.concurrent("429 on POST /v1/conversations", () => {
  for (const [name, call] of startCalls) {
    it(`${name} waits Retry-After 2 s once, then succeeds`, async (context) => {
      const { server, conversations, calls } = await setUp(context, { maxRetries: 2 });
      server.enqueue(rateLimited("2", "/v1/conversations"));

      expect(await call(conversations)).toBe("Echo: Hello there");
      expect(server.requests).toHaveLength(2);
      const [wait] = waitsBetweenCalls(calls);
      expect(wait).toBeGreaterThanOrEqual(2000);
      expect(wait).toBeLessThanOrEqual(2500 + 250);
    });

    it(`${name} fails at once when Retry-After is 600 s`, async (context) => {
      const { server, conversations } = await setUp(context, { maxRetries: 2 });
      server.enqueue(rateLimited("600", "/v1/conversations"));
      const startedAt = Date.now();

      const error = (await captureRejection(call(conversations))) as RateLimitError;

      expect(Date.now() - startedAt).toBeLessThan(1000);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.retryAfterMs).toBe(600_000);
      expect(error.code).toBe("1300");
      expect(error.errorType).toBe("rate_limited");
      expect(server.requests).toHaveLength(1);
    });
  }
});

describe("retries of calls that change state", () => {
  const failures: Array<[string, (conversations: Conversations, id: string) => Promise<unknown>]> =
    [
      ["append", (conversations, id) => conversations.append(id, { inputs: "Again" })],
      [
        "appendStream",
        async (conversations, id) =>
          (await conversations.appendStream(id, { inputs: "Again" })).finalResponse(),
      ],
    ];

  for (const [name, call] of failures) {
    it(`${name} is not retried after a 500`, async (context) => {
      const { server, conversations } = await setUp(context, { maxRetries: 2 });
      const { conversation_id } = await conversations.start(hello);
      const path = `/v1/conversations/${conversation_id}`;
      server.enqueue({ match: { method: "POST", path }, status: 500, body: { message: "boom" } });

      const error = await captureRejection(call(conversations, conversation_id));

      expect(error).toBeInstanceOf(InternalServerError);
      expect(server.requests.filter((request) => request.path === path)).toHaveLength(1);
      expect((await conversations.history(conversation_id)).entries).toHaveLength(2);
    });

    it(`${name} is retried after a 429`, async (context) => {
      const { server, conversations } = await setUp(context, { maxRetries: 2 });
      const { conversation_id } = await conversations.start(hello);
      const path = `/v1/conversations/${conversation_id}`;
      server.enqueue({ ...rateLimited("0", path) });

      await call(conversations, conversation_id);

      expect(server.requests.filter((request) => request.path === path)).toHaveLength(2);
      expect((await conversations.history(conversation_id)).entries).toHaveLength(4);
    });
  }

  it("start is not retried after a 500", async (context) => {
    const { server, conversations } = await setUp(context, { maxRetries: 2 });
    server.enqueue({ match: { path: "/v1/conversations" }, status: 500, body: { message: "x" } });

    expect(await captureRejection(conversations.start(hello))).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });
});

// ---- A streamed turn with every kind of output ----

const richTurn = [
  started,
  sse({
    type: "tool.execution.started",
    output_index: 0,
    id: "tool_1",
    name: "web_search",
    arguments: '{"query":',
  }),
  sse({
    type: "tool.execution.delta",
    output_index: 0,
    id: "tool_1",
    name: "web_search",
    arguments: '"x"}',
  }),
  sse({
    type: "tool.execution.done",
    created_at: "2026-12-04T12:00:01Z",
    output_index: 0,
    id: "tool_1",
    name: "web_search",
    info: { results: 2 },
  }),
  delta({ type: "thinking", thinking: [{ type: "text", text: "User says" }] }, "msg_2"),
  delta({ type: "thinking", thinking: [{ type: "text", text: " hi" }], closed: true }, "msg_2"),
  delta("Hello", "msg_2"),
  delta({ type: "text", text: "!" }, "msg_2"),
  delta({ type: "tool_reference", tool: "web_search", title: "Source" }, "msg_2"),
  sse({
    type: "function.call.delta",
    output_index: 2,
    id: "fc_1",
    name: "get_weather",
    tool_call_id: "Kd83nBv1x",
    arguments: '{"city":',
  }),
  sse({
    type: "function.call.delta",
    output_index: 2,
    id: "fc_1",
    name: "",
    tool_call_id: "",
    arguments: '"Paris"}',
  }),
  sse({
    type: "agent.handoff.started",
    output_index: 3,
    id: "ho_1",
    previous_agent_id: "ag_a",
    previous_agent_name: "A",
  }),
  sse({
    type: "agent.handoff.done",
    output_index: 3,
    id: "ho_1",
    next_agent_id: "ag_b",
    next_agent_name: "B",
  }),
  done,
];

const richTurnOutputs = [
  {
    object: "entry",
    type: "tool.execution",
    id: "tool_1",
    name: "web_search",
    arguments: '{"query":"x"}',
    info: { results: 2 },
    completed_at: "2026-12-04T12:00:01Z",
  },
  {
    object: "entry",
    type: "message.output",
    id: "msg_2",
    role: "assistant",
    content: [
      { type: "thinking", thinking: [{ type: "text", text: "User says hi" }], closed: true },
      { type: "text", text: "Hello!" },
      { type: "tool_reference", tool: "web_search", title: "Source" },
    ],
  },
  {
    object: "entry",
    type: "function.call",
    id: "fc_1",
    tool_call_id: "Kd83nBv1x",
    name: "get_weather",
    arguments: '{"city":"Paris"}',
  },
  {
    object: "entry",
    type: "agent.handoff",
    id: "ho_1",
    previous_agent_id: "ag_a",
    previous_agent_name: "A",
    next_agent_id: "ag_b",
    next_agent_name: "B",
  },
];
