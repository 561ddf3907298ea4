import { connect, type Socket } from "node:net";
import { inspect } from "node:util";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import { MockMistralServer, type MockServerOptions } from "../../src/testing/index.js";

const KEY = "sk-test-CANARY-7f3a9c1e";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
        days: { type: "integer", minimum: 1, maximum: 7 },
      },
      required: ["city"],
    },
  },
};

let server: MockMistralServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: MockServerOptions = {}): Promise<MockMistralServer> {
  server = await MockMistralServer.start(options);
  return server;
}

function postChat(target: MockMistralServer, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${target.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Splits an event stream body into its `data` payloads. */
function dataPayloads(text: string): string[] {
  return text
    .split("\n\n")
    .filter((event) => event !== "")
    .map((event) => event.replace(/^data: ?/, ""));
}

// biome-ignore lint/suspicious/noExplicitAny: chunks are checked field by field in each test.
function parseChunks(text: string): Array<Record<string, any>> {
  return dataPayloads(text)
    .filter((payload) => payload !== "[DONE]")
    .map((payload) => JSON.parse(payload));
}

/** Opens a raw TCP connection to the server. */
function openSocket(target: MockMistralServer): Promise<Socket> {
  const { port } = new URL(target.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

interface RawExchange {
  reads: Buffer[];
  closed: boolean;
}

/**
 * Sends raw request bytes and collects every read until the server closes the socket or sends
 * nothing for `idleMs`.
 */
async function exchange(socket: Socket, request: string, idleMs = 300): Promise<RawExchange> {
  const reads: Buffer[] = [];
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners("data");
      resolve({ reads, closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    socket.on("data", (chunk: Buffer) => {
      reads.push(chunk);
      arm();
    });
    socket.once("close", () => finish(true));
    arm();
    socket.write(request);
  });
}

function rawPost(path: string, body: string): string {
  const length = Buffer.byteLength(body);
  const head = `POST ${path} HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n`;
  return `${head}content-length: ${length}\r\n\r\n${body}`;
}

function splitHead(response: string): { head: string; body: string } {
  const end = response.indexOf("\r\n\r\n");
  return { head: response.slice(0, end), body: response.slice(end + 4) };
}

describe("default chat completion", () => {
  it("answers JSON in the API shape", async () => {
    const target = await start();
    const response = await postChat(target, {
      model: "mistral-large-latest",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello there, world" },
      ],
    });
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("mistral-correlation-id")).toMatch(UUID);
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.object).toBe("chat.completion");
    expect(Number.isInteger(body.created)).toBe(true);
    expect(body.model).toBe("mistral-large-latest");
    expect(body.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "Echo: Hello there, world", tool_calls: null },
        finish_reason: "stop",
      },
    ]);
    expect(body.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
  });

  it("reads text from content chunks", async () => {
    const target = await start();
    const content = [
      { type: "text", text: "first part" },
      { type: "image_url", image_url: "https://example.com/cat.png" },
    ];
    const response = await postChat(target, { model: "m", messages: [{ role: "user", content }] });
    const body = await response.json();

    expect(body.choices[0].message.content).toBe("Echo: first part");
  });

  it("cuts long answers to 200 characters", async () => {
    const target = await start();
    const text = "🧀".repeat(300);
    const response = await postChat(target, {
      model: "m",
      messages: [{ role: "user", content: text }],
    });
    const body = await response.json();
    const answer: string = body.choices[0].message.content;

    expect(Array.from(answer)).toHaveLength(200);
    expect(answer.startsWith("Echo: 🧀")).toBe(true);
    expect(answer.endsWith("🧀")).toBe(true);
  });

  it("streams word deltas, usage and [DONE]", async () => {
    const target = await start();
    const response = await postChat(target, {
      model: "mistral-small-latest",
      stream: true,
      messages: [{ role: "user", content: "Bonjour le monde" }],
    });
    const text = await response.text();
    const chunks = parseChunks(text);
    const last = chunks.at(-1)!;

    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("mistral-correlation-id")).toMatch(UUID);
    expect(dataPayloads(text).at(-1)).toBe("[DONE]");
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(chunks[0]!.choices[0]).toEqual({
      index: 0,
      delta: { role: "assistant", content: "" },
      finish_reason: null,
    });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.id).toBe(chunks[0]!.id);
      expect(chunk.model).toBe("mistral-small-latest");
    }

    expect(chunks.map((chunk) => chunk.choices[0].delta.content).join("")).toBe(
      "Echo: Bonjour le monde",
    );
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0].finish_reason === null)).toBe(
      true,
    );
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === undefined)).toBe(true);
    expect(last.choices[0].finish_reason).toBe("stop");
    expect(last.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });

  it("calls the first tool with schema-valid arguments", async () => {
    const target = await start();
    const request = {
      model: "mistral-large-latest",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool, { type: "function", function: { name: "other" } }],
    };
    const first = await (await postChat(target, request)).json();
    const second = await (await postChat(target, request)).json();
    const choice = first.choices[0];
    const call = choice.message.tool_calls[0];
    const validate = new Ajv().compile(weatherTool.function.parameters);

    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("");
    expect(choice.message.tool_calls).toHaveLength(1);
    expect(call.id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(call.id).toBe(second.choices[0].message.tool_calls[0].id);
    expect(call.type).toBe("function");
    expect(call.function.name).toBe("get_weather");
    expect(typeof call.function.arguments).toBe("string");
    expect(validate(JSON.parse(call.function.arguments))).toBe(true);
  });

  it("calls the tool that tool_choice names", async () => {
    const target = await start();
    const response = await postChat(target, {
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
      tools: [weatherTool, { type: "function", function: { name: "lookup" } }],
      tool_choice: { type: "function", function: { name: "lookup" } },
    });
    const call = (await response.json()).choices[0].message.tool_calls[0];

    expect(call.function.name).toBe("lookup");
    expect(call.function.arguments).toBe("{}");
  });

  it("answers in text when tool_choice is none", async () => {
    const target = await start();
    const response = await postChat(target, {
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
      tools: [weatherTool],
      tool_choice: "none",
    });
    const choice = (await response.json()).choices[0];

    expect(choice.finish_reason).toBe("stop");
    expect(choice.message.content).toBe("Echo: Hi");
    expect(choice.message.tool_calls).toBeNull();
  });

  it("reports the result after a tool message", async () => {
    const target = await start();
    const response = await postChat(target, {
      model: "m",
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            {
              id: "Qw7Rt2Yp9",
              type: "function",
              function: { name: "get_weather", arguments: "{}" },
            },
          ],
        },
        { role: "tool", tool_call_id: "Qw7Rt2Yp9", content: '{"temp_c":18}' },
      ],
      tools: [weatherTool],
    });
    const choice = (await response.json()).choices[0];

    expect(choice.finish_reason).toBe("stop");
    expect(choice.message.content).toBe('Tool get_weather returned: {"temp_c":18}');
  });

  it("streams a tool call whole in one delta", async () => {
    const target = await start();
    const response = await postChat(target, {
      model: "m",
      stream: true,
      messages: [{ role: "user", content: "Weather?" }],
      tools: [weatherTool],
    });
    const chunks = parseChunks(await response.text());
    const delta = chunks[1]!.choices[0].delta;

    expect(chunks).toHaveLength(2);
    expect(delta.tool_calls).toHaveLength(1);
    expect(delta.tool_calls[0].id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(delta.tool_calls[0].index).toBe(0);
    expect(delta.tool_calls[0].function.name).toBe("get_weather");
    expect(JSON.parse(delta.tool_calls[0].function.arguments)).toHaveProperty("city");
    expect(chunks[1]!.choices[0].finish_reason).toBe("tool_calls");
    expect(chunks[1]!.usage.total_tokens).toBeGreaterThan(0);
  });
});

