import { createHash } from "node:crypto";
import { type ValidationIssue, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import type { Route } from "./route.js";

type JsonObject = Record<string, unknown>;

/**
 * Words that raise one moderation category to a flagged score, so tests can trigger a category
 * on purpose. Every other category gets a small score derived from a hash of the text.
 */
const categoryTriggers: Record<string, RegExp> = {
  sexual: /\bsex(ual)?\b/i,
  hate_and_discrimination: /\bhate\b/i,
  violence_and_threats: /\b(kill|attack|hurt)\b/i,
  dangerous_and_criminal_content: /\b(bomb|weapon|steal)\b/i,
  selfharm: /\b(suicide|self-harm)\b/i,
  health: /\b(diagnos\w*|symptoms?|medication)\b/i,
  financial: /\b(invest\w*|stocks?|loan)\b/i,
  law: /\b(lawyer|lawsuit|sue)\b/i,
  pii: /\b(password|ssn)\b|[\w.+-]+@[\w-]+\.\w+/i,
};

/** Score above which a category is flagged. */
const flagThreshold = 0.5;

/** Labels of the single `sentiment` target of the default classifier, with their trigger words. */
const sentimentLabels: Array<[label: string, trigger: RegExp]> = [
  ["positive", /\b(good|great|love|thanks?)\b/i],
  ["negative", /\b(bad|awful|hate|broken)\b/i],
];

/**
 * Default replies of the moderation and classification endpoints: one result per input, in
 * input order, with deterministic scores (see `categoryTriggers` and `sentimentLabels`).
 */
export const classifierRoutes: Route[] = [
  { method: "POST", path: "/v1/moderations", handle: (call) => reply(call, "texts", moderate) },
  {
    method: "POST",
    path: "/v1/chat/moderations",
    handle: (call) => reply(call, "conversations", moderate),
  },
  { method: "POST", path: "/v1/classifications", handle: (call) => reply(call, "texts", classify) },
  {
    method: "POST",
    path: "/v1/chat/classifications",
    handle: (call) => reply(call, "instructions", classify),
  },
];

type InputKind = "texts" | "conversations" | "instructions";

function reply(
  call: IncomingCall,
  kind: InputKind,
  score: (text: string) => JsonObject,
): ResponsePlan {
  const body = (typeof call.body === "object" && call.body !== null ? call.body : {}) as JsonObject;
  const texts = inputTexts(body.input, kind);
  const issues: ValidationIssue[] = [];
  if (typeof body.model !== "string") issues.push(invalid("model", body.model));
  if (texts === undefined) issues.push(invalid("input", body.input));
  if (issues.length > 0) return validationErrorPlan(issues);
  const id = createHash("sha256").update(JSON.stringify(body.input)).digest("hex").slice(0, 32);
  return jsonPlan(200, { id, model: body.model, results: texts!.map(score) });
}

function invalid(name: string, input: unknown): ValidationIssue {
  return input === undefined
    ? { type: "missing", loc: ["body", name], msg: "Field required", input: null }
    : { type: "value_error", loc: ["body", name], msg: `Invalid ${name}`, input };
}

/** Extracts the text of each input (a string or a conversation), or undefined if invalid. */
function inputTexts(input: unknown, kind: InputKind): string[] | undefined {
  if (kind === "texts") {
    const texts = typeof input === "string" ? [input] : input;
    return Array.isArray(texts) && texts.every((text) => typeof text === "string")
      ? texts
      : undefined;
  }

  if (kind === "instructions") {
    const items = Array.isArray(input) ? input : [input];
    const conversations = items.map((item) => (item as { messages?: unknown } | null)?.messages);
    return conversations.every(Array.isArray) ? conversations.map(conversationText) : undefined;
  }

  if (!Array.isArray(input) || input.length === 0) return undefined;
  const conversations = input.every(Array.isArray) ? input : [input];
  return conversations.map(conversationText);
}

function conversationText(messages: unknown[]): string {
  return messages.map((message) => contentText((message as JsonObject | null)?.content)).join("\n");
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((chunk) => String((chunk as JsonObject | null)?.text ?? "")).join("");
}

function moderate(text: string): JsonObject {
  const categories: Record<string, boolean> = {};
  const scores: Record<string, number> = {};
  for (const [category, trigger] of Object.entries(categoryTriggers)) {
    const score = trigger.test(text) ? 0.92 : baseScore(text, category);
    scores[category] = score;
    categories[category] = score > flagThreshold;
  }

  return { categories, category_scores: scores };
}

function classify(text: string): JsonObject {
  const scores: Record<string, number> = {};
  let matched = 0;
  for (const [label, trigger] of sentimentLabels) {
    const hit = trigger.test(text);
    scores[label] = hit ? 0.8 : 0.05;
    if (hit) matched++;
  }

  scores.neutral = matched === 0 ? 0.9 : 0.1;
  return { sentiment: { scores } };
}

/** Derives a score from 0.0001 to 0.01 that is fixed for a text and category. */
function baseScore(text: string, category: string): number {
  const digest = createHash("sha256").update(`${category}\n${text}`).digest();
  return Number((0.0001 + (digest.readUInt16BE(0) / 0xffff) * 0.0099).toFixed(6));
}
