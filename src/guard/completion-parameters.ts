import type { InputProblem } from "../core/errors/client-errors.js";

// Ranges and enums of the completion request fields, as the API's OpenAPI description states them
// for chat, FIM and agents completions (2026). A field left out or set to `undefined` (which JSON
// leaves out), or `null` where the API allows null, is not checked: the server applies its default.

interface NumberRule {
  min: number;
  max: number;
  /** True when `null` is a valid value (the server's default). */
  nullable: boolean;
  integer: boolean;
}

const numberRules: Record<string, NumberRule> = {
  temperature: { min: 0, max: 1.5, nullable: true, integer: false },
  top_p: { min: 0, max: 1, nullable: false, integer: false },
  presence_penalty: { min: -2, max: 2, nullable: false, integer: false },
  frequency_penalty: { min: -2, max: 2, nullable: false, integer: false },
  max_tokens: { min: 0, max: Number.MAX_SAFE_INTEGER, nullable: true, integer: true },
  min_tokens: { min: 0, max: Number.MAX_SAFE_INTEGER, nullable: true, integer: true },
  n: { min: 1, max: Number.MAX_SAFE_INTEGER, nullable: true, integer: true },
  random_seed: { min: 0, max: Number.MAX_SAFE_INTEGER, nullable: true, integer: true },
};

const numberRuleEntries = Object.entries(numberRules);

const booleanFields = ["parallel_tool_calls", "safe_prompt"];

/**
 * Closed: the API defines these four modes and rejects any other string with a 422, so a typo
 * such as `"requred"` fails here, before the call.
 */
const toolChoiceModes = new Set(["auto", "none", "any", "required"]);

/**
 * Closed: each format type comes with its own companion field (`json_schema`), so a new type
 * needs a new version of this library anyway.
 */
const responseFormatTypes = new Set(["text", "json_object", "json_schema"]);

// Open, checked only as strings: `reasoning_effort`, `prompt_mode` and the tool `type`. The API
// lists only `high` and `none` as reasoning efforts, but reasoning levels are where providers add
// values, such as `low` or `medium`. `prompt_mode` is deprecated, yet its list may still grow.
// Only the `function` tool type exists in chat today, while the agents API already has others.

/** Adds a problem for each field of a completion request whose type, range or value is invalid. */
export function collectParameterProblems(
  body: Record<string, unknown>,
  problems: InputProblem[],
): void {
  for (const [name, rule] of numberRuleEntries) {
    if (body[name] !== undefined) checkNumber(body[name], name, rule, problems);
  }

  for (const name of booleanFields) {
    if (body[name] !== undefined && typeof body[name] !== "boolean") {
      problems.push({ path: name, message: "must be true or false" });
    }
  }

  if (body.stop !== undefined) checkStop(body.stop, problems);
  if (body.response_format !== undefined) checkResponseFormat(body.response_format, problems);
  if (body.tool_choice !== undefined) checkToolChoice(body.tool_choice, problems);
  if (body.tools !== undefined) checkTools(body.tools, problems);
  if (body.prediction !== undefined) checkPrediction(body.prediction, problems);
  checkOptionalString(body, "reasoning_effort", false, problems);
  checkOptionalString(body, "prompt_mode", true, problems);
  checkOptionalString(body, "prompt_cache_key", true, problems);
  checkOptionalString(body, "suffix", true, problems);
  if (body.metadata !== undefined && body.metadata !== null && !isRecord(body.metadata)) {
    problems.push({ path: "metadata", message: "must be an object or null" });
  }

  if (
    body.guardrails !== undefined &&
    body.guardrails !== null &&
    !Array.isArray(body.guardrails)
  ) {
    problems.push({
      path: "guardrails",
      message: "must be an array of guardrail settings or null",
    });
  }
}

function checkNumber(value: unknown, path: string, rule: NumberRule, problems: InputProblem[]) {
  if (value === null && rule.nullable) return;
  const valid =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isSafeInteger(value)) &&
    value >= rule.min &&
    value <= rule.max;
  if (valid) return;
  const kind = rule.integer ? "whole number" : "number";
  const range =
    rule.max === Number.MAX_SAFE_INTEGER
      ? `of at least ${rule.min}`
      : `from ${rule.min} to ${rule.max}`;
  problems.push({ path, message: `must be a ${kind} ${range}; got ${describeValue(value)}` });
}

function checkStop(stop: unknown, problems: InputProblem[]): void {
  if (typeof stop === "string") return;
  if (!Array.isArray(stop)) {
    problems.push({ path: "stop", message: "must be a string or an array of strings" });
    return;
  }

  stop.forEach((item, index) => {
    if (typeof item !== "string") {
      problems.push({
        path: `stop[${index}]`,
        message: `must be a string; got ${describeValue(item)}`,
      });
    }
  });
}

