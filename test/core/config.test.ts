import { afterEach, describe, expect, it, vi } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { ClientOptions, FetchFunction } from "../../src/core/client-options.js";
import { defaults, resolveConfig } from "../../src/core/config.js";
import { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { helloRequest, okCompletion } from "../helpers/chat-bodies.js";
import { captureRejection, captureThrow } from "../helpers/error-capture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

const key = "sk-test-CONFIG-5b1d2e8a";
const otherKey = "sk-test-ROTATED-0c9e4f21";

/** Builds a fetch that records each URL and authorization header and responds with a completion. */
function recordingFetch() {
  const calls: Array<{ url: string; authorization: string | null }> = [];
  const fetch: FetchFunction = async (input, init) => {
    calls.push({
      url: String(input),
      authorization: new Headers(init?.headers).get("authorization"),
    });
    return Response.json(okCompletion);
  };
  return { calls, fetch };
}

function configurationError(action: () => unknown): ConfigurationError {
  const error = captureThrow(action);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect(isMistralError(error, "configuration")).toBe(true);
  return error as ConfigurationError;
}

function resolve(options: ClientOptions, env: Record<string, string | undefined> = {}) {
  return resolveConfig({ apiKey: key, ...options }, env);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("client options", () => {
  it("applies the documented defaults", () => {
    const config = resolve({});

    expect(config.baseURL).toBe("https://api.mistral.ai");
    expect(config.timeoutMs).toBe(600_000);
    expect(config.headersTimeoutMs).toBe(60_000);
    expect(config.idleTimeoutMs).toBe(30_000);
    expect(config.maxRetries).toBe(2);
    expect(config.retry).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 8000,
      maxRetryAfterMs: 60_000,
    });
    expect(config.maxResponseBytes).toBe(defaults.maxResponseBytes);
    expect(config.maxStreamLineBytes).toBe(defaults.maxStreamLineBytes);
    expect(config.defaultHeaders).toEqual({});
  });

  it("takes every option as given", () => {
    const fetch: FetchFunction = async () => new Response("{}");
    const config = resolve({
      baseURL: "https://eu.example.test/mistral",
      timeoutMs: 1000,
      headersTimeoutMs: 200,
      idleTimeoutMs: 300,
      maxRetries: 5,
      retry: { initialDelayMs: 10, maxDelayMs: 20, maxRetryAfterMs: 30 },
      maxResponseBytes: 4096,
      maxStreamLineBytes: 2048,
      fetch,
      defaultHeaders: { "X-Team": "search" },
    });

    expect(config.baseURL).toBe("https://eu.example.test/mistral");
    expect(config.timeoutMs).toBe(1000);
    expect(config.headersTimeoutMs).toBe(200);
    expect(config.idleTimeoutMs).toBe(300);
    expect(config.maxRetries).toBe(5);
    expect(config.retry).toEqual({ initialDelayMs: 10, maxDelayMs: 20, maxRetryAfterMs: 30 });
    expect(config.maxResponseBytes).toBe(4096);
    expect(config.maxStreamLineBytes).toBe(2048);
    expect(config.fetch).toBe(fetch);
    expect(config.defaultHeaders).toEqual({ "x-team": "search" });
  });

  it("keeps retry defaults for retry options left out", () => {
    expect(resolve({ retry: { maxDelayMs: 100 } }).retry).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 100,
      maxRetryAfterMs: 60_000,
    });
  });

  it("accepts maxRetries 0", () => {
    expect(resolve({ maxRetries: 0 }).maxRetries).toBe(0);
  });

  it("rejects an unknown option by name and lists the valid ones", () => {
    const error = configurationError(() => resolve({ timeout: 5 } as ClientOptions));

    expect(error.message).toContain('"timeout"');
    expect(error.message).toContain("timeoutMs");
  });

  it("rejects serverURL, the name other clients use", () => {
    const error = configurationError(() => resolve({ serverURL: "http://127.0.0.1:1" } as never));

    expect(error.message).toContain('"serverURL"');
    expect(error.message).toContain("baseURL");
  });

  it("names every unknown option", () => {
    const error = configurationError(() => resolve({ retries: 1, proxy: "x" } as never));

    expect(error.message).toContain('"retries"');
    expect(error.message).toContain('"proxy"');
  });

  it("rejects an unknown retry option", () => {
    const error = configurationError(() => resolve({ retry: { maxAttempts: 3 } as never }));

    expect(error.message).toContain('"maxAttempts"');
    expect(error.message).toContain("initialDelayMs");
  });

  it("rejects options that are not an object", () => {
    for (const options of [null, "sk-test", 42, []]) {
      configurationError(() => new MistralClient(options as never));
    }
  });

  it("rejects retry options that are not an object", () => {
    for (const retry of [5, "fast", []]) {
      const error = configurationError(() => resolve({ retry: retry as never }));

      expect(error.message).toContain("retry");
    }
  });

  it("checks the base URL of a separate FIM endpoint", () => {
    const error = configurationError(
      () =>
        new MistralClient({
          apiKey: key,
          endpoints: { fim: { baseURL: "http://codestral.test" } },
        }),
    );

    expect(error.message).toContain("endpoints.fim.baseURL");
  });

  const badDurations: Array<[string, unknown]> = [
    ["zero", 0],
    ["negative", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a string", "1000"],
    ["above the timer range", 2 ** 31],
  ];

  for (const name of ["timeoutMs", "headersTimeoutMs", "idleTimeoutMs"] as const) {
    for (const [label, value] of badDurations) {
      it(`rejects ${name} ${label}`, () => {
        const error = configurationError(() => resolve({ [name]: value } as ClientOptions));

        expect(error.message).toContain(name);
      });
    }
  }

  for (const name of ["initialDelayMs", "maxDelayMs", "maxRetryAfterMs"] as const) {
    it(`rejects retry.${name} of -5`, () => {
      const error = configurationError(() => resolve({ retry: { [name]: -5 } }));

      expect(error.message).toContain(`retry.${name}`);
    });
  }

  for (const value of [-1, 1.5, 101, Number.NaN, "2"]) {
    it(`rejects maxRetries ${String(value)}`, () => {
      const error = configurationError(() => resolve({ maxRetries: value as number }));

      expect(error.message).toContain("maxRetries");
    });
  }

  for (const name of ["maxResponseBytes", "maxStreamLineBytes"] as const) {
    for (const value of [0, 1023, 2048.5, "4096"]) {
      it(`rejects ${name} ${String(value)}`, () => {
        const error = configurationError(() => resolve({ [name]: value } as ClientOptions));

        expect(error.message).toContain(name);
      });
    }
  }

  it("rejects a fetch that is not a function", () => {
    const error = configurationError(() => resolve({ fetch: "node-fetch" as never }));

    expect(error.message).toContain("fetch");
  });
});

