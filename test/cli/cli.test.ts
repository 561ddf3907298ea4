import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, exitCodeDescriptions } from "../../src/cli/exit-codes.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { buildIfStale, cliPath, runCli, startCli, waitForExit } from "./run-cli.js";

const apiKey = "cli-test-key-0123456789";
let server: MockMistralServer;
let workDirectory: string;

/** Environment pointing the command at the test server with the right key. */
function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { MISTRAL_API_KEY: apiKey, MISTRAL_BASE_URL: server.url, ...extra };
}

beforeAll(async () => {
  buildIfStale();
  server = await MockMistralServer.start({ apiKey });
  workDirectory = await mkdtemp(join(tmpdir(), "mistral-cli-"));
}, 120_000);

afterEach(() => {
  server.reset();
});

afterAll(async () => {
  await server?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

describe("mistral demo", () => {
  it("streams an answer and prints a summary", async () => {
    const result = await runCli(["demo"]);

    expect(result.stderr).toMatch(
      /model mistral-small-latest, \d+ tokens in, \d+ tokens out, \d+ ms, request id \S+/,
    );
    expect(result.stdout).toMatch(/^Echo: .+\n$/);
    expect(result.code).toBe(ExitCode.success);
  });

  it("sends the prompt given on the command line", async () => {
    const result = await runCli(["demo", "ping", "pong"]);

    expect(result.stdout).toBe("Echo: ping pong\n");
    expect(result.code).toBe(ExitCode.success);
  });
});

describe("mistral chat", () => {
  it("streams a prompt read from stdin", async () => {
    const result = await runCli(["chat", "-"], { env: serverEnv(), stdin: "What is 2 + 2?\n" });

    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("Echo: What is 2 + 2?\n");
    expect(result.code).toBe(ExitCode.success);
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.body).toEqual({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "What is 2 + 2?" }],
      stream: true,
    });
    expect(server.authorizationMatches(request!)).toBe(true);
  });

  it("sends only the options given", async () => {
    const args = ["chat", "-m", "mistral-large-latest", "--system", "Be brief."];
    args.push("--temperature", "0.2", "--max-tokens", "50", "Hello");
    const result = await runCli(args, { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    expect(server.requests[0]?.body).toEqual({
      model: "mistral-large-latest",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
      temperature: 0.2,
      max_tokens: 50,
      stream: true,
    });
  });

  it("prints the completion as JSON with --json", async () => {
    const result = await runCli(["chat", "--json", "Hello there"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    const completion = JSON.parse(result.stdout);
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0].message.content).toBe("Echo: Hello there");
    expect(completion.usage.prompt_tokens).toBeGreaterThan(0);
    expect(server.requests[0]?.body).not.toHaveProperty("stream");
  });

  it("prints a summary on stderr with --verbose", async () => {
    const result = await runCli(["chat", "--verbose", "Hi"], { env: serverEnv() });

    expect(result.stdout).toBe("Echo: Hi\n");
    expect(result.stderr).toMatch(/model mistral-small-latest, \d+ tokens in, \d+ tokens out/);
    expect(result.code).toBe(ExitCode.success);
  });

  it("reads the key from --api-key-file", async () => {
    const path = join(workDirectory, "key");
    await writeFile(path, `  ${apiKey}\n`, { mode: 0o600 });
    const env = { MISTRAL_BASE_URL: server.url };
    const result = await runCli(["chat", "--api-key-file", path, "Hi"], { env });

    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("Echo: Hi\n");
    expect(result.code).toBe(ExitCode.success);
  });

  it("warns about a key file other users can read", async () => {
    const path = join(workDirectory, "shared-key");
    await writeFile(path, apiKey, { mode: 0o644 });
    const env = { MISTRAL_BASE_URL: server.url };
    const result = await runCli(["chat", "--api-key-file", path, "Hi"], { env });

    expect(result.stderr).toContain(`chmod 600 ${path}`);
    expect(result.code).toBe(ExitCode.success);
  });

  it("names the key file after a 401", async () => {
    const path = join(workDirectory, "wrong-key");
    await writeFile(path, "wrong-key-from-file", { mode: 0o600 });
    const env = { MISTRAL_BASE_URL: server.url };
    const result = await runCli(["models", "--api-key-file", path], { env });

    expect(result.stderr).toContain(`The key was read from ${path}`);
    expect(result.stderr).not.toContain("wrong-key-from-file");
    expect(result.code).toBe(ExitCode.authentication);
  });

  it("rejects an empty key file", async () => {
    const path = join(workDirectory, "empty-key");
    await writeFile(path, "\n", { mode: 0o600 });
    const result = await runCli(["chat", "--api-key-file", path, "Hi"]);

    expect(result.stderr).toContain(`${path} is empty`);
    expect(result.code).toBe(ExitCode.configuration);
  });

  it("rejects a missing key file", async () => {
    const path = join(workDirectory, "no-such-file");
    const result = await runCli(["chat", "--api-key-file", path, "Hi"]);

    expect(result.stderr).toContain("ENOENT");
    expect(result.code).toBe(ExitCode.configuration);
  });

  it("stops the stream on SIGINT with status 130", async () => {
    server.enqueue({ match: { path: "/v1/chat/completions" }, fault: "stall-mid-body" });
    const child = startCli(["chat", "one two three four five six"], { env: serverEnv() });
    const exit = waitForExit(child);
    await once(child.stdout!, "data");
    child.kill("SIGINT");
    const result = await exit;

    expect(result.stdout).toMatch(/^Echo/);
    expect(result.stderr).toContain("interrupted");
    expect(result.code).toBe(ExitCode.interrupted);
  });
});

describe("mistral models", () => {
  it("lists models as a table", async () => {
    const result = await runCli(["models"], { env: serverEnv() });

    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+CONTEXT\s+CAPABILITIES$/);
    expect(lines[1]).toMatch(/^mistral-small-latest\s/);
    expect(lines.some((line) => /^mistral-large-latest\s.*vision/.test(line))).toBe(true);
    expect(result.code).toBe(ExitCode.success);
  });

  it("prints the raw list with --json", async () => {
    const result = await runCli(["models", "--json"], { env: serverEnv() });

    const list = JSON.parse(result.stdout);
    expect(list.object).toBe("list");
    expect(list.data[0].id).toBe("mistral-small-latest");
    expect(result.code).toBe(ExitCode.success);
  });
});

