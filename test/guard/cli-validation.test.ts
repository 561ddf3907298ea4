import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { buildIfStale, runCli } from "../cli/run-cli.js";

const apiKey = "cli-test-key-0123456789";
let server: MockMistralServer;

function serverEnv(): Record<string, string> {
  return { MISTRAL_API_KEY: apiKey, MISTRAL_BASE_URL: server.url };
}

beforeAll(async () => {
  buildIfStale();
  server = await MockMistralServer.start({ apiKey });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("mistral chat with an invalid request", () => {
  it("fails locally with the validation status and the problem", async () => {
    const result = await runCli(["chat", "--temperature", "9", "hi"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.validation);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Invalid chat completion request: 1 problem(s)");
    expect(result.stderr).toContain("  - temperature: must be a number from 0 to 1.5; got 9");
    expect(server.requests).toHaveLength(0);
  });

  it("lists every problem, one per line", async () => {
    const result = await runCli(["chat", "--model", " ", "--temperature", "2", "hi"], {
      env: serverEnv(),
    });

    expect(result.code).toBe(ExitCode.validation);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      "mistral: Invalid chat completion request: 2 problem(s)",
      "  - model: must be a non-empty string",
      "  - temperature: must be a number from 0 to 1.5; got 2",
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it("sends a temperature in range", async () => {
    const result = await runCli(["chat", "--temperature", "1.5", "hi"], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    expect(server.requests).toHaveLength(1);
  });
});
