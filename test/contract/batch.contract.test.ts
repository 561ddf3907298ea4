import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Batch } from "../../src/resources/batch.js";
import { Files } from "../../src/resources/files.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { batchRoutes } from "../../src/testing/routes/batch.js";
import { filesRoutes } from "../../src/testing/routes/files.js";
import type { BatchJob, BatchJobCreateRequest } from "../../src/types/batch.js";
import { loadSpec, requestSchemaValidator, responseSchemaValidator } from "./spec.js";

const apiKey = "sk-batch-contract-key";

const chatBody = { messages: [{ role: "user", content: "Best French cheese?" }], max_tokens: 50 };

let server: MockMistralServer;
let batch: Batch;
let files: Files;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: [...filesRoutes, ...batchRoutes] });
  const config = resolveConfig({ apiKey, baseURL: server.url, maxRetries: 0 }, {});
  const transport = new Transport(config, "mistralai-ts/contract");
  batch = new Batch(transport);
  files = new Files(transport);
});

afterAll(async () => {
  await server.close();
});

/** Job bodies as callers build them: from a file, inline, and with every field set. */
async function jobRequests(): Promise<Record<string, BatchJobCreateRequest>> {
  const input = await files.upload({
    file: { name: "in.jsonl", data: JSON.stringify({ custom_id: "0", body: chatBody }) },
    purpose: "batch",
  });
  return {
    "from a file": { input_files: [input.id], endpoint: "/v1/chat/completions", model: "m" },
    inline: {
      requests: [{ custom_id: "0", body: chatBody }, { body: chatBody }],
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
    },
    "every field": {
      input_files: [input.id],
      endpoint: "/v1/embeddings",
      model: "mistral-embed",
      agent_id: null,
      metadata: { team: "search", run: "42" },
      timeout_hours: 48,
    },
  };
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("batch request bodies", () => {
  const validate = requestSchemaValidator("POST", "/v1/batch/jobs");

  it("create() bodies validate", async () => {
    for (const request of Object.values(await jobRequests())) {
      server.requests.length = 0;
      await batch.create(request);
      const body = server.requests[0]?.body;
      expect(body).toEqual(request);
      expect(validate(body).errors).toEqual([]);
    }
  });

  it("createFromRequests() body validates", async () => {
    server.requests.length = 0;
    await batch.createFromRequests({
      requests: [{ custom_id: "a", body: chatBody }],
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
      metadata: { team: "search" },
    });

    expect(validate(server.requests[1]?.body).errors).toEqual([]);
  });

  it("list sends only the spec's query names", async () => {
    server.requests.length = 0;
    await batch
      .list({
        page: 0,
        page_size: 5,
        model: "m",
        agent_id: "a",
        metadata: { team: "x" },
        created_after: "2026-12-01T00:00:00Z",
        created_by_me: false,
        status: "SUCCESS",
        order_by: "-created",
      })
      .page();

    const operation = loadSpec().paths["/v1/batch/jobs"]?.["get"];
    const parameters = (operation?.["parameters"] ?? []) as Array<{ name: string; in: string }>;
    const specified = parameters.filter((item) => item.in === "query").map((item) => item.name);
    const sent = [...new URLSearchParams(server.requests[0]!.url.split("?")[1]).keys()];
    expect(sent.filter((name) => !specified.includes(name))).toEqual([]);
    expect(specified.filter((name) => !sent.includes(name))).toEqual([]);
  });
});

describe("batch default replies", () => {
  const validateJob = responseSchemaValidator("GET", "/v1/batch/jobs/{job_id}");

  it("a job validates in every state", async () => {
    const requests = await jobRequests();
    const created = await batch.create(requests.inline!);
    const states: BatchJob[] = [created];
    for (let poll = 0; poll < 3; poll++) {
      states.push(await batch.get(created.id, { inline: poll === 2 }));
    }

    const validateCreate = responseSchemaValidator("POST", "/v1/batch/jobs");
    expect(validateCreate(plain(created)).errors).toEqual([]);
    expect(states.map((job) => job.status)).toEqual(["QUEUED", "QUEUED", "RUNNING", "SUCCESS"]);
    for (const job of states) {
      expect(validateJob(plain(job)).errors).toEqual([]);
    }
  });

  it("a cancelled job validates", async () => {
    const created = await batch.create((await jobRequests())["from a file"]!);

    const cancelling = await batch.cancel(created.id);
    const cancelled = await batch.get(created.id);

    const validateCancel = responseSchemaValidator("POST", `/v1/batch/jobs/${created.id}/cancel`);
    expect(validateCancel(plain(cancelling)).errors).toEqual([]);
    expect(validateJob(plain(cancelled)).errors).toEqual([]);
    expect(cancelled.status).toBe("CANCELLED");
  });

  it("the job list validates", async () => {
    await batch.create((await jobRequests())["every field"]!);

    const page = await batch.list({ page_size: 2 }).page();

    expect(responseSchemaValidator("GET", "/v1/batch/jobs")(page.raw).errors).toEqual([]);
  });

  it("result files validate as file metadata", async () => {
    const created = await batch.create((await jobRequests()).inline!);
    const done = await batch.wait(created.id, { pollIntervalMs: 1 });

    const output = await files.retrieve(done.output_file!);

    const validate = responseSchemaValidator("GET", `/v1/files/${output.id}`);
    expect(validate(plain(output)).errors).toEqual([]);
  });

  it("every batch operation of the spec has a default route", () => {
    const specified = Object.entries(loadSpec().paths)
      .filter(([path]) => path.startsWith("/v1/batch"))
      .flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
    const routed = batchRoutes.map((route) => `${route.method} ${route.path}`);

    expect(specified.filter((operation) => !routed.includes(operation))).toEqual([]);
  });
});
