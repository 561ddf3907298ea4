import { inspect } from "node:util";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { z as z3 } from "zod3";
import { z as z4 } from "zod4";
import { ValidationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { ToolRunnerError } from "../../src/core/errors/tool-runner-error.js";
import { AbortError } from "../../src/core/errors/transport-errors.js";
import {
  defineTool,
  type RunnableTool,
  type ToolContext,
} from "../../src/resources/chat/tool-definition.js";
import type { ToolRunEvent } from "../../src/resources/chat/tool-run-events.js";
import type { ToolRunRequest } from "../../src/resources/chat/tool-runner.js";
import type { ChatMessage } from "../../src/types/chat.js";
import { readAll, rejectionOf, useLoopbackChatServer } from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

const weatherRequest: ToolRunRequest = {
  model: "mistral-large-latest",
  messages: [{ role: "user", content: "Weather in Paris?" }],
};

/** JSON Schema of the field case's `get_weather` parameters. */
const cityParameters = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
};

function weatherTool(execute: RunnableTool["execute"] = () => ({ temp_c: 18 })): RunnableTool {
  return { name: "get_weather", parameters: cityParameters, execute };
}

/** Builds a completion whose first choice calls tools, as the API sends it. */
function toolCallCompletion(calls: Array<{ id: string; name: string; arguments: string }>) {
  return {
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
          tool_calls: calls.map((call, index) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: call.arguments },
            index,
          })),
        },
        finish_reason: "tool_calls",
      },
    ],
    usage: { prompt_tokens: 10, total_tokens: 15, completion_tokens: 5 },
  };
}

function bodies(): Array<Record<string, unknown>> {
  return loopback.server.requests.map((request) => request.body as Record<string, unknown>);
}

function messagesOf(body: Record<string, unknown> | undefined): ChatMessage[] {
  return (body?.["messages"] ?? []) as ChatMessage[];
}

/** Returns the first event of a type, narrowed to it; fails the test when there is none. */
function firstEvent<T extends ToolRunEvent["type"]>(
  events: ToolRunEvent[],
  type: T,
): Extract<ToolRunEvent, { type: T }> {
  const event = events.find((item) => item.type === type);
  if (event === undefined) throw new Error(`No ${type} event among ${events.length}`);
  return event as Extract<ToolRunEvent, { type: T }>;
}

function toolMessages(body: Record<string, unknown> | undefined) {
  return messagesOf(body).filter((message) => message.role === "tool");
}

