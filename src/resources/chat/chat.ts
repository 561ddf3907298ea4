import type { RequestOptions } from "../../core/client-options.js";
import type { WithResponseMeta } from "../../core/json-response.js";
import type { Transport } from "../../core/transport.js";
import type { ChatCompletionRequest, ChatCompletionResponse } from "../../types/chat.js";
import { checkCompletionRequest } from "./chat-request-check.js";
import type { ChatCompletionStream } from "./chat-stream.js";
import { sendCompletion, streamCompletion } from "./completion-calls.js";
import {
  type ParsedChatCompletion,
  type ParsedOutput,
  type ParseRequest,
  parseChatCompletion,
  prepareParseRequest,
} from "./structured-output.js";
import { StructuredOutputStream } from "./structured-output-stream.js";
import { ToolRunStream } from "./tool-run-stream.js";
import {
  runTools,
  type ToolRunOptions,
  type ToolRunRequest,
  type ToolRunResult,
} from "./tool-runner.js";

const path = "/v1/chat/completions";

/** Chat completions: `POST /v1/chat/completions`. */
export class Chat {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Sends a chat completion request and returns the whole response. */
  async create(
    request: ChatCompletionRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ChatCompletionResponse>> {
    checkChatRequest(request, this.#transport);
    return sendCompletion(this.#transport, path, request, options);
  }

  /**
   * Sends a chat completion request with `stream: true` and returns the stream once the response
   * headers arrived. Failures before that (429, 5xx, connection) are retried like `create()`.
   */
  async stream(
    request: ChatCompletionRequest,
    options?: RequestOptions,
  ): Promise<ChatCompletionStream> {
    checkChatRequest(request, this.#transport);
    return streamCompletion(this.#transport, path, request, options);
  }

  /**
   * Sends a request whose `response_format` is a schema (zod 3 or 4, Standard Schema, JSON
   * Schema) and returns the completion with the checked output as `message.parsed` of each choice.
   *
   * @throws StructuredOutputError when a choice was cut off, refused, empty, not JSON or not
   *   matching the schema.
   */
  async parse<F extends object>(
    request: ParseRequest<F>,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<ParsedChatCompletion<ParsedOutput<F>>>> {
    const prepared = prepareParseRequest(request);
    const completion = await this.create(prepared.request, options);
    return parseChatCompletion(completion, prepared.schema);
  }

  /** Streams a `parse()` request: partial JSON text as it arrives, then `finalParsed()`. */
  async streamParse<F extends object>(
    request: ParseRequest<F>,
    options?: RequestOptions,
  ): Promise<StructuredOutputStream<ParsedOutput<F>>> {
    const prepared = prepareParseRequest(request);
    const stream = await this.stream(prepared.request, options);
    return new StructuredOutputStream(stream, prepared.schema);
  }

  /**
   * Calls the model, runs the tool calls of its reply, sends their results back, and repeats until
   * a reply has no tool calls.
   *
   * @throws ToolRunnerError after `maxSteps` model calls, or when a tool throws with
   *   `stopOnToolError`.
   */
  runTools(request: ToolRunRequest, options: ToolRunOptions): Promise<ToolRunResult> {
    return runTools(this, request, options, this.#transport.config.pipeline.observers);
  }

  /** Runs tools like `runTools()`, streaming each model call and yielding every event. */
  runToolsStream(request: ToolRunRequest, options: ToolRunOptions): ToolRunStream {
    return new ToolRunStream(this, request, options, this.#transport.config.pipeline.observers);
  }
}

function checkChatRequest(request: ChatCompletionRequest, transport: Transport): void {
  const { limits } = transport.config;
  checkCompletionRequest(request, ["model", "messages"], limits, "Invalid chat completion request");
}
