import type { CallInfo, CallObserver, CallOutcome } from "../core/call-observer.js";
import type { ResolvedAnomalyOptions } from "./anomaly-options.js";
import type { AnomalyKind } from "./audit-events.js";
import { errorStatus } from "./call-counters.js";
import { MovingMedian, SlidingWindowCounter } from "./sliding-window.js";

/** Finding of a detector, before it becomes an event or a log line. */
export interface AnomalyReport {
  anomaly: AnomalyKind;
  message: string;
  observed: number;
  threshold: number;
  windowMs?: number;
}

export type AnomalyListener = (report: AnomalyReport, call: CallInfo, timeMs: number) => void;

/** Error kinds left out of the error rate: the caller's own aborts and calls never sent. */
const uncountedKinds = new Set(["abort", "validation", "configuration", "client_rate_limit"]);

/** Minimum time between two latency reports for one operation and model, in milliseconds. */
const latencyCooldownMs = 60_000;

/** Operation and model pairs, and users, tracked at most; later ones are not judged. */
const maxTrackedKeys = 1000;

/** Weight of the newest window in a user's average calls per window. */
const userAverageWeight = 0.3;

interface UserActivity {
  /** Window index (time since the first call divided by the window length) of `count`. */
  window: number;
  count: number;
  /** Average calls per window before `window`, weighted toward recent windows. */
  average: number;
  /** Last window in which this user was reported. */
  reportedWindow: number;
}

/**
 * Watches the calls for four kinds of anomalies and calls `listener` with each one found.
 * Times come from the calls themselves (`startedAt`, plus `durationMs` at the end), so replaying
 * calls with chosen times gives reproducible results. Each detector reports a condition at most
 * once per window (or per minute for latency), so a lasting problem does not flood the events.
 *
 * Times and latencies are kept as whole milliseconds since the first call, so they stay small
 * integers that V8 handles without allocating, and a call costs no garbage once warm.
 */
export class AnomalyDetector implements CallObserver {
  readonly #options: ResolvedAnomalyOptions;
  readonly #listener: AnomalyListener;
  readonly #authFailures: SlidingWindowCounter | undefined;
  readonly #calls: SlidingWindowCounter | undefined;
  readonly #errors: SlidingWindowCounter | undefined;
  readonly #latencies = new Map<
    string,
    Map<string, { median: MovingMedian; quietUntil: number }>
  >();
  #latencyKeys = 0;
  readonly #users = new Map<string, UserActivity>();
  #authQuietUntil = Number.NEGATIVE_INFINITY;
  #errorQuietUntil = Number.NEGATIVE_INFINITY;
  /** `startedAt` of the first call seen; times are measured from it. */
  #origin: number | undefined;

  constructor(options: ResolvedAnomalyOptions, listener: AnomalyListener) {
    this.#options = options;
    this.#listener = listener;
    if (options.authFailures) {
      this.#authFailures = new SlidingWindowCounter(options.authFailures.windowMs);
    }

    if (options.errorRate) {
      this.#calls = new SlidingWindowCounter(options.errorRate.windowMs);
      this.#errors = new SlidingWindowCounter(options.errorRate.windowMs);
    }
  }

  onCallStart(call: CallInfo): void {
    if (this.#options.userSpike && typeof call.user === "string") {
      this.#checkUser(call, call.user, this.#elapsed(call.startedAt, 0));
    }
  }

  onCallEnd(call: CallInfo, outcome: CallOutcome): void {
    const error = outcome.error;
    if (error !== undefined && this.#authFailures !== undefined) {
      const status = errorStatus(error);
      if (status === 401 || status === 403) {
        this.#checkAuthFailures(call, this.#elapsed(call.startedAt, outcome.durationMs));
      }
    }

    if (this.#calls !== undefined && (error === undefined || !uncountedKinds.has(error.kind))) {
      const time = this.#elapsed(call.startedAt, outcome.durationMs);
      this.#checkErrorRate(call, time, error !== undefined);
    }

    if (error === undefined && this.#options.latency !== undefined) {
      this.#checkLatency(call, outcome, this.#elapsed(call.startedAt, outcome.durationMs));
    }
  }

  /** Returns whole milliseconds from the first call to `startedAt + durationMs`. */
  #elapsed(startedAt: number, durationMs: number): number {
    this.#origin ??= startedAt;
    return Math.round(startedAt - this.#origin + durationMs);
  }

