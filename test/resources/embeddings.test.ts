import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MistralClient } from "../../src/index.js";
import { MockMistralServer } from "../../src/testing/index.js";

const apiKey = "embeddings-test-key";
let server: MockMistralServer;
let client: MistralClient;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey });
  client = new MistralClient({ apiKey, baseURL: server.url });
});

afterAll(async () => {
  await server.close();
});

describe("embeddings.create", () => {
  it("sends exactly the fields set", async () => {
    server.reset();
    await client.embeddings.create({ model: "mistral-embed", input: ["a", "b"] });
    expect(server.requests[0]?.method).toBe("POST");
    expect(server.requests[0]?.path).toBe("/v1/embeddings");
    expect(server.requests[0]?.body).toEqual({ model: "mistral-embed", input: ["a", "b"] });
  });

  for (const dtype of ["float", "int8", "uint8", "binary", "ubinary"] as const) {
    it(`returns ${dtype} vectors exactly as sent`, async () => {
      const vectors = [
        [0.125, -0.5, 0.000001],
        [1, -128, 127],
      ];
      server.enqueue({
        body: {
          id: "e1",
          object: "list",
          model: "codestral-embed",
          data: vectors.map((embedding, index) => ({ object: "embedding", embedding, index })),
          usage: { prompt_tokens: 2, total_tokens: 2, completion_tokens: 0 },
        },
      });
      const response = await client.embeddings.create({
        model: "codestral-embed",
        input: ["x", "y"],
        output_dtype: dtype,
        output_dimension: 3,
      });
      expect(response.data.map((item) => item.embedding)).toEqual(vectors);
      expect(server.requests.at(-1)?.body).toMatchObject({
        output_dtype: dtype,
        output_dimension: 3,
      });
    });
  }

  it("orders vectors by index", async () => {
    server.enqueue({
      body: {
        id: "e2",
        object: "list",
        model: "mistral-embed",
        data: [
          { object: "embedding", embedding: [2], index: 2 },
          { object: "embedding", embedding: [0], index: 0 },
          { object: "embedding", embedding: [1], index: 1 },
        ],
        usage: { prompt_tokens: 3, total_tokens: 3, completion_tokens: 0 },
      },
    });
    const response = await client.embeddings.create({
      model: "mistral-embed",
      input: ["a", "b", "c"],
    });
    expect(response.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(response.data.map((item) => item.embedding[0])).toEqual([0, 1, 2]);
  });

  it("default server reply has one vector per input of the requested size", async () => {
    const response = await client.embeddings.create({
      model: "mistral-embed",
      input: ["one", "two"],
      output_dimension: 16,
    });
    expect(response.data).toHaveLength(2);
    expect(response.data[0]?.embedding).toHaveLength(16);
  });
});
