import type { RequestOptions } from "../core/client-options.js";
import { type InputProblem, ValidationError } from "../core/errors/client-errors.js";
import { readJsonResponse, type WithResponseMeta } from "../core/json-response.js";
import type { Transport } from "../core/transport.js";
import type {
  ChatClassificationRequest,
  ChatModerationRequest,
  ClassificationRequest,
  ClassificationResponse,
  ModerationRequest,
  ModerationResponse,
} from "../types/classifiers.js";

/**
 * Moderation and classification of texts and conversations: `POST /v1/moderations`,
 * `/v1/chat/moderations`, `/v1/classifications` and `/v1/chat/classifications`.
 */
export class Classifiers {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Rates one or more texts in each moderation category. */
  async moderate(
    request: ModerationRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ModerationResponse>> {
    checkRequest(request, "texts");
    return this.#post("/v1/moderations", request, options);
  }

  /** Rates one or more conversations in each moderation category. */
  async moderateChat(
    request: ChatModerationRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ModerationResponse>> {
    checkRequest(request, "conversations");
    return this.#post("/v1/chat/moderations", request, options);
  }

  /** Scores one or more texts with a fine-tuned classifier. */
  async classify(
    request: ClassificationRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ClassificationResponse>> {
    checkRequest(request, "texts");
    return this.#post("/v1/classifications", request, options);
  }

  /** Scores one or more conversations with a fine-tuned classifier. */
  async classifyChat(
    request: ChatClassificationRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ClassificationResponse>> {
    checkRequest(request, "instructions");
    return this.#post("/v1/chat/classifications", request, options);
  }

  async #post<T>(
    path: string,
    body: object,
    options: RequestOptions | undefined,
  ): Promise<WithResponseMeta<T>> {
    const api = await this.#transport.send({ method: "POST", path, body, options });
    return readJsonResponse<T>(api, this.#transport.config.maxResponseBytes);
  }
}

/** Kind of value in `input`: texts, message lists, or `{ messages }` objects. */
type InputKind = "texts" | "conversations" | "instructions";

const inputShapes: Record<InputKind, string> = {
  texts: "a string or a non-empty array of strings",
  conversations: "a non-empty array of messages, or an array of such arrays",
  instructions: "an object with messages, or a non-empty array of such objects",
};

/** Checks `model` and the shape of `input` before anything is sent, listing each problem. */
function checkRequest(request: unknown, kind: InputKind): void {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }]);
  }

  const body = request as Record<string, unknown>;
  const problems: InputProblem[] = [];
  if (typeof body.model !== "string" || body.model.trim() === "") {
    problems.push({ path: "model", message: "is required: a non-empty string" });
  }

  if (!hasInputShape(body.input, kind)) {
    problems.push({ path: "input", message: `is required: ${inputShapes[kind]}` });
  }

  if (problems.length > 0) {
    throw new ValidationError(problems);
  }
}

function hasInputShape(input: unknown, kind: InputKind): boolean {
  if (kind === "texts") {
    return (
      typeof input === "string" ||
      (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === "string"))
    );
  }

  if (kind === "conversations") {
    return Array.isArray(input) && input.length > 0 && input.every(isObjectOrArray);
  }

  const items = Array.isArray(input) ? input : [input];
  return (
    items.length > 0 &&
    items.every((item) => Array.isArray((item as { messages?: unknown } | null)?.messages))
  );
}

function isObjectOrArray(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}
