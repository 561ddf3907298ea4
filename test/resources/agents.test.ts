import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ClientOptions } from "../../src/core/client-options.js";
import { resolveConfig } from "../../src/core/config.js";
import { InternalServerError, NotFoundError } from "../../src/core/errors/api-error.js";
import { ValidationError } from "../../src/core/errors/client-errors.js";
import { Transport } from "../../src/core/transport.js";
import { Agents } from "../../src/resources/agents.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { agentsRoutes } from "../../src/testing/routes/agents.js";
import type { AgentCreationRequest, AgentsCompletionRequest } from "../../src/types/agents.js";
import { captureRejection, captureThrow } from "../helpers/error-capture.js";

const apiKey = "sk-agents-test-key";

let server: MockMistralServer;

/** Builds the resource on its own transport, with fast retries. */
function agentsFor(options: ClientOptions = {}): Agents {
  const config = resolveConfig({
    apiKey,
    baseURL: server.url,
    retry: { initialDelayMs: 10, maxDelayMs: 40 },
    ...options,
  });
  return new Agents(new Transport(config, "mistralai-ts/test"));
}

const pirate: AgentCreationRequest = {
  model: "mistral-medium-latest",
  name: "pirate",
  instructions: "Answer like a pirate.",
  description: "Talks like a pirate",
  tools: [{ type: "web_search" }],
  completion_args: { temperature: 0.3, max_tokens: 200 },
  metadata: { team: "fun" },
};

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: [...agentsRoutes] });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

function lastRequest() {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error("No request was recorded");
  return request;
}

describe("agents.create", () => {
  it("posts the body as given and parses the agent", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);

    const request = lastRequest();
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/agents");
    expect(request.body).toEqual(pirate);
    expect(agent.id).toMatch(/^ag_/);
    expect(agent.name).toBe("pirate");
    expect(agent.version).toBe(0);
    expect(agent.versions).toEqual([0]);
    expect(agent.requestId).toEqual(expect.any(String));
  });

  it("rejects a missing name before sending", async () => {
    const request = { model: "mistral-small-latest" } as AgentCreationRequest;
    const error = await captureRejection(Promise.resolve().then(() => agentsFor().create(request)));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([{ path: "name", message: "is required" }]);
    expect(server.requests).toHaveLength(0);
  });

  it("is not retried after a 500", async () => {
    server.enqueue({ match: { path: "/v1/agents" }, status: 500, body: { message: "boom" } });
    const error = await captureRejection(agentsFor({ maxRetries: 2 }).create(pirate));

    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it("is retried after a 429", async () => {
    server.enqueue({
      match: { path: "/v1/agents" },
      status: 429,
      headers: { "retry-after-ms": "20" },
      body: { message: "Rate limit exceeded" },
    });
    const agent = await agentsFor({ maxRetries: 2 }).create(pirate);

    expect(agent.name).toBe("pirate");
    expect(server.requests).toHaveLength(2);
  });
});

describe("agents.list", () => {
  it("follows the cursor of /v1/agents/pages", async () => {
    const agents = agentsFor();
    const prefix = `cursor-${Date.now()}`;
    for (const index of [1, 2, 3]) {
      await agents.create({ model: "mistral-small-latest", name: `${prefix}-${index}` });
    }

    const mark = server.requests.length;
    const found = await agents.list({ search: prefix, page_size: 2 }).toArray();

    expect(found.map((agent) => agent.name)).toEqual([`${prefix}-3`, `${prefix}-2`, `${prefix}-1`]);
    expect(server.requests.slice(mark)).toHaveLength(2);
    const [first, second] = server.requests.slice(mark);
    expect(first!.path).toBe("/v1/agents/pages");
    expect(first!.query).toEqual({ search: prefix, page_size: "2" });
    expect(second!.query.page_token).toEqual(expect.any(String));
    expect(second!.query.search).toBe(prefix);
  });

  it("reports the end of the list on the last page", async () => {
    const agents = agentsFor();
    const name = `single-${Date.now()}`;
    await agents.create({ model: "mistral-small-latest", name });
    const mark = server.requests.length;

    const page = await agents.list({ name }).page();

    expect(page.items.map((agent) => agent.name)).toEqual([name]);
    expect(page.hasMore).toBe(false);
    expect(server.requests.slice(mark)[0]!.query).toEqual({ name });
  });

  it("sends every filter in the query", async () => {
    const list = agentsFor().list({
      name: "pirate",
      search: "pir",
      id: "ag_1",
      deployment_chat: false,
      sources: ["api", "playground"],
      metadata: { team: "fun" },
    });
    await list.page();

    const url = new URL(lastRequest().url, server.url);
    expect(url.searchParams.get("name")).toBe("pirate");
    expect(url.searchParams.get("search")).toBe("pir");
    expect(url.searchParams.get("id")).toBe("ag_1");
    expect(url.searchParams.get("deployment_chat")).toBe("false");
    expect(url.searchParams.getAll("sources")).toEqual(["api", "playground"]);
    expect(JSON.parse(url.searchParams.get("metadata")!)).toEqual({ team: "fun" });
  });

  it("rejects an unknown parameter before sending", () => {
    const params = { page: 2 } as unknown as Parameters<Agents["list"]>[0];
    const error = captureThrow(() => agentsFor().list(params));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems[0]?.path).toBe("page");
  });
});

