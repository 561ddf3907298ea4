import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ClientOptions } from "../../src/core/client-options.js";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import {
  AbortError,
  NotFoundError,
  ResponseTooLargeError,
  StreamError,
  TimeoutError,
  ValidationError,
} from "../../src/index.js";
import { isBatchResultSuccess } from "../../src/resources/batch/batch-results.js";
import { isTerminalBatchStatus } from "../../src/resources/batch/batch-status.js";
import { Batch } from "../../src/resources/batch.js";
import { Files } from "../../src/resources/files.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { batchRoutes } from "../../src/testing/routes/batch.js";
import { filesRoutes } from "../../src/testing/routes/files.js";
import { parseMultipartForm } from "../../src/testing/routes/files-multipart.js";
import type { BatchJob, BatchResultLine } from "../../src/types/batch.js";

const apiKey = "batch-test-key";
const jobId = "7f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f";
const outputId = "aaaaaaaa-0000-4000-8000-000000000001";
const errorId = "aaaaaaaa-0000-4000-8000-000000000002";

/** The three successive bodies of one job: queued, running, then done with both result files. */
const queuedJob = `{"id":"${jobId}","object":"batch","input_files":["11111111-2222-4333-8444-555555555555"],"metadata":null,"endpoint":"/v1/chat/completions","model":"mistral-small-latest","agent_id":null,"output_file":null,"error_file":null,"errors":[],"outputs":null,"status":"QUEUED","created_at":1764806400,"total_requests":3,"completed_requests":0,"succeeded_requests":0,"failed_requests":0,"started_at":null,"completed_at":null}`;
const runningJob = `{"id":"${jobId}","object":"batch","input_files":["11111111-2222-4333-8444-555555555555"],"metadata":null,"endpoint":"/v1/chat/completions","model":"mistral-small-latest","agent_id":null,"output_file":null,"error_file":null,"errors":[],"outputs":null,"status":"RUNNING","created_at":1764806400,"total_requests":3,"completed_requests":1,"succeeded_requests":1,"failed_requests":0,"started_at":1764806410,"completed_at":null}`;
const finishedJob = `{"id":"${jobId}","object":"batch","input_files":["11111111-2222-4333-8444-555555555555"],"metadata":null,"endpoint":"/v1/chat/completions","model":"mistral-small-latest","agent_id":null,"output_file":"${outputId}","error_file":"${errorId}","errors":[],"outputs":null,"status":"SUCCESS","created_at":1764806400,"total_requests":3,"completed_requests":3,"succeeded_requests":2,"failed_requests":1,"started_at":1764806410,"completed_at":1764806500}`;

const outputMetadata = `{"id":"${outputId}","object":"file","bytes":512,"created_at":1764806500,"filename":"batch-output.jsonl","purpose":"batch","sample_type":"batch_result","source":"mistral","num_lines":2,"mimetype":"application/jsonl","signature":null}`;

/** Output file: custom ids 2 then 0, and no newline after the last line. */
const outputContent =
  `{"id":"batch-7f0c-3","custom_id":"2","response":{"status_code":200,"body":{"id":"c3","object":"chat.completion","model":"mistral-small-latest","created":1764806490,"choices":[{"index":0,"message":{"role":"assistant","content":"Croissant."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}},"error":null}\n` +
  `{"id":"batch-7f0c-1","custom_id":"0","response":{"status_code":200,"body":{"id":"c1","object":"chat.completion","model":"mistral-small-latest","created":1764806480,"choices":[{"index":0,"message":{"role":"assistant","content":"Comté."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}},"error":null}`;

const errorContent = `{"id":"batch-7f0c-2","custom_id":"1","response":{"status_code":400,"body":{"object":"error","message":"Invalid model: mistral-tiny-legacy","type":"invalid_model","param":null,"code":"1500"}},"error":null}\n`;

let server: MockMistralServer;
let batch: Batch;
let files: Files;

function createClient(options: ClientOptions = {}) {
  const config = resolveConfig({ apiKey, baseURL: server.url, maxRetries: 0, ...options }, {});
  const transport = new Transport(config, "mistralai-ts/test");
  return { batch: new Batch(transport), files: new Files(transport) };
}

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: [...filesRoutes, ...batchRoutes] });
  ({ batch, files } = createClient());
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

function requestsTo(path: string): RecordedRequest[] {
  return server.requests.filter((request) => request.path === path);
}