describe("API key handling", () => {
  it("explains how to set a missing key", async () => {
    const result = await runCli(["chat", "Hi"]);

    expect(result.stderr).toContain("MISTRAL_API_KEY");
    expect(result.stderr).toContain("mistral demo");
    expect(result.stdout).toBe("");
    expect(result.code).toBe(ExitCode.configuration);
  });

  it.each([["--api-key", "sk-flag-value"], ["--api-key=sk-flag-value"]])(
    "rejects %s without echoing the value",
    async (...flag) => {
      const result = await runCli(["chat", ...flag, "Hi"], { env: serverEnv() });

      expect(result.stderr).toContain("MISTRAL_API_KEY");
      expect(result.stderr).toContain("--api-key-file");
      expect(result.stderr).not.toContain("sk-flag-value");
      expect(result.code).toBe(ExitCode.usage);
      expect(server.requests).toHaveLength(0);
    },
  );

  it("maps 401 without echoing the key", async () => {
    const wrongKey = "wrong-key-abcdefghijklmnop";
    const env = serverEnv({ MISTRAL_API_KEY: wrongKey });
    const result = await runCli(["chat", "--verbose", "Hi"], { env });

    expect(result.stderr).toContain("401");
    expect(result.stderr).toContain("The key was read from MISTRAL_API_KEY");
    expect(result.stderr).toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain(wrongKey);
    expect(result.stdout).not.toContain(wrongKey);
    expect(result.code).toBe(ExitCode.authentication);
  });
});

describe("environment variables", () => {
  it.each([
    ["MISTRAL_TIMEOUT", "abc"],
    ["MISTRAL_MAX_RETRIES", "-1"],
    ["MISTRAL_BASE_URL", "ftp://example.invalid"],
  ])("rejects %s=%s with the configuration status", async (name, value) => {
    const result = await runCli(["chat", "Hi"], { env: serverEnv({ [name]: value }) });

    expect(result.stderr).toContain(name);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(ExitCode.configuration);
    expect(server.requests).toHaveLength(0);
  });
});

