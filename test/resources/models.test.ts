import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { NotFoundError, ValidationError } from "../../src/index.js";
import { Models } from "../../src/resources/models.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { modelRoutes } from "../../src/testing/routes/models.js";
import { captureRejection } from "../helpers/error-capture.js";

const apiKey = "models-test-key";
const modelId = "ft:open-mistral-7b:587a6b29:20240514:7e773925";
const encodedId = "ft%3Aopen-mistral-7b%3A587a6b29%3A20240514%3A7e773925";

let server: MockMistralServer;
let models: Models;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: modelRoutes });
  const config = resolveConfig({ apiKey, baseURL: server.url, maxRetries: 0 }, {});
  models = new Models(new Transport(config, "mistralai-ts/test"));
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

function lastRequest(): RecordedRequest {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error("The server received no request");
  return request;
}

describe("fine-tuned models", () => {
  it("update sends the new name", async () => {
    const model = await models.update(modelId, { name: "support-bot" });

    const sent = lastRequest();
    expect(sent.method).toBe("PATCH");
    expect(sent.url).toBe(`/v1/fine_tuning/models/${encodedId}`);
    expect(sent.path).toBe(`/v1/fine_tuning/models/${encodedId}`);
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.body).toEqual({ name: "support-bot" });
    expect(model.id).toBe(modelId);
    expect(model.name).toBe("support-bot");
    expect(model.root).toBe("open-mistral-7b");
    expect(model.model_type).toBe("completion");
    expect(model.archived).toBe(false);
    expect(model.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("archive posts without a body", async () => {
    const result = await models.archive(modelId);

    const sent = lastRequest();
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe(`/v1/fine_tuning/models/${encodedId}/archive`);
    expect(sent.body).toBeUndefined();
    expect(sent.headers["content-type"]).toBeUndefined();
    expect(result).toEqual({ id: modelId, object: "model", archived: true });
  });

  it("unarchive deletes the archive", async () => {
    await models.archive(modelId);
    const result = await models.unarchive(modelId);

    const sent = lastRequest();
    expect(sent.method).toBe("DELETE");
    expect(sent.path).toBe(`/v1/fine_tuning/models/${encodedId}/archive`);
    expect(result.archived).toBe(false);
  });

  it("update reflects the archive state", async () => {
    await models.archive(modelId);
    const model = await models.update(modelId, { name: null });

    expect(model.archived).toBe(true);
    expect(model.name).toBeNull();
    expect(lastRequest().body).toEqual({ name: null });
  });

  it("unknown model is a NotFoundError", async () => {
    const error = await captureRejection(models.archive("mistral-small-latest"));

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(404);
  });

  it("path traversal is rejected", async () => {
    const error = await captureRejection(models.update("../jobs", { name: "x" }));

    expect(error).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });
});