describe("agents.listByPageNumber", () => {
  it("reads /v1/agents page by page", async () => {
    const agents = agentsFor();
    const name = `numbered-${Date.now()}`;
    await agents.create({ model: "mistral-small-latest", name });
    await agents.create({ model: "mistral-small-latest", name });
    const mark = server.requests.length;

    const found = await agents.listByPageNumber({ name, page_size: 1 }).toArray();

    expect(found).toHaveLength(2);
    expect(server.requests.slice(mark).map((request) => request.query)).toEqual([
      { name, page: "0", page_size: "1" },
      { name, page: "1", page_size: "1" },
      { name, page: "2", page_size: "1" },
    ]);
    expect(server.requests.slice(mark).every((request) => request.path === "/v1/agents")).toBe(
      true,
    );
  });
});

describe("agents versions and aliases", () => {
  it("get sends agent_version as a number or an alias", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);
    await agents.update(agent.id, { instructions: "Answer like a parrot." });
    await agents.setAlias(agent.id, "stable", 0);

    const byNumber = await agents.get(agent.id, { agent_version: 0 });
    expect(lastRequest().query).toEqual({ agent_version: "0" });
    expect(byNumber.instructions).toBe("Answer like a pirate.");

    const byAlias = await agents.get(agent.id, { agent_version: "stable" });
    expect(lastRequest().query).toEqual({ agent_version: "stable" });
    expect(byAlias.version).toBe(0);

    const current = await agents.get(agent.id);
    expect(lastRequest().url).toBe(`/v1/agents/${agent.id}`);
    expect(current.version).toBe(1);
  });

  it("update patches the fields given and creates a version", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);
    const update = { description: "A parrot", version_message: "parrot mode" };

    const updated = await agents.update(agent.id, update);

    const request = lastRequest();
    expect(request.method).toBe("PATCH");
    expect(request.path).toBe(`/v1/agents/${agent.id}`);
    expect(request.body).toEqual(update);
    expect(updated.version).toBe(1);
    expect(updated.versions).toEqual([0, 1]);
    expect(updated.description).toBe("A parrot");
    expect(updated.name).toBe("pirate");
  });

  it("lists and reads versions", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);
    await agents.update(agent.id, { name: "pirate-2" });
    const mark = server.requests.length;

    const versions = await agents.listVersions(agent.id, { page_size: 5 }).toArray();
    expect(versions.map((version) => version.version)).toEqual([1, 0]);
    expect(server.requests.slice(mark)[0]!.path).toBe(`/v1/agents/${agent.id}/versions`);
    expect(server.requests.slice(mark)[0]!.query).toEqual({ page: "0", page_size: "5" });

    const first = await agents.getVersion(agent.id, 0);
    expect(lastRequest().path).toBe(`/v1/agents/${agent.id}/versions/0`);
    expect(first.name).toBe("pirate");
  });

  it("updateVersion switches the current version", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);
    await agents.update(agent.id, { name: "pirate-2" });

    const switched = await agents.updateVersion(agent.id, 0);

    const request = lastRequest();
    expect(request.method).toBe("PATCH");
    expect(request.path).toBe(`/v1/agents/${agent.id}/version`);
    expect(request.query).toEqual({ version: "0" });
    expect(request.body).toBeUndefined();
    expect(switched.version).toBe(0);
    expect((await agents.get(agent.id)).name).toBe("pirate");
  });

  it("sets, lists and deletes aliases", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);

    const alias = await agents.setAlias(agent.id, "prod", 0);
    const put = lastRequest();
    expect(put.method).toBe("PUT");
    expect(put.path).toBe(`/v1/agents/${agent.id}/aliases`);
    expect(put.query).toEqual({ alias: "prod", version: "0" });
    expect(alias).toMatchObject({ alias: "prod", version: 0 });

    const aliases = await agents.listAliases(agent.id);
    expect(lastRequest().method).toBe("GET");
    expect(aliases.map((item) => item.alias)).toEqual(["prod"]);

    await agents.deleteAlias(agent.id, "prod");
    const deleted = lastRequest();
    expect(deleted.method).toBe("DELETE");
    expect(deleted.query).toEqual({ alias: "prod" });
    expect(await agents.listAliases(agent.id)).toEqual([]);
  });

  it("rejects an invalid alias before sending", async () => {
    const error = await captureRejection(
      Promise.resolve().then(() => agentsFor().setAlias("ag_1", "Prod!", 0)),
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems[0]?.path).toBe("alias");
    expect(server.requests).toHaveLength(0);
  });

  it("rejects a path parameter that would change the route", async () => {
    const error = await captureRejection(
      Promise.resolve().then(() => agentsFor().get("../conversations")),
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it("delete removes the agent", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);

    await agents.delete(agent.id);

    expect(lastRequest().method).toBe("DELETE");
    expect(lastRequest().path).toBe(`/v1/agents/${agent.id}`);
    const error = await captureRejection(agents.get(agent.id));
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

describe("agents completions", () => {
  it("complete posts to /v1/agents/completions", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);
    const request: AgentsCompletionRequest = {
      agent_id: agent.id,
      messages: [{ role: "user", content: "Who is the best painter?" }],
      max_tokens: 50,
    };

    const completion = await agents.complete(request);

    const sent = lastRequest();
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/agents/completions");
    expect(sent.body).toEqual(request);
    expect(completion.model).toBe("mistral-medium-latest");
    expect(completion.choices[0]?.message.content).toBe("Echo: Who is the best painter?");
  });

  it("stream sets stream: true and yields the text", async () => {
    const agents = agentsFor();
    const agent = await agents.create(pirate);
    const request: AgentsCompletionRequest = {
      agent_id: agent.id,
      messages: [{ role: "user", content: "Ahoy" }],
    };

    const stream = await agents.stream(request);
    let text = "";
    for await (const delta of stream.textDeltas()) text += delta;

    expect(lastRequest().body).toEqual({ ...request, stream: true });
    expect(text).toBe("Echo: Ahoy");
    expect((await stream.finalCompletion()).usage).toBeDefined();
  });

  it("rejects chat-only fields before sending", async () => {
    const request = {
      agent_id: "ag_1",
      model: "mistral-small-latest",
      temperature: 0.2,
      messages: [{ role: "user", content: "Hi" }],
    } as unknown as AgentsCompletionRequest;

    const error = await captureRejection(
      Promise.resolve().then(() => agentsFor().complete(request)),
    );

    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).problems.map((problem) => problem.path);
    expect(paths).toEqual(["model", "temperature"]);
    expect(server.requests).toHaveLength(0);
  });

  it("answers 404 for an unknown agent", async () => {
    const request = {
      agent_id: "ag_missing",
      messages: [{ role: "user" as const, content: "Hi" }],
    };

    const error = await captureRejection(agentsFor().complete(request));

    expect(error).toBeInstanceOf(NotFoundError);
  });
});

describe("agents flow", () => {
  it("create, update, versions, alias, complete, delete", async () => {
    const agents = agentsFor();
    const created = await agents.create({ model: "mistral-small-latest", name: "flow" });
    const updated = await agents.update(created.id, { model: "mistral-large-latest" });
    expect(updated.version).toBe(1);

    const versions = await agents.listVersions(created.id).toArray();
    expect(versions.map((version) => version.model)).toEqual([
      "mistral-large-latest",
      "mistral-small-latest",
    ]);

    await agents.setAlias(created.id, "previous", 0);
    const previous = await agents.get(created.id, { agent_version: "previous" });
    expect(previous.model).toBe("mistral-small-latest");

    const completion = await agents.complete({
      agent_id: created.id,
      messages: [{ role: "user", content: "Ready?" }],
    });
    expect(completion.model).toBe("mistral-large-latest");
    expect(completion.choices[0]?.message.content).toBe("Echo: Ready?");

    await agents.delete(created.id);
    expect(await captureRejection(agents.get(created.id))).toBeInstanceOf(NotFoundError);
  });
});
