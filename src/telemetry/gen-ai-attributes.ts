import type { CallInfo, CallOutcome } from "../core/call-observer.js";
import type { OpenTelemetryAttributes } from "./opentelemetry-types.js";

/**
 * Attribute mapping of the OpenTelemetry GenAI semantic conventions (spans and metrics,
 * semantic-conventions 1.37 and later, where `gen_ai.provider.name` replaced `gen_ai.system`).
 */

export const providerName = "mistral_ai";

/** Host and port of the API server, for `server.address` and `server.port`. */
export interface ServerAddress {
  address: string;
  port: number;
}

/** Reads the host and port of a base URL; the port defaults to 443 for https and 80 for http. */
export function serverAddressOf(baseURL: string | undefined): ServerAddress | undefined {
  if (baseURL === undefined) return undefined;
  try {
    const url = new URL(baseURL);
    const defaultPort = url.protocol === "http:" ? 80 : 443;
    const port = url.port === "" ? defaultPort : Number(url.port);
    return { address: url.hostname.replace(/^\[|\]$/g, ""), port };
  } catch {
    return undefined;
  }
}

/** Paths of the generative operations, matched at the end of the path, and their names. */
const pathOperations: ReadonlyArray<readonly [RegExp, string]> = [
  [/\/v1\/chat\/completions$/, "chat"],
  [/\/v1\/agents\/completions$/, "chat"],
  [/\/v1\/fim\/completions$/, "text_completion"],
  [/\/v1\/embeddings$/, "embeddings"],
  [/\/v1\/agents$/, "create_agent"],
];

const conversationPath = /\/v1\/conversations(\/[^/]+(\/restart)?)?$/;

/**
 * Returns `gen_ai.operation.name`: a well-known value for chat, fill-in-the-middle
 * (`text_completion`), embeddings, agent creation and conversations (`invoke_agent` when the
 * request names an agent, `chat` otherwise), and the client's own operation name for the rest.
 */
export function genAiOperationName(call: CallInfo): string {
  if (call.method === "POST") {
    for (const [pattern, name] of pathOperations) {
      if (pattern.test(call.path)) return name;
    }

    if (conversationPath.test(call.path)) {
      return typeof bodyField(call.requestBody, "agent_id") === "string" ? "invoke_agent" : "chat";
    }
  }

  return call.operation;
}

/** Request attributes read from the body: sampling settings, limits and the requested output. */
export function requestAttributes(body: unknown): OpenTelemetryAttributes {
  const attributes: OpenTelemetryAttributes = {};
  setNumber(attributes, "gen_ai.request.max_tokens", bodyField(body, "max_tokens"));
  setNumber(attributes, "gen_ai.request.temperature", bodyField(body, "temperature"));
  setNumber(attributes, "gen_ai.request.top_p", bodyField(body, "top_p"));
  setNumber(attributes, "gen_ai.request.frequency_penalty", bodyField(body, "frequency_penalty"));
  setNumber(attributes, "gen_ai.request.presence_penalty", bodyField(body, "presence_penalty"));
  setNumber(attributes, "gen_ai.request.seed", bodyField(body, "random_seed"));
  setNumber(attributes, "gen_ai.embeddings.dimension.count", bodyField(body, "output_dimension"));

  const choices = bodyField(body, "n");
  if (typeof choices === "number" && choices !== 1) {
    attributes["gen_ai.request.choice.count"] = choices;
  }

  const stop = bodyField(body, "stop");
  if (typeof stop === "string") attributes["gen_ai.request.stop_sequences"] = [stop];
  if (isStringArray(stop)) attributes["gen_ai.request.stop_sequences"] = stop;

  const dtype = bodyField(body, "output_dtype");
  if (typeof dtype === "string") attributes["gen_ai.request.encoding_formats"] = [dtype];

  const format = bodyField(bodyField(body, "response_format"), "type");
  if (typeof format === "string") {
    attributes["gen_ai.output.type"] = format === "text" ? "text" : "json";
  }

  const agent = bodyField(body, "agent_id");
  if (typeof agent === "string") attributes["gen_ai.agent.id"] = agent;
  return attributes;
}

/** Response attributes: ids, model, finish reasons and token usage. */
export function responseAttributes(outcome: CallOutcome): OpenTelemetryAttributes {
  const attributes: OpenTelemetryAttributes = {};
  const body = outcome.responseBody;
  const id = bodyField(body, "id");
  if (typeof id === "string") attributes["gen_ai.response.id"] = id;

  const model = outcome.responseModel ?? bodyField(body, "model");
  if (typeof model === "string") attributes["gen_ai.response.model"] = model;

  const conversation = bodyField(body, "conversation_id");
  if (typeof conversation === "string") attributes["gen_ai.conversation.id"] = conversation;

  const choices = bodyField(body, "choices");
  if (Array.isArray(choices)) {
    const reasons = choices
      .map((choice) => bodyField(choice, "finish_reason"))
      .filter((reason): reason is string => typeof reason === "string");
    if (reasons.length > 0) attributes["gen_ai.response.finish_reasons"] = reasons;
  }

  const usage = outcome.usage;
  if (usage !== undefined) {
    setNumber(attributes, "gen_ai.usage.input_tokens", usage.prompt_tokens);
    setNumber(attributes, "gen_ai.usage.output_tokens", usage.completion_tokens);
  }

  if (outcome.status !== undefined) {
    attributes["http.response.status_code"] = outcome.status;
  }

  return attributes;
}

/** Reads `name` from a plain object, or `undefined`. */
export function bodyField(value: unknown, name: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[name];
}

function setNumber(attributes: OpenTelemetryAttributes, key: string, value: unknown): void {
  if (typeof value === "number" && Number.isFinite(value)) attributes[key] = value;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
