import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions, FetchFunction } from "../../src/core/client-options.js";
import { resolveConfig } from "../../src/core/config.js";
import type { ValidationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { defaultInputLimits } from "../../src/guard/input-limits.js";
import type { ChatCompletionRequest } from "../../src/types/chat.js";
import { okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, captureThrow } from "../helpers/error-capture.js";
import { clientFor, startLoopbackServer } from "../helpers/loopback-fixture.js";

function countingClient(options: ClientOptions = {}): {
  client: MistralClient;
  sent: () => number;
} {
  let sent = 0;
  const fetch: FetchFunction = async () => {
    sent++;
    return Response.json(okCompletion);
  };
  const client = new MistralClient({
    apiKey: "sk-test-CANARY-7f3a9c1e",
    baseURL: "http://127.0.0.1:9",
    fetch,
    ...options,
  });
  return { client, sent: () => sent };
}

function chat(...contents: string[]): ChatCompletionRequest {
  return {
    model: "mistral-small-latest",
    messages: contents.map((content) => ({ role: "user", content })),
  };
}

async function problemsOf(promise: Promise<unknown>): Promise<ValidationError["problems"]> {
  const error = await captureRejection(promise);
  expect(isMistralError(error, "validation"), String(error)).toBe(true);
  return (error as ValidationError).problems;
}

describe("default input limits", () => {
  it("are documented values", () => {
    expect(defaultInputLimits).toEqual({
      maxMessageChars: 1_000_000,
      maxRequestChars: 4_000_000,
      maxMessages: 10_000,
      maxUploadBytes: 512 * 1024 * 1024,
    });
    expect(resolveConfig({ apiKey: "k" }, {}).limits).toEqual(defaultInputLimits);
  });

  it("reject a message over 1,000,000 characters", async () => {
    const { client, sent } = countingClient();

    const problems = await problemsOf(client.chat.create(chat("a".repeat(1_000_001))));

    expect(problems).toEqual([
      {
        path: "messages[0]",
        message:
          "has 1,000,001 characters of text, more than limits.maxMessageChars (1,000,000): " +
          "shorten it, or raise the limit",
      },
    ]);
    expect(sent()).toBe(0);
  });

  it("send a message of exactly 1,000,000 characters", async () => {
    const { client, sent } = countingClient();

    await client.chat.create(chat("a".repeat(1_000_000)));

    expect(sent()).toBe(1);
  });

  it("reject a request over 4,000,000 characters", async () => {
    const { client, sent } = countingClient();
    const part = "a".repeat(900_000);

    const problems = await problemsOf(client.chat.create(chat(part, part, part, part, part)));

    expect(problems.map((problem) => problem.path)).toEqual(["request"]);
    expect(problems[0]?.message).toContain("4,500,000 characters of text");
    expect(problems[0]?.message).toContain("limits.maxRequestChars (4,000,000)");
    expect(sent()).toBe(0);
  });

  it("reject more than 10,000 messages", async () => {
    const { client, sent } = countingClient();
    const many = Array.from({ length: 10_001 }, () => "hi");

    const problems = await problemsOf(client.chat.create(chat(...many)));

    expect(problems.map((problem) => problem.path)).toEqual(["messages"]);
    expect(problems[0]?.message).toContain("10,001 messages");
    await client.chat.create(chat(...many.slice(1)));
    expect(sent()).toBe(1);
  });

  it("count text chunks, thinking and tool calls but not image data", async () => {
    const { client, sent } = countingClient({ limits: { maxMessageChars: 100 } });
    const image = `data:image/png;base64,${"A".repeat(10_000)}`;
    const withImage: ChatCompletionRequest = {
      model: "mistral-small-latest",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: image },
          ],
        },
      ],
    };
    await client.chat.create(withImage);

    const longCall: ChatCompletionRequest = {
      model: "mistral-small-latest",
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [{ type: "thinking", thinking: [{ type: "text", text: "t".repeat(60) }] }],
          tool_calls: [{ id: "Qw7Rt2Yp9", function: { name: "f", arguments: "x".repeat(50) } }],
        },
        { role: "tool", tool_call_id: "Qw7Rt2Yp9", content: "ok" },
      ],
    };
    const problems = await problemsOf(client.chat.create(longCall));

    expect(problems.map((problem) => problem.path)).toEqual(["messages[1]"]);
    expect(problems[0]?.message).toContain("has 111 characters");
    expect(sent()).toBe(1);
  });

  it("apply the request limit to FIM and embeddings", async () => {
    const { client, sent } = countingClient({ limits: { maxRequestChars: 10 } });

    const fim = await problemsOf(
      client.fim.create({ model: "codestral-latest", prompt: "123456", suffix: "78901" }),
    );
    const embeddings = await problemsOf(
      client.embeddings.create({ model: "mistral-embed", input: ["123456", "78901"] }),
    );

    expect(fim.map((problem) => problem.path)).toEqual(["request"]);
    expect(embeddings.map((problem) => problem.path)).toEqual(["request"]);
    expect(sent()).toBe(0);
  });

  it("are listed with the other problems", async () => {
    const { client } = countingClient({ limits: { maxMessageChars: 3 } });
    const request = { ...chat("long message"), temperature: 3 };

    const problems = await problemsOf(client.chat.create(request));

    expect(problems.map((problem) => problem.path)).toEqual(["temperature", "messages[0]"]);
  });
});

