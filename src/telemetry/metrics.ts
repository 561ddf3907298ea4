import type { MetricsCollector } from "./metrics-collector.js";
import type { MetricsSnapshot } from "./metrics-snapshot.js";
import type { PrometheusRenderer } from "./prometheus.js";

/** `client.metrics`: the counters and latency histograms of every call, kept in memory. */
export interface Metrics {
  /** Returns everything measured since creation or the last reset, as plain data. */
  snapshot(): MetricsSnapshot;
  /** Clears the counters and histograms, and the Prometheus label assignments. */
  reset(): void;
  /** Renders the metrics in the Prometheus text format (version 0.0.4). */
  toPrometheus(): string;
}

/** Read side of the metrics collector, handed to callers as `client.metrics`. */
export class ClientMetrics implements Metrics {
  readonly #collector: MetricsCollector;
  readonly #renderer: PrometheusRenderer;

  constructor(collector: MetricsCollector, renderer: PrometheusRenderer) {
    this.#collector = collector;
    this.#renderer = renderer;
  }

  snapshot(): MetricsSnapshot {
    return this.#collector.snapshot();
  }

  reset(): void {
    this.#collector.reset();
    this.#renderer.reset();
  }

  toPrometheus(): string {
    return this.#renderer.render(this.#collector);
  }

  toJSON(): MetricsSnapshot {
    return this.snapshot();
  }
}