describe("chat.runTools loop", () => {
  it("runs a tool and returns the answer", async () => {
    const calls: unknown[] = [];
    const tool = weatherTool((args) => {
      calls.push(args);
      return { temp_c: 18 };
    });

    const result = await loopback.client().chat.runTools(weatherRequest, { tools: [tool] });

    expect(calls).toEqual([{ city: "example" }]);
    expect(result.steps).toBe(2);
    expect(result.text).toBe('Tool get_weather returned: {"temp_c":18}');
    expect(result.messages.map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "tool",
      "assistant",
    ]);
    expect(loopback.server.requests).toHaveLength(2);
  });

  it("builds the second request of the field case", async () => {
    loopback.server.enqueue({
      body: toolCallCompletion([
        { id: "Qw7Rt2Yp9", name: "get_weather", arguments: '{"city": "Paris"}' },
      ]),
    });

    await loopback.client().chat.runTools(weatherRequest, { tools: [weatherTool()] });

    expect(bodies()[1]).toEqual({
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
              index: 0,
            },
          ],
        },
        { role: "tool", tool_call_id: "Qw7Rt2Yp9", name: "get_weather", content: '{"temp_c":18}' },
      ],
      tools: [{ type: "function", function: { name: "get_weather", parameters: cityParameters } }],
    });
  });

  it("appends the assistant message as received", async () => {
    const result = await loopback.client().chat.runTools(weatherRequest, {
      tools: [weatherTool()],
    });

    const [first, second] = bodies();
    const assistant = messagesOf(second)[1];
    expect(assistant).toEqual(result.messages[1]);
    expect(first?.["messages"]).toEqual(weatherRequest.messages);
    const id = (assistant as { tool_calls: Array<{ id: string }> }).tool_calls[0]?.id;
    expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(toolMessages(second)[0]?.tool_call_id).toBe(id);
  });

  it("sends the tools on every step and keeps the caller's fields", async () => {
    await loopback
      .client()
      .chat.runTools(
        { ...weatherRequest, temperature: 0.2, tool_choice: "auto" },
        { tools: [weatherTool()] },
      );

    for (const body of bodies()) {
      expect(body["temperature"]).toBe(0.2);
      expect(body["tool_choice"]).toBe("auto");
      expect(body["tools"]).toEqual([
        { type: "function", function: { name: "get_weather", parameters: cityParameters } },
      ]);
    }
  });

  it("leaves the caller's messages unchanged", async () => {
    const messages: ChatMessage[] = [{ role: "user", content: "Weather in Paris?" }];

    await loopback
      .client()
      .chat.runTools({ ...weatherRequest, messages }, { tools: [weatherTool()] });

    expect(messages).toHaveLength(1);
  });

  it("reports each step as events", async () => {
    const events: ToolRunEvent[] = [];

    await loopback.client().chat.runTools(weatherRequest, {
      tools: [weatherTool()],
      onEvent: (event) => events.push(event),
    });

    expect(events.map((event) => `${event.step} ${event.type}`)).toEqual([
      "1 model_call",
      "1 model_response",
      "1 tool_start",
      "1 tool_result",
      "2 model_call",
      "2 model_response",
    ]);
    const result = firstEvent(events, "tool_result");
    expect(result.content).toBe('{"temp_c":18}');
    expect(result.result).toEqual({ temp_c: 18 });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(firstEvent(events, "tool_start").arguments).toEqual({ city: "example" });
    expect(firstEvent(events, "model_call").request).toEqual(bodies()[0]);
  });

  it("sums the usage of every step", async () => {
    const result = await loopback.client().chat.runTools(weatherRequest, {
      tools: [weatherTool()],
    });

    expect(result.usage.total_tokens).toBeGreaterThan(0);
    expect(result.usage.total_tokens).toBe(
      result.usage.prompt_tokens + result.usage.completion_tokens,
    );
  });

  it("sends a string result as is", async () => {
    await loopback.client().chat.runTools(weatherRequest, {
      tools: [weatherTool(() => "18 degrees")],
    });

    expect(toolMessages(bodies()[1])[0]?.content).toBe("18 degrees");
  });

  it("types and checks arguments with zod 3, zod 4 and valibot", async () => {
    const seen: unknown[] = [];
    const tools = [
      defineTool({
        name: "zod3_tool",
        parameters: z3.object({ city: z3.string() }),
        execute: (args) => seen.push(args.city),
      }),
      defineTool({
        name: "zod4_tool",
        parameters: z4.object({ city: z4.string() }),
        execute: (args) => seen.push(args.city),
      }),
      defineTool({
        name: "valibot_tool",
        parameters: v.object({ city: v.string() }),
        jsonSchema: cityParameters,
        execute: (args) => seen.push(args.city),
      }),
    ];

    await loopback
      .client()
      .chat.runTools({ ...weatherRequest, parallel_tool_calls: true }, { tools });

    expect(seen.sort()).toEqual(["example", "example", "example"]);
    const sentTools = bodies()[0]?.["tools"] as Array<{ function: Record<string, unknown> }>;
    expect(sentTools.map((tool) => tool.function["parameters"])).toEqual([
      {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: false,
      },
      cityParameters,
    ]);
  });
});

describe("chat.runTools parallel calls", () => {
  function slowTools(concurrency: { current: number; max: number }, names: string[]) {
    return names.map(
      (name): RunnableTool => ({
        name,
        parameters: { type: "object", properties: {} },
        async execute() {
          concurrency.current += 1;
          concurrency.max = Math.max(concurrency.max, concurrency.current);
          await new Promise((resolve) => setTimeout(resolve, 30));
          concurrency.current -= 1;
          return name;
        },
      }),
    );
  }

  it("runs every call of one message at once", async () => {
    const concurrency = { current: 0, max: 0 };
    const tools = slowTools(concurrency, ["first", "second", "third"]);

    const result = await loopback
      .client()
      .chat.runTools({ ...weatherRequest, parallel_tool_calls: true }, { tools, maxParallel: 3 });

    expect(concurrency.max).toBe(3);
    expect(result.steps).toBe(2);
    const results = toolMessages(bodies()[1]);
    expect(results.map((message) => message.content)).toEqual(["first", "second", "third"]);
    const assistant = messagesOf(bodies()[1])[1] as { tool_calls: Array<{ id: string }> };
    expect(results.map((message) => message.tool_call_id)).toEqual(
      assistant.tool_calls.map((call) => call.id),
    );
    expect(new Set(results.map((message) => message.tool_call_id)).size).toBe(3);
  });

  it("keeps to maxParallel", async () => {
    const concurrency = { current: 0, max: 0 };
    const tools = slowTools(concurrency, ["first", "second", "third"]);

    await loopback
      .client()
      .chat.runTools({ ...weatherRequest, parallel_tool_calls: true }, { tools, maxParallel: 2 });

    expect(concurrency.max).toBe(2);
    expect(toolMessages(bodies()[1]).map((message) => message.content)).toEqual([
      "first",
      "second",
      "third",
    ]);
  });
});

