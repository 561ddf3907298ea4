import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import type { ResolvedInputLimits } from "../../guard/input-limits.js";
import { collectCompletionProblems } from "../chat/chat-request-check.js";
import { throwIfProblems } from "./list-query.js";

/**
 * Chat fields that an agents completion request may not carry, with where the setting lives
 * instead. The server rejects unknown fields with a 422.
 */
const agentOwnedFields: Record<string, string> = {
  model: "the agent's model is used; change it with agents.update()",
  temperature: "set it in the agent's completion_args",
  top_p: "set it in the agent's completion_args",
  guardrails: "set them on the agent",
  safe_prompt: "it is not accepted by agents completions",
};

/** Alias names the API accepts: lower-case letters, digits, `_` and `-`, 1 to 64 characters. */
const aliasPattern = /^[a-z]([a-z0-9_-]*[a-z0-9])?$/;

/**
 * Checks an agents completion request before anything is sent, with the chat checks, and throws
 * one ValidationError listing every problem.
 */
export function checkAgentsCompletionRequest(request: unknown, limits: ResolvedInputLimits): void {
  const summary = "Invalid agents completion request";
  const problems = collectCompletionProblems(request, ["agent_id", "messages"], limits);
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    throwIfProblems(problems, summary);
    return;
  }

  const body = request as Record<string, unknown>;
  const agentId = body.agent_id;
  if (agentId !== undefined && (typeof agentId !== "string" || agentId.trim() === "")) {
    problems.push({ path: "agent_id", message: "must be a non-empty string" });
  }

  for (const [name, reason] of Object.entries(agentOwnedFields)) {
    if (name in body) {
      problems.push({ path: name, message: `is not an agents completion field: ${reason}` });
    }
  }

  throwIfProblems(problems, summary);
}

/** Checks that a request body is an object whose `required` fields are non-empty strings. */
export function checkAgentBody(body: unknown, required: readonly string[], summary: string): void {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }], summary);
  }

  const fields = body as Record<string, unknown>;
  const problems: InputProblem[] = [];
  for (const name of required) {
    const value = fields[name];
    if (value === undefined) {
      problems.push({ path: name, message: "is required" });
    } else if (typeof value !== "string" || value.trim() === "") {
      problems.push({ path: name, message: "must be a non-empty string" });
    }
  }

  if ("stream" in fields) {
    problems.push({ path: "stream", message: "is not an agent field" });
  }

  throwIfProblems(problems, summary);
}

/** Checks a version number: an integer of at least 0. */
export function checkVersionNumber(version: unknown, path = "version"): void {
  if (!Number.isInteger(version) || (version as number) < 0) {
    throw new ValidationError(
      [{ path, message: "must be an integer of at least 0" }],
      "Invalid agent version",
    );
  }
}

/** Checks a version given as a number or an alias name. */
export function checkVersionOrAlias(version: unknown, path: string): void {
  if (typeof version === "string") {
    if (version.trim() === "") {
      throw new ValidationError([{ path, message: "must not be empty" }], "Invalid agent version");
    }

    return;
  }

  checkVersionNumber(version, path);
}

/** Checks an alias name against the pattern the API accepts. */
export function checkAliasName(alias: unknown): void {
  if (typeof alias !== "string" || alias.length > 64 || !aliasPattern.test(alias)) {
    throw new ValidationError(
      [
        {
          path: "alias",
          message:
            "must be 1 to 64 characters: a lower-case letter, then lower-case letters, digits, " +
            "'_' or '-', ending with a letter or digit",
        },
      ],
      "Invalid agent alias",
    );
  }
}
