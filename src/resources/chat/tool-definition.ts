import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import type { JsonSchemaObject } from "../../schema/json-schema.js";
import {
  type AdaptedSchema,
  adaptSchema,
  type InferSchemaOutput,
} from "../../schema/schema-adapter.js";
import type { ChatMessage, Tool } from "../../types/chat.js";

/** Context passed to a tool's `execute` beside its arguments. */
export interface ToolContext {
  /**
   * Aborted when the caller's signal aborts or the run stops early (another tool failed with
   * `stopOnToolError`, or the reader left a streamed run). Pass it to any I/O the tool does.
   */
  signal: AbortSignal;
  /** Id the server gave this call, as sent back in the tool message. */
  toolCallId: string;
  /** Model call that asked for this tool call, counted from 1. */
  step: number;
  /** The conversation up to the assistant message that asked for this call. */
  messages: readonly ChatMessage[];
}

/**
 * A function the model may call during `chat.runTools()`. Use {@link defineTool} to have `args`
 * typed from `parameters`.
 */
export interface RunnableTool<Args = unknown> {
  /** Function name the model calls. Names must be unique within one run. */
  name: string;
  description?: string;
  /**
   * Schema of the arguments object: a zod 3 or zod 4 schema, a Standard Schema validator, or a
   * plain JSON Schema. Arguments are checked against it before `execute` runs.
   */
  parameters: object;
  /** JSON Schema sent as written in place of a generated one; see `schemaResponseFormat`. */
  jsonSchema?: JsonSchemaObject;
  /** Sent as `function.strict` when set: the server then constrains arguments to the schema. */
  strict?: boolean;
  /**
   * Runs the call. A string result is sent to the model as is; any other value as JSON
   * (`undefined` as `null`). A thrown error is sent to the model as a failed result.
   */
  execute(args: Args, context: ToolContext): unknown;
}

/** A tool whose `execute` arguments are typed from its `parameters` schema. */
export interface ToolDefinition<S extends object>
  extends Omit<RunnableTool<InferSchemaOutput<S>>, "parameters"> {
  parameters: S;
}

/** Returns the tool unchanged; it exists so `execute(args)` gets the type of `parameters`. */
export function defineTool<S extends object>(
  tool: ToolDefinition<S>,
): RunnableTool<InferSchemaOutput<S>> {
  return tool;
}

/** A tool ready for a run: its checked arguments schema and its wire definition. */
export interface PreparedTool {
  tool: RunnableTool;
  schema: AdaptedSchema;
  wire: Tool;
}

/**
 * Checks the tools of a run and builds their wire definitions, in the order given.
 *
 * @throws ValidationError listing every problem: no tools, a missing or repeated name, a missing
 *   `execute`, or parameters without a JSON Schema form.
 */
export function prepareTools(
  tools: readonly RunnableTool[] | undefined,
): Map<string, PreparedTool> {
  if (!Array.isArray(tools) || tools.length === 0) {
    throw new ValidationError([{ path: "tools", message: "must be a non-empty array of tools" }]);
  }

  const problems: InputProblem[] = [];
  const prepared = new Map<string, PreparedTool>();
  tools.forEach((tool, index) => {
    try {
      const entry = prepareTool(tool, `tools[${index}]`, prepared);
      prepared.set(entry.tool.name, entry);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.problems);
    }
  });
  if (problems.length > 0) throw new ValidationError(problems, "Invalid tools");
  return prepared;
}

function prepareTool(
  tool: RunnableTool,
  path: string,
  known: Map<string, PreparedTool>,
): PreparedTool {
  if (typeof tool !== "object" || tool === null) {
    throw new ValidationError([{ path, message: "must be an object" }]);
  }

  const problems: InputProblem[] = [];
  if (typeof tool.name !== "string" || tool.name === "") {
    problems.push({ path: `${path}.name`, message: "must be a non-empty string" });
  } else if (known.has(tool.name)) {
    problems.push({ path: `${path}.name`, message: `repeats the name "${tool.name}"` });
  }

  if (typeof tool.execute !== "function") {
    problems.push({ path: `${path}.execute`, message: "must be a function" });
  }

  if (problems.length > 0) throw new ValidationError(problems);
  const schema = adaptSchema(tool.parameters, {
    jsonSchema: tool.jsonSchema,
    path: `${path}.parameters`,
  });
  return { tool: tool as RunnableTool, schema, wire: wireTool(tool, schema.jsonSchema) };
}

function wireTool(tool: RunnableTool, parameters: JsonSchemaObject): Tool {
  const definition: Tool["function"] = { name: tool.name, parameters };
  if (tool.description !== undefined) definition.description = tool.description;
  if (tool.strict !== undefined) definition.strict = tool.strict;
  return { type: "function", function: definition };
}