describe("environment variables", () => {
  it("reads the key, base URL, timeout and retries", () => {
    const config = resolveConfig(undefined, {
      MISTRAL_API_KEY: key,
      MISTRAL_BASE_URL: "http://127.0.0.1:8080",
      MISTRAL_TIMEOUT: "30",
      MISTRAL_MAX_RETRIES: "4",
    });

    expect(config.baseURL).toBe("http://127.0.0.1:8080");
    expect(config.timeoutMs).toBe(30_000);
    expect(config.maxRetries).toBe(4);
  });

  it("reads MISTRAL_TIMEOUT in seconds, fractions included", () => {
    expect(resolve({}, { MISTRAL_TIMEOUT: "0.5" }).timeoutMs).toBe(500);
    expect(resolve({}, { MISTRAL_TIMEOUT: " 2.25 " }).timeoutMs).toBe(2250);
  });

  it("lets options win over variables", () => {
    const config = resolveConfig(
      { apiKey: otherKey, baseURL: "http://localhost:9", timeoutMs: 700, maxRetries: 0 },
      {
        MISTRAL_API_KEY: key,
        MISTRAL_BASE_URL: "http://127.0.0.1:8080",
        MISTRAL_TIMEOUT: "30",
        MISTRAL_MAX_RETRIES: "4",
      },
    );

    expect(config.baseURL).toBe("http://localhost:9");
    expect(config.timeoutMs).toBe(700);
    expect(config.maxRetries).toBe(0);
  });

  it("treats an empty variable as unset", () => {
    const config = resolve(
      {},
      { MISTRAL_BASE_URL: "", MISTRAL_TIMEOUT: "", MISTRAL_MAX_RETRIES: "" },
    );

    expect(config.baseURL).toBe("https://api.mistral.ai");
    expect(config.timeoutMs).toBe(600_000);
    expect(config.maxRetries).toBe(2);
  });

  const badTimeouts = [
    "abc",
    "-1",
    "0",
    "0.0004",
    "2147484",
    "1e3",
    "30s",
    "Infinity",
    "NaN",
    "1,5",
    "0x10",
  ];
  for (const value of badTimeouts) {
    it(`rejects MISTRAL_TIMEOUT=${value}`, () => {
      const error = configurationError(() => resolve({}, { MISTRAL_TIMEOUT: value }));

      expect(error.message).toContain("MISTRAL_TIMEOUT");
      expect(error.message).toContain("seconds");
    });
  }

  for (const value of ["1.5", "-1", "abc", "101", "2 retries", "1e1"]) {
    it(`rejects MISTRAL_MAX_RETRIES=${value}`, () => {
      const error = configurationError(() => resolve({}, { MISTRAL_MAX_RETRIES: value }));

      expect(error.message).toContain("MISTRAL_MAX_RETRIES");
    });
  }

  it("reads the process environment when no option is given", () => {
    vi.stubEnv("MISTRAL_API_KEY", key);
    vi.stubEnv("MISTRAL_BASE_URL", "http://127.0.0.1:7000/");
    vi.stubEnv("MISTRAL_TIMEOUT", "abc");

    const error = configurationError(() => new MistralClient());

    expect(error.message).toContain("MISTRAL_TIMEOUT");
    vi.stubEnv("MISTRAL_TIMEOUT", "3");
    expect(new MistralClient().baseURL).toBe("http://127.0.0.1:7000");
  });
});

