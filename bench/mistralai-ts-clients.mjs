// Adapters for mistralai-ts in each configuration the benchmark measures: the defaults, the
// optional transports (`createNodeFetch` from dist/node/, `createUndiciFetch` from dist/undici/),
// and the three configurations that price the
// guardrails and telemetry (all of them off, the defaults again, and all of them on). Every
// adapter sends the same requests and does the same work with each result as the other clients
// (clients.mjs).

import { existsSync } from "node:fs";
import { libraryPath, libraryUrl } from "./library.mjs";
import { apiKey, chatRequest, embeddingInput, streamRequest } from "./payloads.mjs";

/**
 * The optional transports of mistralai-ts, each measured as mistralai-ts with
 * `fetch: factory()` and otherwise default options. `entry` is relative to the package root,
 * and `peer` names a package the entry imports that the application installs itself.
 */
export const transports = [
  {
    name: "mistralai-ts (node transport)",
    label: "node transport",
    entry: "dist/node/index.js",
    source: "src/node/",
    factory: "createNodeFetch",
  },
  {
    name: "mistralai-ts (undici transport)",
    label: "undici transport",
    entry: "dist/undici/index.js",
    source: "src/undici/",
    factory: "createUndiciFetch",
    peer: "undici",
  },
];

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
export const mistralaiTsNames = [
  "mistralai-ts",
  ...transports.map((transport) => transport.name),
  ...guardConfigurationNames,
];

/** True when the package under test contains the transport's entry module. */
export function hasTransport(transport) {
  return existsSync(libraryPath(transport.entry));
}

/** Message of a run without a transport, for the log, the error and the page. */
export function missingTransportMessage(transport) {
  return (
    `${transport.entry} is missing from the build under test: ` +
    `build ${transport.source} to measure "${transport.name}"`
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

async function loadTransportFetch(transport) {
  if (!hasTransport(transport)) throw new Error(missingTransportMessage(transport));
  const entry = await import(libraryUrl(transport.entry));
  return entry[transport.factory]();
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
    case telemetryOffName:
      return { telemetry: false };
    case everythingOnName:
      return everythingOnOptions(counters);
    default: {
      const transport = transports.find((item) => item.name === name);
      if (transport !== undefined) return { fetch: await loadTransportFetch(transport) };
      throw new Error(`Unknown configuration ${name}: use one of ${mistralaiTsNames.join(", ")}`);
    }
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
