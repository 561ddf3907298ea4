import { type ValidationIssue, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import { SSE_CONTENT_TYPE } from "../sse.js";
import {
  bodyIssues,
  integerQuery,
  isObject,
  isoNow,
  type JsonObject,
  metadataFilter,
  noContent,
  notFound,
  prefixedId,
} from "./agent-route-helpers.js";
import { findAgent } from "./agents.js";
import { areaState, type Route, type RouteParameters, type ServerState } from "./route.js";

// Default handlers of the conversations API, kept in memory per server. Each turn replies with
// one `message.output` entry, `Echo: <text of the last user message>`, and counts tokens as
// words. Streamed turns send `event:` and `data:` lines and end with
// `conversation.response.done`, without `data: [DONE]`, as the API does.

interface ConversationRecord {
  conversation: JsonObject;
  entries: JsonObject[];
}

interface ConversationArea {
  conversations: Map<string, ConversationRecord>;
}

/** Maximum reply length in characters (code points). */
const MAX_ANSWER_LENGTH = 200;

const START_FIELDS = [
  "inputs",
  "stream",
  "store",
  "handoff_execution",
  "instructions",
  "tools",
  "completion_args",
  "guardrails",
  "name",
  "metadata",
  "agent_id",
  "agent_version",
  "model",
];

const APPEND_FIELDS = [
  "inputs",
  "stream",
  "store",
  "handoff_execution",
  "completion_args",
  "tool_confirmations",
];

const RESTART_FIELDS = [
  "inputs",
  "stream",
  "store",
  "handoff_execution",
  "completion_args",
  "guardrails",
  "metadata",
  "from_entry_id",
  "agent_version",
];

/** Fields a model conversation keeps from the start request. */
const MODEL_CONVERSATION_FIELDS = [
  "instructions",
  "tools",
  "completion_args",
  "guardrails",
  "name",
  "metadata",
];

function conversationArea(state: ServerState): ConversationArea {
  return areaState(state, "conversations", () => ({
    conversations: new Map<string, ConversationRecord>(),
  }));
}

/** Output entry and usage of one turn, before they are sent as JSON or as events. */
interface Turn {
  conversationId: string;
  output: JsonObject;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function startConversation(call: IncomingCall, _: RouteParameters, state: ServerState) {
  const issues = bodyIssues(call.body, START_FIELDS, ["inputs"]);
  const body = call.body as JsonObject;
  if (issues.length === 0) inputIssues(body.inputs, issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  const now = isoNow(state);
  const conversation: JsonObject = { object: "conversation", id: prefixedId(state, "conv") };
  if (typeof body.agent_id === "string") {
    const agent = findAgent(state, body.agent_id, body.agent_version ?? undefined);
    if (agent === undefined) return notFound("Agent", body.agent_id);
    copyFields(conversation, body, ["name", "metadata"]);
    Object.assign(conversation, { created_at: now, updated_at: now, agent_id: agent.id });
    conversation.agent_version = agent.version;
  } else if (typeof body.model === "string") {
    copyFields(conversation, body, MODEL_CONVERSATION_FIELDS);
    Object.assign(conversation, { created_at: now, updated_at: now, model: body.model });
  } else {
    const msg = "Either model or agent_id is required";
    return validationErrorPlan([{ type: "value_error", loc: ["body"], msg, input: body }]);
  }

  const record: ConversationRecord = { conversation, entries: [] };
  const plan = runTurn(record, body, state);
  if (body.store !== false)
    conversationArea(state).conversations.set(conversation.id as string, record);
  return plan;
}

/** Wraps a handler of one conversation, which returns a 404 when the conversation does not exist. */
function withConversation(
  handler: (call: IncomingCall, record: ConversationRecord, state: ServerState) => ResponsePlan,
) {
  return (call: IncomingCall, parameters: RouteParameters, state: ServerState) => {
    const id = parameters.conversation_id!;
    const record = conversationArea(state).conversations.get(id);
    return record === undefined ? notFound("Conversation", id) : handler(call, record, state);
  };
}

const appendConversation = withConversation((call, record, state) => {
  const issues = bodyIssues(call.body, APPEND_FIELDS, []);
  const body = call.body as JsonObject;
  if (issues.length === 0 && body.inputs === undefined && body.tool_confirmations == null) {
    issues.push({ type: "missing", loc: ["body", "inputs"], msg: "Field required", input: body });
  }

  if (issues.length === 0 && body.inputs !== undefined) inputIssues(body.inputs, issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  // With `store: false` the turn runs on a copy, so the stored conversation stays unchanged.
  const target =
    body.store === false
      ? { conversation: { ...record.conversation }, entries: [...record.entries] }
      : record;
  return runTurn(target, body, state);
});

/** Copies the entries up to `from_entry_id` into a new conversation, then runs a turn on it. */
const restartConversation = withConversation((call, record, state) => {
  const issues = bodyIssues(call.body, RESTART_FIELDS, ["from_entry_id"]);
  const body = call.body as JsonObject;
  if (issues.length === 0 && body.inputs !== undefined) inputIssues(body.inputs, issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  const index = record.entries.findIndex((entry) => entry.id === body.from_entry_id);
  if (index === -1) return notFound("Entry", String(body.from_entry_id));
  const now = isoNow(state);
  const id = prefixedId(state, "conv");
  const conversation: JsonObject = { ...record.conversation, id };
  Object.assign(conversation, { created_at: now, updated_at: now });
  if (body.metadata !== undefined) conversation.metadata = body.metadata;
  if (body.agent_version != null && "agent_id" in conversation) {
    const agent = findAgent(state, conversation.agent_id as string, body.agent_version);
    if (agent === undefined) return notFound("Agent version", String(body.agent_version));
    conversation.agent_version = agent.version;
  }

  // NOTE: entries keep their ids in the copy; whether the API assigns new ones is not known.
  const copy: ConversationRecord = { conversation, entries: record.entries.slice(0, index + 1) };
  const plan = runTurn(copy, body, state);
  if (body.store !== false) conversationArea(state).conversations.set(id, copy);
  return plan;
});

/** Adds the request's inputs and one reply to the record, and builds the response. */
function runTurn(record: ConversationRecord, body: JsonObject, state: ServerState): ResponsePlan {
  const now = isoNow(state);
  const inputs = toEntries(body.inputs, now, state);
  record.entries.push(...inputs);
  const reply = replyFor(record.entries);
  const conversation = record.conversation;
  const output: JsonObject = { object: "entry", type: "message.output", created_at: now };
  Object.assign(output, { completed_at: now, id: prefixedId(state, "msg") });
  const agent = typeof conversation.agent_id === "string" ? conversation : undefined;
  if (agent !== undefined) output.agent_id = agent.agent_id;
  output.model = agent === undefined ? conversation.model : modelOf(agent, state);
  Object.assign(output, { role: "assistant", content: reply });
  record.entries.push(output);
  conversation.updated_at = now;
  const promptTokens = Math.max(
    1,
    record.entries.slice(0, -1).reduce((sum, e) => sum + words(e), 0),
  );
  const completionTokens = Math.max(1, countWords(reply));
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const turn: Turn = { conversationId: conversation.id as string, output, usage };
  return body.stream === true ? turnEvents(turn, now) : jsonPlan(200, turnBody(turn));
}

function modelOf(conversation: JsonObject, state: ServerState): unknown {
  const agent = findAgent(state, conversation.agent_id as string, conversation.agent_version);
  return agent?.model ?? null;
}

function turnBody(turn: Turn): JsonObject {
  return {
    object: "conversation.response",
    conversation_id: turn.conversationId,
    outputs: [turn.output],
    usage: turn.usage,
  };
}

/** Streams the turn: started, the reply in word-sized deltas, then done with the usage. */
function turnEvents(turn: Turn, now: string): ResponsePlan {
  const { output } = turn;
  const text = output.content as string;
  const pieces = text.match(/\s*\S+/g) ?? [text];
  const events: JsonObject[] = [
    {
      type: "conversation.response.started",
      created_at: now,
      conversation_id: turn.conversationId,
    },
  ];
  for (const piece of pieces) {
    const delta: JsonObject = { type: "message.output.delta", created_at: now, output_index: 0 };
    Object.assign(delta, { id: output.id, content_index: 0, model: output.model });
    if (output.agent_id !== undefined) delta.agent_id = output.agent_id;
    Object.assign(delta, { role: "assistant", content: piece });
    events.push(delta);
  }

  events.push({ type: "conversation.response.done", created_at: now, usage: turn.usage });
  const chunks = events.map((event) =>
    Buffer.from(`event: ${event.type as string}\ndata: ${JSON.stringify(event)}\n\n`),
  );
  const headers = { "content-type": SSE_CONTENT_TYPE, "cache-control": "no-cache" };
  return { status: 200, headers, chunks, framing: "chunked" };
}

/** Stores the inputs as entries: a string is one user message. */
function toEntries(inputs: unknown, now: string, state: ServerState): JsonObject[] {
  if (inputs === undefined) return [];
  const given =
    typeof inputs === "string" ? [{ role: "user", content: inputs }] : (inputs as JsonObject[]);
  return given.map((input) => {
    const { object: _object, id: _id, created_at: _created, completed_at: _done, ...rest } = input;
    const type = rest.type ?? "message.input";
    const prefix = type === "message.input" ? "msg" : "entry";
    const entry: JsonObject = { object: "entry", type, created_at: now, completed_at: now };
    entry.id = prefixedId(state, prefix);
    return { ...entry, ...rest, type };
  });
}

function inputIssues(inputs: unknown, issues: ValidationIssue[]): void {
  if (typeof inputs === "string") return;
  if (!Array.isArray(inputs)) {
    const msg = "Input should be a string or a list of entries";
    issues.push({ type: "union_tag_invalid", loc: ["body", "inputs"], msg, input: inputs });
    return;
  }

  inputs.forEach((entry, index) => {
    if (!isObject(entry)) {
      const msg = "Input should be an entry object";
      issues.push({ type: "model_type", loc: ["body", "inputs", index], msg, input: entry });
    }
  });
}

/** `Echo: <text of the last user message>`, or the last function result when it came last. */
function replyFor(entries: JsonObject[]): string {
  const last = entries.findLast((entry) => entry.type !== "message.output");
  if (last?.type === "function.result") {
    return truncate(`Function result received: ${String(last.result)}`);
  }

  const user = entries.findLast((entry) => entry.type === "message.input" && entry.role === "user");
  const text = user === undefined ? "" : contentText(user.content).trim();
  return truncate(`Echo: ${text}`.trim());
}

function listConversations(call: IncomingCall, _: RouteParameters, state: ServerState) {
  const issues: ValidationIssue[] = [];
  const page = integerQuery(call, "page", 0, [0, Number.MAX_SAFE_INTEGER], issues);
  const pageSize = integerQuery(call, "page_size", 100, [1, 10_000], issues);
  const matches = metadataFilter(call, issues);
  if (issues.length > 0) return validationErrorPlan(issues);
  const all = [...conversationArea(state).conversations.values()].map((r) => r.conversation);
  const found = all.filter((conversation) => matches(conversation.metadata)).reverse();
  return jsonPlan(200, found.slice(page * pageSize, (page + 1) * pageSize));
}

const getConversation = withConversation((_call, record) => jsonPlan(200, record.conversation));

const deleteConversation = withConversation((_call, record, state) => {
  conversationArea(state).conversations.delete(record.conversation.id as string);
  return noContent();
});

const conversationHistory = withConversation((_call, record) =>
  jsonPlan(200, {
    object: "conversation.history",
    conversation_id: record.conversation.id,
    entries: record.entries,
  }),
);

const conversationMessages = withConversation((_call, record) =>
  jsonPlan(200, {
    object: "conversation.messages",
    conversation_id: record.conversation.id,
    messages: record.entries.filter(
      (entry) => entry.type === "message.input" || entry.type === "message.output",
    ),
  }),
);

function copyFields(target: JsonObject, source: JsonObject, names: readonly string[]): void {
  for (const name of names) {
    if (source[name] !== undefined && source[name] !== null) target[name] = source[name];
  }
}

/** Returns the text of a content: the string, or the `text` fields of a list of chunks. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (isObject(part) && typeof part.text === "string" ? part.text : ""))
    .filter((text) => text !== "")
    .join(" ");
}

function words(entry: JsonObject): number {
  return countWords(contentText(entry.content));
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Cuts text to `MAX_ANSWER_LENGTH` code points, so no surrogate pair is split. */
function truncate(text: string): string {
  const codePoints = Array.from(text);
  return codePoints.length <= MAX_ANSWER_LENGTH
    ? text
    : codePoints.slice(0, MAX_ANSWER_LENGTH).join("");
}

/** Routes of the conversations API. */
export const conversationsRoutes: Route[] = [
  { method: "POST", path: "/v1/conversations", handle: startConversation },
  { method: "GET", path: "/v1/conversations", handle: listConversations },
  { method: "GET", path: "/v1/conversations/{conversation_id}", handle: getConversation },
  { method: "POST", path: "/v1/conversations/{conversation_id}", handle: appendConversation },
  { method: "DELETE", path: "/v1/conversations/{conversation_id}", handle: deleteConversation },
  {
    method: "GET",
    path: "/v1/conversations/{conversation_id}/history",
    handle: conversationHistory,
  },
  {
    method: "GET",
    path: "/v1/conversations/{conversation_id}/messages",
    handle: conversationMessages,
  },
  {
    method: "POST",
    path: "/v1/conversations/{conversation_id}/restart",
    handle: restartConversation,
  },
];