function enqueueFinishedJobFiles(output = outputContent, errors = errorContent): void {
  server.enqueue(
    { match: { path: `/v1/files/${outputId}/content` }, body: output, headers: octetStream },
    { match: { path: `/v1/files/${errorId}/content` }, body: errors, headers: octetStream },
  );
}

const octetStream = { "content-type": "application/octet-stream" };

// biome-ignore lint/suspicious/noExplicitAny: result bodies are read field by field.
function bodyOf(line: BatchResultLine | undefined): any {
  return line?.response?.body;
}

describe("batch status values", () => {
  it.each([
    ["SUCCESS", true],
    ["FAILED", true],
    ["TIMEOUT_EXCEEDED", true],
    ["CANCELLED", true],
    ["QUEUED", false],
    ["RUNNING", false],
    ["CANCELLATION_REQUESTED", false],
    ["PAUSED_FOR_MAINTENANCE", false],
  ])("isTerminalBatchStatus(%s) is %s", (status, terminal) => {
    expect(isTerminalBatchStatus(status)).toBe(terminal);
  });
});

describe("batch.wait", () => {
  it("polls three times until SUCCESS", async () => {
    const path = `/v1/batch/jobs/${jobId}`;
    server.enqueue(
      { match: { path }, body: queuedJob },
      { match: { path }, body: runningJob },
      { match: { path }, body: finishedJob },
    );
    const seen: Array<[string, number, number, number]> = [];

    const job = await batch.wait(jobId, {
      pollIntervalMs: 5,
      onProgress: (current) =>
        seen.push([
          current.status,
          current.succeeded_requests,
          current.failed_requests,
          current.total_requests,
        ]),
    });

    expect(requestsTo(path)).toHaveLength(3);
    expect(requestsTo(path).every((request) => request.method === "GET")).toBe(true);
    expect(job.status).toBe("SUCCESS");
    expect(job.output_file).toBe(outputId);
    expect(job.error_file).toBe(errorId);
    expect(seen).toEqual([
      ["QUEUED", 0, 0, 3],
      ["RUNNING", 1, 0, 3],
      ["SUCCESS", 2, 1, 3],
    ]);
  });

  it("keeps polling through an unknown status", async () => {
    const path = `/v1/batch/jobs/${jobId}`;
    server.enqueue(
      { match: { path }, body: queuedJob.replace('"QUEUED"', '"PAUSED_FOR_MAINTENANCE"') },
      { match: { path }, body: finishedJob },
    );
    const statuses: string[] = [];

    await batch.wait(jobId, { pollIntervalMs: 1, onProgress: (job) => statuses.push(job.status) });

    expect(statuses).toEqual(["PAUSED_FOR_MAINTENANCE", "SUCCESS"]);
  });

  it("keeps polling after CANCELLATION_REQUESTED", async () => {
    const path = `/v1/batch/jobs/${jobId}`;
    server.enqueue(
      { match: { path }, body: runningJob.replace('"RUNNING"', '"CANCELLATION_REQUESTED"') },
      { match: { path }, body: runningJob.replace('"RUNNING"', '"CANCELLED"') },
    );

    const job = await batch.wait(jobId, { pollIntervalMs: 1 });

    expect(job.status).toBe("CANCELLED");
    expect(requestsTo(path)).toHaveLength(2);
  });

  it("returns a FAILED job instead of throwing", async () => {
    const failed = queuedJob
      .replace('"QUEUED"', '"FAILED"')
      .replace('"errors":[]', '"errors":[{"message":"Input file is empty","count":1}]');
    server.enqueue({ match: { path: `/v1/batch/jobs/${jobId}` }, body: failed });

    const job = await batch.wait(jobId, { pollIntervalMs: 1 });

    expect(job.status).toBe("FAILED");
    expect(job.errors).toEqual([{ message: "Input file is empty", count: 1 }]);
  });

  it("stops with a TimeoutError after timeoutMs", async () => {
    server.enqueue({ match: { path: `/v1/batch/jobs/${jobId}` }, body: runningJob, times: 100 });

    const error = await batch
      .wait(jobId, { pollIntervalMs: 10, timeoutMs: 60 })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toContain("still RUNNING");
    expect(requestsTo(`/v1/batch/jobs/${jobId}`).length).toBeGreaterThan(1);
    server.clearQueue();
  });

  it("stops with an AbortError when the signal aborts", async () => {
    server.enqueue({ match: { path: `/v1/batch/jobs/${jobId}` }, body: runningJob, times: 100 });
    const controller = new AbortController();

    const waiting = batch.wait(jobId, {
      pollIntervalMs: 10_000,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });

    await expect(waiting).rejects.toThrow(AbortError);
    expect(requestsTo(`/v1/batch/jobs/${jobId}`)).toHaveLength(1);
    server.clearQueue();
  });

  it("stops on the signal of the request options", async () => {
    server.enqueue({ match: { path: `/v1/batch/jobs/${jobId}` }, body: runningJob, times: 100 });
    const controller = new AbortController();

    const waiting = batch.wait(
      jobId,
      { pollIntervalMs: 10_000, onProgress: () => controller.abort() },
      { signal: controller.signal },
    );

    await expect(waiting).rejects.toThrow(AbortError);
    server.clearQueue();
  });

  it("grows the delay up to maxPollIntervalMs", async () => {
    const path = `/v1/batch/jobs/${jobId}`;
    server.enqueue(
      { match: { path }, body: runningJob, times: 4 },
      { match: { path }, body: finishedJob },
    );

    await batch.wait(jobId, { pollIntervalMs: 20, maxPollIntervalMs: 30 });

    const times = requestsTo(path).map((request) => request.receivedAt);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps.slice(1).every((gap) => gap >= 28)).toBe(true);
    expect(gaps.every((gap) => gap < 200)).toBe(true);
  });

  it("rejects a bad poll interval", async () => {
    await expect(batch.wait(jobId, { pollIntervalMs: -1 })).rejects.toThrow("pollIntervalMs");
    expect(server.requests).toHaveLength(0);
  });
});

