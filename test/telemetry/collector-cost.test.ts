import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { type CallInfo, notifyObservers } from "../../src/core/call-observer.js";
import { createTelemetry } from "../../src/telemetry/create-telemetry.js";
import { MetricsCollector } from "../../src/telemetry/metrics-collector.js";
import { apiError, callInfo, failedOutcome, okOutcome } from "./call-fixtures.js";

function newSpaceUsed(): number {
  const space = getHeapSpaceStatistics().find((entry) => entry.space_name === "new_space");
  if (space === undefined) throw new Error("this V8 reports no new_space");
  return space.space_used_size;
}

/**
 * Returns the bytes that one synchronous `work` run allocated in V8's young generation. The
 * reading is exact only when no garbage collection ran during `work`, so for a run that overlapped
 * one it returns `undefined`. No other JavaScript in this isolate runs during `work`, so timers and other
 * test files do not change the figure.
 */
async function youngBytesOfOneRun(work: () => void): Promise<number | undefined> {
  const collections: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    collections.push(...list.getEntries());
  });
  observer.observe({ entryTypes: ["gc"] });
  const started = performance.now();
  const before = newSpaceUsed();
  work();
  const after = newSpaceUsed();
  const ended = performance.now();
  // GC entries are delivered on a later turn of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  const overlapped = collections.some(
    (entry) => entry.startTime < ended && entry.startTime + entry.duration > started,
  );
  return overlapped || after < before ? undefined : after - before;
}

/**
 * Returns the fewest young-generation bytes that `work` allocated over several runs, calling
 * `warm` before each. Code allocates nothing per call only once V8's optimizing compiler has
 * compiled it, and that compiler runs on a background thread: on a loaded machine the first
 * runs may still execute unoptimized code, which boxes numbers. An allocation that the
 * compiler cannot remove shows in every run, so the least reading still catches it.
 */
async function leastYoungBytes(warm: () => void, work: () => void): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 8; run++) {
    warm();
    const bytes = await youngBytesOfOneRun(work);
    if (bytes !== undefined) least = Math.min(least, bytes);
  }
  if (least === Number.POSITIVE_INFINITY) {
    throw new Error("a garbage collection overlapped every measurement");
  }
  return least;
}

/** Calls per measured run: few enough that the bytes fit in the young generation. */
const measuredCalls = 20_000;

/**
 * Largest number of bytes per call that the cost tests accept. Every JavaScript object, array, closure or new
 * string takes at least 24 bytes. A boxed number takes 16, and one may remain per call where V8
 * keeps a function unoptimized (it stops optimizing a function that deoptimized too often).
 */
const boundPerCall = 20;

describe("metrics collector cost", () => {
  it("reads only the operation, model and user of a call", () => {
    const read = new Set<string>();
    const call = new Proxy(callInfo({ user: "alice" }), {
      get(target, property, receiver) {
        read.add(String(property));
        return Reflect.get(target, property, receiver);
      },
    }) as CallInfo;
    const collector = new MetricsCollector();
    collector.onCallStart(call);
    collector.onRetry(call);
    collector.onThrottled(call, { waitedMs: 5 });
    collector.onCallEnd(call, failedOutcome(apiError(500)));
    expect([...read].sort()).toEqual(["model", "operation", "user"]);
  });

  it("allocates no object per call once warm", async () => {
    const collector = new MetricsCollector();
    const call = callInfo({ user: "alice" });
    const success = okOutcome();
    const failure = failedOutcome(apiError(503));
    const play = (count: number) => {
      for (let index = 0; index < count; index++) {
        collector.onCallStart(call);
        collector.onCallEnd(call, index % 10 === 0 ? failure : success);
      }
    };
    const bytes = await leastYoungBytes(
      () => play(100_000),
      () => play(measuredCalls),
    );
    expect(bytes).toBeLessThan(measuredCalls * boundPerCall);
  });

  it("detects one object per call", async () => {
    const sink: unknown[] = [];
    const allocate = (count: number) => {
      for (let index = 0; index < count; index++) sink[index & 7] = { index };
    };
    const bytes = await leastYoungBytes(
      () => allocate(100_000),
      () => allocate(measuredCalls),
    );
    expect(bytes).toBeGreaterThan(measuredCalls * boundPerCall);
  });

  it("default telemetry allocates no object per call", async () => {
    const telemetry = createTelemetry(undefined, { env: {} });
    const call = callInfo({ user: "alice" });
    const outcome = okOutcome();
    const play = (count: number) => {
      for (let index = 0; index < count; index++) {
        notifyObservers(telemetry.observers, "onCallStart", call);
        notifyObservers(telemetry.observers, "onCallEnd", call, outcome);
      }
    };
    const bytes = await leastYoungBytes(
      () => play(100_000),
      () => play(measuredCalls),
    );
    expect(bytes).toBeLessThan(measuredCalls * boundPerCall);
  });
});
