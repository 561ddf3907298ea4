import { CallCounters, statusClasses } from "./call-counters.js";
import { LabelValueCap } from "./label-values.js";
import { bucketIndexOfBound, LatencyHistogram } from "./latency-histogram.js";
import { type MetricsCollector, otherValue } from "./metrics-collector.js";

/** Label choices of the Prometheus text exposition. */
export interface PrometheusLabelOptions {
  /** Adds a `model` label to the per-operation families. */
  includeModelLabel: boolean;
  /** Adds the `mistral_client_user_*` families, labelled by end user. */
  includeUserLabel: boolean;
  /** Distinct values kept per label; later values are grouped as `other`. */
  maxLabelValues: number;
}

type Labels = ReadonlyArray<readonly [string, string]>;

/** Tool series that share a `tool` label value. */
interface ToolGroup {
  tool: string;
  successes: number;
  errorsByReason: Map<string, number>;
  duration: LatencyHistogram;
}

interface Sample {
  suffix: string;
  labels: Labels;
  value: number;
}

/** `le` bounds of the exposed histograms, in milliseconds: 1 ms to 524288 ms by doubling. */
const exposedBoundsMs = Array.from({ length: 20 }, (_, power) => 2 ** power);
const exposedBucketIndices = exposedBoundsMs.map(bucketIndexOfBound);

/** Per-operation aggregate after the model label was applied or dropped. */
interface Group {
  labels: Labels;
  counters: CallCounters;
  latency: LatencyHistogram;
  timeToFirstByte: LatencyHistogram;
}

/**
 * Renders the collector in the Prometheus text format (version 0.0.4). Label caps live as long as
 * the renderer, so a value that got its own series keeps it on every scrape until `reset()`.
 */
export class PrometheusRenderer {
  readonly #options: PrometheusLabelOptions;
  #models: LabelValueCap;
  #users: LabelValueCap;
  #tools: LabelValueCap;

  constructor(options: PrometheusLabelOptions) {
    this.#options = options;
    this.#models = new LabelValueCap(options.maxLabelValues);
    this.#users = new LabelValueCap(options.maxLabelValues);
    this.#tools = new LabelValueCap(options.maxLabelValues);
  }

  reset(): void {
    this.#models = new LabelValueCap(this.#options.maxLabelValues);
    this.#users = new LabelValueCap(this.#options.maxLabelValues);
    this.#tools = new LabelValueCap(this.#options.maxLabelValues);
  }