describe("chat.runTools tool failures", () => {
  it("sends a thrown error to the model and reports it", async () => {
    const events: ToolRunEvent[] = [];
    const failure = new Error("weather service is down");

    const result = await loopback.client().chat.runTools(weatherRequest, {
      tools: [
        weatherTool(() => {
          throw failure;
        }),
      ],
      onEvent: (event) => events.push(event),
    });

    const content = "Error: tool get_weather failed: weather service is down";
    expect(toolMessages(bodies()[1])[0]?.content).toBe(content);
    const errorEvent = firstEvent(events, "tool_error");
    expect(errorEvent.reason).toBe("execution_failed");
    expect(errorEvent.error).toBe(failure);
    expect(errorEvent.content).toBe(content);
    expect(result.text).toBe(`Tool get_weather returned: ${content}`);
  });

  it("reports a rejected promise like a throw", async () => {
    await loopback.client().chat.runTools(weatherRequest, {
      tools: [weatherTool(async () => Promise.reject(new Error("timed out")))],
    });

    expect(toolMessages(bodies()[1])[0]?.content).toBe("Error: tool get_weather failed: timed out");
  });

  it("stops on a tool error when asked", async () => {
    const failure = new Error("weather service is down");

    const error = await rejectionOf(
      loopback.client().chat.runTools(weatherRequest, {
        tools: [
          weatherTool(() => {
            throw failure;
          }),
        ],
        stopOnToolError: true,
      }),
    );

    expect(error).toBeInstanceOf(ToolRunnerError);
    expect((error as ToolRunnerError).reason).toBe("tool_failed");
    expect((error as ToolRunnerError).toolName).toBe("get_weather");
    expect((error as ToolRunnerError).cause).toBe(failure);
    expect((error as ToolRunnerError).messages.map((message) => message.role)).toEqual([
      "user",
      "assistant",
    ]);
    expect(loopback.server.requests).toHaveLength(1);
  });

  it("sends invalid arguments back and runs the corrected call", async () => {
    const seen: unknown[] = [];
    const events: ToolRunEvent[] = [];
    loopback.server.enqueue(
      {
        body: toolCallCompletion([
          { id: "Bad000001", name: "get_weather", arguments: '{"city":42}' },
        ]),
      },
      {
        body: toolCallCompletion([
          { id: "Good00002", name: "get_weather", arguments: '{"city":"Paris"}' },
        ]),
      },
    );

    const result = await loopback.client().chat.runTools(weatherRequest, {
      tools: [
        defineTool({
          name: "get_weather",
          parameters: z4.object({ city: z4.string() }),
          execute: (args) => {
            seen.push(args);
            return { temp_c: 18 };
          },
        }),
      ],
      onEvent: (event) => events.push(event),
    });

    expect(seen).toEqual([{ city: "Paris" }]);
    expect(result.steps).toBe(3);
    const firstResult = toolMessages(bodies()[1])[0];
    expect(firstResult?.tool_call_id).toBe("Bad000001");
    expect(firstResult?.content).toContain("the arguments of tool get_weather are invalid");
    expect(firstResult?.content).toContain("- $.city: ");
    const errorEvent = firstEvent(events, "tool_error");
    expect(errorEvent.reason).toBe("invalid_arguments");
    expect(errorEvent.error).toBeInstanceOf(ValidationError);
    expect(toolMessages(bodies()[2]).at(-1)).toEqual({
      role: "tool",
      tool_call_id: "Good00002",
      name: "get_weather",
      content: '{"temp_c":18}',
    });
  });

  it("sends arguments that are not JSON back", async () => {
    loopback.server.enqueue({
      body: toolCallCompletion([{ id: "Bad000001", name: "get_weather", arguments: '{"city":' }]),
    });
    let called = false;

    await loopback.client().chat.runTools(weatherRequest, {
      tools: [
        weatherTool(() => {
          called = true;
        }),
      ],
    });

    expect(called).toBe(false);
    expect(toolMessages(bodies()[1])[0]?.content).toContain("- $: is not valid JSON");
  });

  it("sends a call of an unknown tool back", async () => {
    const events: ToolRunEvent[] = [];
    loopback.server.enqueue({
      body: toolCallCompletion([{ id: "Unk000001", name: "get_time", arguments: "{}" }]),
    });

    await loopback.client().chat.runTools(weatherRequest, {
      tools: [weatherTool()],
      onEvent: (event) => events.push(event),
    });

    expect(toolMessages(bodies()[1])[0]?.content).toContain('no tool named "get_time"');
    expect(firstEvent(events, "tool_error").reason).toBe("unknown_tool");
  });
});

