import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import type { CallInfo } from "../../src/core/call-observer.js";
import { createTelemetry } from "../../src/telemetry/create-telemetry.js";
import { MetricsCollector } from "../../src/telemetry/metrics-collector.js";
import { apiError, callInfo, failedOutcome, okOutcome } from "./call-fixtures.js";

function newSpaceUsed(): number {
  const space = getHeapSpaceStatistics().find((entry) => entry.space_name === "new_space");
  if (space === undefined) throw new Error("this V8 reports no new_space");
  return space.space_used_size;
}

/**
 * Returns the bytes that the synchronous `work` allocated in V8's young generation. The reading
 * is exact only when no garbage collection ran during `work`, so a run that overlapped one is
 * discarded and tried again. No other JavaScript in this isolate runs during `work`, so timers
 * and other test files do not change the figure.
 */
async function youngBytesAllocatedBy(work: () => void): Promise<number> {
  for (let attempt = 0; attempt < 8; attempt++) {
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
    if (!overlapped && after >= before) return after - before;
  }
  throw new Error("a garbage collection overlapped every measurement");
}

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

  it("allocates nothing per call once warm", async () => {
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
    play(100_000);

    // 20,000 calls fit in the young generation, so the reading is exact. One 16-byte object per
    // call would show as 320,000 bytes, so the bound leaves room for V8's own bookkeeping only.
    const bytes = await youngBytesAllocatedBy(() => play(20_000));
    expect(bytes).toBeLessThan(20_000);
  });

  it("detects one allocation per call", async () => {
    const sink: unknown[] = [];
    const bytes = await youngBytesAllocatedBy(() => {
      for (let index = 0; index < 20_000; index++) sink[index & 7] = { index };
    });
    expect(bytes).toBeGreaterThan(20_000 * 12);
  });

  it("default telemetry allocates nothing per call", async () => {
    const telemetry = createTelemetry(undefined, { env: {} });
    const call = callInfo({ user: "alice" });
    const outcome = okOutcome();
    const play = (count: number) => {
      for (let index = 0; index < count; index++) {
        for (const observer of telemetry.observers) observer.onCallStart?.(call);
        for (const observer of telemetry.observers) observer.onCallEnd?.(call, outcome);
      }
    };
    play(100_000);
    const bytes = await youngBytesAllocatedBy(() => play(20_000));
    expect(bytes).toBeLessThan(20_000);
  });

  it("records a call in well under a microsecond", () => {
    const collector = new MetricsCollector();
    const call = callInfo({ user: "alice" });
    const outcome = okOutcome();
    const started = performance.now();
    for (let index = 0; index < 200_000; index++) {
      collector.onCallStart(call);
      collector.onCallEnd(call, outcome);
    }

    // Measured at about 0.3 µs per call with Node 20 on a 2-core machine, so the bound is wide.
    const perCallMs = (performance.now() - started) / 200_000;
    expect(perCallMs).toBeLessThan(0.01);
  });
});