describe("base URL rules", () => {
  const accepted: Array<[string, string]> = [
    ["https://api.mistral.ai", "https://api.mistral.ai"],
    ["https://codestral.mistral.ai/", "https://codestral.mistral.ai"],
    ["https://api.mistral.ai/v1", "https://api.mistral.ai"],
    ["https://api.mistral.ai/v1/", "https://api.mistral.ai"],
    ["https://gateway.example.test/mistral/v1", "https://gateway.example.test/mistral"],
    ["https://gateway.example.test/mistral//", "https://gateway.example.test/mistral"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://127.0.0.1:8080/", "http://127.0.0.1:8080"],
    ["http://127.0.0.1:8080/v1", "http://127.0.0.1:8080"],
    ["http://127.10.20.30:9", "http://127.10.20.30:9"],
    ["http://localhost:3000/v1/", "http://localhost:3000"],
    ["http://[::1]:8000", "http://[::1]:8000"],
    ["HTTP://LOCALHOST:8", "http://localhost:8"],
    ["  https://api.mistral.ai  ", "https://api.mistral.ai"],
  ];

  for (const [input, expected] of accepted) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      expect(resolve({ baseURL: input }).baseURL).toBe(expected);
    });
  }

  const rejected = [
    "http://api.mistral.ai",
    "http://10.0.0.1:8080",
    "http://192.168.1.5",
    "http://128.0.0.1",
    "http://0.0.0.0:8080",
    "http://127.0.0.1.example.test",
    "http://localhost.example.test",
    "http://[::2]:80",
    "ftp://127.0.0.1/",
    "file:///etc/passwd",
    "ws://127.0.0.1:80",
    "javascript:alert(1)",
    "api.mistral.ai",
    "not a url",
    "",
  ];

  for (const input of rejected) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const error = configurationError(() => resolve({ baseURL: input }));

      expect(error.message).toContain("baseURL");
    });
  }

  it("rejects credentials, a query or a fragment", () => {
    configurationError(() => resolve({ baseURL: "https://user:pass@api.mistral.ai" }));
    configurationError(() => resolve({ baseURL: "https://api.mistral.ai?key=1" }));
    configurationError(() => resolve({ baseURL: "https://api.mistral.ai#top" }));
  });

  it("rejects a baseURL that is not a string", () => {
    configurationError(() => resolve({ baseURL: new URL("https://api.mistral.ai") as never }));
  });

  it("names MISTRAL_BASE_URL when the variable is invalid", () => {
    const error = configurationError(() =>
      resolve({ baseURL: undefined }, { MISTRAL_BASE_URL: "http://example.test" }),
    );

    expect(error.message).toContain("MISTRAL_BASE_URL");
  });

  it("never echoes a password or query from MISTRAL_BASE_URL", () => {
    const secret = "sk-test-URLPASS-93c0d1f7";
    for (const value of [
      `https://user:${secret}@api.mistral.ai`,
      `https://api.mistral.ai/?key=${secret}`,
      `http://example.test/?key=${secret}`,
      `ht!tp://user:${secret}@bad`,
    ]) {
      const error = configurationError(() => resolve({}, { MISTRAL_BASE_URL: value }));

      expect(error.message).toContain("MISTRAL_BASE_URL");
      expectNoSecrets(error, [secret]);
    }
  });

  it("sends to exactly /v1/chat/completions after normalising", async () => {
    for (const baseURL of [
      "http://127.0.0.1:9/",
      "http://127.0.0.1:9/v1",
      "http://127.0.0.1:9/v1/",
    ]) {
      const { calls, fetch } = recordingFetch();
      const client = new MistralClient({ apiKey: key, baseURL, fetch });

      await client.chat.create(helloRequest);

      expect(calls.map((call) => call.url)).toEqual(["http://127.0.0.1:9/v1/chat/completions"]);
    }
  });

  it("keeps a path prefix in front of /v1", async () => {
    const { calls, fetch } = recordingFetch();
    const client = new MistralClient({
      apiKey: key,
      baseURL: "http://localhost:9/proxy/v1/",
      fetch,
    });

    await client.models.list();

    expect(calls.map((call) => call.url)).toEqual(["http://localhost:9/proxy/v1/models"]);
  });
});

