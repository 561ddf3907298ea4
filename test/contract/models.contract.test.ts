import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Models } from "../../src/resources/models.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { modelRoutes } from "../../src/testing/routes/models.js";
import type { FTModelUpdateRequest } from "../../src/types/models.js";
import { requestSchemaValidator, responseSchemaValidator } from "./spec.js";

const apiKey = "sk-models-contract-key";
const modelId = "ft:open-mistral-7b:587a6b29:20240514:7e773925";
const updates: FTModelUpdateRequest[] = [{ name: "support-bot" }, { name: null }, {}];

let server: MockMistralServer;
let models: Models;
const replies: Array<{ method: string; path: string; status: number; text: string }> = [];

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: modelRoutes });
  const config = resolveConfig(
    {
      apiKey,
      baseURL: server.url,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const path = new URL(input instanceof Request ? input.url : input).pathname;
        const text = await response.clone().text();
        replies.push({ method: init?.method ?? "GET", path, status: response.status, text });
        return response;
      },
    },
    {},
  );
  models = new Models(new Transport(config, "mistralai-ts/contract-test"));
});

afterAll(async () => {
  await server.close();
});

describe("fine-tuned model contract", () => {
  it("update bodies validate", async () => {
    const validate = requestSchemaValidator("PATCH", "/v1/fine_tuning/models/any");
    for (const update of updates) {
      expect(validate(update).errors, JSON.stringify(update)).toEqual([]);
    }

    server.reset();
    for (const update of updates) {
      await models.update(modelId, update);
    }

    expect(server.requests.map((request) => request.body)).toEqual(updates);
  });

  it("every reply validates against its response schema", async () => {
    replies.length = 0;
    await models.update(modelId, { name: "renamed" });
    await models.archive(modelId);
    await models.update(modelId, {});
    await models.unarchive(modelId);

    expect(replies.map((reply) => reply.method)).toEqual(["PATCH", "POST", "PATCH", "DELETE"]);
    for (const reply of replies) {
      const label = `${reply.method} ${reply.path}`;
      expect(reply.status, label).toBe(200);
      const validate = responseSchemaValidator(reply.method, decodeURIComponent(reply.path));
      expect(validate(JSON.parse(reply.text)).errors, label).toEqual([]);
    }
  });
});