function checkResponseFormat(format: unknown, problems: InputProblem[]): void {
  if (!isRecord(format)) {
    problems.push({
      path: "response_format",
      message: 'must be an object such as { type: "text" }',
    });
    return;
  }

  const type = format.type;
  if (type !== undefined && (typeof type !== "string" || !responseFormatTypes.has(type))) {
    problems.push({
      path: "response_format.type",
      message: `must be one of text, json_object, json_schema; got ${describeValue(type)}`,
    });
  }

  const schema = format.json_schema;
  if (type === "json_schema" && (schema === undefined || schema === null)) {
    problems.push({
      path: "response_format.json_schema",
      message: 'is required when type is "json_schema": pass { name, schema }',
    });
  } else if (schema !== undefined && schema !== null) {
    checkJsonSchemaFormat(schema, problems);
  }
}

function checkJsonSchemaFormat(schema: unknown, problems: InputProblem[]): void {
  const path = "response_format.json_schema";
  if (!isRecord(schema)) {
    problems.push({ path, message: "must be an object with name and schema" });
    return;
  }

  if (typeof schema.name !== "string" || schema.name === "") {
    problems.push({ path: `${path}.name`, message: "must be a non-empty string" });
  }

  if (!isRecord(schema.schema)) {
    problems.push({ path: `${path}.schema`, message: "must be a JSON Schema object" });
  }

  if (schema.strict !== undefined && typeof schema.strict !== "boolean") {
    problems.push({ path: `${path}.strict`, message: "must be true or false" });
  }
}

function checkToolChoice(choice: unknown, problems: InputProblem[]): void {
  if (typeof choice === "string") {
    if (!toolChoiceModes.has(choice)) {
      problems.push({
        path: "tool_choice",
        message: `must be auto, none, any, required or { function: { name } }; got ${describeValue(choice)}`,
      });
    }

    return;
  }

  if (!isRecord(choice)) {
    problems.push({
      path: "tool_choice",
      message: "must be auto, none, any, required or { function: { name } }",
    });
    return;
  }

  checkOpenType(choice.type, "tool_choice.type", problems);
  const name = isRecord(choice.function) ? choice.function.name : undefined;
  if (typeof name !== "string" || name === "") {
    problems.push({ path: "tool_choice.function.name", message: "must be a non-empty string" });
  }
}

function checkTools(tools: unknown, problems: InputProblem[]): void {
  if (tools === null) return;
  if (!Array.isArray(tools)) {
    problems.push({ path: "tools", message: "must be an array of tools or null" });
    return;
  }

  tools.forEach((tool, index) => {
    const path = `tools[${index}]`;
    if (!isRecord(tool)) {
      problems.push({ path, message: "must be an object with a function" });
      return;
    }

    checkOpenType(tool.type, `${path}.type`, problems);
    const fn = tool.function;
    if (!isRecord(fn)) {
      problems.push({
        path: `${path}.function`,
        message: "must be an object with name and parameters",
      });
      return;
    }

    if (typeof fn.name !== "string" || fn.name === "") {
      problems.push({ path: `${path}.function.name`, message: "must be a non-empty string" });
    }

    if (fn.parameters !== undefined && !isRecord(fn.parameters)) {
      problems.push({
        path: `${path}.function.parameters`,
        message: "must be a JSON Schema object",
      });
    }

    if (fn.description !== undefined && typeof fn.description !== "string") {
      problems.push({ path: `${path}.function.description`, message: "must be a string" });
    }
  });
}

function checkPrediction(prediction: unknown, problems: InputProblem[]): void {
  if (!isRecord(prediction)) {
    problems.push({
      path: "prediction",
      message: 'must be an object such as { type: "content", content }',
    });
    return;
  }

  // Closed: `content` is the only prediction type, and the field is an object for that reason.
  if (prediction.type !== undefined && prediction.type !== "content") {
    problems.push({
      path: "prediction.type",
      message: `must be "content"; got ${describeValue(prediction.type)}`,
    });
  }

  if (prediction.content !== undefined && typeof prediction.content !== "string") {
    problems.push({ path: "prediction.content", message: "must be a string" });
  }
}

/** Checks a `type` field whose values stay open: any non-empty string passes. */
function checkOpenType(type: unknown, path: string, problems: InputProblem[]): void {
  if (type !== undefined && (typeof type !== "string" || type === "")) {
    problems.push({ path, message: `must be a non-empty string such as "function"` });
  }
}

function checkOptionalString(
  body: Record<string, unknown>,
  name: string,
  nullable: boolean,
  problems: InputProblem[],
): void {
  const value = body[name];
  if (value === undefined || typeof value === "string" || (nullable && value === null)) return;
  problems.push({ path: name, message: `must be a string${nullable ? " or null" : ""}` });
}

/** Shows a received value in a message: numbers as they are, strings quoted and cut at 40. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }

  if (Array.isArray(value)) return "an array";
  return value === undefined ? "nothing" : `a value of type ${typeof value}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