  #report(found: AnomalyReport, call: CallInfo, time: number): void {
    this.#listener(found, call, this.#origin! + time);
  }

  #checkAuthFailures(call: CallInfo, time: number): void {
    const options = this.#options.authFailures;
    const counter = this.#authFailures;
    if (options === undefined || counter === undefined) return;
    counter.add(time);
    const failures = counter.total(time);
    if (failures < options.count || time < this.#authQuietUntil) return;
    this.#authQuietUntil = time + options.windowMs;
    this.#report(
      {
        anomaly: "auth_failure_burst",
        message: `${failures} authentication failures (401 or 403) within ${seconds(options.windowMs)}`,
        observed: failures,
        threshold: options.count,
        windowMs: options.windowMs,
      },
      call,
      time,
    );
  }

  #checkErrorRate(call: CallInfo, time: number, failed: boolean): void {
    const options = this.#options.errorRate;
    if (options === undefined || this.#calls === undefined || this.#errors === undefined) return;
    this.#calls.add(time);
    if (failed) this.#errors.add(time);
    const calls = this.#calls.total(time);
    if (!failed || calls < options.minCalls || time < this.#errorQuietUntil) return;
    const rate = this.#errors.total(time) / calls;
    if (rate <= options.threshold) return;
    this.#errorQuietUntil = time + options.windowMs;
    this.#report(
      {
        anomaly: "error_rate",
        message:
          `${Math.round(rate * 100)}% of ${calls} calls failed within ${seconds(options.windowMs)}` +
          ` (threshold ${Math.round(options.threshold * 100)}%)`,
        observed: rate,
        threshold: options.threshold,
        windowMs: options.windowMs,
      },
      call,
      time,
    );
  }

  #checkLatency(call: CallInfo, outcome: CallOutcome, time: number): void {
    const options = this.#options.latency;
    if (options === undefined) return;
    const measured = call.stream ? outcome.timeToFirstByteMs : outcome.durationMs;
    if (measured === undefined || !(measured >= 0)) return;
    const value = Math.round(measured);
    const state = this.#latencyState(call, options.sampleSize);
    if (state === undefined) return;

    const median = state.median.median();
    const slow =
      state.median.count >= options.minSamples &&
      value > options.factor * median &&
      value - median >= options.minExcessMs;
    state.median.add(value);
    if (!slow || time < state.quietUntil) return;
    state.quietUntil = time + latencyCooldownMs;
    const measure = call.stream ? "time to first byte" : "latency";
    this.#report(
      {
        anomaly: "latency",
        message:
          `${call.operation} ${measure} of ${Math.round(value)} ms is ` +
          `${(value / median).toFixed(1)} times the median of the last ${state.median.count - 1} calls`,
        observed: value,
        threshold: options.factor * median,
      },
      call,
      time,
    );
  }

  #latencyState(call: CallInfo, sampleSize: number) {
    const model = typeof call.model === "string" ? call.model : "";
    let byModel = this.#latencies.get(call.operation);
    let state = byModel?.get(model);
    if (state !== undefined) return state;
    if (this.#latencyKeys >= maxTrackedKeys) return undefined;
    if (byModel === undefined) {
      byModel = new Map();
      this.#latencies.set(call.operation, byModel);
    }

    state = { median: new MovingMedian(sampleSize), quietUntil: Number.NEGATIVE_INFINITY };
    byModel.set(model, state);
    this.#latencyKeys += 1;
    return state;
  }

  #checkUser(call: CallInfo, user: string, time: number): void {
    const options = this.#options.userSpike!;
    const window = Math.floor(time / options.windowMs);
    const activity = this.#userActivity(user, window);
    if (activity === undefined) return;
    if (window > activity.window) rollWindow(activity, window);
    activity.count += 1;

    const warmedUp = time >= options.warmupWindows * options.windowMs;
    const limit = Math.max(options.minCalls, options.factor * activity.average);
    if (!warmedUp || activity.count < limit || activity.reportedWindow === window) return;
    activity.reportedWindow = window;
    this.#report(
      {
        anomaly: "user_spike",
        message:
          `${activity.count} calls for one user within ${seconds(options.windowMs)}, ` +
          `against an average of ${activity.average.toFixed(1)} per window`,
        observed: activity.count,
        threshold: limit,
        windowMs: options.windowMs,
      },
      call,
      time,
    );
  }

  #userActivity(user: string, window: number): UserActivity | undefined {
    const known = this.#users.get(user);
    if (known !== undefined || this.#users.size >= maxTrackedKeys) return known;
    const activity: UserActivity = { window, count: 0, average: 0, reportedWindow: window - 1 };
    this.#users.set(user, activity);
    return activity;
  }
}

/** Folds the finished window into the average, then one empty window per window skipped. */
function rollWindow(activity: UserActivity, window: number): void {
  const skipped = window - activity.window - 1;
  const keep = 1 - userAverageWeight;
  activity.average =
    (userAverageWeight * activity.count + keep * activity.average) * keep ** skipped;
  activity.count = 0;
  activity.window = window;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