describe("default chat validation", () => {
  it("returns the 422 envelope for missing messages", async () => {
    const target = await start();
    const response = await postChat(target, { model: "m" });

    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      object: "error",
      message: {
        detail: [
          { type: "missing", loc: ["body", "messages"], msg: "Field required", input: null },
        ],
      },
      type: "invalid_request_error",
      param: null,
      code: null,
    });
  });

  it.each([
    ["missing model", { messages: [{ role: "user", content: "x" }] }, "missing", ["body", "model"]],
    ["model not a string", { model: 3, messages: [{}] }, "string_type", ["body", "model"]],
    ["messages not a list", { model: "m", messages: "hi" }, "list_type", ["body", "messages"]],
    ["empty messages", { model: "m", messages: [] }, "too_short", ["body", "messages"]],
    ["body not an object", ["m"], "model_attributes_type", ["body"]],
  ])("returns 422 for %s", async (_name, body, type, loc) => {
    const target = await start();
    const response = await postChat(target, body);
    const detail = (await response.json()).message.detail;

    expect(response.status).toBe(422);
    expect(detail[0].type).toBe(type);
    expect(detail[0].loc).toEqual(loc);
  });

  it("returns 422 for invalid JSON", async () => {
    const target = await start();
    const response = await fetch(`${target.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model": "m", ',
    });
    const detail = (await response.json()).message.detail;

    expect(response.status).toBe(422);
    expect(detail[0].type).toBe("json_invalid");
  });

  it("returns 422 for a body that is not JSON", async () => {
    const target = await start();
    const response = await fetch(`${target.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }),
    });
    const detail = (await response.json()).message.detail;

    expect(response.status).toBe(422);
    expect(detail[0].msg).toContain("text/plain");
  });
});