  render(collector: MetricsCollector): string {
    const groups = this.#groups(collector);
    const lines: string[] = [];
    writeOperationFamilies(lines, groups);
    writeFamily(lines, "mistral_client_requests_in_flight", "gauge", "API calls in progress.", [
      { suffix: "", labels: [], value: collector.inFlight },
    ]);
    if (this.#options.includeUserLabel) {
      writeUserFamilies(lines, this.#userGroups(collector));
    }

    writeToolFamilies(lines, this.#toolGroups(collector));

    return `${lines.join("\n")}\n`;
  }

  #groups(collector: MetricsCollector): Group[] {
    const groups = new Map<string, Group>();
    for (const series of collector.series()) {
      const labels: Array<[string, string]> = [["operation", series.operation]];
      if (this.#options.includeModelLabel) labels.push(["model", this.#models.label(series.model)]);
      const key = labels.map(([, value]) => value).join("\u0000");
      let group = groups.get(key);
      if (group === undefined) {
        group = {
          labels,
          counters: new CallCounters(),
          latency: new LatencyHistogram(),
          timeToFirstByte: new LatencyHistogram(),
        };
        groups.set(key, group);
      }

      group.counters.add(series.counters);
      group.latency.merge(series.latency);
      group.timeToFirstByte.merge(series.timeToFirstByte);
    }

    return [...groups.values()];
  }

  /** Merges the collector's tool series whose names share a label value after the cap. */
  #toolGroups(collector: MetricsCollector): ToolGroup[] {
    const groups = new Map<string, ToolGroup>();
    for (const series of collector.tools()) {
      const tool = this.#tools.label(series.tool);
      let group = groups.get(tool);
      if (group === undefined) {
        group = { tool, successes: 0, errorsByReason: new Map(), duration: new LatencyHistogram() };
        groups.set(tool, group);
      }

      group.successes += series.successes;
      for (const [reason, count] of series.errorsByReason) {
        group.errorsByReason.set(reason, (group.errorsByReason.get(reason) ?? 0) + count);
      }

      group.duration.merge(series.duration);
    }

    return [...groups.values()];
  }

  #userGroups(collector: MetricsCollector): Map<string, CallCounters> {
    const groups = new Map<string, CallCounters>();
    const add = (label: string, counters: CallCounters) => {
      const group = groups.get(label) ?? new CallCounters();
      group.add(counters);
      groups.set(label, group);
    };
    for (const [user, counters] of collector.users()) add(this.#users.label(user), counters);
    const others = collector.otherUsers;
    if (others !== undefined) add(otherValue, others);
    return groups;
  }
}

function writeOperationFamilies(lines: string[], groups: Group[]): void {
  const counter = (name: string, help: string, samples: (group: Group) => Sample[]) =>
    writeFamily(lines, name, "counter", help, groups.flatMap(samples));

  counter("mistral_client_requests_total", "API calls that ended, by outcome.", (group) =>
    outcomeSamples(group.labels, group.counters),
  );
  counter(
    "mistral_client_errors_total",
    "Failed API calls, by error kind and HTTP status class.",
    (group) => errorSamples(group.labels, group.counters, true),
  );
  counter("mistral_client_auth_failures_total", "API calls rejected with 401 or 403.", (group) =>
    authSamples(group.labels, group.counters, true),
  );
  counter("mistral_client_retries_total", "Attempts repeated after a failure.", (group) => [
    { suffix: "", labels: group.labels, value: group.counters.retries },
  ]);
  counter("mistral_client_throttled_total", "Waits imposed by a client-side limit.", (group) => [
    { suffix: "", labels: group.labels, value: group.counters.throttled },
  ]);
  counter(
    "mistral_client_throttle_wait_seconds_total",
    "Time spent waiting for a client-side limit, in seconds.",
    (group) => [{ suffix: "", labels: group.labels, value: group.counters.throttleWaitMs / 1000 }],
  );
  counter("mistral_client_tokens_total", "Tokens reported in usage, by type.", (group) =>
    tokenSamples(group.labels, group.counters),
  );
  writeFamily(
    lines,
    "mistral_client_request_duration_seconds",
    "histogram",
    "Time from the start of an API call to its last byte or failure, in seconds.",
    groups.flatMap((group) => histogramSamples(group.labels, group.latency)),
  );
  writeFamily(
    lines,
    "mistral_client_time_to_first_byte_seconds",
    "histogram",
    "Time from the start of an API call to the first response headers, in seconds.",
    groups.flatMap((group) => histogramSamples(group.labels, group.timeToFirstByte)),
  );
}

function writeUserFamilies(lines: string[], users: Map<string, CallCounters>): void {
  const entries = [...users].map(([user, counters]) => ({
    labels: [["user", user]] as Labels,
    counters,
  }));
  const counter = (name: string, help: string, samples: (entry: (typeof entries)[0]) => Sample[]) =>
    writeFamily(lines, name, "counter", help, entries.flatMap(samples));

  counter("mistral_client_user_requests_total", "API calls per end user, by outcome.", (entry) =>
    outcomeSamples(entry.labels, entry.counters),
  );
  counter(
    "mistral_client_user_errors_total",
    "Failed API calls per end user, by HTTP status class.",
    (entry) => errorSamples(entry.labels, entry.counters, false),
  );
  counter(
    "mistral_client_user_auth_failures_total",
    "API calls per end user rejected with 401 or 403.",
    (entry) => authSamples(entry.labels, entry.counters, false),
  );
  counter("mistral_client_user_retries_total", "Retries per end user.", (entry) => [
    { suffix: "", labels: entry.labels, value: entry.counters.retries },
  ]);
  counter("mistral_client_user_throttled_total", "Client-side waits per end user.", (entry) => [
    { suffix: "", labels: entry.labels, value: entry.counters.throttled },
  ]);
  counter("mistral_client_user_tokens_total", "Tokens per end user, by type.", (entry) =>
    tokenSamples(entry.labels, entry.counters),
  );
}

function writeToolFamilies(lines: string[], groups: ToolGroup[]): void {
  writeFamily(
    lines,
    "mistral_client_tool_calls_total",
    "counter",
    "Tool calls of tool runs that ended, by tool and outcome.",
    groups.flatMap((group) => {
      let errors = 0;
      for (const count of group.errorsByReason.values()) errors += count;
      return [
        {
          suffix: "",
          labels: [
            ["tool", group.tool],
            ["outcome", "success"],
          ],
          value: group.successes,
        },
        {
          suffix: "",
          labels: [
            ["tool", group.tool],
            ["outcome", "error"],
          ],
          value: errors,
        },
      ];
    }),
  );
  writeFamily(
    lines,
    "mistral_client_tool_errors_total",
    "counter",
    "Failed tool calls of tool runs, by tool and reason.",
    groups.flatMap((group) =>
      [...group.errorsByReason].map(([reason, value]) => ({
        suffix: "",
        labels: [
          ["tool", group.tool],
          ["reason", reason],
        ] as Labels,
        value,
      })),
    ),
  );
  writeFamily(
    lines,
    "mistral_client_tool_duration_seconds",
    "histogram",
    "Time a tool's execute function ran, in seconds.",
    groups.flatMap((group) => histogramSamples([["tool", group.tool]], group.duration)),
  );
}

function outcomeSamples(labels: Labels, counters: CallCounters): Sample[] {
  return [
    { suffix: "", labels: [...labels, ["outcome", "success"]], value: counters.successes },
    { suffix: "", labels: [...labels, ["outcome", "error"]], value: counters.errors },
  ];
}

/** With `byKind`, one sample per kind and status class; otherwise one per status class. */
function errorSamples(labels: Labels, counters: CallCounters, byKind: boolean): Sample[] {
  const samples: Sample[] = [];
  if (byKind) {
    for (const [kind, byClass] of counters.errorsByKind) {
      statusClasses.forEach((statusClass, index) => {
        const value = byClass[index]!;
        if (value > 0) {
          const sampleLabels: Labels = [...labels, ["kind", kind], ["status_class", statusClass]];
          samples.push({ suffix: "", labels: sampleLabels, value });
        }
      });
    }

    return samples;
  }

  const totals = counters.toCounts().errorsByStatusClass;
  for (const statusClass of statusClasses) {
    if (totals[statusClass] > 0) {
      const sampleLabels: Labels = [...labels, ["status_class", statusClass]];
      samples.push({ suffix: "", labels: sampleLabels, value: totals[statusClass] });
    }
  }

  return samples;
}

function authSamples(labels: Labels, counters: CallCounters, byStatus: boolean): Sample[] {
  if (!byStatus) {
    return [{ suffix: "", labels, value: counters.auth401 + counters.auth403 }];
  }

  return [
    { suffix: "", labels: [...labels, ["status", "401"]], value: counters.auth401 },
    { suffix: "", labels: [...labels, ["status", "403"]], value: counters.auth403 },
  ];
}

function tokenSamples(labels: Labels, counters: CallCounters): Sample[] {
  return [
    { suffix: "", labels: [...labels, ["type", "input"]], value: counters.inputTokens },
    { suffix: "", labels: [...labels, ["type", "output"]], value: counters.outputTokens },
  ];
}

function histogramSamples(labels: Labels, histogram: LatencyHistogram): Sample[] {
  const cumulative = histogram.cumulativeCounts(exposedBucketIndices);
  const samples: Sample[] = exposedBoundsMs.map((boundMs, index) => ({
    suffix: "_bucket",
    labels: [...labels, ["le", formatNumber(boundMs / 1000)]],
    value: cumulative[index]!,
  }));
  samples.push(
    { suffix: "_bucket", labels: [...labels, ["le", "+Inf"]], value: histogram.count },
    { suffix: "_sum", labels, value: histogram.sumMs / 1000 },
    { suffix: "_count", labels, value: histogram.count },
  );
  return samples;
}

/** Writes a family's HELP and TYPE lines and its samples; a family without samples is left out. */
function writeFamily(
  lines: string[],
  name: string,
  type: "counter" | "gauge" | "histogram",
  help: string,
  samples: Sample[],
): void {
  if (samples.length === 0) {
    return;
  }

  lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  for (const sample of samples) {
    lines.push(
      `${name}${sample.suffix}${formatLabels(sample.labels)} ${formatNumber(sample.value)}`,
    );
  }
}

function formatLabels(labels: Labels): string {
  if (labels.length === 0) {
    return "";
  }

  const pairs = labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return `{${pairs.join(",")}}`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}