describe("batch results", () => {
  it("reads metadata and content from different paths", async () => {
    server.enqueue({ match: { path: `/v1/files/${outputId}` }, body: outputMetadata });
    enqueueFinishedJobFiles();

    const metadata = await files.retrieve(outputId);
    const content = await (await files.download(outputId)).text();

    const [metadataRequest, contentRequest] = server.requests;
    expect(metadataRequest?.path).toBe(`/v1/files/${outputId}`);
    expect(metadata.num_lines).toBe(2);
    expect(metadata.sample_type).toBe("batch_result");
    expect(contentRequest?.path).toBe(`/v1/files/${outputId}/content`);
    expect(contentRequest?.headers.accept).not.toBe("application/json");
    expect(content).toBe(outputContent);
  });

  it("merges output and error files by custom_id", async () => {
    enqueueFinishedJobFiles();

    const results = await batch.results(JSON.parse(finishedJob) as BatchJob).toMap();

    expect([...results.keys()]).toEqual(["0", "1", "2"]);
    expect(bodyOf(results.get("0")).choices[0].message.content).toBe("Comté.");
    expect(bodyOf(results.get("2")).choices[0].message.content).toBe("Croissant.");
    const failed = results.get("1");
    expect(failed?.response?.status_code).toBe(400);
    expect(bodyOf(failed).type).toBe("invalid_model");
    expect(bodyOf(failed).code).toBe("1500");
    expect(isBatchResultSuccess(failed!)).toBe(false);
    expect(isBatchResultSuccess(results.get("0")!)).toBe(true);
    expect([...results.values()].every((line) => typeof line.custom_id === "string")).toBe(true);
    expect(server.requests.map((request) => request.path)).toEqual([
      `/v1/files/${outputId}/content`,
      `/v1/files/${errorId}/content`,
    ]);
  });

  it("streams lines in file order", async () => {
    enqueueFinishedJobFiles();

    const ids: Array<string | null> = [];
    for await (const line of batch.results(JSON.parse(finishedJob) as BatchJob)) {
      ids.push(line.custom_id);
    }

    expect(ids).toEqual(["2", "0", "1"]);
  });

  it("fetches the job first when given its id", async () => {
    server.enqueue({ match: { path: `/v1/batch/jobs/${jobId}` }, body: finishedJob });
    enqueueFinishedJobFiles();

    const results = await batch.results(jobId).toMap();

    expect(results.size).toBe(3);
    expect(server.requests[0]?.path).toBe(`/v1/batch/jobs/${jobId}`);
  });

  it("reads CRLF line endings and blank lines", async () => {
    const crlf = `${outputContent.replace("\n", "\r\n")}\r\n\r\n`;
    enqueueFinishedJobFiles(crlf, errorContent.replace("\n", "\r\n"));

    const results = await batch.results(JSON.parse(finishedJob) as BatchJob).toMap();

    expect([...results.keys()]).toEqual(["0", "1", "2"]);
  });

  it("sorts numeric ids by value", async () => {
    const lines = ["10", "9", "b", "a", "100"].map((id) =>
      JSON.stringify({
        id: `r${id}`,
        custom_id: id,
        response: { status_code: 200, body: {} },
        error: null,
      }),
    );
    const job = { ...(JSON.parse(finishedJob) as BatchJob), error_file: null };
    server.enqueue({ match: { path: `/v1/files/${outputId}/content` }, body: lines.join("\n") });

    const results = await batch.results(job).toMap();

    expect([...results.keys()]).toEqual(["9", "10", "100", "a", "b"]);
  });

  it("rejects a line longer than maxResponseBytes", async () => {
    const long = JSON.stringify({
      custom_id: "0",
      response: { status_code: 200, body: "x".repeat(4000) },
    });
    server.enqueue({ match: { path: `/v1/files/${outputId}/content` }, body: long });
    const job = { ...(JSON.parse(finishedJob) as BatchJob), error_file: null };
    const bounded = createClient({ maxResponseBytes: 2048 });

    await expect(bounded.batch.results(job).toMap()).rejects.toThrow(ResponseTooLargeError);
  });

  it("names the file and line of invalid JSON", async () => {
    server.enqueue({
      match: { path: `/v1/files/${outputId}/content` },
      body: `${outputContent}\n{"custom_id": "3", "resp`,
    });
    const job = { ...(JSON.parse(finishedJob) as BatchJob), error_file: null };

    const error = await batch
      .results(job)
      .toMap()
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain(`Line 3 of result file ${outputId}`);
  });

  it("rejects a job that is still running", async () => {
    const results = batch.results(JSON.parse(runningJob) as BatchJob);

    await expect(results.toMap()).rejects.toThrow(ValidationError);
    await expect(results.toMap()).rejects.toThrow("await batch.wait");
    expect(server.requests).toHaveLength(0);
  });

  it("yields nothing for a final job without files", async () => {
    const cancelled = { ...(JSON.parse(queuedJob) as BatchJob), status: "CANCELLED" };

    const results = await batch.results(cancelled).toMap();

    expect(results.size).toBe(0);
  });
});