describe("API key", () => {
  it("trims surrounding whitespace", async () => {
    for (const apiKey of [`${key}\r\n`, `  ${key}`, `\t${key}\n`]) {
      const { calls, fetch } = recordingFetch();
      const client = new MistralClient({ apiKey, baseURL: "http://127.0.0.1:9", fetch });

      await client.chat.create(helloRequest);

      expect(calls[0]?.authorization).toBe(`Bearer ${key}`);
    }
  });

  it("trims MISTRAL_API_KEY", async () => {
    const { calls, fetch } = recordingFetch();
    const config = resolveConfig({ fetch }, { MISTRAL_API_KEY: `${key}\n` });

    expect(await config.apiKey.get()).toBe(key);
    expect(calls).toEqual([]);
  });

  const badKeys: Array<[string, unknown]> = [
    ["an inner space", "sk-test CANARY"],
    ["an inner CR LF", "sk-test-\r\nX-Injected: 1"],
    ["an inner tab", "sk-test\tCANARY"],
    ["a NUL byte", "sk-test\u0000CANARY"],
    ["a DEL byte", "sk-test\u007fCANARY"],
    ["a non-ASCII letter", "sk-test-CANARé"],
    ["a zero-width space", "sk-test\u200bCANARY"],
    ["an empty string", ""],
    ["only whitespace", " \r\n\t"],
    ["a number", 12345],
    ["null", null],
  ];

  for (const [label, apiKey] of badKeys) {
    it(`rejects a key with ${label} before any request`, () => {
      const error = configurationError(() => new MistralClient({ apiKey: apiKey as string }));

      expect(error.message).toContain("apiKey");
      if (typeof apiKey === "string" && apiKey.trim().length > 3) {
        expectNoSecrets(error, [apiKey.trim(), "CANARY"]);
      }
    });
  }

  it("names MISTRAL_API_KEY when no key is set anywhere", () => {
    const error = configurationError(() => resolveConfig(undefined, {}));

    expect(error.message).toContain("MISTRAL_API_KEY");
  });

  it("treats a blank MISTRAL_API_KEY as missing", () => {
    const error = configurationError(() => resolveConfig(undefined, { MISTRAL_API_KEY: "  \n" }));

    expect(error.message).toContain("MISTRAL_API_KEY");
  });

  it("names MISTRAL_API_KEY when the variable holds a bad key", () => {
    const error = configurationError(() =>
      resolveConfig(undefined, { MISTRAL_API_KEY: "sk-test CANARY" }),
    );

    expect(error.message).toContain("MISTRAL_API_KEY");
    expectNoSecrets(error, ["CANARY"]);
  });

  it("calls a key function before each request, so keys can rotate", async () => {
    const { calls, fetch } = recordingFetch();
    const keys = [key, otherKey];
    const apiKey = vi.fn(async () => keys.shift() ?? "");
    const client = new MistralClient({ apiKey, baseURL: "http://127.0.0.1:9", fetch });

    await client.chat.create(helloRequest);
    await client.chat.create(helloRequest);

    expect(apiKey).toHaveBeenCalledTimes(2);
    expect(calls.map((call) => call.authorization)).toEqual([
      `Bearer ${key}`,
      `Bearer ${otherKey}`,
    ]);
  });

  it("checks a key from a function and sends nothing when it is bad", async () => {
    const { calls, fetch } = recordingFetch();
    const client = new MistralClient({
      apiKey: () => "sk-test\nCANARY",
      baseURL: "http://127.0.0.1:9",
      fetch,
    });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(isMistralError(error, "configuration")).toBe(true);
    expect(calls).toEqual([]);
    expectNoSecrets(error, ["CANARY"]);
  });

  it("rejects a key function that returns a non-string", async () => {
    const { calls, fetch } = recordingFetch();
    const client = new MistralClient({
      apiKey: (() => undefined) as never,
      baseURL: "http://127.0.0.1:9",
      fetch,
    });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(isMistralError(error, "configuration")).toBe(true);
    expect(calls).toEqual([]);
  });
});