describe("default models and routes", () => {
  it("lists model cards", async () => {
    const target = await start({ model: "open-mistral-nemo" });
    const response = await fetch(`${target.url}/v1/models`);
    const body = await response.json();
    const first = body.data[0];

    expect(response.status).toBe(200);
    expect(body.object).toBe("list");
    expect(body.data.length).toBeGreaterThanOrEqual(2);
    expect(first.id).toBe("open-mistral-nemo");
    expect(first.object).toBe("model");
    expect(first.owned_by).toBe("mistralai");
    expect(first.type).toBe("base");
    expect(first.capabilities.completion_chat).toBe(true);
    expect(first.capabilities.function_calling).toBe(true);
    expect(first.deprecation).toBeNull();
    expect(Array.isArray(first.aliases)).toBe(true);
    expect(typeof first.max_context_length).toBe("number");
    expect(typeof first.default_model_temperature).toBe("number");
    expect(new Set(body.data.map((card: { id: string }) => card.id)).size).toBe(body.data.length);
  });

  it("lists the default model first", async () => {
    const target = await start();
    const body = await (await fetch(`${target.url}/v1/models`)).json();

    expect(body.data[0].id).toBe("mistral-small-latest");
  });

  it("returns one model card", async () => {
    const target = await start();
    const response = await fetch(`${target.url}/v1/models/codestral-latest`);
    const card = await response.json();

    expect(response.status).toBe(200);
    expect(card.id).toBe("codestral-latest");
    expect(card.capabilities.completion_fim).toBe(true);
  });

  it("returns 404 for an unknown model", async () => {
    const target = await start();
    const response = await fetch(`${target.url}/v1/models/no-such-model`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      object: "error",
      message: "Model not found",
      type: "invalid_request_error",
      param: null,
      code: "1500",
    });
  });

  it("returns 404 naming an unknown route", async () => {
    const target = await start();
    const response = await fetch(`${target.url}/v1/unknown/thing`, { method: "DELETE" });
    const body = await response.json();

    expect(response.status).toBe(404);
    expect(response.headers.get("mistral-correlation-id")).toMatch(UUID);
    expect(body.object).toBe("error");
    expect(body.message).toContain("DELETE /v1/unknown/thing");
    expect(body.param).toBeNull();
  });

  it("returns 405 for a wrong method", async () => {
    const target = await start();
    const response = await fetch(`${target.url}/v1/chat/completions`);

    expect(response.status).toBe(405);
  });
});

