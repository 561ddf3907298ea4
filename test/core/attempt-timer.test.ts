import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AttemptLimits, AttemptTimer } from "../../src/core/attempt-timer.js";
import { AbortError, TimeoutError } from "../../src/core/errors/transport-errors.js";

const limits: AttemptLimits = { timeoutMs: 10_000, headersTimeoutMs: 1_000, idleTimeoutMs: 300 };

function startTimer(overrides: Partial<AttemptLimits> = {}, signal?: AbortSignal): AttemptTimer {
  return new AttemptTimer({ ...limits, ...overrides }, signal, "POST /v1/chat/completions");
}

function failureOf(timer: AttemptTimer): TimeoutError {
  expect(timer.failure).toBeInstanceOf(TimeoutError);
  expect(timer.signal.aborted).toBe(true);
  return timer.failure as TimeoutError;
}

describe("attempt timer deadlines", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("fails at the headers deadline, not the idle time", () => {
    const timer = startTimer();

    vi.advanceTimersByTime(999);
    expect(timer.failure).toBeUndefined();
    vi.advanceTimersByTime(1);

    const failure = failureOf(timer);
    expect(failure.phase).toBe("headers");
    expect(failure.timeoutMs).toBe(1_000);
    expect(failure.message).toContain("(headersTimeoutMs)");
  });

  it("names timeoutMs when it comes before the headers deadline", () => {
    const timer = startTimer({ timeoutMs: 500, headersTimeoutMs: 1_000 });

    vi.advanceTimersByTime(500);

    const failure = failureOf(timer);
    expect(failure.phase).toBe("headers");
    expect(failure.timeoutMs).toBe(500);
    expect(failure.message).toContain("(timeoutMs)");
  });

  it("counts idle time from the headers", () => {
    const timer = startTimer();
    vi.advanceTimersByTime(800);
    timer.headersReceived();

    vi.advanceTimersByTime(299);
    expect(timer.failure).toBeUndefined();
    vi.advanceTimersByTime(1);

    const failure = failureOf(timer);
    expect(failure.phase).toBe("idle");
    expect(failure.timeoutMs).toBe(300);
  });

  it("restarts the idle time at each read", () => {
    const timer = startTimer();
    timer.headersReceived();
    for (let read = 0; read < 10; read++) {
      vi.advanceTimersByTime(250);
      timer.activity();
    }

    vi.advanceTimersByTime(299);
    expect(timer.failure).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(failureOf(timer).phase).toBe("idle");
  });

  it("ends a live body at the total deadline", () => {
    const timer = startTimer({ timeoutMs: 1_000, headersTimeoutMs: 500 });
    vi.advanceTimersByTime(100);
    timer.headersReceived();
    for (let elapsed = 100; elapsed < 1_000; elapsed += 100) {
      expect(timer.failure).toBeUndefined();
      vi.advanceTimersByTime(100);
      timer.activity();
    }

    const failure = failureOf(timer);
    expect(failure.phase).toBe("total");
    expect(failure.timeoutMs).toBe(1_000);
  });

  it("keeps one timer for the whole attempt", () => {
    const timer = startTimer();
    expect(vi.getTimerCount()).toBe(1);

    timer.headersReceived();
    timer.activity();
    expect(vi.getTimerCount()).toBe(1);

    timer.finish();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("sets few timers for a short idle time while awaiting headers", () => {
    const setTimer = vi.spyOn(globalThis, "setTimeout");
    const timer = startTimer({ headersTimeoutMs: 5_000, idleTimeoutMs: 1 });

    vi.advanceTimersByTime(1_000);
    timer.headersReceived();
    vi.advanceTimersByTime(1);

    expect(failureOf(timer).phase).toBe("idle");
    expect(setTimer.mock.calls.length).toBeLessThanOrEqual(3);
    setTimer.mockRestore();
  });

  it("leaves no timer after a failure", () => {
    const timer = startTimer();

    vi.advanceTimersByTime(1_000);

    expect(timer.failure).toBeDefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends with the caller's abort", () => {
    const controller = new AbortController();
    const timer = startTimer({}, controller.signal);

    controller.abort();

    expect(timer.failure).toBeInstanceOf(AbortError);
    expect(vi.getTimerCount()).toBe(0);
  });
});
