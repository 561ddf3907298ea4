import { createHash } from "node:crypto";
import { validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan, ssePlan } from "../reply-plan.js";
import type { Route } from "./route.js";

type JsonObject = Record<string, unknown>;

/**
 * Default replies for fill-in-the-middle and embeddings. FIM answers with a deterministic middle
 * part derived from the prompt; embeddings return vectors derived from a hash of each input, in
 * the requested dimension and number type.
 */
export const completionRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/fim/completions",
    handle: (call, _, state) => fimPlan(call, state.now()),
  },
  { method: "POST", path: "/v1/embeddings", handle: (call) => embeddingsPlan(call) },
];

function fimPlan(call: IncomingCall, nowMs: number): ResponsePlan {
  const body = (call.body ?? {}) as JsonObject;
  const missing = ["model", "prompt"].filter((name) => typeof body[name] !== "string");
  if (missing.length > 0) {
    return validationErrorPlan(missing.map((name) => missingField(name)));
  }

  const prompt = body.prompt as string;
  const lastLine = prompt.split("\n").at(-1)?.trim() ?? "";
  const middle = lastLine === "" ? "pass" : `# completes: ${lastLine}`.slice(0, 80);
  const id = `fim-${hash(prompt).slice(0, 12)}`;
  const created = Math.floor(nowMs / 1000);
  const model = body.model as string;
  const usage = {
    prompt_tokens: wordCount(prompt) + wordCount(String(body.suffix ?? "")),
    completion_tokens: wordCount(middle),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  if (body.stream === true) {
    const words = middle.split(/(?<= )/);
    const chunks = words.map((word, index) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [
        {
          index: 0,
          delta: index === 0 ? { role: "assistant", content: word } : { content: word },
          finish_reason: index === words.length - 1 ? "stop" : null,
        },
      ],
      ...(index === words.length - 1 ? { usage } : {}),
    }));
    return ssePlan(chunks);
  }

  return jsonPlan(200, {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: middle, tool_calls: null, prefix: false },
        finish_reason: "stop",
      },
    ],
    usage,
  });
}

function embeddingsPlan(call: IncomingCall): ResponsePlan {
  const body = (call.body ?? {}) as JsonObject;
  const inputs = typeof body.input === "string" ? [body.input] : body.input;
  if (typeof body.model !== "string" || !Array.isArray(inputs)) {
    const names = typeof body.model !== "string" ? ["model"] : ["input"];
    return validationErrorPlan(names.map((name) => missingField(name)));
  }

  const dimension = typeof body.output_dimension === "number" ? body.output_dimension : 8;
  const dtype = typeof body.output_dtype === "string" ? body.output_dtype : "float";
  const texts = inputs.map((input) => String(input));
  const tokens = texts.reduce((sum, text) => sum + wordCount(text), 0);
  return jsonPlan(200, {
    id: `emb-${hash(texts.join("\n")).slice(0, 12)}`,
    object: "list",
    model: body.model,
    data: texts.map((text, index) => ({
      object: "embedding",
      embedding: vectorFor(text, dimension, dtype),
      index,
    })),
    usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens },
  });
}

/** Packed types hold 8 dimensions per value, so their vectors are 8 times shorter. */
function vectorFor(text: string, dimension: number, dtype: string): number[] {
  const digest = createHash("sha256").update(text).digest();
  const packed = dtype === "binary" || dtype === "ubinary";
  const length = packed ? Math.ceil(dimension / 8) : dimension;
  const vector: number[] = [];
  for (let index = 0; index < length; index++) {
    const byte = digest[index % digest.length]!;
    if (dtype === "int8" || dtype === "binary") vector.push(byte - 128);
    else if (dtype === "uint8" || dtype === "ubinary") vector.push(byte);
    else vector.push(Math.round(((byte - 128) / 128) * 1e6) / 1e6);
  }

  return vector;
}

function missingField(name: string) {
  return { type: "missing", loc: ["body", name], msg: "Field required", input: null };
}

function wordCount(text: string): number {
  return Math.max(1, text.split(/\s+/).filter(Boolean).length);
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