describe("key check", () => {
  const unauthorized = {
    object: "error",
    message: "Unauthorized",
    type: "authentication_error",
    param: null,
    code: null,
  };

  it.each([
    ["no header", undefined],
    ["a wrong key", "Bearer sk-other"],
    ["another scheme", `Basic ${KEY}`],
    ["an empty token", "Bearer "],
    ["a lower-case scheme", `bearer ${KEY}`],
  ])("returns 401 for %s", async (_name, authorization) => {
    const target = await start({ apiKey: KEY });
    const headers = authorization === undefined ? undefined : { authorization };
    const response = await fetch(`${target.url}/v1/models`, { headers });

    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual(unauthorized);
  });

  it("accepts the right key", async () => {
    const target = await start({ apiKey: KEY });
    const response = await fetch(`${target.url}/v1/models`, {
      headers: { authorization: `Bearer ${KEY}` },
    });

    expect(response.status).toBe(200);
  });

  it("does not apply to scripted replies", async () => {
    const target = await start({ apiKey: KEY });
    target.enqueue({ status: 200, body: { ok: true } });
    const response = await fetch(`${target.url}/v1/models`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("applies to replies without scripted content", async () => {
    const target = await start({ apiKey: KEY });
    target.enqueue({ headers: { "x-extra": "1" } });
    const response = await fetch(`${target.url}/v1/models`);

    expect(response.status).toBe(401);
    expect(response.headers.get("x-extra")).toBe("1");
  });
});

describe("scripted replies", () => {
  it("serves the queue in order before defaults", async () => {
    const target = await start();
    target.enqueue({ body: { n: 1 } }, { body: { n: 2 } });
    const bodies = [];
    for (let index = 0; index < 3; index++) {
      bodies.push(await (await fetch(`${target.url}/v1/models`)).json());
    }

    expect(bodies[0]).toEqual({ n: 1 });
    expect(bodies[1]).toEqual({ n: 2 });
    expect(bodies[2].object).toBe("list");
    expect(target.pendingReplies).toBe(0);
  });

  it("serves only matching requests", async () => {
    const target = await start();
    target.enqueue(
      { match: { method: "post", path: "/v1/chat/completions" }, status: 429, body: { n: "chat" } },
      { match: { path: /^\/v1\/models/ }, body: { n: "models" } },
    );
    const models = await fetch(`${target.url}/v1/models/x`);
    const chat = await postChat(target, { model: "m", messages: [{ role: "user", content: "x" }] });

    expect(await models.json()).toEqual({ n: "models" });
    expect(chat.status).toBe(429);
    expect(await chat.json()).toEqual({ n: "chat" });
  });

  it("leaves unmatched replies queued", async () => {
    const target = await start();
    target.enqueue({ match: { method: "DELETE" }, body: { n: 1 } });
    const response = await fetch(`${target.url}/v1/models`);

    expect((await response.json()).object).toBe("list");
    expect(target.pendingReplies).toBe(1);
  });

  it("serves a reply `times` times", async () => {
    const target = await start();
    target.enqueue({ status: 503, body: { n: 1 }, times: 2 }, { status: 201, body: { n: 2 } });
    const statuses = [];
    for (let index = 0; index < 4; index++) {
      statuses.push((await fetch(`${target.url}/v1/models`)).status);
    }

    expect(statuses).toEqual([503, 503, 201, 200]);
  });

  it("keeps an Infinity reply queued", async () => {
    const target = await start();
    target.enqueue({ status: 500, times: Number.POSITIVE_INFINITY });
    for (let index = 0; index < 5; index++) {
      expect((await fetch(`${target.url}/v1/models`)).status).toBe(500);
    }

    expect(target.pendingReplies).toBe(1);
    target.clearQueue();
    expect((await fetch(`${target.url}/v1/models`)).status).toBe(200);
  });

  it("replaces default headers", async () => {
    const target = await start();
    target.enqueue({
      body: "{}",
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Mistral-Correlation-Id": "abc",
      },
    });
    const response = await fetch(`${target.url}/v1/models`);

    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("mistral-correlation-id")).toBe("abc");
  });

  it("sends a status without a body", async () => {
    const target = await start();
    target.enqueue({ status: 401, headers: { "content-length": "0" } });
    const response = await fetch(`${target.url}/v1/models`);

    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBeNull();
    expect(await response.text()).toBe("");
  });

  it("sends 204 without a length", async () => {
    const target = await start();
    target.enqueue({ status: 204 });
    const socket = await openSocket(target);
    const { reads } = await exchange(socket, rawPost("/v1/files/x", ""), 100);
    const head = Buffer.concat(reads).toString("latin1").toLowerCase();
    socket.destroy();

    expect(head).toMatch(/^http\/1\.1 204/);
    expect(head).not.toContain("content-length");
  });

  it("sends string bodies verbatim", async () => {
    const target = await start();
    target.enqueue({ status: 400, body: '{"detail":"Unauthorized"}' });
    const response = await fetch(`${target.url}/v1/models`);

    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe('{"detail":"Unauthorized"}');
  });

  it("sends events with and without [DONE]", async () => {
    const target = await start();
    target.enqueue({ events: [{ a: 1 }, "raw text"] }, { events: [{ a: 1 }], done: false });
    const withDone = await (await fetch(`${target.url}/v1/models`)).text();
    const withoutDone = await (await fetch(`${target.url}/v1/models`)).text();

    expect(withDone).toBe('data: {"a":1}\n\ndata: raw text\n\ndata: [DONE]\n\n');
    expect(withoutDone).toBe('data: {"a":1}\n\n');
  });

  it("adjusts the default reply when no content is scripted", async () => {
    const target = await start();
    target.enqueue({ headers: { "retry-after": "2" }, delayBeforeHeadersMs: 150 });
    const startedAt = performance.now();
    const response = await postChat(target, {
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    const elapsed = performance.now() - startedAt;

    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(response.headers.get("retry-after")).toBe("2");
    expect((await response.json()).choices[0].message.content).toBe("Echo: x");
  });

  it("paces events by writeDelayMs", async () => {
    const target = await start();
    target.enqueue({ events: ["1", "2", "3"], writeDelayMs: 60 });
    const startedAt = performance.now();
    const text = await (await fetch(`${target.url}/v1/models`)).text();

    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(170);
    expect(dataPayloads(text)).toEqual(["1", "2", "3", "[DONE]"]);
  });

  it.each([
    ["two content fields", { body: "x", events: [] }],
    ["an unknown fault", { fault: "explode" }],
    ["zero times", { times: 0 }],
    ["a negative delay", { writeDelayMs: -1 }],
    ["an invalid status", { status: 42 }],
  ])("rejects a reply with %s", async (_name, reply) => {
    const target = await start();

    expect(() => target.enqueue(reply as never)).toThrow(TypeError);
    expect(target.pendingReplies).toBe(0);
  });

  it("answers 500 for an invalid scripted header", async () => {
    const target = await start();
    target.enqueue({ body: {}, headers: { "x-bad": "line\nbreak" } });
    const response = await fetch(`${target.url}/v1/models`);

    expect(response.status).toBe(500);
    expect((await response.json()).type).toBe("mock_server_error");
  });
});

describe("socket writes", () => {
  it("delivers each write as its own read", async () => {
    const target = await start();
    const writes = ['data: {"a":', "1}\n\ndata: [DO", "NE]\n\n"];
    target.enqueue({ writes, framing: "close" });
    const socket = await openSocket(target);
    const { reads, closed } = await exchange(socket, rawPost("/v1/chat/completions", "{}"));
    const [first, ...rest] = reads.map((read) => read.toString("latin1"));

    expect(closed).toBe(true);
    expect(reads).toHaveLength(3);
    expect(splitHead(first!).body).toBe(writes[0]);
    expect(rest).toEqual(writes.slice(1));
  });

  it("uses no length with close framing", async () => {
    const target = await start();
    target.enqueue({ writes: ["abc"], framing: "close" });
    const socket = await openSocket(target);
    const { reads } = await exchange(socket, rawPost("/v1/models", ""));
    const head = splitHead(Buffer.concat(reads).toString("latin1")).head.toLowerCase();

    expect(head).toContain("connection: close");
    expect(head).not.toContain("content-length");
    expect(head).not.toContain("transfer-encoding");
  });

  it("splits the body byte by byte", async () => {
    const target = await start();
    target.enqueue({ body: '{"ok":1}', byteByByte: true, framing: "close" });
    const socket = await openSocket(target);
    const { reads } = await exchange(socket, rawPost("/v1/models", ""));
    const bodyReads = reads.slice(1).map((read) => read.toString("latin1"));

    expect(splitHead(reads[0]!.toString("latin1")).body).toBe("{");
    expect(bodyReads).toEqual(['"', "o", "k", '"', ":", "1", "}"]);
  });

  it("keeps UTF-8 bytes split across writes", async () => {
    const target = await start();
    const cheese = Buffer.from("🧀");
    target.enqueue({ writes: [cheese.subarray(0, 2), cheese.subarray(2)], done: false });
    const text = await (await fetch(`${target.url}/v1/models`)).text();

    expect(text).toBe("🧀");
  });

  it("sends a raw response", async () => {
    const target = await start();
    const raw = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi";
    target.enqueue({ rawResponse: [raw.slice(0, 10), raw.slice(10)] });
    const socket = await openSocket(target);
    const { reads, closed } = await exchange(socket, rawPost("/v1/models", ""));

    expect(reads.map((read) => read.toString("latin1"))).toEqual([raw.slice(0, 10), raw.slice(10)]);
    expect(closed).toBe(true);
  });
});

describe("faults", () => {
  it("black-hole reads the request and never answers", async () => {
    const target = await start();
    target.enqueue({ fault: "black-hole" });
    const startedAt = performance.now();
    const request = postChat(target, { model: "m", messages: [] }).catch((error) => error);
    const received = await target.waitForRequests(1);
    const error = await Promise.race([request, new Promise((r) => setTimeout(r, 300, "pending"))]);

    expect(received[0]!.body).toEqual({ model: "m", messages: [] });
    expect(error).toBe("pending");
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
  });

  it("close-before-headers fails the fetch", async () => {
    const target = await start();
    target.enqueue({ fault: "close-before-headers" });
    const error = await postChat(target, { model: "m" }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TypeError);
    expect(target.requests).toHaveLength(1);
  });

  it("close-mid-body cuts a JSON body in half", async () => {
    const target = await start();
    const body = JSON.stringify({ text: "x".repeat(100) });
    target.enqueue({ body, fault: "close-mid-body" });
    const socket = await openSocket(target);
    const { reads, closed } = await exchange(socket, rawPost("/v1/models", ""));
    const response = splitHead(Buffer.concat(reads).toString("latin1"));

    expect(closed).toBe(true);
    expect(response.head.toLowerCase()).toContain(`content-length: ${body.length}`);
    expect(response.body).toBe(body.slice(0, Math.floor(body.length / 2)));
  });

  it("close-mid-body fails reading the body", async () => {
    const target = await start();
    target.enqueue({ events: [{ n: 1 }, { n: 2 }, { n: 3 }], fault: "close-mid-body" });
    const response = await fetch(`${target.url}/v1/models`);
    const error = await response.text().catch((caught: unknown) => caught);

    expect(response.status).toBe(200);
    expect(error).toBeInstanceOf(TypeError);
  });

  it("close-mid-body stops after faultAfterWrites", async () => {
    const target = await start();
    target.enqueue({ writes: ["a", "b", "c"], fault: "close-mid-body", faultAfterWrites: 1 });
    const socket = await openSocket(target);
    const { reads, closed } = await exchange(socket, rawPost("/v1/models", ""));
    const body = splitHead(Buffer.concat(reads).toString("latin1")).body;

    expect(closed).toBe(true);
    expect(body).toBe("1\r\na\r\n");
  });

  it("stall-mid-body sends part and keeps the socket open", async () => {
    const target = await start();
    target.enqueue({
      events: [{ n: 1 }, { n: 2 }],
      fault: "stall-mid-body",
      faultAfterWrites: 1,
    });
    const response = await fetch(`${target.url}/v1/models`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    const next = await Promise.race([
      reader.read(),
      new Promise((resolve) => setTimeout(resolve, 250, "stalled")),
    ]);

    expect(Buffer.from(first.value!).toString()).toBe('data: {"n":1}\n\n');
    expect(next).toBe("stalled");
    await target.close();
    await expect(reader.read()).rejects.toThrow();
  });

  it("stall-mid-body with no writes sends only headers", async () => {
    const target = await start();
    target.enqueue({ fault: "stall-mid-body", faultAfterWrites: 0 });
    const response = await postChat(target, {
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    const reader = response.body!.getReader();
    const next = await Promise.race([
      reader.read(),
      new Promise((resolve) => setTimeout(resolve, 200, "stalled")),
    ]);

    expect(response.status).toBe(200);
    expect(next).toBe("stalled");
    await reader.cancel();
  });

  it("malformed replaces a JSON body", async () => {
    const target = await start();
    target.enqueue({ fault: "malformed" });
    const response = await postChat(target, {
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it("malformed ends a stream with an invalid event", async () => {
    const target = await start();
    target.enqueue({ fault: "malformed", faultAfterWrites: 2 });
    const response = await postChat(target, {
      model: "m",
      stream: true,
      messages: [{ role: "user", content: "one two three" }],
    });
    const payloads = dataPayloads(await response.text());

    expect(payloads).toHaveLength(3);
    expect(JSON.parse(payloads[0]!).object).toBe("chat.completion.chunk");
    expect(JSON.parse(payloads[1]!).object).toBe("chat.completion.chunk");
    expect(() => JSON.parse(payloads[2]!)).toThrow(SyntaxError);
  });
});

describe("request recording", () => {
  it("records method, path, query, headers and body", async () => {
    let clock = 1_764_806_400_000;
    const target = await start({ apiKey: KEY, now: () => clock });
    clock += 5;
    await fetch(`${target.url}/v1/models?page=2&status=QUEUED&status=RUNNING`, {
      headers: { authorization: `Bearer ${KEY}`, "x-api-key": KEY, "X-Custom": "yes" },
    });
    await postChat(target, { model: "m", messages: [{ role: "user", content: "hé" }] });
    const [list, chat] = target.requests;

    expect(target.requests).toHaveLength(2);
    expect(list!.method).toBe("GET");
    expect(list!.path).toBe("/v1/models");
    expect(list!.url).toBe("/v1/models?page=2&status=QUEUED&status=RUNNING");
    expect(list!.query).toEqual({ page: "2", status: "RUNNING" });
    expect(list!.headers["x-custom"]).toBe("yes");
    expect(list!.headers.authorization).toBe("Bearer ***");
    expect(list!.headers["x-api-key"]).toBe("***");
    expect(list!.body).toBeUndefined();
    expect(list!.rawBody.byteLength).toBe(0);
    expect(list!.receivedAt).toBe(1_764_806_400_005);
    expect(chat!.method).toBe("POST");
    expect(chat!.body).toEqual({ model: "m", messages: [{ role: "user", content: "hé" }] });
    expect(chat!.rawBody.toString("utf8")).toBe(JSON.stringify(chat!.body));
    expect(chat!.headers.authorization).toBeUndefined();
  });

  it("never shows the key", async () => {
    const target = await start({ apiKey: KEY });
    await fetch(`${target.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });

    expect(JSON.stringify(target.requests)).not.toContain("CANARY");
    expect(inspect(target.requests, { depth: 10 })).not.toContain("CANARY");
    expect(JSON.stringify(target)).not.toContain("CANARY");
    expect(inspect(target, { depth: 10, showHidden: true })).not.toContain("CANARY");
  });

  it("compares the real authorization header", async () => {
    const target = await start({ apiKey: KEY });
    await fetch(`${target.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
    await fetch(`${target.url}/v1/models`, { headers: { authorization: "Bearer other" } });
    const [right, wrong] = target.requests;

    expect(target.authorizationMatches(right!)).toBe(true);
    expect(target.authorizationMatches(wrong!)).toBe(false);
    expect(target.authorizationMatches(wrong!, "Bearer other")).toBe(true);
  });

  it("keeps an empty bearer token visible", async () => {
    const target = await start();
    await fetch(`${target.url}/v1/models`, { headers: { authorization: "Bearer " } });

    expect(target.requests[0]!.headers.authorization).toBe("Bearer");
  });

  it("keeps non-JSON bodies as text", async () => {
    const target = await start();
    await fetch(`${target.url}/v1/files`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "plain body",
    });

    expect(target.requests[0]!.body).toBe("plain body");
  });

  it("clears requests and queue on reset", async () => {
    const target = await start();
    const requests = target.requests;
    target.enqueue({ body: {} }, { body: {} });
    await fetch(`${target.url}/v1/models`);
    target.reset();

    expect(target.requests).toBe(requests);
    expect(target.requests).toHaveLength(0);
    expect(target.pendingReplies).toBe(0);
  });

  it("skips recording when record is off", async () => {
    const target = await start({ record: false });
    await fetch(`${target.url}/v1/models`);

    expect(target.requests).toHaveLength(0);
  });

  it("rejects bodies above maxBodyBytes", async () => {
    const target = await start({ maxBodyBytes: 16 });
    const response = await fetch(`${target.url}/v1/files`, {
      method: "POST",
      body: "x".repeat(17),
    });

    expect(response.status).toBe(413);
    expect((await response.json()).object).toBe("error");
    expect(target.requests).toHaveLength(0);
  });

  it("uses the fake clock for created and date", async () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    const target = await start({ now: () => now });
    const response = await postChat(target, {
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });

    expect(response.headers.get("date")).toBe("Fri, 04 Dec 2026 12:00:00 GMT");
    expect((await response.json()).created).toBe(now / 1000);
  });

  it("times out waiting for requests", async () => {
    const target = await start();

    await expect(target.waitForRequests(1, 50)).rejects.toThrow("Received 0 of 1 requests");
  });
});

describe("close", () => {
  it("destroys idle keep-alive sockets", async () => {
    const target = await start();
    const socket = await openSocket(target);
    const request = "GET /v1/models HTTP/1.1\r\nhost: test\r\nconnection: keep-alive\r\n\r\n";
    const { reads, closed } = await exchange(socket, request, 100);
    const socketClosed = new Promise((resolve) => socket.once("close", resolve));
    const startedAt = performance.now();
    await target.close();
    await socketClosed;

    expect(reads.length).toBeGreaterThan(0);
    expect(closed).toBe(false);
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it("ends stalled and black-holed requests", async () => {
    const target = await start();
    target.enqueue(
      { match: { path: "/v1/black-hole" }, fault: "black-hole" },
      { match: { path: "/v1/stall" }, fault: "stall-mid-body", events: [{ n: 1 }] },
    );
    const blackHoled = fetch(`${target.url}/v1/black-hole`).catch((error: unknown) => error);
    const stalled = await fetch(`${target.url}/v1/stall`);
    const stalledBody = stalled.text().catch((error: unknown) => error);
    await target.waitForRequests(2);
    const startedAt = performance.now();
    await target.close();

    expect(stalled.status).toBe(200);
    expect(await blackHoled).toBeInstanceOf(TypeError);
    expect(await stalledBody).toBeInstanceOf(TypeError);
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it("cancels a pending header delay", async () => {
    const target = await start();
    target.enqueue({ body: {}, delayBeforeHeadersMs: 60_000 });
    const request = postChat(target, {}).catch((error: unknown) => error);
    await target.waitForRequests(1);
    const startedAt = performance.now();
    await target.close();

    expect(await request).toBeInstanceOf(TypeError);
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it("serves several requests per keep-alive socket", async () => {
    const target = await start();
    target.enqueue({ events: [{ n: 1 }] }, { writes: ["a", "b"] });
    const socket = await openSocket(target);
    const responses = [];
    for (let index = 0; index < 3; index++) {
      const request = "GET /v1/models HTTP/1.1\r\nhost: test\r\n\r\n";
      const { reads, closed } = await exchange(socket, request, 100);
      responses.push(Buffer.concat(reads).toString("latin1"));
      expect(closed).toBe(false);
    }

    socket.destroy();
    expect(responses[0]).toContain('data: {"n":1}');
    expect(responses[0]!.endsWith("0\r\n\r\n")).toBe(true);
    expect(responses[1]!.endsWith("1\r\nb\r\n0\r\n\r\n")).toBe(true);
    expect(responses[2]).toContain('"object":"list"');
    expect(target.requests).toHaveLength(3);
  });

  it("is idempotent", async () => {
    const target = await start();

    await Promise.all([target.close(), target.close()]);
    await expect(target.close()).resolves.toBeUndefined();
  });
});
