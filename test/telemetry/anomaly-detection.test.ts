import { describe, expect, it } from "vitest";
import type { CallOutcome } from "../../src/core/call-observer.js";
import type { AnomalyEvent, AuditEvent } from "../../src/telemetry/audit-events.js";
import { createTelemetry } from "../../src/telemetry/create-telemetry.js";
import type { TelemetryOptions } from "../../src/telemetry/telemetry-options.js";
import {
  abortError,
  apiError,
  callInfo,
  failedOutcome,
  okOutcome,
  playCall,
} from "./call-fixtures.js";

/** A whole minute, so the scripted minutes line up with the 60 s windows. */
const start = 1_749_999_960_000;

/** Creates a telemetry that collects its anomaly events; `play` runs one call at a chosen time. */
function harness(options: TelemetryOptions = {}) {
  const events: AuditEvent[] = [];
  const telemetry = createTelemetry(
    { onEvent: (event) => void events.push(event), ...options },
    { env: {} },
  );
  const play = (atMs: number, outcome: CallOutcome, fields: Parameters<typeof callInfo>[0] = {}) =>
    playCall(telemetry.observers, callInfo({ startedAt: start + atMs, ...fields }), outcome);
  const anomalies = async (): Promise<AnomalyEvent[]> => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    return events.filter((event): event is AnomalyEvent => event.type === "anomaly");
  };
  return { play, anomalies };
}

