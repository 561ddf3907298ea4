import { describe, expect, it } from "vitest";
import type { CallOutcome } from "../../src/core/call-observer.js";
import { AbortError, StreamError } from "../../src/core/errors/transport-errors.js";
import { bonjourPayloads, eventWrites, joinWrites } from "../helpers/case-streams.js";
import {
  helloRequest,
  rejectionOf,
  useLoopbackChatServer,
} from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

/** The "Bonjour !" stream in one write, so one read completes all its events. */
const bonjourInOneWrite = { writes: [joinWrites(eventWrites(bonjourPayloads))] };

async function openStream(outcomes: CallOutcome[] = []) {
  loopback.server.enqueue(bonjourInOneWrite);
  const client = loopback.client({
    telemetry: false,
    observers: [{ onCallEnd: (_call, outcome) => outcomes.push(outcome) }],
  });
  return client.chat.stream(helloRequest);
}

describe("chat stream iterator", () => {
  it("serves next() calls made without waiting in order", async () => {
    const stream = await openStream();
    const iterator = stream[Symbol.asyncIterator]();

    const results = await Promise.all([1, 2, 3, 4, 5].map(() => iterator.next()));

    const texts = results.map((result) => result.value?.choices[0]?.delta.content);
    expect(texts).toEqual(["", "Bonjour", " !", undefined, undefined]);
    expect(results.map((result) => result.done)).toEqual([false, false, false, true, true]);
    expect((await stream.finalCompletion()).choices[0]?.message.content).toBe("Bonjour !");
  });

  it("ends the call once after the last chunk", async () => {
    const outcomes: CallOutcome[] = [];
    const stream = await openStream(outcomes);

    for await (const _chunk of stream) {
      // Reading to the end.
    }

    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.error).toBeUndefined();
    expect(outcomes[0]?.usage?.total_tokens).toBe(12);
  });

  it("return() between chunks of one read ends the stream as aborted", async () => {
    const outcomes: CallOutcome[] = [];
    const stream = await openStream(outcomes);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();

    const result = await iterator.return?.();

    expect(result?.done).toBe(true);
    expect((await iterator.next()).done).toBe(true);
    expect(await rejectionOf(stream.finalCompletion())).toBeInstanceOf(AbortError);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.error).toBeInstanceOf(AbortError);
  });

  it("return() before the first read closes the body", async () => {
    const outcomes: CallOutcome[] = [];
    const stream = await openStream(outcomes);
    const iterator = stream[Symbol.asyncIterator]();

    await iterator.return?.();

    expect((await iterator.next()).done).toBe(true);
    expect(await rejectionOf(stream.finalCompletion())).toBeInstanceOf(AbortError);
    expect(outcomes[0]?.error).toBeInstanceOf(AbortError);
  });

  it("throw() rejects with its error and ends the stream", async () => {
    const stream = await openStream();
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const reason = new Error("stop reading");

    const thrown = await rejectionOf(iterator.throw?.(reason) ?? Promise.resolve());

    expect(thrown).toBe(reason);
    expect(await rejectionOf(stream.finalCompletion())).toBe(reason);
    expect((await iterator.next()).done).toBe(true);
  });
});

describe("chat stream call outcome", () => {
  it("ends the call with a bad event's error", async () => {
    const outcomes: CallOutcome[] = [];
    loopback.server.enqueue({
      writes: ['data: {"id":"c","choices":[]}\n\n', "data: {not json\n\n"],
    });
    const client = loopback.client({
      telemetry: false,
      observers: [{ onCallEnd: (_call, outcome) => outcomes.push(outcome) }],
    });
    const stream = await client.chat.stream(helloRequest);

    const error = await rejectionOf(
      (async () => {
        for await (const _chunk of stream) {
          // Reading until the bad event.
        }
      })(),
    );

    expect(error).toBeInstanceOf(StreamError);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.error).toBe(error);
  });
});
