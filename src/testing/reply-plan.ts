import { DONE_EVENT, encodeDataEvent, SSE_CONTENT_TYPE } from "./sse.js";
import type { BodyFraming, ScriptedReply, ServerFault } from "./types.js";

/** A response decided but not yet sent: each chunk becomes one socket write. */
export interface ResponsePlan {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  chunks: Uint8Array[];
  framing: BodyFraming;
}

const JSON_CONTENT_TYPE = "application/json";

const FAULTS: ReadonlySet<ServerFault> = new Set<ServerFault>([
  "black-hole",
  "close-before-headers",
  "close-mid-body",
  "stall-mid-body",
  "malformed",
]);

const FRAMINGS: ReadonlySet<BodyFraming> = new Set<BodyFraming>([
  "content-length",
  "chunked",
  "close",
]);

/** Builds a JSON response sent in one write with a `content-length`. */
export function jsonPlan(status: number, value: unknown): ResponsePlan {
  return {
    status,
    headers: { "content-type": JSON_CONTENT_TYPE },
    chunks: [Buffer.from(JSON.stringify(value))],
    framing: "content-length",
  };
}

/** Builds a chunked event stream: one write per event, then `data: [DONE]`. */
export function ssePlan(events: readonly object[]): ResponsePlan {
  const chunks = events.map((event) => Buffer.from(encodeDataEvent(event)));
  chunks.push(Buffer.from(DONE_EVENT));
  return {
    status: 200,
    headers: { "content-type": SSE_CONTENT_TYPE, "cache-control": "no-cache" },
    chunks,
    framing: "chunked",
  };
}

/** Checks whether the reply defines its own response, as opposed to adjusting the default one. */
export function hasScriptedContent(reply: ScriptedReply): boolean {
  return (
    reply.status !== undefined ||
    reply.body !== undefined ||
    reply.events !== undefined ||
    reply.writes !== undefined ||
    reply.rawResponse !== undefined
  );
}

/** Builds the plan of a reply that has scripted content (see `hasScriptedContent`). */
export function planFromScripted(reply: ScriptedReply): ResponsePlan {
  const status = reply.status ?? 200;

  if (reply.events !== undefined) {
    const chunks = reply.events.map((event) => Buffer.from(encodeDataEvent(event)));
    if (reply.done !== false) {
      chunks.push(Buffer.from(DONE_EVENT));
    }

    const headers = { "content-type": SSE_CONTENT_TYPE, "cache-control": "no-cache" };
    return { status, headers, chunks, framing: "chunked" };
  }

  if (reply.writes !== undefined) {
    const chunks = reply.writes.map(toBytes);
    const headers = { "content-type": SSE_CONTENT_TYPE, "cache-control": "no-cache" };
    return { status, headers, chunks, framing: "chunked" };
  }

  if (reply.body === undefined || reply.body === "") {
    return { status, headers: {}, chunks: [], framing: "content-length" };
  }

  const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  const headers = { "content-type": JSON_CONTENT_TYPE };
  return { status, headers, chunks: [Buffer.from(text)], framing: "content-length" };
}

/** Converts a string (as UTF-8) or byte array to the bytes written to the socket. */
export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? Buffer.from(value) : value;
}

/**
 * Throws a TypeError naming the problem when a reply cannot be served as written, so a broken
 * script fails at `enqueue` rather than as a hung request.
 */
export function validateScriptedReply(reply: ScriptedReply): void {
  const contentFields = (["body", "events", "writes", "rawResponse"] as const).filter(
    (field) => reply[field] !== undefined,
  );
  if (contentFields.length > 1) {
    throw new TypeError(`Scripted reply sets ${contentFields.join(" and ")}: set only one of them`);
  }

  if (reply.fault !== undefined && !FAULTS.has(reply.fault)) {
    throw new TypeError(`Unknown fault "${String(reply.fault)}": use one of ${[...FAULTS]}`);
  }

  if (reply.framing !== undefined && !FRAMINGS.has(reply.framing)) {
    throw new TypeError(`Unknown framing "${String(reply.framing)}": use one of ${[...FRAMINGS]}`);
  }

  if (reply.status !== undefined && !isStatus(reply.status)) {
    throw new TypeError(`Invalid status ${reply.status}: use an integer from 100 to 999`);
  }

  if (reply.times !== Number.POSITIVE_INFINITY) {
    checkCount("times", reply.times, 1);
  }

  checkCount("faultAfterWrites", reply.faultAfterWrites, 0);
  checkCount("writeDelayMs", reply.writeDelayMs, 0);
  checkCount("delayBeforeHeadersMs", reply.delayBeforeHeadersMs, 0);
}

function isStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status <= 999;
}

function checkCount(name: string, value: number | undefined, minimum: number): void {
  if (value === undefined) {
    return;
  }

  if (!Number.isInteger(value) || value < minimum) {
    throw new TypeError(`Invalid ${name} ${value}: use an integer of at least ${minimum}`);
  }
}
