// Adapters for mistralai-ts in each configuration the benchmark measures: the defaults, the node
// transport (`createNodeFetch` from dist/node/), and the three configurations that price the
// guardrails and telemetry (all of them off, the defaults again, and all of them on). Every
// adapter sends the same requests and does the same work with each result as the other clients
// (clients.mjs).

import { existsSync } from "node:fs";
import { libraryPath, libraryUrl } from "./library.mjs";
import { apiKey, chatRequest, embeddingInput, streamRequest } from "./payloads.mjs";

/** Entry module of the node transport, relative to the package root. */
export const nodeTransportEntry = "dist/node/index.js";

export const nodeTransportName = "mistralai-ts (node transport)";
/** The floor: `telemetry: false` and no `rateLimits`, so no observer or limiter runs. */
export const telemetryOffName = "mistralai-ts (telemetry: false)";
/**
 * The default options, like "mistralai-ts", but in processes that run the same scenarios as the
 * other two configurations, so all three share the same history before each measured run.
 */
export const defaultsName = "mistralai-ts (defaults)";
/** Rate limits, per-user limits, metrics, an `onEvent` handler and an `info` logger. */
export const everythingOnName = "mistralai-ts (everything on)";

/** Configurations of the guardrail cost section, compared with the first one. */
export const guardConfigurationNames = [telemetryOffName, defaultsName, everythingOnName];

/** Names of every mistralai-ts configuration that `createMistralaiTsClient` accepts. */
export const mistralaiTsNames = ["mistralai-ts", nodeTransportName, ...guardConfigurationNames];

/** True when the package under test contains the node transport's entry module. */
export function hasNodeTransport() {
  return existsSync(libraryPath(nodeTransportEntry));
}

/** Message of a run without the node transport, for the log, the error and the page. */
export function missingNodeTransportMessage() {
  return (
    `${nodeTransportEntry} is missing from the build under test: ` +
    `build src/node/ to measure "${nodeTransportName}"`
  );
}

/**
 * Limits far above any rate the benchmark reaches (a few thousand calls per second), so the
 * limiter does all its bookkeeping on every call but never makes one wait.
 */
const unreachedLimits = {
  requestsPerSecond: 1_000_000,
  burst: 1_000_000,
  tokensPerMinute: 1_000_000_000,
  maxConcurrent: 10_000,
};

/** End users the calls of the everything-on configuration take turns with, one per call. */
const endUsers = Array.from({ length: 8 }, (_, index) => `bench-user-${index}`);

async function loadNodeFetch() {
  if (!hasNodeTransport()) throw new Error(missingNodeTransportMessage());
  const { createNodeFetch } = await import(libraryUrl(nodeTransportEntry));
  return createNodeFetch();
}

/**
 * Builds the client options of the everything-on configuration. The logger and the event handler
 * only count what they receive, so the figure is the cost of producing events and log lines.
 */
function everythingOnOptions(counters) {
  const count = (name) => () => {
    counters[name] += 1;
  };
  return {
    rateLimits: { ...unreachedLimits, perUser: unreachedLimits },
    telemetry: {
      onEvent: count("events"),
      logLevel: "info",
      logger: {
        error: count("logLines"),
        warn: count("logLines"),
        info: count("logLines"),
        debug: count("logLines"),
      },
    },
  };
}

async function configurationOptions(name, counters) {
  switch (name) {
    case "mistralai-ts":
    case defaultsName:
      return {};
    case nodeTransportName:
      return { fetch: await loadNodeFetch() };
    case telemetryOffName:
      return { telemetry: false };
    case everythingOnName:
      return everythingOnOptions(counters);
    default:
      throw new Error(`Unknown configuration ${name}: use one of ${mistralaiTsNames.join(", ")}`);
  }
}

/** Returns the request options of each call: a `user` in turn for everything-on, else none. */
function requestOptionsSource(name, counters) {
  if (name !== everythingOnName) return () => undefined;
  return () => {
    counters.calls += 1;
    return { user: endUsers[counters.calls % endUsers.length] };
  };
}

/**
 * Imports mistralai-ts and returns the adapter of configuration `name` for the server at
 * `baseURL`. `summary()` returns the calls made with a user, the audit events and the log lines.
 */
export async function createMistralaiTsClient(name, baseURL) {
  const { MistralClient } = await import(libraryUrl("dist/index.js"));
  const counters = { calls: 0, events: 0, logLines: 0 };
  const client = new MistralClient({
    apiKey,
    baseURL,
    ...(await configurationOptions(name, counters)),
  });
  const requestOptions = requestOptionsSource(name, counters);
  return {
    async chat() {
      const response = await client.chat.create(chatRequest, requestOptions());
      return response.choices[0].message.content.length;
    },
    async embed() {
      const request = { model: "mistral-embed", input: embeddingInput };
      const response = await client.embeddings.create(request, requestOptions());
      return response.data[0].embedding.length;
    },
    async stream(model, count, onChunk) {
      const { stream: _stream, ...request } = streamRequest(model, count);
      const stream = await client.chat.stream(request, requestOptions());
      for await (const chunk of stream) onChunk(chunk.choices[0].delta.content);
    },
    summary: () => ({ ...counters }),
  };
}
