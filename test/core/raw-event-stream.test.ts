import { describe, expect, it } from "vitest";
import type { CallOutcome } from "../../src/core/call-observer.js";
import { AbortError } from "../../src/core/errors/transport-errors.js";
import { joinWrites } from "../helpers/case-streams.js";
import { useLoopbackChatServer } from "../helpers/loopback-chat-server.js";

const loopback = useLoopbackChatServer();

/** Three events in one write, so one read completes all of them. */
const threeEvents = joinWrites([
  "event: first\ndata: 1\n\n",
  "id: 7\ndata: 2\ndata: 3\n\n",
  "data: 4\n\n",
]);

async function openRawStream(outcomes: CallOutcome[] = []) {
  loopback.server.enqueue({ writes: [threeEvents] });
  const client = loopback.client({
    telemetry: false,
    observers: [{ onCallEnd: (_call, outcome) => outcomes.push(outcome) }],
  });
  return client.request({ method: "GET", path: "/v1/events", stream: true });
}

describe("raw event stream", () => {
  it("yields every event of one read in order", async () => {
    const events = [];
    for await (const event of await openRawStream()) events.push(event);

    expect(events).toEqual([
      { event: "first", data: "1", id: undefined },
      { event: undefined, data: "2\n3", id: "7" },
      { event: undefined, data: "4", id: "7" },
    ]);
  });

  it("ends the call as aborted after a break", async () => {
    const outcomes: CallOutcome[] = [];
    for await (const _event of await openRawStream(outcomes)) break;

    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.error).toBeInstanceOf(AbortError);
  });
});
