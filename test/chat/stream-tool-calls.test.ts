import { describe, expect, it } from "vitest";
import type { ContentDelta } from "../../src/resources/chat/chat-stream.js";
import type { ChatCompletionRequest, ToolCall } from "../../src/types/chat.js";
import {
  eventWrites,
  fragmentedToolCallPayloads,
  placeholderToolCallPayloads,
  wholeToolCallPayloads,
} from "../helpers/case-streams.js";
import {
  helloRequest,
  readAll,
  readUntilError,
  useLoopbackChatServer,
} from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

const weatherRequest: ChatCompletionRequest = {
  ...helloRequest,
  tools: [
    {
      type: "function",
      function: {
        name: "get_weather",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
    },
  ],
};

const shapes = [
  { label: "whole call in one delta", payloads: wholeToolCallPayloads, id: "Qw7Rt2Yp9" },
  { label: "fragments with index 0", payloads: fragmentedToolCallPayloads, id: "Kd83nBv1x" },
  { label: 'fragments with id "null"', payloads: placeholderToolCallPayloads, id: "Kd83nBv1x" },
];

async function openStream(payloads: readonly string[], byteByByte = false) {
  loopback.server.enqueue({ writes: eventWrites(payloads), byteByByte });
  return loopback.client().chat.stream(weatherRequest);
}

function toolCallDeltas(deltas: ContentDelta[]) {
  return deltas.filter((delta) => delta.type === "tool_call");
}

function expectWeatherCall(call: ToolCall | undefined, id: string): void {
  expect(call?.id).toBe(id);
  expect(call?.function.name).toBe("get_weather");
  expect(JSON.parse(call?.function.arguments as string)).toEqual({ city: "Paris" });
}

describe("streamed tool calls", () => {
  for (const { label, payloads, id } of shapes) {
    it(`yields every chunk (${label})`, async () => {
      const { items, error } = await readUntilError(await openStream(payloads));

      expect(error).toBeUndefined();
      expect(items).toHaveLength(payloads.length);
    });

    for (const byteByByte of [false, true]) {
      const reads = byteByByte ? "one byte per write" : "one event per write";
      it(`assembles one call (${label}, ${reads})`, async () => {
        const completion = await (await openStream(payloads, byteByByte)).finalCompletion();
        const choice = completion.choices[0]!;

        expect(completion.choices).toHaveLength(1);
        expect(choice.message.tool_calls).toHaveLength(1);
        expectWeatherCall(choice.message.tool_calls?.[0], id);
        expect(choice.finish_reason).toBe("tool_calls");
        expect(choice.message.content).toBe("");
      });
    }
  }

  it("keeps the raw fragments in content deltas", async () => {
    const deltas = toolCallDeltas(
      await readAll((await openStream(fragmentedToolCallPayloads)).contentDeltas()),
    );

    expect(deltas).toHaveLength(3);
    for (const delta of deltas) expect(delta.index).toBe(0);
    expect(deltas[0]).toMatchObject({ id: "Kd83nBv1x", name: "get_weather", arguments: "" });
    expect(deltas.map((delta) => delta.arguments).join("")).toBe('{"city":"Paris"}');
  });

  it("keeps placeholder ids in content deltas", async () => {
    const deltas = toolCallDeltas(
      await readAll((await openStream(placeholderToolCallPayloads)).contentDeltas()),
    );

    expect(deltas).toHaveLength(3);
    expect(deltas.slice(1).map((delta) => [delta.id, delta.name])).toEqual([
      ["null", ""],
      ["null", ""],
    ]);
    expect(deltas.map((delta) => delta.arguments).join("")).toBe('{"city":"Paris"}');
  });

  it("yields a whole call as one content delta", async () => {
    const deltas = await readAll((await openStream(wholeToolCallPayloads)).contentDeltas());

    expect(deltas).toEqual([
      {
        type: "tool_call",
        index: 0,
        id: "Qw7Rt2Yp9",
        name: "get_weather",
        arguments: '{"city": "Paris"}',
      },
    ]);
  });

  it("replays the assembled call unchanged", async () => {
    const completion = await (await openStream(placeholderToolCallPayloads)).finalCompletion();
    const assistant = completion.choices[0]!.message;
    await loopback.client().chat.create({
      ...weatherRequest,
      messages: [
        ...weatherRequest.messages,
        assistant,
        { role: "tool", name: "get_weather", tool_call_id: "Kd83nBv1x", content: "18 C" },
      ],
    });

    const sent = loopback.server.requests.at(-1)!.body as ChatCompletionRequest;
    const replayed = sent.messages[1] as { tool_calls: ToolCall[] };
    expect(replayed.tool_calls).toHaveLength(1);
    expect(replayed.tool_calls[0]!.id).toBe("Kd83nBv1x");
    expect(replayed.tool_calls[0]!.function.arguments).toBe('{"city":"Paris"}');
  });
});

/** Encodes a chunk with the given tool-call fragments on choice 0, or on `choiceIndex`. */
function toolChunk(fragments: object[], finishReason: string | null = null, choiceIndex = 0) {
  return JSON.stringify({
    id: "t1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "mistral-medium-latest",
    choices: [
      { index: choiceIndex, delta: { tool_calls: fragments }, finish_reason: finishReason },
    ],
  });
}

function fragment(index: number | undefined, fields: object) {
  return index === undefined ? fields : { index, ...fields };
}

describe("streamed tool calls of other shapes", () => {
  it("merges two calls whose fragments interleave", async () => {
    const payloads = [
      toolChunk([
        fragment(0, { id: "Aa1111111", function: { name: "get_weather", arguments: "" } }),
      ]),
      toolChunk([fragment(1, { id: "Bb2222222", function: { name: "get_time", arguments: "" } })]),
      toolChunk([fragment(0, { function: { arguments: '{"city":' } })]),
      toolChunk([fragment(1, { function: { arguments: '{"zone":' } })]),
      toolChunk([
        fragment(1, { function: { arguments: '"CET"}' } }),
        fragment(0, { function: { arguments: '"Paris"}' } }),
      ]),
      toolChunk([], "tool_calls"),
    ];
    const completion = await (await openStream(payloads)).finalCompletion();
    const calls = completion.choices[0]!.message.tool_calls ?? [];

    expect(calls).toHaveLength(2);
    expectWeatherCall(calls[0], "Aa1111111");
    expect(calls[1]!.id).toBe("Bb2222222");
    expect(calls[1]!.function.name).toBe("get_time");
    expect(JSON.parse(calls[1]!.function.arguments as string)).toEqual({ zone: "CET" });
  });

  it("merges fragments without index into the open call", async () => {
    const payloads = [
      toolChunk([{ id: "Aa1111111", function: { name: "get_weather", arguments: '{"city":' } }]),
      toolChunk([{ function: { arguments: '"Paris"}' } }]),
      toolChunk([{ id: "Bb2222222", function: { name: "get_time", arguments: "{}" } }]),
      toolChunk([], "tool_calls"),
    ];
    const calls = (await (await openStream(payloads)).finalCompletion()).choices[0]!.message
      .tool_calls;

    expect(calls).toHaveLength(2);
    expectWeatherCall(calls?.[0], "Aa1111111");
    expect(calls?.[1]?.id).toBe("Bb2222222");
    expect(calls?.[1]?.function.arguments).toBe("{}");
  });

  it("ignores null ids and names in continuations", async () => {
    const payloads = [
      toolChunk([fragment(0, { id: "Aa1111111", function: { name: "get_weather" } })]),
      toolChunk([fragment(0, { id: null, function: { name: null, arguments: '{"city":' } })]),
      toolChunk([fragment(0, { id: "", function: { name: "", arguments: '"Paris"}' } })]),
      toolChunk([], "tool_calls"),
    ];
    const calls = (await (await openStream(payloads)).finalCompletion()).choices[0]!.message
      .tool_calls;

    expect(calls).toHaveLength(1);
    expectWeatherCall(calls?.[0], "Aa1111111");
  });

  it("keeps two whole calls that share index 0", async () => {
    const whole = (id: string, city: string) =>
      fragment(0, { id, function: { name: "get_weather", arguments: `{"city":"${city}"}` } });
    const payloads = [
      toolChunk([whole("Aa1111111", "Paris"), whole("Bb2222222", "Lyon")], "tool_calls"),
    ];
    const calls = (await (await openStream(payloads)).finalCompletion()).choices[0]!.message
      .tool_calls;

    expect(calls?.map((call) => call.id)).toEqual(["Aa1111111", "Bb2222222"]);
    expect(calls?.map((call) => JSON.parse(call.function.arguments as string).city)).toEqual([
      "Paris",
      "Lyon",
    ]);
  });

  it("encodes object arguments as JSON text", async () => {
    const payloads = [
      toolChunk(
        [
          fragment(0, {
            id: "Aa1111111",
            function: { name: "get_weather", arguments: { city: "Paris" } },
          }),
        ],
        "tool_calls",
      ),
    ];
    const calls = (await (await openStream(payloads)).finalCompletion()).choices[0]!.message
      .tool_calls;

    expectWeatherCall(calls?.[0], "Aa1111111");
  });

  it("assembles the calls of each choice apart", async () => {
    const payloads = [
      toolChunk([
        fragment(0, { id: "Aa1111111", function: { name: "get_weather", arguments: "" } }),
      ]),
      toolChunk(
        [fragment(0, { id: "Bb2222222", function: { name: "get_weather", arguments: "" } })],
        null,
        1,
      ),
      toolChunk([fragment(0, { function: { arguments: '{"city":"Lyon"}' } })], "tool_calls", 1),
      toolChunk([fragment(0, { function: { arguments: '{"city":"Paris"}' } })], "tool_calls"),
    ];
    const stream = await openStream(payloads);
    const deltas = toolCallDeltas(await readAll(stream.contentDeltas()));
    const completion = await stream.finalCompletion();

    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    expectWeatherCall(completion.choices[0]!.message.tool_calls?.[0], "Aa1111111");
    const second = completion.choices[1]!.message.tool_calls?.[0];
    expect(second?.id).toBe("Bb2222222");
    expect(JSON.parse(second?.function.arguments as string)).toEqual({ city: "Lyon" });
    // Content deltas follow choice 0 only.
    expect(deltas.map((delta) => delta.arguments)).toEqual(["", '{"city":"Paris"}']);
  });
});
