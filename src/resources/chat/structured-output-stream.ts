import type { AdaptedSchema } from "../../schema/schema-adapter.js";
import type { ChatCompletionStream, ContentDelta } from "./chat-stream.js";
import { type ParsedAssembledCompletion, parseAssembledCompletion } from "./structured-output.js";

/**
 * A streamed completion with a response schema. Iterating it yields the JSON text of the first
 * choice as it arrives, which cannot be parsed before the end. `finalParsed()` resolves to the
 * checked value once the stream ended. It can be iterated once.
 */
export class StructuredOutputStream<T> implements AsyncIterable<string> {
  /** Request id of the response that carries this stream. */
  readonly requestId: string | undefined;
  readonly #stream: ChatCompletionStream;
  readonly #schema: AdaptedSchema | undefined;
  #final: Promise<ParsedAssembledCompletion<T>> | undefined;

  constructor(stream: ChatCompletionStream, schema: AdaptedSchema | undefined) {
    this.#stream = stream;
    this.#schema = schema;
    this.requestId = stream.requestId;
  }

  [Symbol.asyncIterator](): AsyncGenerator<string, void, undefined> {
    return this.#stream.textDeltas();
  }

  /** Yields the text of the first choice as it arrives, without thinking. */
  textDeltas(): AsyncGenerator<string, void, undefined> {
    return this.#stream.textDeltas();
  }

  /** Yields each piece of the first choice's output: text, thinking, tool-call fragments. */
  contentDeltas(): AsyncGenerator<ContentDelta, void, undefined> {
    return this.#stream.contentDeltas();
  }

  /**
   * Reads the rest of the stream, if no one is reading it, and resolves to the completion with
   * `parsed` set on each choice's message.
   *
   * @throws StructuredOutputError when a choice was cut off, is empty, is not JSON or does not
   *   match the schema.
   */
  finalCompletion(): Promise<ParsedAssembledCompletion<T>> {
    this.#final ??= this.#stream
      .finalCompletion()
      .then((completion) => parseAssembledCompletion<T>(completion, this.#schema));
    return this.#final;
  }

  /** Resolves to the parsed output of the first choice; see {@link finalCompletion}. */
  async finalParsed(): Promise<T> {
    const completion = await this.finalCompletion();
    return completion.choices[0]!.message.parsed;
  }

  /** Closes the connection. A pending read rejects with an AbortError. */
  abort(): void {
    this.#stream.abort();
  }
}
