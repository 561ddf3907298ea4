import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Agents } from "../../src/resources/agents.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { agentsRoutes } from "../../src/testing/routes/agents.js";
import type {
  AgentCreationRequest,
  AgentsCompletionRequest,
  AgentUpdateRequest,
} from "../../src/types/agents.js";
import { requestSchemaValidator, responseSchemaValidator, schemaValidator } from "./spec.js";

const apiKey = "sk-contract-test-key";

/** Agent creation bodies as callers build them, from the smallest to one with every tool kind. */
const creationRequests: Record<string, AgentCreationRequest> = {
  minimal: { model: "mistral-small-latest", name: "minimal" },
  "every field and tool": {
    model: "mistral-medium-latest",
    name: "researcher",
    description: "Finds and summarises sources",
    instructions: "Cite every source.",
    tools: [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Weather of a city",
          parameters: { type: "object", properties: { city: { type: "string" } } },
          strict: true,
        },
      },
      { type: "web_search" },
      { type: "web_search_premium", tool_configuration: { exclude: ["news"] } },
      { type: "code_interpreter" },
      { type: "image_generation" },
      { type: "document_library", library_ids: ["0b6b2a6e-4a2b-4b6a-9a3b-2f8f6a0d1c11"] },
      {
        type: "connector",
        connector_id: "crm",
        authorization: { type: "api-key", value: "connector-secret" },
        tool_configuration: { requires_confirmation: ["delete_contact"] },
      },
    ],
    completion_args: {
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 512,
      stop: ["\n\n"],
      random_seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      response_format: { type: "text" },
      tool_choice: "auto",
      reasoning_effort: "none",
    },
    guardrails: [{ block_on_error: true, moderation_llm_v1: { action: "block" } }],
    handoffs: ["ag_other"],
    metadata: { team: "research" },
    version_message: "first version",
  },
};

const updateRequests: Record<string, AgentUpdateRequest> = {
  "one field": { description: "Updated" },
  "several fields": {
    name: "researcher-2",
    model: "mistral-large-latest",
    deployment_chat: true,
    completion_args: { temperature: 0.1 },
    version_message: "faster",
  },
};

let server: MockMistralServer;
let agents: Agents;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: [...agentsRoutes] });
  const config = resolveConfig({ apiKey, baseURL: server.url, maxRetries: 0 });
  agents = new Agents(new Transport(config, "mistralai-ts/contract"));
});

afterAll(async () => {
  await server.close();
});

/** Drops the non-enumerable response metadata, keeping the body as the server sent it. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("agents request bodies", () => {
  const validateCreate = requestSchemaValidator("POST", "/v1/agents");
  const validateUpdate = requestSchemaValidator("PATCH", "/v1/agents/ag_1");
  const validateCompletion = requestSchemaValidator("POST", "/v1/agents/completions");

  for (const [name, request] of Object.entries(creationRequests)) {
    it(`create() body validates: ${name}`, async () => {
      await agents.create(request);
      const body = server.requests.at(-1)?.body;
      expect(body).toEqual(request);
      expect(validateCreate(body).errors).toEqual([]);
    });
  }

  for (const [name, request] of Object.entries(updateRequests)) {
    it(`update() body validates: ${name}`, async () => {
      const agent = await agents.create(creationRequests.minimal!);
      await agents.update(agent.id, request);
      const body = server.requests.at(-1)?.body;
      expect(body).toEqual(request);
      expect(validateUpdate(body).errors).toEqual([]);
    });
  }

  it("complete() and stream() bodies validate", async () => {
    const agent = await agents.create(creationRequests.minimal!);
    const request: AgentsCompletionRequest = {
      agent_id: agent.id,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
      ],
      max_tokens: 64,
      tool_choice: "none",
      parallel_tool_calls: false,
      response_format: { type: "text" },
      prompt_cache_key: "agents-contract",
    };

    await agents.complete(request);
    const plainBody = server.requests.at(-1)?.body;
    expect(validateCompletion(plainBody).errors).toEqual([]);

    const stream = await agents.stream(request);
    await stream.finalCompletion();
    const streamBody = server.requests.at(-1)?.body;
    expect(streamBody).toEqual({ ...request, stream: true });
    expect(validateCompletion(streamBody).errors).toEqual([]);
  });
});

describe("agents default replies", () => {
  it("agent objects validate on every operation that returns one", async () => {
    const validate = schemaValidator("Agent");
    const agent = await agents.create(creationRequests["every field and tool"]!);
    const updated = await agents.update(agent.id, updateRequests["several fields"]!);
    const read = await agents.get(agent.id, { agent_version: 0 });
    const version = await agents.getVersion(agent.id, 1);
    const switched = await agents.updateVersion(agent.id, 0);
    for (const value of [agent, updated, read, version, switched]) {
      expect(validate(plain(value)).errors).toEqual([]);
    }
  });

  it("lists validate against their response schemas", async () => {
    const agent = await agents.create(creationRequests.minimal!);
    await agents.update(agent.id, { description: "v1" });

    const page = await agents.list({ page_size: 1 }).page();
    const pages = responseSchemaValidator("GET", "/v1/agents/pages");
    expect(pages(plain(page.raw)).errors).toEqual([]);

    const numbered = await agents.listByPageNumber({ page_size: 2 }).page();
    const list = responseSchemaValidator("GET", "/v1/agents");
    expect(list(plain(numbered.raw)).errors).toEqual([]);

    const versions = await agents.listVersions(agent.id).page();
    const versionList = responseSchemaValidator("GET", `/v1/agents/${agent.id}/versions`);
    expect(versionList(plain(versions.raw)).errors).toEqual([]);
  });

  it("aliases validate against their response schemas", async () => {
    const agent = await agents.create(creationRequests.minimal!);
    const alias = await agents.setAlias(agent.id, "prod", 0);
    const aliases = await agents.listAliases(agent.id);

    const path = `/v1/agents/${agent.id}/aliases`;
    expect(responseSchemaValidator("PUT", path)(plain(alias)).errors).toEqual([]);
    expect(responseSchemaValidator("GET", path)(plain(aliases)).errors).toEqual([]);
  });

  it("agents completion and its chunks validate", async () => {
    const agent = await agents.create(creationRequests.minimal!);
    const request: AgentsCompletionRequest = {
      agent_id: agent.id,
      messages: [{ role: "user", content: "Hi" }],
    };

    const completion = await agents.complete(request);
    const validate = responseSchemaValidator("POST", "/v1/agents/completions");
    expect(validate(plain(completion)).errors).toEqual([]);

    const validateChunk = schemaValidator("CompletionChunk");
    const stream = await agents.stream(request);
    for await (const chunk of stream) {
      expect(validateChunk(plain(chunk)).errors).toEqual([]);
    }
  });
});
