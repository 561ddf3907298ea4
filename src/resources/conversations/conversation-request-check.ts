import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import { ownValue } from "../../core/own-value.js";

/**
 * camelCase spellings of conversation fields, mapped to the wire name. The API rejects unknown
 * fields with a 422, so they are caught before sending.
 */
const camelCaseNames: Record<string, string> = {
  agentId: "agent_id",
  agentVersion: "agent_version",
  completionArgs: "completion_args",
  handoffExecution: "handoff_execution",
  toolConfirmations: "tool_confirmations",
  fromEntryId: "from_entry_id",
  conversationId: "conversation_id (pass it as the first argument)",
};

/** Conversation call a request belongs to. Each call has its own required fields. */
export type ConversationCall = "start" | "append" | "restart";

const summaries: Record<ConversationCall, string> = {
  start: "Invalid conversation start request",
  append: "Invalid conversation append request",
  restart: "Invalid conversation restart request",
};

/**
 * Checks a start, append or restart request before anything is sent, listing every problem.
 * `stream` is rejected because the method chosen decides it.
 */
export function checkConversationRequest(request: unknown, call: ConversationCall): void {
  const summary = summaries[call];
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }], summary);
  }

  const body = request as Record<string, unknown>;
  const problems: InputProblem[] = [];
  checkInputs(body, call, problems);
  if (call === "restart") {
    const entryId = body.from_entry_id;
    if (entryId === undefined) {
      problems.push({ path: "from_entry_id", message: "is required" });
    } else if (typeof entryId !== "string" || entryId.trim() === "") {
      problems.push({ path: "from_entry_id", message: "must be a non-empty string" });
    }
  }

  if ("stream" in body) {
    const streamMethod = `${call}Stream()`;
    const message = `is set by the method: call ${streamMethod} for a stream, ${call}() otherwise`;
    problems.push({ path: "stream", message });
  }

  for (const name of Object.keys(body)) {
    const wireName = ownValue(camelCaseNames, name);
    if (wireName) problems.push({ path: name, message: `is not an API field: use ${wireName}` });
  }

  if (problems.length > 0) {
    throw new ValidationError(problems, summary);
  }
}

/**
 * Checks `inputs`, a string or a list of entry objects. A start needs it, and so does an append
 * unless it only sends tool confirmations. A restart may leave it out.
 */
function checkInputs(
  body: Record<string, unknown>,
  call: ConversationCall,
  problems: InputProblem[],
): void {
  const inputs = body.inputs;
  if (inputs === undefined) {
    if (call === "start") {
      problems.push({ path: "inputs", message: "is required" });
    } else if (call === "append" && body.tool_confirmations == null) {
      problems.push({ path: "inputs", message: "is required unless tool_confirmations is set" });
    }

    return;
  }

  if (typeof inputs === "string") return;
  if (!Array.isArray(inputs)) {
    problems.push({ path: "inputs", message: "must be a string or an array of entries" });
    return;
  }

  inputs.forEach((entry, index) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push({ path: `inputs[${index}]`, message: "must be an entry object" });
    }
  });
}