describe("batch.create", () => {
  it("sends exactly the fields given", async () => {
    const uploaded = await files.upload({
      file: {
        name: "in.jsonl",
        data: '{"custom_id":"a","body":{"messages":[{"role":"user","content":"Hi"}]}}',
      },
      purpose: "batch",
    });

    const job = await batch.create({
      input_files: [uploaded.id],
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
      metadata: { team: "search" },
      timeout_hours: 2,
    });

    const request = lastRequest();
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/batch/jobs");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body).toEqual({
      input_files: [uploaded.id],
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
      metadata: { team: "search" },
      timeout_hours: 2,
    });
    expect(job.status).toBe("QUEUED");
    expect(job.total_requests).toBe(1);
    expect(job.input_files).toEqual([uploaded.id]);
  });

  it("sends inline requests in the body", async () => {
    const job = await batch.create({
      requests: [{ custom_id: "x", body: { messages: [{ role: "user", content: "Hi" }] } }],
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
    });

    expect(lastRequest().body).toEqual({
      requests: [{ custom_id: "x", body: { messages: [{ role: "user", content: "Hi" }] } }],
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
    });
    expect(job.total_requests).toBe(1);
  });

  it.each([
    ["no endpoint", { input_files: ["f"] }, "endpoint"],
    ["no input", { endpoint: "/v1/chat/completions" }, "input_files"],
    ["empty file id", { endpoint: "/v1/embeddings", input_files: [""] }, "input_files[0]"],
    [
      "duplicate custom_id",
      {
        endpoint: "/v1/embeddings",
        requests: [
          { custom_id: "a", body: {} },
          { custom_id: "a", body: {} },
        ],
      },
      "requests[1].custom_id",
    ],
    [
      "body not an object",
      { endpoint: "/v1/embeddings", requests: [{ body: "x" }] },
      "requests[0].body",
    ],
    [
      "zero timeout",
      { endpoint: "/v1/embeddings", input_files: ["f"], timeout_hours: 0 },
      "timeout_hours",
    ],
    [
      "long metadata key",
      { endpoint: "/v1/ocr", input_files: ["f"], metadata: { ["k".repeat(33)]: "v" } },
      `metadata.${"k".repeat(33)}`,
    ],
    [
      "empty metadata value",
      { endpoint: "/v1/ocr", input_files: ["f"], metadata: { team: "" } },
      "metadata.team",
    ],
    ["empty model", { endpoint: "/v1/ocr", input_files: ["f"], model: "" }, "model"],
  ])("rejects %s", async (_, request, problemPath) => {
    const error = await batch.create(request as never).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toContain(
      problemPath,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("rejects more than 10000 inline requests", async () => {
    const requests = Array.from({ length: 10_001 }, (_, index) => ({
      custom_id: String(index),
      body: {},
    }));

    await expect(batch.create({ endpoint: "/v1/embeddings", requests })).rejects.toThrow(
      "createFromRequests",
    );
  });

  it("reports a missing input file from the server", async () => {
    await expect(
      batch.create({
        endpoint: "/v1/chat/completions",
        input_files: ["00000000-0000-4000-8000-000000000000"],
      }),
    ).rejects.toThrow(NotFoundError);
  });
});

describe("batch.createFromRequests", () => {
  const requests = [
    { custom_id: "0", body: { messages: [{ role: "user", content: "Best French cheese?" }] } },
    {
      custom_id: "1",
      body: { max_tokens: 10, messages: [{ role: "user", content: "Best wine?" }] },
    },
  ];

  it("uploads JSONL, then creates the job from it", async () => {
    const job = await batch.createFromRequests({
      requests,
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
    });

    const [upload, create] = server.requests;
    expect(upload?.path).toBe("/v1/files");
    const form = parseMultipartForm(upload?.headers["content-type"], upload!.rawBody);
    if ("error" in form) throw new Error(form.error);
    expect(form.parts.map((part) => part.name)).toEqual(["purpose", "file"]);
    expect(form.parts[0]?.data.toString()).toBe("batch");
    expect(form.parts[1]?.filename).toBe("batch-requests.jsonl");
    expect(form.parts[1]?.contentType).toBe("application/jsonl");
    expect(form.parts[1]?.data.toString()).toBe(
      requests.map((request) => JSON.stringify(request)).join("\n"),
    );
    expect(create?.path).toBe("/v1/batch/jobs");
    expect(create?.body).toEqual({
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
      input_files: [job.input_files[0]],
    });
    expect(job.total_requests).toBe(2);
  });

  it("names the uploaded file", async () => {
    await batch.createFromRequests({
      requests,
      endpoint: "/v1/chat/completions",
      filename: "q.jsonl",
    });

    expect(server.requests[0]?.rawBody.toString()).toContain('filename="q.jsonl"');
  });

  it.each([
    ["no requests", [], "requests"],
    ["missing custom_id", [{ body: {} }], "requests[0].custom_id"],
    ["numeric custom_id", [{ custom_id: 0, body: {} }], "requests[0].custom_id"],
    [
      "duplicate custom_id",
      [
        { custom_id: "a", body: {} },
        { custom_id: "b", body: {} },
        { custom_id: "a", body: {} },
      ],
      "requests[2].custom_id",
    ],
  ])("rejects %s before uploading", async (_, list, problemPath) => {
    const error = await batch
      .createFromRequests({ requests: list as never, endpoint: "/v1/chat/completions" })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toContain(
      problemPath,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe("batch list, get and cancel", () => {
  it("sends the list filters under the API's query names", async () => {
    await batch
      .list({
        page: 1,
        page_size: 10,
        model: "mistral-small-latest",
        agent_id: "ag_1",
        metadata: { team: "search" },
        created_after: new Date("2026-12-01T00:00:00Z"),
        created_by_me: true,
        status: ["RUNNING", "QUEUED"],
        order_by: "created",
      })
      .page();

    const request = lastRequest();
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/v1/batch/jobs");
    const query = new URLSearchParams(request.url.split("?")[1]);
    expect([...query]).toEqual([
      ["model", "mistral-small-latest"],
      ["agent_id", "ag_1"],
      ["created_by_me", "true"],
      ["order_by", "created"],
      ["metadata", '{"team":"search"}'],
      ["created_after", "2026-12-01T00:00:00.000Z"],
      ["status", "RUNNING"],
      ["status", "QUEUED"],
      ["page", "1"],
      ["page_size", "10"],
    ]);
  });

  it("lists jobs page by page with filters", async () => {
    const input = { endpoint: "/v1/chat/completions", requests: [{ body: { messages: [] } }] };
    await batch.create({ ...input, model: "a-model", metadata: { team: "x" } });
    await batch.create({ ...input, model: "a-model" });
    await batch.create({ ...input, model: "b-model" });

    const all = await batch.list({ page_size: 2 }).toArray();
    const filtered = await batch.list({ model: "a-model", metadata: { team: "x" } }).toArray();

    expect(all.map((job) => job.model)).toEqual(["b-model", "a-model", "a-model"]);
    expect(filtered).toHaveLength(1);
  });

  it("gets a job, inline when asked", async () => {
    const created = await batch.create({
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
      requests: [{ custom_id: "a", body: { messages: [{ role: "user", content: "Hi" }] } }],
    });

    await batch.get(created.id);
    await batch.get(created.id);
    const done = await batch.get(created.id, { inline: true });

    expect(lastRequest().path).toBe(`/v1/batch/jobs/${created.id}`);
    expect(lastRequest().query).toEqual({ inline: "true" });
    expect(server.requests.at(-2)?.url).toBe(`/v1/batch/jobs/${created.id}`);
    expect(done.status).toBe("SUCCESS");
    expect(done.outputs).toHaveLength(1);
  });

  it("cancels a job", async () => {
    const created = await batch.create({
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
      requests: [{ custom_id: "a", body: { messages: [{ role: "user", content: "Hi" }] } }],
    });

    const cancelling = await batch.cancel(created.id);
    const cancelled = await batch.wait(created.id, { pollIntervalMs: 1 });

    expect(server.requests[1]?.method).toBe("POST");
    expect(server.requests[1]?.path).toBe(`/v1/batch/jobs/${created.id}/cancel`);
    expect(server.requests[1]?.rawBody.byteLength).toBe(0);
    expect(cancelling.status).toBe("CANCELLATION_REQUESTED");
    expect(cancelled.status).toBe("CANCELLED");
  });

  it("does not retry a cancel after a 500", async () => {
    server.enqueue({ match: { path: `/v1/batch/jobs/${jobId}/cancel` }, status: 500, body: {} });
    const retrying = createClient({ maxRetries: 2, retry: { initialDelayMs: 1 } });

    await expect(retrying.batch.cancel(jobId)).rejects.toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it("rejects an unsafe job id", async () => {
    await expect(batch.get("../files")).rejects.toThrow(ValidationError);
    await expect(batch.cancel("a/b")).rejects.toThrow(ValidationError);
  });
});

describe("batch flow against the default routes", () => {
  it("creates from requests, waits, then reads results", async () => {
    const job = await batch.createFromRequests({
      endpoint: "/v1/chat/completions",
      model: "mistral-small-latest",
      requests: [
        { custom_id: "cheese", body: { messages: [{ role: "user", content: "Best cheese?" }] } },
        { custom_id: "broken", body: { messages: [] } },
        { custom_id: "wine", body: { messages: [{ role: "user", content: "Best wine?" }] } },
      ],
    });
    const counts: string[] = [];

    const finished = await batch.wait(job.id, {
      pollIntervalMs: 1,
      onProgress: (current) =>
        counts.push(`${current.status} ${current.completed_requests}/${current.total_requests}`),
    });
    const results = await batch.results(finished).toMap();

    expect(counts).toEqual(["QUEUED 0/3", "RUNNING 1/3", "SUCCESS 3/3"]);
    expect(finished.succeeded_requests).toBe(2);
    expect(finished.failed_requests).toBe(1);
    expect([...results.keys()]).toEqual(["broken", "cheese", "wine"]);
    expect(bodyOf(results.get("cheese")).choices[0].message.content).toBe("Echo: Best cheese?");
    expect(bodyOf(results.get("wine")).choices[0].message.content).toBe("Echo: Best wine?");
    expect(results.get("broken")?.response?.status_code).toBe(422);
    const output = await files.retrieve(finished.output_file!);
    expect(output.source).toBe("mistral");
    expect(output.sample_type).toBe("batch_result");
    expect(output.num_lines).toBe(2);
  });
});
