import type { ToolObservation } from "../core/call-observer.js";
import { LatencyHistogram } from "./latency-histogram.js";
import type { ToolMetrics } from "./metrics-snapshot.js";

/** Name that groups tool names beyond the cap, and calls of tools the run does not have. */
const otherTool = "other";

/** Distinct tool names kept apart by default; later ones are counted under `other`. */
export const defaultMaxTools = 50;

/** Distinct failure reasons kept apart; the runner sends three. */
const maxReasons = 8;

/** Counters and execution times of one tool name. */
export class ToolSeries {
  successes = 0;
  errors = 0;
  readonly errorsByReason = new Map<string, number>();
  /** Time `execute` ran, for the calls that reached it. */
  readonly duration = new LatencyHistogram();

  constructor(readonly tool: string) {}

  record(event: ToolObservation): void {
    if (event.type === "tool_result") {
      this.successes += 1;
    } else {
      this.errors += 1;
      const reason = this.#reasonKey(event.reason ?? "unknown");
      this.errorsByReason.set(reason, (this.errorsByReason.get(reason) ?? 0) + 1);
    }

    if (event.durationMs !== undefined && Number.isFinite(event.durationMs)) {
      this.duration.record(event.durationMs);
    }
  }

  toMetrics(): ToolMetrics {
    return {
      tool: this.tool,
      calls: this.successes + this.errors,
      successes: this.successes,
      errors: this.errors,
      errorsByReason: Object.fromEntries(this.errorsByReason),
      duration: this.duration.summary(),
    };
  }

  #reasonKey(reason: string): string {
    if (this.errorsByReason.has(reason) || this.errorsByReason.size < maxReasons) return reason;
    return otherTool;
  }
}

/**
 * Tool series by name, at most `maxTools` of them plus `other`. The model picks the name of an
 * `unknown_tool` call, so such calls always count under `other` and cannot use up the cap.
 */
export class ToolSeriesTable {
  readonly #maxTools: number;
  readonly #series = new Map<string, ToolSeries>();

  constructor(maxTools = defaultMaxTools) {
    this.#maxTools = maxTools;
  }

  /** Counts a tool that ended; `tool_start` is not counted. */
  record(event: ToolObservation): void {
    if (event.type === "tool_start") return;
    this.#seriesFor(event).record(event);
  }

  /** Yields every series, in the order first seen. */
  values(): IterableIterator<ToolSeries> {
    return this.#series.values();
  }

  #seriesFor(event: ToolObservation): ToolSeries {
    const name = event.reason === "unknown_tool" ? otherTool : event.toolName;
    let series = this.#series.get(name);
    if (series !== undefined) return series;
    const key = this.#series.size < this.#maxTools ? name : otherTool;
    series = this.#series.get(key) ?? new ToolSeries(key);
    this.#series.set(key, series);
    return series;
  }
}
