import type {
  CallInfo,
  CallObserver,
  CallOutcome,
  ToolObservation,
} from "../core/call-observer.js";
import { CallCounters } from "./call-counters.js";
import { LatencyHistogram } from "./latency-histogram.js";
import type { MetricsSnapshot, OperationMetrics, UserMetrics } from "./metrics-snapshot.js";
import { type ToolSeries, ToolSeriesTable } from "./tool-series.js";

/** Name that groups the values beyond a limit. */
export const otherValue = "other";

/** Memory bounds of the collector. */
export interface MetricsLimits {
  /** Distinct operation and model pairs kept apart. Default: 1000. */
  maxSeries: number;
  /** Distinct end users kept apart; the others are counted together. Default: 1000. */
  maxUsers: number;
}

export const defaultMetricsLimits: MetricsLimits = { maxSeries: 1000, maxUsers: 1000 };

/** Counters and histograms of one operation with one model. */
export class OperationSeries {
  readonly counters = new CallCounters();
  readonly latency = new LatencyHistogram();
  readonly timeToFirstByte = new LatencyHistogram();

  constructor(
    readonly operation: string,
    /** Model named in the request; the empty string for calls without one. */
    readonly model: string,
  ) {}
}

/**
 * Observer that counts every call and tool execution in memory. The call callbacks read only
 * `operation`, `model` and `user` of the call, look up two or three maps and increment numbers:
 * a call allocates nothing once its operation, model and user were seen.
 */
export class MetricsCollector implements CallObserver {
  readonly #limits: MetricsLimits;
  #operations = new Map<string, Map<string, OperationSeries>>();
  #seriesCount = 0;
  #users = new Map<string, CallCounters>();
  #otherUsers: CallCounters | undefined;
  #tools = new ToolSeriesTable();
  #inFlight = 0;
  #since = Date.now();

  constructor(limits: Partial<MetricsLimits> = {}) {
    this.#limits = { ...defaultMetricsLimits, ...limits };
  }

  onCallStart(call: CallInfo): void {
    this.#inFlight += 1;
    this.#series(call).counters.calls += 1;
    const user = this.#user(call);
    if (user !== undefined) user.calls += 1;
  }

  onRetry(call: CallInfo): void {
    this.#series(call).counters.retries += 1;
    const user = this.#user(call);
    if (user !== undefined) user.retries += 1;
  }

  onThrottled(call: CallInfo, info: { waitedMs: number }): void {
    this.#series(call).counters.recordThrottle(info.waitedMs);
    this.#user(call)?.recordThrottle(info.waitedMs);
  }

  onCallEnd(call: CallInfo, outcome: CallOutcome): void {
    if (this.#inFlight > 0) this.#inFlight -= 1;
    const series = this.#series(call);
    series.counters.recordEnd(outcome);
    series.latency.record(outcome.durationMs);
    if (outcome.timeToFirstByteMs !== undefined) {
      series.timeToFirstByte.record(outcome.timeToFirstByteMs);
    }

    this.#user(call)?.recordEnd(outcome);
  }

  onToolEvent(event: ToolObservation): void {
    this.#tools.record(event);
  }

  /**
   * Clears every counter and histogram. The in-flight gauge is kept, since those calls go on.
   * NOTE: a call that started before the reset and ends after it counts as ended but not started.
   */
  reset(): void {
    this.#operations = new Map();
    this.#seriesCount = 0;
    this.#users = new Map();
    this.#otherUsers = undefined;
    this.#tools = new ToolSeriesTable();
    this.#since = Date.now();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Yields every operation and model pair, in the order first seen. */
  *series(): Generator<OperationSeries> {
    for (const byModel of this.#operations.values()) {
      yield* byModel.values();
    }
  }

  /** Returns every tracked end user, in the order first seen. */
  users(): ReadonlyMap<string, CallCounters> {
    return this.#users;
  }

  get otherUsers(): CallCounters | undefined {
    return this.#otherUsers;
  }

  /** Yields the series of every tool name, in the order first seen. */
  tools(): IterableIterator<ToolSeries> {
    return this.#tools.values();
  }

  snapshot(): MetricsSnapshot {
    const totals = new CallCounters();
    const latency = new LatencyHistogram();
    const timeToFirstByte = new LatencyHistogram();
    const operations: OperationMetrics[] = [];
    for (const series of this.series()) {
      totals.add(series.counters);
      latency.merge(series.latency);
      timeToFirstByte.merge(series.timeToFirstByte);
      operations.push({
        operation: series.operation,
        model: series.model === "" ? null : series.model,
        ...series.counters.toCounts(),
        latency: series.latency.summary(),
        timeToFirstByte: series.timeToFirstByte.summary(),
      });
    }

    const users: UserMetrics[] = [];
    for (const [user, counters] of this.#users) {
      users.push({ user, ...counters.toCounts() });
    }

    return {
      takenAt: Date.now(),
      since: this.#since,
      inFlight: this.#inFlight,
      totals: {
        ...totals.toCounts(),
        latency: latency.summary(),
        timeToFirstByte: timeToFirstByte.summary(),
      },
      operations,
      users,
      otherUsers: this.#otherUsers?.toCounts() ?? null,
      tools: [...this.#tools.values()].map((series) => series.toMetrics()),
    };
  }

  #series(call: CallInfo): OperationSeries {
    const operation = call.operation;
    const model = typeof call.model === "string" ? call.model : "";
    const series = this.#operations.get(operation)?.get(model);
    return series ?? this.#addSeries(operation, model);
  }

  /** Creates the series, or past the limit returns the `other` series of the operation. */
  #addSeries(operation: string, model: string): OperationSeries {
    const full = this.#seriesCount >= this.#limits.maxSeries;
    const name = full && !this.#operations.has(operation) ? otherValue : operation;
    let byModel = this.#operations.get(name);
    if (byModel === undefined) {
      byModel = new Map();
      this.#operations.set(name, byModel);
    }

    const key = full ? otherValue : model;
    let series = byModel.get(key);
    if (series === undefined) {
      series = new OperationSeries(name, key);
      byModel.set(key, series);
      this.#seriesCount += 1;
    }

    return series;
  }

  #user(call: CallInfo): CallCounters | undefined {
    const user = call.user;
    if (typeof user !== "string") {
      return undefined;
    }

    const counters = this.#users.get(user);
    if (counters !== undefined) {
      return counters;
    }

    if (this.#users.size >= this.#limits.maxUsers) {
      this.#otherUsers ??= new CallCounters();
      return this.#otherUsers;
    }

    const added = new CallCounters();
    this.#users.set(user, added);
    return added;
  }
}