describe("chat.runTools limits", () => {
  it("fails after maxSteps with the conversation so far", async () => {
    const error = await rejectionOf(
      loopback.client().chat.runTools(weatherRequest, { tools: [weatherTool()], maxSteps: 1 }),
    );

    expect(error).toBeInstanceOf(ToolRunnerError);
    expect(isMistralError(error, "tool_runner")).toBe(true);
    expect((error as ToolRunnerError).reason).toBe("max_steps");
    expect((error as ToolRunnerError).steps).toBe(1);
    expect((error as ToolRunnerError).messages.map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "tool",
    ]);
    expect(loopback.server.requests).toHaveLength(1);
  });

  it("counts every model call as a step", async () => {
    const call = { id: "Loop00001", name: "get_weather", arguments: '{"city":"Paris"}' };
    loopback.server.enqueue({ body: toolCallCompletion([call]), times: 3 });

    const error = await rejectionOf(
      loopback.client().chat.runTools(weatherRequest, { tools: [weatherTool()], maxSteps: 3 }),
    );

    expect((error as ToolRunnerError).reason).toBe("max_steps");
    expect(loopback.server.requests).toHaveLength(3);
  });

  it("continues from the messages of a max_steps error", async () => {
    const client = loopback.client();
    const error = (await rejectionOf(
      client.chat.runTools(weatherRequest, { tools: [weatherTool()], maxSteps: 1 }),
    )) as ToolRunnerError;

    const result = await client.chat.runTools(
      { ...weatherRequest, messages: [...error.messages] },
      { tools: [weatherTool()] },
    );

    expect(result.text).toBe('Tool get_weather returned: {"temp_c":18}');
  });

  it("keeps the conversation out of logs", async () => {
    const secret = "CANARY-prompt-93b7";
    const error = await rejectionOf(
      loopback
        .client()
        .chat.runTools(
          { ...weatherRequest, messages: [{ role: "user", content: secret }] },
          { tools: [weatherTool()], maxSteps: 1 },
        ),
    );

    expect(JSON.stringify(error)).not.toContain(secret);
    expect(inspect(error, { depth: 10 })).not.toContain(secret);
  });

  it("rejects invalid options before sending", async () => {
    const cases: Array<[string, () => Promise<unknown>]> = [
      ["no tools", () => loopback.client().chat.runTools(weatherRequest, { tools: [] })],
      [
        "repeated name",
        () =>
          loopback
            .client()
            .chat.runTools(weatherRequest, { tools: [weatherTool(), weatherTool()] }),
      ],
      [
        "tools in the request",
        () =>
          loopback.client().chat.runTools({ ...weatherRequest, tools: [] } as ToolRunRequest, {
            tools: [weatherTool()],
          }),
      ],
      [
        "maxSteps 0",
        () =>
          loopback.client().chat.runTools(weatherRequest, { tools: [weatherTool()], maxSteps: 0 }),
      ],
      [
        "maxParallel 1.5",
        () =>
          loopback
            .client()
            .chat.runTools(weatherRequest, { tools: [weatherTool()], maxParallel: 1.5 }),
      ],
    ];

    for (const [label, run] of cases) {
      expect(await rejectionOf(run()), label).toBeInstanceOf(ValidationError);
    }

    expect(loopback.server.requests).toHaveLength(0);
  });
});

