import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MistralClient } from "../../src/index.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { requestSchemaValidator, responseSchemaValidator } from "./spec.js";

const apiKey = "contract-completions-key";
let server: MockMistralServer;
let client: MistralClient;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey });
  client = new MistralClient({ apiKey, baseURL: server.url });
});

afterAll(async () => {
  await server.close();
});

const clean = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("fim and embeddings contract", () => {
  it("FIM bodies and replies match the spec", async () => {
    const validateRequest = requestSchemaValidator("POST", "/v1/fim/completions");
    const validateResponse = responseSchemaValidator("POST", "/v1/fim/completions");
    const validateEvent = responseSchemaValidator(
      "POST",
      "/v1/fim/completions",
      200,
      "text/event-stream",
    );
    const request = {
      model: "codestral-latest",
      prompt: "def f():\n    ",
      suffix: "",
      max_tokens: 8,
    };
    server.reset();
    const response = await client.fim.create(request);
    expect(validateRequest(server.requests[0]?.body).errors).toEqual([]);
    expect(validateResponse(clean(response)).errors).toEqual([]);
    const stream = await client.fim.stream(request);
    for await (const chunk of stream) {
      expect(validateEvent({ data: chunk }).errors).toEqual([]);
    }

    expect(validateRequest(server.requests[1]?.body).errors).toEqual([]);
  });

  it("embedding bodies and replies match the spec", async () => {
    const validateRequest = requestSchemaValidator("POST", "/v1/embeddings");
    const validateResponse = responseSchemaValidator("POST", "/v1/embeddings");
    for (const output_dtype of ["float", "int8", "uint8", "binary", "ubinary"] as const) {
      server.reset();
      const response = await client.embeddings.create({
        model: "codestral-embed",
        input: ["a", "b"],
        output_dtype,
        output_dimension: 16,
      });
      expect(validateRequest(server.requests[0]?.body).errors).toEqual([]);
      expect(validateResponse(clean(response)).errors).toEqual([]);
    }
  });
});
