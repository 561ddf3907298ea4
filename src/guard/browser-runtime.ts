import { ConfigurationError } from "../core/errors/client-errors.js";

/** The kind of JavaScript runtime the library is loaded in, as far as it matters for the key. */
export type RuntimeKind = "browser" | "web-worker" | "deno" | "bun" | "node" | "edge" | "other";

/**
 * Detects the runtime from its globals. Server runtimes are recognised first, because some of them
 * define browser globals too: Deno 1.x has `window`, and Node.js test setups (jsdom, happy-dom)
 * add `window` and `document`. Only a runtime with neither server marker counts as a browser.
 */
export function detectRuntime(scope: object = globalThis): RuntimeKind {
  const globals = scope as Record<string, unknown>;
  if (isObject(globals.Deno)) return "deno";
  if (isObject(globals.Bun)) return "bun";
  if (isEdgeRuntime(globals)) return "edge";
  if (isNode(globals)) return "node";
  if (isObject(globals.window) && isObject(globals.document)) return "browser";
  if (isWebWorker(scope, globals)) return "web-worker";
  return "other";
}

/**
 * Throws in a browser or web worker unless `dangerouslyAllowBrowser` is set: code shipped to a
 * page is readable by everyone who opens it, so the key would be readable too.
 */
export function checkBrowserRuntime(allowBrowser: boolean, scope: object = globalThis): void {
  if (allowBrowser) return;
  const runtime = detectRuntime(scope);
  if (runtime !== "browser" && runtime !== "web-worker") return;
  const where = runtime === "browser" ? "a browser" : "a web worker";
  throw new ConfigurationError(
    `MistralClient was created in ${where}, where every user of the page can read the API key ` +
      "from its code, memory or network requests: call the API from your server and let the " +
      "page call your server. To accept the risk, such as for a key each user enters " +
      "themselves, pass dangerouslyAllowBrowser: true",
  );
}

/** Vercel Edge sets `EdgeRuntime`; Cloudflare Workers report their own user agent. */
function isEdgeRuntime(globals: Record<string, unknown>): boolean {
  if (typeof globals.EdgeRuntime === "string") return true;
  const navigator = globals.navigator;
  return isObject(navigator) && navigator.userAgent === "Cloudflare-Workers";
}

function isNode(globals: Record<string, unknown>): boolean {
  const process = globals.process;
  if (!isObject(process) || !isObject(process.versions)) return false;
  return typeof process.versions.node === "string";
}

/** Dedicated, shared and service workers all inherit from `WorkerGlobalScope`. */
function isWebWorker(scope: object, globals: Record<string, unknown>): boolean {
  const workerScope = globals.WorkerGlobalScope;
  if (typeof workerScope === "function" && scope instanceof workerScope) return true;
  return typeof globals.importScripts === "function" && isObject(globals.self);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}
