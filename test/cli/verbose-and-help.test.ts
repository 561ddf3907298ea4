import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { buildIfStale, cliPath, runCli } from "./run-cli.js";

const apiKey = "cli-verbose-secret-key-0123456789abcdef";
let server: MockMistralServer;
let workDirectory: string;

/** Environment pointing the command at the test server with the right key. */
function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { MISTRAL_API_KEY: apiKey, MISTRAL_BASE_URL: server.url, ...extra };
}

/** Checks that no 12-character piece of the key appears in the text. */
function expectNoKeyPiece(text: string, key: string): void {
  for (let start = 0; start + 12 <= key.length; start++) {
    expect(text).not.toContain(key.slice(start, start + 12));
  }
}

const deferredCommands = ["embed", "fim", "files", "batch", "ocr", "transcribe", "conversation"];

beforeAll(async () => {
  buildIfStale();
  server = await MockMistralServer.start({ apiKey });
  workDirectory = await mkdtemp(join(tmpdir(), "mistral-cli-verbose-"));
}, 120_000);

afterEach(() => {
  server.reset();
});

afterAll(async () => {
  await server?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

describe("--verbose", () => {
  it("logs one line per call on stderr", async () => {
    const result = await runCli(["--verbose", "embed", "hello"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    expect(JSON.parse(result.stdout)).toHaveLength(8);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mistral: POST \/v1\/embeddings 200 in \d+ ms \(call \S+/);
    expectNoKeyPiece(result.stderr, apiKey);
  });

  it("logs an upload call", async () => {
    const path = join(workDirectory, "notes.txt");
    await writeFile(path, "notes");
    const result = await runCli(["files", "upload", "-v", path], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    expect(result.stderr).toMatch(/^mistral: POST \/v1\/files 200 in \d+ ms/m);
    expect(result.stdout).toMatch(/^\S+\n$/);
  });

  it("logs retries", async () => {
    server.enqueue({
      match: { path: "/v1/embeddings" },
      status: 503,
      body: { object: "error", message: "Busy", type: "server_error", param: null, code: null },
      headers: { "retry-after": "0" },
    });
    const result = await runCli(["embed", "-v", "hello"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    expect(result.stderr).toMatch(
      /^mistral: retrying POST \/v1\/embeddings after 503 on attempt 1/m,
    );
    expect(result.stderr).toMatch(/^mistral: POST \/v1\/embeddings 200 in \d+ ms .*2 attempts/m);
  });

  it.each([["-vv"], ["--verbose=debug"]])(
    "logs debug lines with %s and masks the key",
    async (flag) => {
      const result = await runCli(["fim", flag, "--prompt", "def f():"], { env: serverEnv() });

      expect(result.code).toBe(ExitCode.success);
      expect(result.stdout).toBe("# completes: def f():\n");
      expect(result.stderr).toMatch(/^mistral: POST \/v1\/fim\/completions started/m);
      expect(result.stderr).toContain('"authorization":"Bearer ***"');
      expectNoKeyPiece(result.stderr, apiKey);
    },
  );

  it("never logs a key read from --api-key-file", async () => {
    const keyPath = join(workDirectory, "key");
    await writeFile(keyPath, apiKey, { mode: 0o600 });
    const env = { MISTRAL_BASE_URL: server.url };
    const args = ["-vv", "conversation", "start", "--api-key-file", keyPath, "Hi"];
    const result = await runCli(args, { env });

    expect(result.code).toBe(ExitCode.success);
    expect(result.stderr).toContain("request headers");
    expectNoKeyPiece(result.stderr, apiKey);
    expectNoKeyPiece(result.stdout, apiKey);
  });

  it("logs a failed call without the key", async () => {
    const wrongKey = "wrong-verbose-key-abcdefghijklmnop";
    const result = await runCli(["-vv", "embed", "hello"], {
      env: serverEnv({ MISTRAL_API_KEY: wrongKey }),
    });

    expect(result.code).toBe(ExitCode.authentication);
    expect(result.stderr).toMatch(/^mistral: POST \/v1\/embeddings failed with 401/m);
    expectNoKeyPiece(result.stderr, wrongKey);
  });

  it("writes MISTRAL_LOG lines to stderr, never stdout", async () => {
    const result = await runCli(["embed", "hello"], { env: serverEnv({ MISTRAL_LOG: "info" }) });

    expect(result.code).toBe(ExitCode.success);
    expect(result.stdout).toMatch(/^\[[^\n]*\]\n$/);
    expect(result.stderr).toMatch(/^mistral: POST \/v1\/embeddings 200/m);
  });

  it("logs nothing without --verbose", async () => {
    const result = await runCli(["embed", "hello"], { env: serverEnv() });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(ExitCode.success);
  });

  it("rejects an unknown level", async () => {
    const result = await runCli(["embed", "--verbose=loud", "hello"], { env: serverEnv() });

    expect(result.stderr).toContain("--verbose takes info or debug");
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });
});

describe("help of the API commands", () => {
  it.each(deferredCommands)("prints help for %s", async (command) => {
    const viaFlag = await runCli([command, "--help"]);
    const viaCommand = await runCli(["help", command]);

    expect(viaFlag.stdout).toContain(`Usage: mistral ${command}`);
    expect(viaCommand.stdout).toBe(viaFlag.stdout);
    expect(viaFlag.code).toBe(ExitCode.success);
  });

  it.each([
    ["files", "upload"],
    ["batch", "wait"],
    ["conversation", "start"],
  ])("prints help for %s %s", async (command, subcommand) => {
    const result = await runCli([command, subcommand, "--help"]);

    expect(result.stdout).toContain(`mistral ${command} ${subcommand}`);
    expect(result.code).toBe(ExitCode.success);
  });

  it("lists every command with one line", async () => {
    const result = await runCli(["--help"]);

    for (const command of deferredCommands) {
      expect(result.stdout).toMatch(new RegExp(`^  mistral ${command} .+\\S  +\\S`, "m"));
    }
  });

  it("imports each command only when it runs", async () => {
    const source = await readFile(cliPath, "utf8");
    const staticImports = [...source.matchAll(/^import .* from ['"](.+)['"];?$/gm)].map(
      (match) => match[1],
    );
    const dynamicImports = [...source.matchAll(/\bimport\(["'](.+?)["']\)/g)];

    expect(staticImports.some((path) => /embed|batch|files/.test(path ?? ""))).toBe(false);
    expect(dynamicImports.length).toBeGreaterThanOrEqual(10);
  });
});
