import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { buildIfStale, type CliRunOptions, runCli, startCli, waitForExit } from "./run-cli.js";

const apiKey = "cli-file-commands-key-0123456789";
let server: MockMistralServer;
let workDirectory: string;

/** Environment pointing the command at the test server with the right key. */
function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { MISTRAL_API_KEY: apiKey, MISTRAL_BASE_URL: server.url, ...extra };
}

/** Creates a new empty directory for one test and returns its path. */
async function newDirectory(): Promise<string> {
  return mkdtemp(join(workDirectory, "case-"));
}

/** Runs the command and collects stdout as bytes, for binary content. */
async function runCliBytes(args: string[], options: CliRunOptions = {}) {
  const child = startCli(args, options);
  const chunks: Buffer[] = [];
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  return { code, stdout: Buffer.concat(chunks), stderr };
}

/** Lines of a JSONL file of chat requests, one per custom id. */
function chatRequestLines(ids: string[]): string {
  return ids
    .map((id) =>
      JSON.stringify({
        custom_id: id,
        body: { messages: [{ role: "user", content: `Question ${id}` }] },
      }),
    )
    .join("\n");
}

beforeAll(async () => {
  buildIfStale();
  server = await MockMistralServer.start({ apiKey });
  workDirectory = await mkdtemp(join(tmpdir(), "mistral-cli-files-"));
}, 120_000);

afterEach(() => {
  server.reset();
});

