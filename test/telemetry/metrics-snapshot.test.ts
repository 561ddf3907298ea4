import { describe, expect, it } from "vitest";
import { MetricsCollector } from "../../src/telemetry/metrics-collector.js";
import type { CallCounts } from "../../src/telemetry/metrics-snapshot.js";
import { callInfo, okOutcome, playCall } from "./call-fixtures.js";
import { expectedTotals, expectedUsers, scriptedRun } from "./scripted-run.js";

/** Drops the latency summaries, which the counters tests do not compare. */
function countsOf<T extends CallCounts>(value: T): CallCounts {
  const { latency, timeToFirstByte, ...counts } = value as T & {
    latency?: unknown;
    timeToFirstByte?: unknown;
  };
  const { operation, model, user, ...rest } = counts as typeof counts & {
    operation?: unknown;
    model?: unknown;
    user?: unknown;
  };
  return rest;
}

function runScript(collector: MetricsCollector): void {
  for (const step of scriptedRun()) {
    playCall([collector], step.call, step.outcome, step);
  }
}

describe("metrics snapshot", () => {
  it("matches the scripted run exactly", () => {
    const collector = new MetricsCollector();
    runScript(collector);
    const snapshot = collector.snapshot();

    expect(countsOf(snapshot.totals)).toEqual(expectedTotals);
    expect(snapshot.inFlight).toBe(0);
    expect(snapshot.otherUsers).toBeNull();
  });

  it("counts each user apart", () => {
    const collector = new MetricsCollector();
    runScript(collector);
    const users = collector.snapshot().users;

    expect(users.map((entry) => entry.user)).toEqual(["alice", "bob"]);
    for (const entry of users) {
      expect(countsOf(entry), entry.user).toEqual(expectedUsers[entry.user]);
    }
  });

  it("splits operations by model", () => {
    const collector = new MetricsCollector();
    runScript(collector);
    const rows = collector
      .snapshot()
      .operations.map((entry) => [entry.operation, entry.model, entry.calls]);

    expect(rows).toEqual([
      ["chat.create", "mistral-small-latest", 6],
      ["chat.create", "mistral-large-latest", 1],
      ["embeddings.create", "mistral-embed", 1],
      ["chat.stream", "mistral-small-latest", 1],
      ["models.list", null, 1],
    ]);
  });

  it("summarizes latencies per operation", () => {
    const collector = new MetricsCollector();
    const durations = [100, 200, 300, 400, 1000];
    for (const durationMs of durations) {
      playCall(
        [collector],
        callInfo(),
        okOutcome({ durationMs, timeToFirstByteMs: durationMs / 2 }),
      );
    }

    const entry = collector.snapshot().operations[0]!;
    expect(entry.latency.count).toBe(5);
    expect(entry.latency.sumMs).toBe(2000);
    expect(entry.latency.minMs).toBe(100);
    expect(entry.latency.maxMs).toBe(1000);
    expect(entry.latency.p50Ms).toBeGreaterThan(300 * 0.955);
    expect(entry.latency.p50Ms).toBeLessThan(300 * 1.045);
    expect(Math.abs(entry.latency.p99Ms! - 1000) / 1000).toBeLessThan(0.045);
    expect(entry.timeToFirstByte.maxMs).toBe(500);
  });

  it("leaves time to first byte out when headers never came", () => {
    const collector = new MetricsCollector();
    playCall([collector], callInfo(), okOutcome({ timeToFirstByteMs: undefined }));
    const entry = collector.snapshot().operations[0]!;
    expect(entry.latency.count).toBe(1);
    expect(entry.timeToFirstByte.count).toBe(0);
  });

  it("groups users beyond the limit", () => {
    const collector = new MetricsCollector({ maxUsers: 2 });
    for (const user of ["u1", "u2", "u3", "u4", "u1"]) {
      playCall([collector], callInfo({ user }), okOutcome());
    }

    const snapshot = collector.snapshot();
    expect(snapshot.users.map((entry) => [entry.user, entry.calls])).toEqual([
      ["u1", 2],
      ["u2", 1],
    ]);
    expect(snapshot.otherUsers?.calls).toBe(2);
  });

  it("groups series beyond the limit under other", () => {
    const collector = new MetricsCollector({ maxSeries: 2 });
    for (const model of ["m1", "m2", "m3", "m4"]) {
      playCall([collector], callInfo({ model }), okOutcome());
    }

    playCall([collector], callInfo({ operation: "ocr.process", model: "m5" }), okOutcome());
    const rows = collector.snapshot().operations.map((entry) => [entry.operation, entry.model]);
    expect(rows).toEqual([
      ["chat.create", "m1"],
      ["chat.create", "m2"],
      ["chat.create", "other"],
      ["other", "other"],
    ]);
    expect(collector.snapshot().totals.calls).toBe(5);
  });

  it("tracks calls in flight across a reset", () => {
    const collector = new MetricsCollector();
    const running = callInfo();
    collector.onCallStart(running);
    collector.onCallStart(callInfo());
    expect(collector.snapshot().inFlight).toBe(2);

    collector.reset();
    expect(collector.snapshot().totals.calls).toBe(0);
    expect(collector.snapshot().inFlight).toBe(2);

    collector.onCallEnd(running, okOutcome());
    expect(collector.snapshot().inFlight).toBe(1);
    expect(collector.snapshot().totals.successes).toBe(1);
  });

  it("returns plain data", () => {
    const collector = new MetricsCollector();
    runScript(collector);
    const snapshot = collector.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(structuredClone(snapshot)).toEqual(snapshot);
  });
});
