// One adapter per client under test. Each sends the same requests (payloads.mjs) to the benchmark
// server and does the same work with each result: it reads the message content or the vector, and
// for a stream the `delta.content` of every chunk. Clients run with their default settings
// (retries, timeouts, transport), since that is what their users get. The mistralai-ts adapters,
// one per configuration, are in mistralai-ts-clients.mjs.

import { readFileSync } from "node:fs";
import { libraryPath, libraryUrl } from "./library.mjs";
import {
  createMistralaiTsClient,
  guardConfigurationNames,
  mistralaiTsNames,
  transports,
} from "./mistralai-ts-clients.mjs";
import { apiKey, chatRequest, embeddingInput, streamRequest } from "./payloads.mjs";

/** Names of the clients compared in every scenario, in the order tables list them. */
export const clientNames = [
  "fetch",
  "undici.request",
  "mistralai-ts",
  ...transports.map((transport) => transport.name),
  "@mistralai/mistralai",
  "openai",
];

/** Plain fetch, run like the configurations below, as the guardrail section's fetch baseline. */
export const guardBaselineName = "fetch (guard scenarios)";

/** Clients that run only the scenarios of the guardrail cost section, in rounds. */
export const guardPlanNames = [guardBaselineName, ...guardConfigurationNames];

/**
 * Entry modules of each client, for the import-cost runs, imported in this order. The node
 * transport's entry comes after the main entry, as an application imports them.
 */
export function clientEntries(name) {
  if (name === "mistralai-ts") return [libraryUrl("dist/index.js")];
  const transport = transports.find((item) => item.name === name);
  if (transport !== undefined) {
    return [libraryUrl("dist/index.js"), libraryUrl(transport.entry)];
  }

  return [import.meta.resolve(name === "undici.request" ? "undici" : name)];
}

/** Version of each client: Node's own for fetch, the package's for the others. */
export function clientVersion(name) {
  if (name === "fetch") return `Node ${process.versions.node} (undici ${process.versions.undici})`;
  const file = mistralaiTsNames.includes(name)
    ? libraryPath("package.json")
    : new URL(`./node_modules/${name.replace(/\.request$/, "")}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(file, "utf8")).version;
}

/** Calls `onEvent` with the JSON payload of each `data:` event until `[DONE]`. */
function createSseSplitter(onEvent) {
  let buffer = "";
  return (text) => {
    buffer += text;
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (event.startsWith("data: ")) {
        const data = event.slice(6);
        if (data !== "[DONE]") onEvent(JSON.parse(data));
      }

      end = buffer.indexOf("\n\n");
    }
  };
}

function jsonHeaders(accept) {
  return {
    "content-type": "application/json",
    accept,
    authorization: `Bearer ${apiKey}`,
  };
}

function fetchClient(baseURL) {
  const post = async (path, body, accept) => {
    const response = await fetch(baseURL + path, {
      method: "POST",
      headers: jsonHeaders(accept),
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${path}`);
    return response;
  };
  return {
    async chat() {
      const response = await post("/v1/chat/completions", chatRequest, "application/json");
      return JSON.parse(await response.text()).choices[0].message.content.length;
    },
    async embed() {
      const body = { model: "mistral-embed", input: embeddingInput };
      const response = await post("/v1/embeddings", body, "application/json");
      return JSON.parse(await response.text()).data[0].embedding.length;
    },
    async stream(model, count, onChunk) {
      const response = await post(
        "/v1/chat/completions",
        streamRequest(model, count),
        "text/event-stream",
      );
      const decoder = new TextDecoder();
      const split = createSseSplitter((chunk) => onChunk(chunk.choices[0].delta.content));
      for await (const bytes of response.body) split(decoder.decode(bytes, { stream: true }));
    },
  };
}

async function undiciClient(baseURL) {
  const { request } = await import("undici");
  const post = async (path, body, accept) => {
    const response = await request(baseURL + path, {
      method: "POST",
      headers: jsonHeaders(accept),
      body: JSON.stringify(body),
    });
    if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode} from ${path}`);
    return response.body;
  };
  return {
    async chat() {
      const body = await post("/v1/chat/completions", chatRequest, "application/json");
      return JSON.parse(await body.text()).choices[0].message.content.length;
    },
    async embed() {
      const request = { model: "mistral-embed", input: embeddingInput };
      const body = await post("/v1/embeddings", request, "application/json");
      return JSON.parse(await body.text()).data[0].embedding.length;
    },
    async stream(model, count, onChunk) {
      const body = await post(
        "/v1/chat/completions",
        streamRequest(model, count),
        "text/event-stream",
      );
      body.setEncoding("utf8");
      const split = createSseSplitter((chunk) => onChunk(chunk.choices[0].delta.content));
      for await (const text of body) split(text);
    },
  };
}

async function mistralSdkClient(baseURL) {
  const { Mistral } = await import("@mistralai/mistralai");
  const client = new Mistral({ apiKey, serverURL: baseURL });
  const { max_tokens: maxTokens, ...rest } = chatRequest;
  return {
    async chat() {
      const response = await client.chat.complete({ ...rest, maxTokens });
      return response.choices[0].message.content.length;
    },
    async embed() {
      const response = await client.embeddings.create({
        model: "mistral-embed",
        inputs: embeddingInput,
      });
      return response.data[0].embedding.length;
    },
    async stream(model, count, onChunk) {
      const stream = await client.chat.stream({ ...rest, model, maxTokens: count });
      for await (const event of stream) onChunk(event.data.choices[0].delta.content);
    },
  };
}

async function openaiClient(baseURL) {
  const { default: OpenAI } = await import("openai");
  const client = new OpenAI({ apiKey, baseURL: `${baseURL}/v1` });
  return {
    async chat() {
      const response = await client.chat.completions.create(chatRequest);
      return response.choices[0].message.content.length;
    },
    async embed() {
      // `float`, because without it this client asks for base64 and decodes it, a different reply.
      const response = await client.embeddings.create({
        model: "mistral-embed",
        input: embeddingInput,
        encoding_format: "float",
      });
      return response.data[0].embedding.length;
    },
    async stream(model, count, onChunk) {
      const stream = await client.chat.completions.create(streamRequest(model, count));
      for await (const chunk of stream) onChunk(chunk.choices[0].delta.content);
    },
  };
}

/** Imports a client and returns its adapter for the server at `baseURL`. */
export async function createClient(name, baseURL) {
  switch (name) {
    case "fetch":
    case guardBaselineName:
      return fetchClient(baseURL);
    case "undici.request":
      return undiciClient(baseURL);
    case "@mistralai/mistralai":
      return mistralSdkClient(baseURL);
    case "openai":
      return openaiClient(baseURL);
    default:
      if (mistralaiTsNames.includes(name)) return createMistralaiTsClient(name, baseURL);
      throw new Error(
        `Unknown client ${name}: use one of ${[...clientNames, ...guardPlanNames].join(", ")}`,
      );
  }
}
