import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isMistralError, MistralClient } from "../../src/index.js";
import { MockMistralServer } from "../../src/testing/index.js";

const canary = "sk-test-CANARY-7f3a9c1e";
const codestralKey = "codestral-key-0123456789";

const fimRequest = {
  model: "codestral-latest",
  prompt: "def add(a, b):\n    ",
  suffix: "\n\nprint(add(1, 2))",
  max_tokens: 32,
  stop: ["\n\n"],
};

const fimReply = {
  id: "fim1",
  object: "chat.completion",
  model: "codestral-latest",
  created: 1764806400,
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "return a + b", tool_calls: null, prefix: false },
      finish_reason: "stop",
    },
  ],
  usage: { prompt_tokens: 14, total_tokens: 19, completion_tokens: 5 },
};

const fimStreamEvents = [
  '{"id":"fim2","object":"chat.completion.chunk","created":1764806400,"model":"codestral-latest","choices":[{"index":0,"delta":{"role":"assistant","content":"return"},"finish_reason":null}]}',
  '{"id":"fim2","object":"chat.completion.chunk","created":1764806400,"model":"codestral-latest","choices":[{"index":0,"delta":{"content":" a + b"},"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"total_tokens":19,"completion_tokens":5}}',
];

let main: MockMistralServer;
let codestral: MockMistralServer;

beforeAll(async () => {
  main = await MockMistralServer.start({ apiKey: canary });
  codestral = await MockMistralServer.start({ apiKey: codestralKey });
});

afterEach(() => {
  main.reset();
  codestral.reset();
});

afterAll(async () => {
  await main.close();
  await codestral.close();
});

describe("fim.create", () => {
  for (const suffix of ["", "/", "/v1", "/v1/"]) {
    it(`posts to /v1/fim/completions with base URL ending "${suffix}"`, async () => {
      const client = new MistralClient({ apiKey: canary, baseURL: main.url + suffix });
      main.enqueue({ body: fimReply });
      const response = await client.fim.create(fimRequest);
      expect(main.requests[0]?.path).toBe("/v1/fim/completions");
      expect(main.requests[0]?.body).toEqual(fimRequest);
      expect(main.requests[0]?.headers["content-type"]).toBe("application/json");
      expect(main.authorizationMatches(main.requests[0]!, `Bearer ${canary}`)).toBe(true);
      expect(response.choices[0]?.message.content).toBe("return a + b");
    });
  }

  it("sends an empty suffix and omits an absent one", async () => {
    const client = new MistralClient({ apiKey: canary, baseURL: main.url });
    await client.fim.create({ model: "codestral-latest", prompt: "x = ", suffix: "" });
    await client.fim.create({ model: "codestral-latest", prompt: "x = " });
    await client.fim.create({ model: "codestral-latest", prompt: "x = ", stop: "\n" });
    expect(main.requests[0]?.body).toEqual({
      model: "codestral-latest",
      prompt: "x = ",
      suffix: "",
    });
    expect(main.requests[1]?.body).toEqual({ model: "codestral-latest", prompt: "x = " });
    expect(main.requests[2]?.body).toEqual({
      model: "codestral-latest",
      prompt: "x = ",
      stop: "\n",
    });
  });

  it("streams the middle with usage from the last chunk", async () => {
    const client = new MistralClient({ apiKey: canary, baseURL: main.url });
    main.enqueue({ events: fimStreamEvents });
    const stream = await client.fim.stream(fimRequest);
    const final = await stream.finalCompletion();
    expect(main.requests[0]?.body).toEqual({ ...fimRequest, stream: true });
    expect(final.choices[0]?.message.content).toBe("return a + b");
    expect(final.choices[0]?.finish_reason).toBe("stop");
    expect(final.usage?.total_tokens).toBe(19);
  });

  it("sends FIM to its own endpoint with its own key", async () => {
    const client = new MistralClient({
      apiKey: canary,
      baseURL: main.url,
      endpoints: { fim: { baseURL: `${codestral.url}/`, apiKey: codestralKey } },
    });
    await client.fim.create(fimRequest);
    await client.chat.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
    expect(codestral.requests.map((request) => request.path)).toEqual(["/v1/fim/completions"]);
    expect(codestral.authorizationMatches(codestral.requests[0]!, `Bearer ${codestralKey}`)).toBe(
      true,
    );
    expect(main.requests.map((request) => request.path)).toEqual(["/v1/chat/completions"]);
  });

  it("reports a key that does not fit the host as a 401 naming the URL", async () => {
    const client = new MistralClient({ apiKey: canary, baseURL: codestral.url, maxRetries: 2 });
    codestral.enqueue({
      status: 401,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: '{"message":"Unauthorized","request_id":"0f0e0d0c0b0a09080706050403020100"}',
    });
    const error = await client.fim.create(fimRequest).catch((caught: unknown) => caught);
    expect(isMistralError(error, "authentication")).toBe(true);
    expect(String(error)).toContain(`${codestral.url}/v1/fim/completions`);
    expect((error as { requestId?: string }).requestId).toBe("0f0e0d0c0b0a09080706050403020100");
    expect(codestral.requests).toHaveLength(1);
  });

  it("rejects a request without prompt before sending", async () => {
    const client = new MistralClient({ apiKey: canary, baseURL: main.url });
    const error = await client.fim
      .create({ model: "codestral-latest" } as never)
      .catch((caught: unknown) => caught);
    expect(isMistralError(error, "validation")).toBe(true);
    expect(main.requests).toHaveLength(0);
  });

  it("default server reply returns only the middle", async () => {
    const client = new MistralClient({ apiKey: canary, baseURL: main.url });
    const response = await client.fim.create(fimRequest);
    const text = response.choices[0]?.message.content as string;
    expect(text.startsWith(fimRequest.prompt)).toBe(false);
    expect(text.endsWith(fimRequest.suffix)).toBe(false);
    const stream = await client.fim.stream(fimRequest);
    const final = await stream.finalCompletion();
    expect(final.choices[0]?.message.content).toBe(text);
  });
});