describe("header validation", () => {
  const badHeaders: Array<[string, Record<string, string>, string]> = [
    ["a CR LF in a value", { "x-team": "a\r\nx-injected: 1" }, "x-team"],
    ["a NUL in a value", { "x-team": "a\u0000b" }, "x-team"],
    ["a space in a name", { "x team": "a" }, "x team"],
    ["a colon in a name", { "x-team:": "a" }, "x-team:"],
    ["a non-ASCII name", { "x-équipe": "a" }, "x-équipe"],
    ["an empty name", { "": "a" }, '""'],
    ["a number value", { "x-team": 5 as unknown as string }, "x-team"],
    ["authorization", { Authorization: "Bearer other" }, "authorization"],
    ["host", { host: "evil.test" }, "host"],
    ["content-length", { "Content-Length": "1" }, "content-length"],
    ["transfer-encoding", { "transfer-encoding": "chunked" }, "transfer-encoding"],
  ];

  for (const [label, headers, named] of badHeaders) {
    it(`rejects defaultHeaders with ${label}`, () => {
      const error = configurationError(() => resolve({ defaultHeaders: headers }));

      expect(error.message).toContain("defaultHeaders");
      expect(error.message).toContain(named);
    });
  }

  it("never echoes a header value", () => {
    const secret = "sk-test-HEADER-4aa1c7d9";
    const error = configurationError(() =>
      resolve({ defaultHeaders: { "x-secret": `${secret}\n` } }),
    );

    expectNoSecrets(error, [secret]);
  });

  it("rejects an authorization header passed per call, sending nothing", async () => {
    const { calls, fetch } = recordingFetch();
    const client = new MistralClient({ apiKey: key, baseURL: "http://127.0.0.1:9", fetch });

    const error = await captureRejection(
      client.chat.create(helloRequest, { headers: { authorization: `Bearer ${otherKey}` } }),
    );

    expect(isMistralError(error, "configuration")).toBe(true);
    expect((error as Error).message).toContain("headers option");
    expect(calls).toEqual([]);
    expectNoSecrets(error, [otherKey]);
  });

  it("sends default and per-call headers with lowercase names", async () => {
    let seen = new Headers();
    const fetch: FetchFunction = async (_input, init) => {
      seen = new Headers(init?.headers);
      return Response.json(okCompletion);
    };
    const client = new MistralClient({
      apiKey: key,
      baseURL: "http://127.0.0.1:9",
      fetch,
      defaultHeaders: { "X-Team": "search", "X-Trace": "client" },
    });

    await client.chat.create(helloRequest, { headers: { "X-Trace": "call" } });

    expect(seen.get("x-team")).toBe("search");
    expect(seen.get("x-trace")).toBe("call");
    expect(seen.get("authorization")).toBe(`Bearer ${key}`);
  });
});