describe("limits option", () => {
  it("raises a limit", async () => {
    const { client, sent } = countingClient({ limits: { maxMessageChars: 2_000_000 } });

    await client.chat.create(chat("a".repeat(1_500_000)));

    expect(sent()).toBe(1);
  });

  it("turns one check off with false", async () => {
    const { client, sent } = countingClient({ limits: { maxMessages: false } });

    await client.chat.create(chat(...Array.from({ length: 10_001 }, () => "hi")));
    const problems = await problemsOf(client.chat.create(chat("a".repeat(1_000_001))));

    expect(problems.map((problem) => problem.path)).toEqual(["messages[0]"]);
    expect(sent()).toBe(1);
  });

  it("turns every check off with limits: false", async () => {
    const { client, sent } = countingClient({ limits: false });
    const big = "a".repeat(1_000_001);

    await client.chat.create(chat(big, big, big, big));

    expect(sent()).toBe(1);
    expect(resolveConfig({ apiKey: "k", limits: false }, {}).limits.maxUploadBytes).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  const invalid: Array<[string, unknown, string]> = [
    ["zero", { maxMessages: 0 }, "limits.maxMessages must be a positive whole number"],
    ["a negative number", { maxRequestChars: -1 }, "limits.maxRequestChars"],
    ["a fraction", { maxMessageChars: 1.5 }, "limits.maxMessageChars"],
    ["a string", { maxUploadBytes: "10" }, "limits.maxUploadBytes"],
    ["true", { maxMessages: true }, "limits.maxMessages"],
    ["an unknown name", { maxTokens: 5 }, 'Unknown limits option "maxTokens"'],
    ["not an object", "none", "The limits option must be an object, or false"],
  ];

  for (const [label, limits, message] of invalid) {
    it(`rejects ${label}`, () => {
      const error = captureThrow(() => resolveConfig({ apiKey: "k", limits } as never, {}));

      expect(isMistralError(error, "configuration")).toBe(true);
      expect((error as Error).message).toContain(message);
    });
  }
});

describe("upload size limit", () => {
  it("rejects a file of known size before sending", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server, { limits: { maxUploadBytes: 1024 } });

    const problems = await problemsOf(
      client.files.upload({
        file: { name: "big.jsonl", data: new Uint8Array(1025) },
        purpose: "batch",
      }),
    );

    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe("file");
    expect(problems[0]?.message).toContain('"big.jsonl" has 1,025 bytes');
    expect(problems[0]?.message).toContain("limits.maxUploadBytes (1,024)");
    expect(server.requests).toHaveLength(0);
  });

  it("sends a file of exactly the limit", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server, { limits: { maxUploadBytes: 1024 } });

    await client.files.upload({
      file: { name: "a.jsonl", data: new Uint8Array(1024) },
      purpose: "batch",
    });

    expect(server.requests).toHaveLength(1);
  });

  it("stops a stream of unknown size once it passes the limit", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server, { limits: { maxUploadBytes: 256 * 1024 } });
    let pulledBytes = 0;
    let cancelled = false;
    const data = new ReadableStream<Uint8Array>({
      pull(stream) {
        pulledBytes += 64 * 1024;
        stream.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });

    const problems = await problemsOf(
      client.files.upload({ file: { name: "endless.bin", data }, purpose: "batch" }),
    );

    expect(problems[0]?.message).toContain('"endless.bin" has more than 262,144 bytes');
    expect(cancelled).toBe(true);
    expect(pulledBytes).toBeLessThanOrEqual(512 * 1024);
  });

  it("rejects a path over the default 512 MiB before reading it", async (context) => {
    const server = await startLoopbackServer(context);
    const directory = await mkdtemp(join(tmpdir(), "mistral-limit-"));
    context.onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, "huge.jsonl");
    await writeFile(path, "");
    // A sparse file: its size is 513 MiB but it takes no disk space.
    await truncate(path, 513 * 1024 * 1024);

    const problems = await problemsOf(
      clientFor(server).files.upload({ file: path, purpose: "batch" }),
    );

    expect(problems[0]?.message).toContain("more than limits.maxUploadBytes (536,870,912)");
    expect(server.requests).toHaveLength(0);
  });

  it("applies to library documents too", async (context) => {
    const server = await startLoopbackServer(context);
    const client = clientFor(server, { limits: { maxUploadBytes: 10 } });

    const problems = await problemsOf(
      client.libraries.documents.upload("0e9f6a1c-9a8e-4c55-8ad3-5b0f3e1d2c4b", {
        file: { name: "notes.txt", data: "more than ten bytes" },
      }),
    );

    expect(problems[0]?.path).toBe("file");
    expect(server.requests).toHaveLength(0);
  });
});
