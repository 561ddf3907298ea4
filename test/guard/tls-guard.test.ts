import { afterEach, describe, expect, it, vi } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions, FetchFunction } from "../../src/core/client-options.js";
import { resolveConfig } from "../../src/core/config.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { helloRequest, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, captureThrow } from "../helpers/error-capture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

const key = "sk-test-CANARY-7f3a9c1e";
const insecure = { NODE_TLS_REJECT_UNAUTHORIZED: "0" };

afterEach(() => {
  vi.unstubAllEnvs();
});

function configurationError(options: ClientOptions, env: Record<string, string>): Error {
  const error = captureThrow(() => resolveConfig({ apiKey: key, ...options }, env));
  expect(isMistralError(error, "configuration"), String(error)).toBe(true);
  return error as Error;
}

function countingFetch(): { fetch: FetchFunction; sent: () => number } {
  let sent = 0;
  return {
    fetch: async () => {
      sent++;
      return Response.json(okCompletion);
    },
    sent: () => sent,
  };
}

describe("NODE_TLS_REJECT_UNAUTHORIZED=0", () => {
  it("rejects the default base URL and says why", () => {
    const error = configurationError({}, insecure);

    expect(error.message).toContain("NODE_TLS_REJECT_UNAUTHORIZED=0");
    expect(error.message).toContain("certificate checks for the whole process");
    expect(error.message).toContain("api.mistral.ai");
    expect(error.message).toContain("read the key");
    expect(error.message).toContain("dangerouslyAllowInsecureTLS: true");
    expectNoSecrets(error, [key]);
  });

  it("rejects a base URL from MISTRAL_BASE_URL", () => {
    const error = configurationError({}, { ...insecure, MISTRAL_BASE_URL: "https://eu.test" });

    expect(error.message).toContain("eu.test");
  });

  it("rejects a separate FIM endpoint", () => {
    vi.stubEnv("NODE_TLS_REJECT_UNAUTHORIZED", "0");

    const error = captureThrow(
      () =>
        new MistralClient({
          apiKey: key,
          baseURL: "https://127.0.0.1:8443",
          endpoints: { fim: { baseURL: "https://codestral.test" } },
        }),
    );

    expect(isMistralError(error, "configuration")).toBe(true);
    expect((error as Error).message).toContain("endpoints.fim.baseURL");
  });

  const allowed: Array<[string, ClientOptions, Record<string, string>]> = [
    ["https to 127.0.0.1", { baseURL: "https://127.0.0.1:8443" }, insecure],
    ["https to localhost", { baseURL: "https://localhost:8443" }, insecure],
    ["https to [::1]", { baseURL: "https://[::1]:8443" }, insecure],
    ["http to loopback", { baseURL: "http://127.0.0.1:8080" }, insecure],
    ["the opt-in", { dangerouslyAllowInsecureTLS: true }, insecure],
    ["the variable set to 1", {}, { NODE_TLS_REJECT_UNAUTHORIZED: "1" }],
    ["the variable empty", {}, { NODE_TLS_REJECT_UNAUTHORIZED: "" }],
    ["no variable", {}, {}],
  ];

  for (const [label, options, env] of allowed) {
    it(`allows ${label}`, () => {
      expect(() => resolveConfig({ apiKey: key, ...options }, env)).not.toThrow();
    });
  }

  it("rejects a non-boolean opt-in", () => {
    const error = configurationError(
      { dangerouslyAllowInsecureTLS: "true" as unknown as boolean },
      insecure,
    );

    expect(error.message).toContain("The dangerouslyAllowInsecureTLS option must be true or false");
  });

  it("sends nothing when the variable is set after the client was created", async () => {
    const { fetch, sent } = countingFetch();
    const client = new MistralClient({ apiKey: key, fetch });
    vi.stubEnv("NODE_TLS_REJECT_UNAUTHORIZED", "0");

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(isMistralError(error, "configuration")).toBe(true);
    expect((error as Error).message).toContain("NODE_TLS_REJECT_UNAUTHORIZED=0");
    expect(sent()).toBe(0);
  });

  it("sends with the opt-in", async () => {
    const { fetch, sent } = countingFetch();
    vi.stubEnv("NODE_TLS_REJECT_UNAUTHORIZED", "0");
    const client = new MistralClient({ apiKey: key, fetch, dangerouslyAllowInsecureTLS: true });

    await client.chat.create(helloRequest);

    expect(sent()).toBe(1);
  });
});
