import type { AuditEvent, AuditEventHandler } from "./audit-events.js";
import { BoundedQueue } from "./bounded-queue.js";

/** Delivery counters of the audit events. */
export interface AuditEventStats {
  /** Events delivered to the `onEvent` handler or to an iterator. */
  delivered: number;
  /** Events dropped because a reader or the handler fell `eventBufferSize` events behind. */
  dropped: number;
  /** Calls of the `onEvent` handler that threw or returned a rejected promise. */
  handlerErrors: number;
}

interface HubOptions {
  handler: AuditEventHandler | undefined;
  /** Events kept per reader (and for the handler) before the oldest is dropped. */
  bufferSize: number;
  /** Told about each handler failure, for logging. */
  onHandlerError?: (error: unknown) => void;
}

/**
 * Fans audit events out to the `onEvent` handler and to every open iterator of
 * `client.events`. Nothing here runs inside the request: events wait in bounded queues, the
 * handler runs from a microtask, one event at a time, and a handler that throws or never settles
 * only loses its own events.
 */
export class EventHub {
  readonly stream: AuditEventStream;
  readonly #handler: AuditEventHandler | undefined;
  readonly #handlerQueue: BoundedQueue<AuditEvent>;
  readonly #readers = new Set<EventReader>();
  readonly #bufferSize: number;
  readonly #onHandlerError: ((error: unknown) => void) | undefined;
  readonly #stats: AuditEventStats = { delivered: 0, dropped: 0, handlerErrors: 0 };
  #draining = false;

  constructor(options: HubOptions) {
    this.#handler = options.handler;
    this.#bufferSize = options.bufferSize;
    this.#handlerQueue = new BoundedQueue(options.handler === undefined ? 0 : options.bufferSize);
    this.#onHandlerError = options.onHandlerError;
    this.stream = new AuditEventStream(this);
  }

  /** True while someone receives events; observers build no event otherwise. */
  get active(): boolean {
    return this.#handler !== undefined || this.#readers.size > 0;
  }

  get stats(): AuditEventStats {
    return { ...this.#stats };
  }

  emit(event: AuditEvent): void {
    Object.freeze(event);
    for (const reader of this.#readers) {
      if (reader.deliver(event)) this.#stats.dropped += 1;
      else this.#stats.delivered += 1;
    }

    if (this.#handler === undefined) {
      return;
    }

    if (this.#handlerQueue.push(event)) this.#stats.dropped += 1;
    if (!this.#draining) {
      this.#draining = true;
      queueMicrotask(() => void this.#drain());
    }
  }

  /** Opens a reader that receives the events emitted from now on. */
  openReader(): EventReader {
    const reader = new EventReader(this.#bufferSize, () => this.#readers.delete(reader));
    this.#readers.add(reader);
    return reader;
  }

  async #drain(): Promise<void> {
    const handler = this.#handler!;
    try {
      for (let event = this.#handlerQueue.shift(); event; event = this.#handlerQueue.shift()) {
        await this.#deliver(handler, event);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #deliver(handler: AuditEventHandler, event: AuditEvent): Promise<void> {
    try {
      const result = handler(event);
      if (isPromiseLike(result)) await result;
      this.#stats.delivered += 1;
    } catch (error) {
      this.#stats.handlerErrors += 1;
      try {
        this.#onHandlerError?.(error);
      } catch {
        // Reporting a handler failure must not stop the delivery of later events.
      }
    }
  }
}

/**
 * `client.events`: an async iterable of audit events. Each iterator receives the events emitted
 * after it was created; when it falls `eventBufferSize` events behind, its oldest events are
 * dropped and counted in `stats.dropped`. Leaving a `for await` loop closes the iterator.
 */
export class AuditEventStream implements AsyncIterable<AuditEvent> {
  readonly #hub: EventHub;

  constructor(hub: EventHub) {
    this.#hub = hub;
  }

  get stats(): AuditEventStats {
    return this.#hub.stats;
  }

  [Symbol.asyncIterator](): AsyncIterator<AuditEvent> {
    return this.#hub.openReader();
  }

  toJSON(): Record<string, unknown> {
    return { stats: this.stats };
  }
}

/** One iterator of `client.events`, with its own bounded queue. */
class EventReader implements AsyncIterator<AuditEvent> {
  readonly #queue: BoundedQueue<AuditEvent>;
  readonly #pending: Array<(result: IteratorResult<AuditEvent>) => void> = [];
  readonly #close: () => void;
  #closed = false;

  constructor(bufferSize: number, close: () => void) {
    this.#queue = new BoundedQueue(bufferSize);
    this.#close = close;
  }

  /** Hands the event to a waiting `next()` or queues it; returns true when one was dropped. */
  deliver(event: AuditEvent): boolean {
    const waiting = this.#pending.shift();
    if (waiting !== undefined) {
      waiting({ value: event, done: false });
      return false;
    }

    return this.#queue.push(event);
  }

  next(): Promise<IteratorResult<AuditEvent>> {
    const event = this.#queue.shift();
    if (event !== undefined) {
      return Promise.resolve({ value: event, done: false });
    }

    if (this.#closed) {
      return Promise.resolve({ value: undefined, done: true });
    }

    return new Promise((resolve) => this.#pending.push(resolve));
  }

  return(): Promise<IteratorResult<AuditEvent>> {
    this.#closed = true;
    this.#close();
    this.#queue.clear();
    for (const waiting of this.#pending.splice(0)) waiting({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
