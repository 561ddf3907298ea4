import { afterEach, describe, expect, it, vi } from "vitest";
import { MistralClient } from "../../src/client.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import {
  checkBrowserRuntime,
  detectRuntime,
  type RuntimeKind,
} from "../../src/guard/browser-runtime.js";
import { captureThrow } from "../helpers/error-capture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

const key = "sk-test-CANARY-7f3a9c1e";

/** Builds the global scope of a dedicated worker: an instance of its own `WorkerGlobalScope`. */
function workerScope(): object {
  class WorkerGlobalScope {}
  const scope = new WorkerGlobalScope() as Record<string, unknown>;
  scope.WorkerGlobalScope = WorkerGlobalScope;
  scope.self = scope;
  return scope;
}

const nodeProcess = { versions: { node: "20.20.2" }, env: {} };

const runtimes: Array<[string, object, RuntimeKind]> = [
  [
    "a browser page",
    { window: {}, document: {}, navigator: { userAgent: "Mozilla/5.0" } },
    "browser",
  ],
  ["a dedicated worker", workerScope(), "web-worker"],
  ["a worker with importScripts", { self: {}, importScripts: () => {} }, "web-worker"],
  ["Deno 1.x, which has window", { Deno: { version: {} }, window: {} }, "deno"],
  ["Bun", { Bun: { version: "1.2" }, process: nodeProcess }, "bun"],
  ["Node.js", { process: nodeProcess }, "node"],
  ["Node.js with jsdom", { process: nodeProcess, window: {}, document: {} }, "node"],
  ["Vercel Edge", { EdgeRuntime: "edge-runtime", self: {} }, "edge"],
  ["Cloudflare Workers", { navigator: { userAgent: "Cloudflare-Workers" }, self: {} }, "edge"],
  ["an unknown runtime", {}, "other"],
];

describe("detectRuntime", () => {
  for (const [label, scope, expected] of runtimes) {
    it(`detects ${label}`, () => {
      expect(detectRuntime(scope)).toBe(expected);
    });
  }

  it("detects the test runner as Node.js", () => {
    expect(detectRuntime()).toBe("node");
  });
});

describe("checkBrowserRuntime", () => {
  for (const [label, scope, kind] of runtimes) {
    const rejected = kind === "browser" || kind === "web-worker";
    it(`${rejected ? "rejects" : "allows"} ${label}`, () => {
      const check = () => checkBrowserRuntime(false, scope);
      if (rejected) {
        expect(check).toThrow("dangerouslyAllowBrowser: true");
      } else {
        expect(check).not.toThrow();
      }
    });
  }

  it("allows a browser with the opt-in", () => {
    expect(() => checkBrowserRuntime(true, { window: {}, document: {} })).not.toThrow();
  });
});

describe("new MistralClient in a browser", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** Runs `action` with browser globals and without `process`, as in a page. */
  function inFakeBrowser<T>(action: () => T): T {
    vi.stubGlobal("window", {});
    vi.stubGlobal("document", {});
    const scope = globalThis as { process?: unknown };
    const saved = scope.process;
    scope.process = undefined;
    try {
      return action();
    } finally {
      scope.process = saved;
    }
  }

  it("rejects the key and says why", () => {
    const error = inFakeBrowser(() => captureThrow(() => new MistralClient({ apiKey: key })));

    expect(isMistralError(error, "configuration")).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain("in a browser");
    expect(message).toContain("every user of the page can read the API key");
    expect(message).toContain("call the API from your server");
    expect(message).toContain("dangerouslyAllowBrowser: true");
    expectNoSecrets(error, [key]);
  });

  it("rejects before reading the key", () => {
    const error = inFakeBrowser(() => captureThrow(() => new MistralClient()));

    expect((error as Error).message).toContain("dangerouslyAllowBrowser");
  });

  it("starts with dangerouslyAllowBrowser", () => {
    const client = inFakeBrowser(
      () => new MistralClient({ apiKey: key, dangerouslyAllowBrowser: true }),
    );

    expect(client.baseURL).toBe("https://api.mistral.ai");
  });

  it("rejects in a web worker", () => {
    vi.stubGlobal("self", globalThis);
    vi.stubGlobal("importScripts", () => {});
    const scope = globalThis as { process?: unknown };
    const saved = scope.process;
    scope.process = undefined;
    let error: unknown;
    try {
      error = captureThrow(() => new MistralClient({ apiKey: key }));
    } finally {
      scope.process = saved;
    }

    expect((error as Error).message).toContain("in a web worker");
  });

  it("starts under Node.js with jsdom-style globals", () => {
    vi.stubGlobal("window", {});
    vi.stubGlobal("document", {});

    expect(() => new MistralClient({ apiKey: key })).not.toThrow();
  });
});