/** Deterministic pseudo-random numbers in [0, 1), so the normal run is the same every time. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("anomaly detection", () => {
  it("reports a burst of 401s once per window", async () => {
    const { play, anomalies } = harness();
    play(0, failedOutcome(apiError(401)));
    play(1_000, failedOutcome(apiError(401)));
    expect(await anomalies()).toHaveLength(0);

    play(2_000, failedOutcome(apiError(401)));
    play(3_000, failedOutcome(apiError(403)));
    const found = await anomalies();
    expect(found).toHaveLength(1);
    expect(found[0]!.anomaly).toBe("auth_failure_burst");
    expect(found[0]!.observed).toBe(3);
    expect(found[0]!.threshold).toBe(3);
    expect(found[0]!.windowMs).toBe(60_000);
    expect(found[0]!.operation).toBe("chat.create");

    for (const atMs of [70_000, 71_000, 72_000]) play(atMs, failedOutcome(apiError(401)));
    expect(await anomalies()).toHaveLength(2);
  });

  it("stays quiet on a normal run", async () => {
    const { play, anomalies } = harness();
    const next = random(7);
    // Ten minutes of traffic: two users at a steady pace, log-normal latencies around 120 ms,
    // one failure in fifty (server errors and rate limits), and a stream now and then.
    for (let index = 0; index < 600; index++) {
      const atMs = index * 1_000;
      const user = ["carol", "dave", undefined][index % 3];
      const durationMs = 120 * Math.exp(0.3 * gaussian(next));
      const roll = next();
      const outcome =
        roll < 0.01
          ? failedOutcome(apiError(500))
          : roll < 0.02
            ? failedOutcome(apiError(429))
            : okOutcome({ durationMs, timeToFirstByteMs: durationMs / 3 });
      play(atMs, outcome, { user, stream: index % 10 === 0 });
    }

    expect(await anomalies()).toEqual([]);
  });

  it("reports an error rate over the threshold", async () => {
    const { play, anomalies } = harness();
    for (let index = 0; index < 20; index++) {
      play(index * 100, index < 11 ? failedOutcome(apiError(503)) : okOutcome());
    }

    // The 11 failures came first, so the rate was judged before 20 calls were in the window.
    expect(await anomalies()).toHaveLength(0);
    play(2_100, failedOutcome(apiError(503)));
    const found = await anomalies();
    expect(found.map((event) => event.anomaly)).toEqual(["error_rate"]);
    expect(found[0]!.observed).toBeCloseTo(12 / 21);
    expect(found[0]!.threshold).toBe(0.5);
  });

  it("leaves aborted calls out of the error rate", async () => {
    const { play, anomalies } = harness({ anomalies: { errorRate: { minCalls: 5 } } });
    const aborted = failedOutcome(abortError());
    for (let index = 0; index < 10; index++) play(index * 10, aborted);
    expect(await anomalies()).toEqual([]);
  });

  it("reports a call far above the median latency", async () => {
    const { play, anomalies } = harness();
    for (let index = 0; index < 25; index++) play(index * 1_000, okOutcome({ durationMs: 100 }));
    play(26_000, okOutcome({ durationMs: 250 }));
    expect(await anomalies()).toHaveLength(0);

    play(27_000, okOutcome({ durationMs: 400 }));
    const found = await anomalies();
    expect(found.map((event) => event.anomaly)).toEqual(["latency"]);
    expect(found[0]!.observed).toBe(400);
    expect(found[0]!.threshold).toBe(300);
  });

  it("ignores jitter on fast calls", async () => {
    const { play, anomalies } = harness();
    for (let index = 0; index < 25; index++) play(index * 1_000, okOutcome({ durationMs: 2 }));
    play(26_000, okOutcome({ durationMs: 40 }));
    expect(await anomalies()).toEqual([]);
  });

  it("judges streams on time to first byte", async () => {
    const { play, anomalies } = harness();
    const stream = { operation: "chat.stream", stream: true };
    for (let index = 0; index < 25; index++) {
      const durationMs = 1_000 + index * 400;
      play(index * 1_000, okOutcome({ durationMs, timeToFirstByteMs: 150 }), stream);
    }

    expect(await anomalies()).toEqual([]);
    play(30_000, okOutcome({ durationMs: 2_000, timeToFirstByteMs: 900 }), stream);
    expect((await anomalies()).map((event) => event.anomaly)).toEqual(["latency"]);
  });

  it("reports a sudden rise for one user", async () => {
    const { play, anomalies } = harness();
    for (let minute = 0; minute < 6; minute++) {
      for (let call = 0; call < 5; call++) {
        play(minute * 60_000 + call * 10_000, okOutcome(), { user: "erin" });
        play(minute * 60_000 + call * 10_000 + 1, okOutcome(), { user: "frank" });
      }
    }

    expect(await anomalies()).toEqual([]);
    for (let call = 0; call < 80; call++) {
      play(6 * 60_000 + call * 500, okOutcome(), { user: "erin" });
      if (call % 16 === 0) play(6 * 60_000 + call * 500 + 1, okOutcome(), { user: "frank" });
    }

    const found = await anomalies();
    expect(found.map((event) => [event.anomaly, event.user])).toEqual([["user_spike", "erin"]]);
    expect(found[0]!.observed).toBe(60);
  });

  it("uses the configured thresholds", async () => {
    const { play, anomalies } = harness({ anomalies: { authFailures: { count: 5 } } });
    for (let index = 0; index < 4; index++) play(index, failedOutcome(apiError(401)));
    expect(await anomalies()).toEqual([]);
    play(5, failedOutcome(apiError(401)));
    expect((await anomalies()).map((event) => event.observed)).toEqual([5]);
  });

  it("turns off with anomalies false", async () => {
    const { play, anomalies } = harness({ anomalies: false });
    for (let index = 0; index < 10; index++) play(index, failedOutcome(apiError(401)));
    expect(await anomalies()).toEqual([]);
  });

  it("rejects invalid thresholds", () => {
    expect(() => harness({ anomalies: { errorRate: { threshold: 2 } } })).toThrow(
      /telemetry.anomalies.errorRate.threshold must be a number above 0 and at most 1/,
    );
    expect(() => harness({ anomalies: { latency: { factr: 3 } as never } })).toThrow(
      /Unknown telemetry.anomalies.latency option "factr"/,
    );
  });
});

/** Draws a standard normal sample from two uniform ones (Box-Muller transform). */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}
