import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import type { ChatCompletionRequest } from "../../src/types/chat.js";
import {
  helloRequest,
  readAll,
  rejectionOf,
  useLoopbackChatServer,
} from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

/** Keys the client must never add on its own: OpenAI-only options and server defaults. */
const keysNeverAdded = [
  "safe_prompt",
  "stream_options",
  "store",
  "user",
  "max_completion_tokens",
  "n",
];

function lastRequest() {
  const request = loopback.server.requests.at(-1);
  if (request === undefined) throw new Error("The server received no request");
  return request;
}

function lastBody(): Record<string, unknown> {
  return lastRequest().body as Record<string, unknown>;
}

function expectNoKeyAdded(body: Record<string, unknown>, setByCaller: string[] = []): void {
  for (const key of keysNeverAdded) {
    if (!setByCaller.includes(key)) expect(body, `key ${key}`).not.toHaveProperty(key);
  }
}

/** Calls `chat.create` with a request the types do not allow, as plain JavaScript callers can. */
function createUntyped(request: Record<string, unknown>) {
  return loopback.client().chat.create(request as unknown as ChatCompletionRequest);
}

function streamUntyped(request: Record<string, unknown>) {
  return loopback.client().chat.stream(request as unknown as ChatCompletionRequest);
}

describe("chat request body", () => {
  it("holds only model and messages", async () => {
    await loopback.client().chat.create(helloRequest);

    expect(lastBody()).toEqual({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(lastRequest().headers["content-type"]).toBe("application/json");
    expect(lastRequest().headers.accept).toBe("application/json");
  });

  it("sends stream true and accepts an event stream", async () => {
    const stream = await loopback.client().chat.stream(helloRequest);
    await readAll(stream);

    expect(lastBody()).toEqual({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    expect(lastRequest().headers.accept).toBe("text/event-stream");
  });

  it("streams the default reply token by token", async () => {
    const stream = await loopback.client().chat.stream(helloRequest);
    const deltas = await readAll(stream.textDeltas());

    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("Echo: Hi");
  });

  it("leaves the caller's request object unchanged", async () => {
    const request: ChatCompletionRequest = { ...helloRequest, temperature: 0.2 };
    const before = structuredClone(request);
    await readAll(await loopback.client().chat.stream(request));
    await loopback.client().chat.create(request);

    expect(request).toEqual(before);
  });

  it("keeps explicit false and zero values", async () => {
    await loopback.client().chat.create({
      ...helloRequest,
      safe_prompt: false,
      temperature: 0,
      random_seed: 0,
      presence_penalty: 0,
      frequency_penalty: 0,
      parallel_tool_calls: false,
      top_p: 0,
    });

    expect(lastBody()).toEqual({
      ...helloRequest,
      safe_prompt: false,
      temperature: 0,
      random_seed: 0,
      presence_penalty: 0,
      frequency_penalty: 0,
      parallel_tool_calls: false,
      top_p: 0,
    });
  });

  it("sends max_tokens under its own name", async () => {
    await loopback.client().chat.create({ ...helloRequest, max_tokens: 64 });

    expect(lastBody()).toEqual({ ...helloRequest, max_tokens: 64 });
    expect(lastBody()).not.toHaveProperty("max_completion_tokens");
  });

  it("drops fields set to undefined", async () => {
    await loopback.client().chat.create({
      ...helloRequest,
      temperature: undefined,
      max_tokens: undefined,
    });

    expect(lastBody()).toEqual(helloRequest);
    expect(lastRequest().rawBody.toString("utf8")).not.toContain("temperature");
  });

  it("keeps a null the caller set", async () => {
    await loopback.client().chat.create({ ...helloRequest, max_tokens: null });

    expect(lastBody()).toEqual({ ...helloRequest, max_tokens: null });
  });

  it("sends n only when set", async () => {
    await loopback.client().chat.create({ ...helloRequest, n: 2 });

    expect(lastBody()).toEqual({ ...helloRequest, n: 2 });
  });

  it("adds no key to a full request", async () => {
    const request: ChatCompletionRequest = {
      ...helloRequest,
      temperature: 0.3,
      max_tokens: 64,
      tool_choice: "auto",
      response_format: { type: "json_object" },
    };
    await loopback.client().chat.create(request);
    expectNoKeyAdded(lastBody());
    await readAll(await loopback.client().chat.stream(request));

    expectNoKeyAdded(lastBody());
    expect(lastBody()).toEqual({ ...request, stream: true });
  });
});

describe("chat request names that are not API fields", () => {
  const camelCaseFields: Array<[string, unknown, string]> = [
    ["maxTokens", 64, "max_tokens"],
    ["randomSeed", 0, "random_seed"],
    ["toolChoice", "auto", "tool_choice"],
    ["responseFormat", { type: "json_object" }, "response_format"],
    ["parallelToolCalls", false, "parallel_tool_calls"],
    ["safePrompt", false, "safe_prompt"],
    ["topP", 0.5, "top_p"],
  ];

  for (const [name, value, wireName] of camelCaseFields) {
    it(`rejects ${name} before sending`, async () => {
      for (const call of [createUntyped, streamUntyped]) {
        const error = await rejectionOf(call({ ...helloRequest, [name]: value }));

        expect(error).toBeInstanceOf(ValidationError);
        expect(isMistralError(error, "validation")).toBe(true);
        const problem = (error as ValidationError).problems.find((item) => item.path === name);
        expect(problem?.message).toContain(wireName);
      }

      expect(loopback.server.requests).toHaveLength(0);
    });
  }

  for (const name of ["stream_options", "store", "max_completion_tokens", "user"]) {
    it(`rejects the OpenAI field ${name}`, async () => {
      const value =
        name === "stream_options" ? { include_usage: true } : name === "user" ? "u1" : 64;
      for (const call of [createUntyped, streamUntyped]) {
        const error = await rejectionOf(call({ ...helloRequest, [name]: value }));

        expect(isMistralError(error, "validation")).toBe(true);
        expect((error as ValidationError).problems.map((item) => item.path)).toContain(name);
      }

      expect(loopback.server.requests).toHaveLength(0);
    });
  }

  it("reports a bad field through the returned promise", async () => {
    const client = loopback.client();
    const calls = [
      () => createUntyped({ ...helloRequest, maxTokens: 1 }),
      () => streamUntyped({ ...helloRequest, maxTokens: 1 }),
      () => client.fim.create({ model: "codestral-latest", prompt: "x", maxTokens: 1 } as never),
      () => client.fim.stream({ model: "codestral-latest", prompt: "x", maxTokens: 1 } as never),
    ];
    for (const call of calls) {
      let result: Promise<unknown> | undefined;
      expect(() => {
        result = call();
      }).not.toThrow();
      expect(isMistralError(await rejectionOf(result!), "validation")).toBe(true);
    }
  });

  it("lists every bad field at once", async () => {
    const error = await rejectionOf(createUntyped({ ...helloRequest, maxTokens: 1, store: true }));

    expect((error as ValidationError).problems.map((item) => item.path).sort()).toEqual([
      "maxTokens",
      "store",
    ]);
  });

  it("rejects stream in the request", async () => {
    for (const stream of [true, false]) {
      const error = await rejectionOf(createUntyped({ ...helloRequest, stream }));

      expect((error as ValidationError).problems.map((item) => item.path)).toEqual(["stream"]);
    }

    expect(loopback.server.requests).toHaveLength(0);
  });
});

describe("chat request extraBody", () => {
  it("merges new fields verbatim", async () => {
    const extraBody = { guardrail_mode: "strict", new_option: { depth: 2, tags: ["a"] } };
    await loopback.client().chat.create(helloRequest, { extraBody });

    expect(lastBody()).toEqual({ ...helloRequest, ...extraBody });
  });

  it("merges fields into a stream request", async () => {
    const extraBody = { safe_prompt: true };
    await readAll(await loopback.client().chat.stream(helloRequest, { extraBody }));

    expect(lastBody()).toEqual({ ...helloRequest, safe_prompt: true, stream: true });
  });

  it("overrides a field of the same name", async () => {
    await loopback.client().chat.create(
      { ...helloRequest, temperature: 1 },
      {
        extraBody: { temperature: 0 },
      },
    );

    expect(lastBody()).toEqual({ ...helloRequest, temperature: 0 });
  });

  it("cannot change the stream flag", async () => {
    const create = loopback.client().chat.create(helloRequest, { extraBody: { stream: true } });
    const stream = loopback.client().chat.stream(helloRequest, { extraBody: { stream: false } });

    expect(isMistralError(await rejectionOf(create), "validation")).toBe(true);
    expect(isMistralError(await rejectionOf(stream), "validation")).toBe(true);
    expect(loopback.server.requests).toHaveLength(0);
  });

  it("surfaces the server's extra_forbidden 422", async () => {
    loopback.server.enqueue({
      status: 422,
      body: '{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","safe_prompt"],"msg":"Extra inputs are not permitted","input":false}]},"type":"invalid_request_error","param":null,"code":null}',
    });
    const error = await rejectionOf(
      loopback.client().chat.create(helloRequest, { extraBody: { safe_prompt: false } }),
    );

    expect(lastBody()).toEqual({ ...helloRequest, safe_prompt: false });
    expect(isMistralError(error, "unprocessable_entity")).toBe(true);
    const issues = (error as { issues: Array<{ loc: unknown[]; type: string }> }).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.loc).toEqual(["body", "safe_prompt"]);
    expect(issues[0]!.type).toBe("extra_forbidden");
  });
});

describe("FIM request body", () => {
  const fimRequest = { model: "codestral-latest", prompt: "def add(a, b):" };
  const fimCompletion = {
    id: "f1",
    object: "chat.completion",
    created: 1764806400,
    model: "codestral-latest",
    choices: [
      { index: 0, message: { role: "assistant", content: " return a + b" }, finish_reason: "stop" },
    ],
    usage: { prompt_tokens: 6, completion_tokens: 5, total_tokens: 11 },
  };

  it("holds only model and prompt", async () => {
    loopback.server.enqueue({ match: { path: "/v1/fim/completions" }, body: fimCompletion });
    await loopback.client().fim.create(fimRequest);

    expect(lastRequest().path).toBe("/v1/fim/completions");
    expect(lastBody()).toEqual(fimRequest);
  });

  it("keeps an empty suffix and sends stream true", async () => {
    loopback.server.enqueue({
      match: { path: "/v1/fim/completions" },
      events: [{ ...fimCompletion, object: "chat.completion.chunk" }],
    });
    await readAll(await loopback.client().fim.stream({ ...fimRequest, suffix: "" }));

    expect(lastBody()).toEqual({ ...fimRequest, suffix: "", stream: true });
    expect(lastRequest().headers.accept).toBe("text/event-stream");
  });

  it("rejects camelCase names before sending", async () => {
    const request = { ...fimRequest, maxTokens: 16 } as unknown as typeof fimRequest;
    const error = await rejectionOf(loopback.client().fim.create(request));

    expect(isMistralError(error, "validation")).toBe(true);
    expect(loopback.server.requests).toHaveLength(0);
  });
});