afterAll(async () => {
  await server?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

describe("mistral files", () => {
  it("round-trips bytes through upload, list and download", async () => {
    const directory = await newDirectory();
    const content = randomBytes(300_000);
    const path = join(directory, "data.bin");
    await writeFile(path, content);

    const uploaded = await runCli(["files", "upload", path], { env: serverEnv() });
    expect(uploaded.code).toBe(ExitCode.success);
    const id = uploaded.stdout.trim();
    expect(id).toMatch(/^\S+$/);

    const listed = await runCli(["files", "list"], { env: serverEnv() });
    const rows = listed.stdout.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^ID\s+PURPOSE\s+BYTES\s+CREATED\s+NAME$/);
    expect(rows[1]).toMatch(
      new RegExp(
        `^${id}\\s+fine-tune\\s+300000\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+data\\.bin$`,
      ),
    );

    const piped = await runCliBytes(["files", "download", id], { env: serverEnv() });
    expect(piped.code).toBe(ExitCode.success);
    expect(piped.stdout.equals(content)).toBe(true);

    const target = join(directory, "copy.bin");
    const saved = await runCli(["files", "download", id, "-o", target], { env: serverEnv() });
    expect(saved.code).toBe(ExitCode.success);
    expect(saved.stdout).toBe("");
    expect(saved.stderr).toContain(`Saved 293.0 KiB to ${target}`);
    expect((await readFile(target)).equals(content)).toBe(true);
    expect(await readdir(directory)).toEqual(["copy.bin", "data.bin"]);
  });

  it("uploads with a purpose and prints JSON", async () => {
    const path = join(await newDirectory(), "requests.jsonl");
    await writeFile(path, chatRequestLines(["a", "b"]));
    const args = ["files", "upload", "--purpose", "batch", "--json", path];
    const result = await runCli(args, { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    const file = JSON.parse(result.stdout);
    expect(file.purpose).toBe("batch");
    expect(file.filename).toBe("requests.jsonl");
    expect(file.num_lines).toBe(2);

    const listed = await runCli(["files", "list", "--json", "--purpose", "batch"], {
      env: serverEnv(),
    });
    expect(
      listed.stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).id),
    ).toEqual([file.id]);
    expect(server.requests.at(-1)?.query.purpose).toBe("batch");
  });

  it("deletes a file", async () => {
    const path = join(await newDirectory(), "notes.txt");
    await writeFile(path, "some notes");
    const id = (await runCli(["files", "upload", path], { env: serverEnv() })).stdout.trim();

    const deleted = await runCli(["files", "delete", id], { env: serverEnv() });
    expect(deleted.stdout).toBe(`${id}\n`);
    expect(deleted.code).toBe(ExitCode.success);

    const info = await runCli(["files", "info", id], { env: serverEnv() });
    expect(info.stderr).toContain("not found");
    expect(info.code).toBe(ExitCode.apiError);
  });

  it("prints plain progress lines when stderr is not a terminal", async () => {
    const path = join(await newDirectory(), "big.bin");
    await writeFile(path, randomBytes(2 * 1024 * 1024));
    const result = await runCli(["files", "upload", path], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    expect(result.stderr).not.toContain("\r");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) {
      expect(line).toMatch(/^Uploading big\.bin: +\d+% \([\d.]+ (B|KiB|MiB) of 2\.0 MiB\)$/);
    }

    expect(lines.at(-1)).toMatch(/: 100% \(2\.0 MiB of 2\.0 MiB\)$/);
  });

  it("rejects a missing file before any request", async () => {
    const path = join(workDirectory, "no-such-file.bin");
    const result = await runCli(["files", "upload", path], { env: serverEnv() });

    expect(result.stderr).toContain(`Cannot read ${path} (ENOENT)`);
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });

  it("keeps no partial file when a download fails", async () => {
    const directory = await newDirectory();
    const path = join(directory, "data.bin");
    await writeFile(path, randomBytes(100_000));
    const id = (await runCli(["files", "upload", path], { env: serverEnv() })).stdout.trim();
    server.enqueue({
      match: { path: `/v1/files/${id}/content` },
      fault: "close-mid-body",
      times: 3,
    });
    const target = join(directory, "copy.bin");
    const result = await runCli(["files", "download", id, "-o", target], {
      env: serverEnv({ MISTRAL_MAX_RETRIES: "0" }),
    });

    expect(result.code).not.toBe(ExitCode.success);
    expect(result.stderr).toMatch(/^mistral: /m);
    expect(await readdir(directory)).toEqual(["data.bin"]);
  });

  it.each([
    [["files"]],
    [["files", "copy", "x"]],
    [["files", "list", "extra"]],
    [["files", "download"]],
    [["files", "upload", "-o", "x", "y"]],
  ])("rejects usage error %j", async (args) => {
    const result = await runCli(args, { env: serverEnv() });

    expect(result.stderr).toContain("mistral files --help");
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });
});

describe("mistral batch", () => {
  it("runs a whole batch flow", async () => {
    const path = join(await newDirectory(), "requests.jsonl");
    await writeFile(path, `${chatRequestLines(["req-1", "req-2", "req-3"])}\n`);

    const created = await runCli(
      ["batch", "create", "--input", path, "--model", "mistral-small-latest"],
      { env: serverEnv() },
    );
    expect(created.code).toBe(ExitCode.success);
    const id = created.stdout.trim();
    expect(created.stderr).toContain(`Created batch job ${id} with 3 requests`);
    const job = server.requests.find((request) => request.path === "/v1/batch/jobs")?.body;
    expect(job).toMatchObject({ endpoint: "/v1/chat/completions", model: "mistral-small-latest" });

    const waited = await runCli(["batch", "wait", "--poll-interval", "0.05", id], {
      env: serverEnv(),
    });
    expect(waited.code).toBe(ExitCode.success);
    expect(waited.stdout).toMatch(/^status\s+SUCCESS$/m);
    expect(waited.stdout).toMatch(/^requests\s+3 total, 3 done \(3 succeeded, 0 failed\)$/m);
    const progress = waited.stderr.trimEnd().split("\n");
    expect(progress[0]).toMatch(new RegExp(`^Batch job ${id} QUEUED: +0% `));
    expect(progress.some((line) => line.includes(" RUNNING: "))).toBe(true);
    expect(progress.at(-1)).toBe(`Batch job ${id} SUCCESS: 100% (3 of 3 requests done, 0 failed)`);

    const results = await runCli(["batch", "results", id], { env: serverEnv() });
    expect(results.code).toBe(ExitCode.success);
    const lines = results.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.custom_id)).toEqual(["req-1", "req-2", "req-3"]);
    expect(lines.every((line) => line.response.status_code === 200)).toBe(true);
    expect(lines[0].response.body.choices[0].message.content).toBe("Echo: Question req-1");
  });

  it("prints the status as JSON", async () => {
    const path = join(await newDirectory(), "requests.jsonl");
    await writeFile(path, chatRequestLines(["only"]));
    const id = (await runCli(["batch", "create", "-i", path], { env: serverEnv() })).stdout.trim();

    const status = await runCli(["batch", "status", "--json", id], { env: serverEnv() });
    expect(status.code).toBe(ExitCode.success);
    expect(JSON.parse(status.stdout)).toMatchObject({ id, status: "QUEUED", total_requests: 1 });
  });

  it("prints only failed requests with --errors", async () => {
    // A line without a body fails on the server; --file-id skips the command's own check.
    const path = join(await newDirectory(), "mixed.jsonl");
    const lines = [chatRequestLines(["good"]), JSON.stringify({ custom_id: "bad" })];
    await writeFile(path, lines.join("\n"));
    const upload = ["files", "upload", "--purpose", "batch", path];
    const fileId = (await runCli(upload, { env: serverEnv() })).stdout.trim();
    const create = ["batch", "create", "--file-id", fileId, "-m", "mistral-small-latest"];
    create.push("--metadata", "team=qa");
    const id = (await runCli(create, { env: serverEnv() })).stdout.trim();
    expect(server.requests.at(-1)?.body).toMatchObject({
      input_files: [fileId],
      metadata: { team: "qa" },
    });

    const waited = await runCli(["batch", "wait", "--poll-interval", "0.05", id], {
      env: serverEnv(),
    });
    expect(waited.code).toBe(ExitCode.success);
    expect(waited.stderr).toContain(`1 of 2 requests failed: print them with`);

    const all = await runCli(["batch", "results", id], { env: serverEnv() });
    expect(all.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(all.stderr).toContain("1 of 2 requests failed");

    const errors = await runCli(["batch", "results", "--errors", id], { env: serverEnv() });
    const failed = errors.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(failed.map((line) => line.custom_id)).toEqual(["bad"]);
    expect(errors.code).toBe(ExitCode.success);
  });

  it("rejects an invalid JSONL file before any request", async () => {
    const path = join(await newDirectory(), "broken.jsonl");
    const lines = [chatRequestLines(["a"]), "{not json", chatRequestLines(["a"]), "[1]"];
    await writeFile(path, lines.join("\n"));
    const result = await runCli(["batch", "create", "--input", path], { env: serverEnv() });

    expect(result.stderr).toContain("line 2 is not valid JSON");
    expect(result.stderr).toContain('line 3 repeats the custom_id "a" of line 1');
    expect(result.stderr).toContain("line 4 is not a JSON object");
    expect(result.code).toBe(ExitCode.validation);
    expect(server.requests).toHaveLength(0);
  });

  it("exits with status 9 when the job fails", async () => {
    const path = join(await newDirectory(), "empty.jsonl");
    await writeFile(path, "");
    const upload = ["files", "upload", "--purpose", "batch", path];
    const fileId = (await runCli(upload, { env: serverEnv() })).stdout.trim();
    const id = (
      await runCli(["batch", "create", "--file-id", fileId], { env: serverEnv() })
    ).stdout.trim();

    const waited = await runCli(["batch", "wait", "--poll-interval", "0.05", id], {
      env: serverEnv(),
    });
    expect(waited.stdout).toMatch(/^status\s+FAILED$/m);
    expect(waited.stderr).toContain(`Batch job ${id} ended with status FAILED`);
    expect(waited.code).toBe(ExitCode.apiError);
  });

  it("refuses results of a job still running", async () => {
    const path = join(await newDirectory(), "requests.jsonl");
    await writeFile(path, chatRequestLines(["x"]));
    const id = (await runCli(["batch", "create", "-i", path], { env: serverEnv() })).stdout.trim();

    const result = await runCli(["batch", "results", id], { env: serverEnv() });
    expect(result.stderr).toContain(`Batch job ${id} is still QUEUED`);
    expect(result.stderr).toContain(`mistral batch wait ${id}`);
    expect(result.code).toBe(ExitCode.validation);
  });

  it("stops waiting after --timeout with the timeout status", async () => {
    const path = join(await newDirectory(), "requests.jsonl");
    await writeFile(path, chatRequestLines(["x"]));
    const id = (await runCli(["batch", "create", "-i", path], { env: serverEnv() })).stdout.trim();

    const args = ["batch", "wait", "--poll-interval", "5", "--timeout", "0.2", id];
    const result = await runCli(args, { env: serverEnv() });
    // The last poll may already find the job RUNNING.
    expect(result.stderr).toMatch(
      new RegExp(`Batch job ${id} is still (QUEUED|RUNNING) after --timeout 0.2 s`),
    );
    expect(result.stderr).not.toContain("MISTRAL_TIMEOUT");
    expect(result.code).toBe(ExitCode.timeout);
  });

  it("says the job keeps running after Ctrl-C", async () => {
    const path = join(await newDirectory(), "requests.jsonl");
    await writeFile(path, chatRequestLines(["x"]));
    const id = (await runCli(["batch", "create", "-i", path], { env: serverEnv() })).stdout.trim();

    const child = startCli(["batch", "wait", "--poll-interval", "30", id], { env: serverEnv() });
    const exit = waitForExit(child);
    await once(child.stderr!, "data");
    child.kill("SIGINT");
    const result = await exit;

    expect(result.stderr).toContain(`Batch job ${id} QUEUED`);
    expect(result.stderr).toContain(`Batch job ${id} keeps running on the server`);
    expect(result.stderr).toContain(`mistral batch cancel ${id}`);
    expect(result.code).toBe(ExitCode.interrupted);
  });

  it("maps an unknown job to the API error status", async () => {
    const result = await runCli(["batch", "status", "job-missing"], { env: serverEnv() });

    expect(result.stderr).toContain("not found");
    expect(result.code).toBe(ExitCode.apiError);
  });

  it.each([
    [["batch", "create"]],
    [["batch", "create", "--input", "a.jsonl", "--file-id", "f"]],
    [["batch", "create", "--file-id", "f", "--metadata", "novalue"]],
    [["batch", "create", "--input", "-"]],
    [["batch", "wait", "--poll-interval", "0", "id"]],
    [["batch", "results"]],
  ])("rejects usage error %j", async (args) => {
    const result = await runCli(args, { env: serverEnv() });

    expect(result.stderr).toContain("mistral batch --help");
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });
});
