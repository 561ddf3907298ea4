import { chatCompletionPlan } from "../chat-completion.js";
import { type ValidationIssue, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import {
  bodyIssues,
  integerQuery,
  isObject,
  isoNow,
  metadataFilter,
  noContent,
  notFound,
  prefixedId,
} from "./agent-route-helpers.js";
import { areaState, type Route, type RouteParameters, type ServerState } from "./route.js";

// Default handlers of the agents API, kept in memory per server: agents with their versions and
// aliases. Agents completions are served as chat completions with the agent's model.

type JsonObject = Record<string, unknown>;

interface AgentRecord {
  /** Fields of each version, without `version` and `versions`. */
  versions: Map<number, JsonObject>;
  current: number;
  aliases: Map<string, JsonObject>;
}

interface AgentArea {
  agents: Map<string, AgentRecord>;
}

/** Body fields of `POST /v1/agents`; updates accept `deployment_chat` too. */
const CREATE_FIELDS = [
  "instructions",
  "tools",
  "completion_args",
  "guardrails",
  "model",
  "name",
  "description",
  "handoffs",
  "metadata",
  "version_message",
];

const UPDATE_FIELDS = [...CREATE_FIELDS, "deployment_chat"];

const ALIAS_PATTERN = /^[a-z]([a-z0-9_-]*[a-z0-9])?$/;

function agentArea(state: ServerState): AgentArea {
  return areaState(state, "agents", () => ({ agents: new Map<string, AgentRecord>() }));
}

/**
 * Returns an agent as the API shows it, at its current version or at `version` (a number or an
 * alias). Returns undefined when the agent or the version does not exist.
 */
export function findAgent(
  state: ServerState,
  agentId: string,
  version?: unknown,
): JsonObject | undefined {
  const record = agentArea(state).agents.get(agentId);
  if (record === undefined) return undefined;
  const number = resolveVersion(record, version ?? record.current);
  return number === undefined ? undefined : agentAt(record, number);
}

function resolveVersion(record: AgentRecord, version: unknown): number | undefined {
  const alias = typeof version === "string" ? record.aliases.get(version) : undefined;
  const number = alias === undefined ? Number(version) : (alias.version as number);
  return Number.isInteger(number) && record.versions.has(number) ? number : undefined;
}

function agentAt(record: AgentRecord, version: number): JsonObject {
  const versions = [...record.versions.keys()].sort((a, b) => a - b);
  return { ...record.versions.get(version)!, version, versions };
}

function createAgent(call: IncomingCall, _: RouteParameters, state: ServerState): ResponsePlan {
  const issues = bodyIssues(call.body, CREATE_FIELDS, ["model", "name"]);
  if (issues.length > 0) return validationErrorPlan(issues);
  const now = isoNow(state);
  const id = prefixedId(state, "ag");
  const fields: JsonObject = { tools: [], ...(call.body as JsonObject) };
  const first: JsonObject = {
    object: "agent",
    id,
    ...fields,
    created_at: now,
    updated_at: now,
    deployment_chat: false,
    source: "api",
  };
  const record: AgentRecord = { versions: new Map([[0, first]]), current: 0, aliases: new Map() };
  agentArea(state).agents.set(id, record);
  return jsonPlan(200, agentAt(record, 0));
}

function listAgents(call: IncomingCall, state: ServerState, cursor: boolean): ResponsePlan {
  const issues: ValidationIssue[] = [];
  const pageSize = integerQuery(call, "page_size", 20, [1, 1000], issues);
  const start = cursor
    ? cursorOffset(call, issues)
    : integerQuery(call, "page", 0, [0, Number.MAX_SAFE_INTEGER], issues) * pageSize;
  const matches = agentMatcher(call, issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  const all = [...agentArea(state).agents.values()].map((record) =>
    agentAt(record, record.current),
  );
  const found = all.filter(matches).reverse();
  const data = found.slice(start, start + pageSize);
  if (!cursor) return jsonPlan(200, data);
  const next = start + pageSize < found.length ? encodeCursor(start + pageSize) : null;
  return jsonPlan(200, { object: "list", data, next_page_token: next });
}

/** Builds the filter of the agent lists from the query. */
function agentMatcher(
  call: IncomingCall,
  issues: ValidationIssue[],
): (agent: JsonObject) => boolean {
  const { name, search, id, deployment_chat: chat } = call.query;
  const sources = new URLSearchParams(call.url.split("?")[1] ?? "").getAll("sources");
  const metadataMatches = metadataFilter(call, issues);
  const needle = search?.toLowerCase();
  return (agent) =>
    (name === undefined || agent.name === name) &&
    (id === undefined || agent.id === id) &&
    (chat === undefined || String(agent.deployment_chat) === chat) &&
    (sources.length === 0 || sources.includes(String(agent.source))) &&
    (needle === undefined ||
      String(agent.name).toLowerCase().includes(needle) ||
      String(agent.id).toLowerCase().includes(needle)) &&
    metadataMatches(agent.metadata);
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function cursorOffset(call: IncomingCall, issues: ValidationIssue[]): number {
  const token = call.query.page_token;
  if (token === undefined) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (match === null) {
    issues.push({
      type: "value_error",
      loc: ["query", "page_token"],
      msg: "Invalid page token",
      input: token,
    });
    return 0;
  }

  return Number(match[1]);
}

/** Arguments of a handler of one agent, besides the request. */
interface AgentScope {
  record: AgentRecord;
  id: string;
  state: ServerState;
  parameters: RouteParameters;
}

/** Wraps a handler of one agent, which returns a 404 when the agent does not exist. */
function withAgent(handler: (call: IncomingCall, scope: AgentScope) => ResponsePlan) {
  return (call: IncomingCall, parameters: RouteParameters, state: ServerState) => {
    const id = parameters.agent_id!;
    const record = agentArea(state).agents.get(id);
    if (record === undefined) return notFound("Agent", id);
    return handler(call, { record, id, state, parameters });
  };
}

const getAgent = withAgent((call, { record, id }) => {
  const requested = call.query.agent_version;
  const version = resolveVersion(record, requested ?? record.current);
  if (version === undefined) return notFound(`Version ${requested} of agent`, id);
  return jsonPlan(200, agentAt(record, version));
});

/** Creates a new version from the current one and the fields of the body that are not null. */
const updateAgent = withAgent((call, { record, state }) => {
  const issues = bodyIssues(call.body, UPDATE_FIELDS, []);
  if (issues.length > 0) return validationErrorPlan(issues);
  const changes = Object.entries(call.body as JsonObject).filter(([, value]) => value !== null);
  const version = Math.max(...record.versions.keys()) + 1;
  // The note of the current version does not carry over to the new one.
  const { version_message: _note, ...base } = record.versions.get(record.current)!;
  const fields = { ...base, ...Object.fromEntries(changes), updated_at: isoNow(state) };
  record.versions.set(version, fields);
  record.current = version;
  return jsonPlan(200, agentAt(record, version));
});

const deleteAgent = withAgent((_call, { state, id }) => {
  agentArea(state).agents.delete(id);
  return noContent();
});

const switchVersion = withAgent((call, { record, id }) => {
  const issues: ValidationIssue[] = [];
  const version = requiredVersionQuery(call, issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  if (!record.versions.has(version)) return notFound(`Version ${version} of agent`, id);
  record.current = version;
  return jsonPlan(200, agentAt(record, version));
});

/** Lists the versions newest first. */
const listVersions = withAgent((call, { record }) => {
  const issues: ValidationIssue[] = [];
  const pageSize = integerQuery(call, "page_size", 20, [1, 100], issues);
  const page = integerQuery(call, "page", 0, [0, Number.MAX_SAFE_INTEGER], issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  const numbers = [...record.versions.keys()].sort((a, b) => b - a);
  const shown = numbers.slice(page * pageSize, (page + 1) * pageSize);
  return jsonPlan(
    200,
    shown.map((number) => agentAt(record, number)),
  );
});

const getVersion = withAgent((_call, { record, id, parameters }) => {
  const text = parameters.version!;
  const version = /^\d+$/.test(text) ? Number(text) : undefined;
  if (version === undefined || !record.versions.has(version)) {
    return notFound(`Version ${text} of agent`, id);
  }

  return jsonPlan(200, agentAt(record, version));
});

function requiredVersionQuery(call: IncomingCall, issues: ValidationIssue[]): number {
  if (call.query.version === undefined) {
    issues.push({ type: "missing", loc: ["query", "version"], msg: "Field required", input: null });
    return 0;
  }

  return integerQuery(call, "version", 0, [0, Number.MAX_SAFE_INTEGER], issues);
}

const setAlias = withAgent((call, { record, state, id }) => {
  const issues: ValidationIssue[] = [];
  const alias = aliasQuery(call, issues);
  const version = requiredVersionQuery(call, issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  if (!record.versions.has(version)) return notFound(`Version ${version} of agent`, id);
  const now = isoNow(state);
  const created = record.aliases.get(alias)?.created_at ?? now;
  const entry = { alias, version, created_at: created, updated_at: now };
  record.aliases.set(alias, entry);
  return jsonPlan(200, entry);
});

const listAliases = withAgent((_call, { record }) => jsonPlan(200, [...record.aliases.values()]));

const deleteAlias = withAgent((call, { record, id }) => {
  const issues: ValidationIssue[] = [];
  const alias = aliasQuery(call, issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  if (!record.aliases.delete(alias)) return notFound(`Alias ${alias} of agent`, id);
  return noContent();
});

function aliasQuery(call: IncomingCall, issues: ValidationIssue[]): string {
  const alias = call.query.alias;
  if (alias === undefined) {
    issues.push({ type: "missing", loc: ["query", "alias"], msg: "Field required", input: null });
    return "";
  }

  if (alias.length > 64 || !ALIAS_PATTERN.test(alias)) {
    const msg = `String should match pattern '${ALIAS_PATTERN.source}'`;
    issues.push({ type: "string_pattern_mismatch", loc: ["query", "alias"], msg, input: alias });
  }

  return alias;
}

/** Serves an agents completion as a chat completion with the model of the agent `agent_id`. */
function agentCompletion(call: IncomingCall, _: RouteParameters, state: ServerState): ResponsePlan {
  const body = call.body;
  const agentId = isObject(body) ? body.agent_id : undefined;
  if (typeof agentId !== "string") {
    const issue = {
      type: "missing",
      loc: ["body", "agent_id"],
      msg: "Field required",
      input: null,
    };
    return validationErrorPlan([issue]);
  }

  const agent = findAgent(state, agentId);
  if (agent === undefined) return notFound("Agent", agentId);
  return chatCompletionPlan(
    { ...call, body: { ...(body as JsonObject), model: agent.model } },
    state.now(),
  );
}

/**
 * Routes of the agents API. Literal paths come before `{agent_id}`, because the first route
 * that matches serves the request.
 */
export const agentsRoutes: Route[] = [
  { method: "POST", path: "/v1/agents/completions", handle: agentCompletion },
  {
    method: "GET",
    path: "/v1/agents/pages",
    handle: (call, _, state) => listAgents(call, state, true),
  },
  { method: "POST", path: "/v1/agents", handle: createAgent },
  { method: "GET", path: "/v1/agents", handle: (call, _, state) => listAgents(call, state, false) },
  { method: "GET", path: "/v1/agents/{agent_id}", handle: getAgent },
  { method: "PATCH", path: "/v1/agents/{agent_id}", handle: updateAgent },
  { method: "DELETE", path: "/v1/agents/{agent_id}", handle: deleteAgent },
  { method: "PATCH", path: "/v1/agents/{agent_id}/version", handle: switchVersion },
  { method: "GET", path: "/v1/agents/{agent_id}/versions", handle: listVersions },
  { method: "GET", path: "/v1/agents/{agent_id}/versions/{version}", handle: getVersion },
  { method: "PUT", path: "/v1/agents/{agent_id}/aliases", handle: setAlias },
  { method: "GET", path: "/v1/agents/{agent_id}/aliases", handle: listAliases },
  { method: "DELETE", path: "/v1/agents/{agent_id}/aliases", handle: deleteAlias },
];