describe("chat.runTools abort", () => {
  it("aborts a running tool and stops the loop", async () => {
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const tool = weatherTool(async (_args, context: ToolContext) => {
      toolSignal = context.signal;
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    });
    const started = performance.now();

    const error = await rejectionOf(
      loopback.client().chat.runTools(weatherRequest, { tools: [tool], signal: controller.signal }),
    );

    expect(error).toBeInstanceOf(AbortError);
    expect(toolSignal?.aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(loopback.server.requests).toHaveLength(1);
  });

  it("aborts a pending model call", async () => {
    const controller = new AbortController();
    loopback.server.enqueue({
      body: toolCallCompletion([
        { id: "Wait00001", name: "get_weather", arguments: '{"city":"Paris"}' },
      ]),
    });
    loopback.server.enqueue({ delayBeforeHeadersMs: 5_000 });

    const error = await rejectionOf(
      loopback.client().chat.runTools(weatherRequest, {
        tools: [weatherTool()],
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === "model_call" && event.step === 2) {
            setTimeout(() => controller.abort(), 50);
          }
        },
      }),
    );

    expect(error).toBeInstanceOf(AbortError);
    expect(loopback.server.requests).toHaveLength(2);
  });

  it("does not start with an aborted signal", async () => {
    const error = await rejectionOf(
      loopback.client().chat.runTools(weatherRequest, {
        tools: [weatherTool()],
        signal: AbortSignal.abort(),
      }),
    );

    expect(error).toBeInstanceOf(AbortError);
    expect(loopback.server.requests).toHaveLength(0);
  });
});

describe("chat.runToolsStream", () => {
  it("yields the events and the text of each model call", async () => {
    const stream = loopback.client().chat.runToolsStream(weatherRequest, {
      tools: [weatherTool()],
    });

    const events = await readAll(stream);
    const result = await stream.finalResult();

    const text = events
      .filter((event) => event.type === "text")
      .map((event) => (event.type === "text" ? event.text : ""))
      .join("");
    expect(text).toBe('Tool get_weather returned: {"temp_c":18}');
    expect(result.text).toBe(text);
    expect(result.steps).toBe(2);
    expect(events.map((event) => event.type).filter((type) => type !== "text")).toEqual([
      "model_call",
      "model_response",
      "tool_start",
      "tool_result",
      "model_call",
      "model_response",
    ]);
    expect(bodies().every((body) => body["stream"] === true)).toBe(true);
  });

  it("sends the assembled assistant message back", async () => {
    const stream = loopback.client().chat.runToolsStream(weatherRequest, {
      tools: [weatherTool()],
    });

    const result = await stream.finalResult();

    const assistant = messagesOf(bodies()[1])[1] as { tool_calls: Array<{ id: string }> };
    expect(assistant).toEqual(result.messages[1]);
    expect(toolMessages(bodies()[1])[0]?.tool_call_id).toBe(assistant.tool_calls[0]?.id);
  });

  it("yields only the text with textDeltas", async () => {
    const stream = loopback.client().chat.runToolsStream(weatherRequest, {
      tools: [weatherTool()],
    });

    const pieces = await readAll(stream.textDeltas());

    expect(pieces.join("")).toBe('Tool get_weather returned: {"temp_c":18}');
  });

  it("stops when abort() is called", async () => {
    const stream = loopback.client().chat.runToolsStream(weatherRequest, {
      tools: [
        weatherTool(async (_args, context) => {
          stream.abort();
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          return context.signal.aborted;
        }),
      ],
    });

    const error = await rejectionOf(stream.finalResult());

    expect(error).toBeInstanceOf(AbortError);
    expect(loopback.server.requests).toHaveLength(1);
  });

  it("stops the run when the reader leaves", async () => {
    let toolSignal: AbortSignal | undefined;
    const stream = loopback.client().chat.runToolsStream(weatherRequest, {
      tools: [
        weatherTool(async (_args, context) => {
          toolSignal = context.signal;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }),
      ],
    });

    for await (const event of stream) {
      if (event.type === "tool_start") break;
    }

    expect(toolSignal?.aborted).toBe(true);
    expect(await rejectionOf(stream.finalResult())).toBeInstanceOf(AbortError);
    expect(loopback.server.requests).toHaveLength(1);
  });
});
