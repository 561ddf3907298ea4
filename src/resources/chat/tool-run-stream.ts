import type { CallObserver } from "../../core/call-observer.js";
import { AbortError } from "../../core/errors/transport-errors.js";
import type { Chat } from "./chat.js";
import type { ToolRunEvent } from "./tool-run-events.js";
import {
  type ToolRunOptions,
  type ToolRunRequest,
  type ToolRunResult,
  toolRunEvents,
} from "./tool-runner.js";

/**
 * A tool run with streamed model calls. Iterate it with `for await` for every event, the text of
 * each model call included (`type: "text"`), or call `textDeltas()` for the text alone;
 * `finalResult()` resolves once the model replied without tool calls. It can be iterated once.
 * Leaving the loop early or calling `abort()` stops the run: open streams close and running
 * tools see their `context.signal` abort.
 */
export class ToolRunStream implements AsyncIterable<ToolRunEvent> {
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #forwardAbort = () => this.#controller.abort(this.#callerSignal?.reason);
  readonly #events: AsyncGenerator<ToolRunEvent, ToolRunResult, undefined>;
  readonly #onEvent: ToolRunOptions["onEvent"];
  readonly #result: Promise<ToolRunResult>;
  #settle!: { resolve: (value: ToolRunResult) => void; reject: (error: unknown) => void };
  #started = false;

  constructor(
    chat: Chat,
    request: ToolRunRequest,
    options: ToolRunOptions,
    observers: readonly CallObserver[] = [],
  ) {
    this.#callerSignal = options.signal;
    if (this.#callerSignal?.aborted) this.#forwardAbort();
    this.#callerSignal?.addEventListener("abort", this.#forwardAbort, { once: true });
    const signal = this.#controller.signal;
    this.#events = toolRunEvents(chat, request, { ...options, signal }, true, observers);
    this.#onEvent = options.onEvent;
    this.#result = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // The result may never be asked for; a failure is still reported through the iterator.
    this.#result.catch(() => {});
  }

  [Symbol.asyncIterator](): AsyncGenerator<ToolRunEvent, void, undefined> {
    if (this.#started) {
      throw new Error("This tool run was already iterated: a run can be read once");
    }

    this.#started = true;
    return this.#iterate();
  }

  /** Yields the text of every model call as it arrives. */
  async *textDeltas(): AsyncGenerator<string, void, undefined> {
    for await (const event of this) {
      if (event.type === "text") yield event.text;
    }
  }

  /** Reads the rest of the run, if no one is reading it, and resolves to its result. */
  async finalResult(): Promise<ToolRunResult> {
    if (!this.#started) {
      for await (const _event of this) {
        // Reading to the end runs the loop.
      }
    }

    return this.#result;
  }

  /** Stops the run. A pending read rejects with an AbortError. */
  abort(): void {
    this.#controller.abort(new AbortError("The tool run was aborted with abort()"));
  }

  async *#iterate(): AsyncGenerator<ToolRunEvent, void, undefined> {
    let settled = false;
    try {
      for (;;) {
        const next = await this.#events.next();
        if (next.done) {
          settled = true;
          this.#settle.resolve(next.value);
          return;
        }

        this.#onEvent?.(next.value);
        yield next.value;
      }
    } catch (error) {
      settled = true;
      this.#settle.reject(error);
      throw error;
    } finally {
      this.#callerSignal?.removeEventListener("abort", this.#forwardAbort);
      if (!settled) {
        this.#settle.reject(
          new AbortError("The tool run was stopped before its end by its reader"),
        );
        await this.#events.return(undefined as never);
      }
    }
  }
}