describe("exit status per error kind", () => {
  const noRetry = { MISTRAL_MAX_RETRIES: "0" };
  const errorBody = (message: string) => ({
    object: "error",
    message,
    type: "invalid_request_error",
    param: null,
    code: null,
  });

  it.each([
    ["400", { status: 400, body: errorBody("Bad request") }, ExitCode.validation],
    ["422", { status: 422, body: errorBody("Invalid field") }, ExitCode.validation],
    ["403", { status: 403, body: errorBody("Forbidden") }, ExitCode.authentication],
    ["429", { status: 429, body: errorBody("Too many requests") }, ExitCode.rateLimit],
    ["404", { status: 404, body: errorBody("Model not found") }, ExitCode.apiError],
    ["500", { status: 500, body: errorBody("Internal error") }, ExitCode.apiError],
    ["malformed stream", { fault: "malformed" as const }, ExitCode.stream],
    ["closed socket", { fault: "close-before-headers" as const }, ExitCode.connection],
    ["silent server", { fault: "black-hole" as const }, ExitCode.timeout],
  ])("maps %s", async (_name, reply, code) => {
    server.enqueue({ match: { path: "/v1/chat/completions" }, ...reply });
    const env = serverEnv({ ...noRetry, MISTRAL_TIMEOUT: "0.5" });
    const result = await runCli(["chat", "Hi"], { env });

    expect(result.stderr).toMatch(/^mistral: /);
    expect(result.code).toBe(code);
  });

  it("names MISTRAL_TIMEOUT after a timeout", async () => {
    server.enqueue({ match: { path: "/v1/chat/completions" }, fault: "black-hole" });
    const env = serverEnv({ ...noRetry, MISTRAL_TIMEOUT: "0.3" });
    const result = await runCli(["chat", "Hi"], { env });

    expect(result.stderr).toContain("MISTRAL_TIMEOUT sets the time limit");
    expect(result.code).toBe(ExitCode.timeout);
  });

  it("maps a refused connection", async () => {
    const port = await closedPort();
    const env = serverEnv({ ...noRetry, MISTRAL_BASE_URL: `http://127.0.0.1:${port}` });
    const result = await runCli(["models"], { env });

    expect(result.code).toBe(ExitCode.connection);
  });

  it("maps a client-side validation error", async () => {
    const result = await runCli(["chat", "--model", " ", "Hi"], { env: serverEnv() });

    expect(result.stderr).toContain("model");
    expect(result.code).toBe(ExitCode.validation);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [["chat"]],
    [["chat", "-"]],
    [["chat", "--temperature", "warm", "Hi"]],
    [["chat", "--max-tokens", "1.5", "Hi"]],
    [["chat", "--no-such-option", "Hi"]],
    [["models", "extra"]],
    [["unknown-command"]],
    [[]],
  ])("maps usage error %j", async (args) => {
    const result = await runCli(args, { env: serverEnv() });

    expect(result.stderr).toMatch(/--help/);
    expect(result.code).toBe(ExitCode.usage);
  });
});

describe("help and version", () => {
  it("lists every exit status the code uses", async () => {
    const result = await runCli(["--help"]);

    const section = result.stdout.split("Exit status:\n")[1] ?? "";
    const listed = [...section.matchAll(/^\s+(\d+)\s{2}(.+)$/gm)].map((match) => ({
      code: Number(match[1]),
      meaning: match[2],
    }));
    expect(listed).toEqual(exitCodeDescriptions);
    expect(listed.map((entry) => entry.code).sort((a, b) => a - b)).toEqual(
      Object.values(ExitCode).sort((a, b) => a - b),
    );
    expect(result.code).toBe(ExitCode.success);
  });

  it.each(["chat", "models", "demo"])("prints help for %s", async (command) => {
    const viaFlag = await runCli([command, "--help"]);
    const viaCommand = await runCli(["help", command]);

    expect(viaFlag.stdout).toContain(`Usage: mistral ${command}`);
    expect(viaCommand.stdout).toBe(viaFlag.stdout);
    expect(viaFlag.code).toBe(ExitCode.success);
  });

  it("prints the package version", async () => {
    const result = await runCli(["--version"]);
    const manifest = JSON.parse(
      await readFile(new URL("../../package.json", import.meta.url), "utf8"),
    );

    expect(result.stdout).toBe(`${manifest.version}\n`);
    expect(result.code).toBe(ExitCode.success);
  });

  it("loads neither the client nor the server at startup", async () => {
    const source = await readFile(cliPath, "utf8");
    const staticImports = [...source.matchAll(/^import .* from ['"](.+)['"];?$/gm)].map(
      (match) => match[1],
    );

    expect(staticImports.length).toBeGreaterThan(0);
    expect(staticImports).not.toContain("../index.js");
    expect(staticImports).not.toContain("../testing/index.js");
  });
});

/** Returns a loopback port with no listener, by opening and closing a server on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const address = probe.address();
  probe.close();
  await once(probe, "close");
  if (address === null || typeof address === "string") throw new Error("No port assigned");
  return address.port;
}
