import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { MetricsCollector } from "../../src/telemetry/metrics-collector.js";
import { type PrometheusLabelOptions, PrometheusRenderer } from "../../src/telemetry/prometheus.js";
import { callInfo, okOutcome, playCall } from "./call-fixtures.js";
import { scriptedRun } from "./scripted-run.js";

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One `name="value"` pair with the escapes the format allows (backslash, quote, newline). */
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/y;

interface StrictSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Reads every sample line strictly. The parser package is lenient (it accepts a value of "abc")
 * and, for histograms with labels, merges the buckets of every series and drops `_sum` and
 * `_count`, so the histogram checks use these samples.
 */
function strictSamples(text: string): StrictSample[] {
  const samples: StrictSample[] = [];
  for (const line of text.trimEnd().split("\n")) {
    if (line.startsWith("#")) continue;
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!head) throw new Error(`invalid sample line: ${line}`);
    const labels: Record<string, string> = {};
    let position = head[1]!.length;
    if (line[position] === "{") {
      position += 1;
      while (line[position] !== "}") {
        labelPair.lastIndex = position;
        const pair = labelPair.exec(line);
        if (!pair) throw new Error(`invalid labels: ${line}`);
        labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
        position = labelPair.lastIndex;
        if (line[position] === ",") position += 1;
      }

      position += 1;
    }

    const value = /^ (\+Inf|-Inf|NaN|-?\d+(\.\d+)?(e[+-]?\d+)?)$/.exec(line.slice(position));
    if (!value) throw new Error(`invalid value: ${line}`);
    samples.push({ name: head[1]!, labels, value: Number(value[1]!.replace("Inf", "Infinity")) });
  }

  return samples;
}

function render(options: Partial<PrometheusLabelOptions> = {}, collector = scriptedCollector()) {
  const renderer = new PrometheusRenderer({
    includeModelLabel: false,
    includeUserLabel: false,
    maxLabelValues: 50,
    ...options,
  });
  return renderer.render(collector);
}

function scriptedCollector(): MetricsCollector {
  const collector = new MetricsCollector();
  for (const step of scriptedRun()) playCall([collector], step.call, step.outcome, step);
  return collector;
}

function family(families: PrometheusFamily[], name: string): PrometheusFamily {
  const found = families.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`family ${name} is missing`);
  return found;
}

/** Sums the values of a counter family over the samples whose labels include `labels`. */
function sum(found: PrometheusFamily, labels: Record<string, string> = {}): number {
  return found.metrics
    .filter((sample) => Object.entries(labels).every(([k, v]) => sample.labels?.[k] === v))
    .reduce((total, sample) => total + Number(sample.value), 0);
}

/**
 * Checks the text against the exposition format rules the parser does not enforce: names,
 * HELP then TYPE once per family before its samples, and suffixes allowed per type.
 */
function formatProblems(text: string): string[] {
  const problems: string[] = [];
  const declared = new Map<string, string>();
  let current: { name: string; type: string } | undefined;
  for (const line of text.trimEnd().split("\n")) {
    const help = /^# HELP (\S+) (.+)$/.exec(line);
    const type = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
    if (help) {
      if (declared.has(help[1]!)) problems.push(`family declared twice: ${help[1]}`);
      declared.set(help[1]!, "");
      continue;
    }

    if (type) {
      current = { name: type[1]!, type: type[2]! };
      declared.set(current.name, current.type);
      continue;
    }

    const sample = /^([^{\s]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!sample || current === undefined) {
      problems.push(`unexpected line: ${line}`);
      continue;
    }

    const suffixes = current.type === "histogram" ? ["_bucket", "_sum", "_count"] : [""];
    if (!suffixes.some((suffix) => sample[1] === current!.name + suffix)) {
      problems.push(`sample ${sample[1]} outside its family ${current.name}`);
    }

    if (Number.isNaN(Number(sample[3]!.replace("+Inf", "Infinity")))) {
      problems.push(`value is not a number: ${line}`);
    }
  }

  for (const [name, type] of declared) {
    if (!metricName.test(name)) problems.push(`invalid metric name ${name}`);
    if (!name.startsWith("mistral_client_")) problems.push(`name without prefix: ${name}`);
    if (type === "counter" && !name.endsWith("_total")) problems.push(`counter ${name}`);
    if (type === "histogram" && !name.endsWith("_seconds")) problems.push(`histogram ${name}`);
  }

  return problems;
}

describe("Prometheus exposition", () => {
  it("parses and follows the naming rules", () => {
    const text = render({ includeModelLabel: true, includeUserLabel: true });
    expect(formatProblems(text)).toEqual([]);
    expect(strictSamples(text).length).toBeGreaterThan(100);

    const families = parsePrometheusTextFormat(text);
    expect(families.length).toBeGreaterThan(10);
    for (const entry of families) {
      expect(entry.help, entry.name).not.toBe("");
      for (const sample of entry.metrics) {
        for (const name of Object.keys(sample.labels ?? {})) {
          expect(name, entry.name).toMatch(labelName);
          expect(name.startsWith("__"), name).toBe(false);
        }
      }
    }
  });

  it("counts the scripted run", () => {
    const families = parsePrometheusTextFormat(render());
    const requests = family(families, "mistral_client_requests_total");
    expect(requests.type).toBe("COUNTER");
    expect(sum(requests, { outcome: "success" })).toBe(3);
    expect(sum(requests, { outcome: "error" })).toBe(7);
    expect(sum(requests, { operation: "chat.create" })).toBe(6 + 1);

    const errors = family(families, "mistral_client_errors_total");
    expect(sum(errors, { status_class: "4xx" })).toBe(3);
    expect(sum(errors, { status_class: "none" })).toBe(3);
    expect(sum(errors, { kind: "timeout" })).toBe(1);

    const auth = family(families, "mistral_client_auth_failures_total");
    expect(sum(auth, { status: "401" })).toBe(1);
    expect(sum(auth, { status: "403" })).toBe(1);
    expect(sum(family(families, "mistral_client_retries_total"))).toBe(3);
    expect(sum(family(families, "mistral_client_throttled_total"))).toBe(3);
    expect(sum(family(families, "mistral_client_throttle_wait_seconds_total"))).toBeCloseTo(0.045);

    const tokens = family(families, "mistral_client_tokens_total");
    expect(sum(tokens, { type: "input" })).toBe(120);
    expect(sum(tokens, { type: "output" })).toBe(35);
    expect(family(families, "mistral_client_requests_in_flight").type).toBe("GAUGE");
  });

  it("writes histograms with le buckets in seconds", () => {
    const collector = new MetricsCollector();
    for (const durationMs of [0.4, 3, 3, 700, 90_000]) {
      playCall([collector], callInfo(), okOutcome({ durationMs }));
    }

    const text = render({}, collector);
    const duration = family(
      parsePrometheusTextFormat(text),
      "mistral_client_request_duration_seconds",
    );
    expect(duration.type).toBe("HISTOGRAM");
    const sample = duration.metrics[0]!;
    const samples = strictSamples(text);
    const count = samples.find(
      (entry) => entry.name === "mistral_client_request_duration_seconds_count",
    );
    const total = samples.find(
      (entry) => entry.name === "mistral_client_request_duration_seconds_sum",
    );
    expect(count?.labels).toEqual({ operation: "chat.create" });
    expect(count?.value).toBe(5);
    expect(total?.value).toBeCloseTo(90.7064, 6);

    const bounds = Object.keys(sample.buckets!);
    expect(bounds).toContain("+Inf");
    const finite = bounds.filter((bound) => bound !== "+Inf").map(Number);
    finite.sort((a, b) => a - b);
    expect(finite[0]).toBe(0.001);
    expect(sample.buckets!["0.001"]).toBe("1");
    expect(sample.buckets!["0.004"]).toBe("3");
    expect(sample.buckets!["1.024"]).toBe("4");
    expect(sample.buckets!["+Inf"]).toBe("5");
    let previous = 0;
    for (const bound of finite) {
      const cumulative = Number(sample.buckets![String(bound)]);
      expect(cumulative).toBeGreaterThanOrEqual(previous);
      previous = cumulative;
    }
  });

  it("has no model or user labels by default", () => {
    const text = render();
    expect(text).not.toMatch(/model="/);
    expect(text).not.toMatch(/user="/);
    expect(text).not.toContain("mistral-small-latest");
    expect(text).not.toContain("alice");
  });

  it("groups models beyond the cap as other", () => {
    const collector = new MetricsCollector();
    const renderer = new PrometheusRenderer({
      includeModelLabel: true,
      includeUserLabel: false,
      maxLabelValues: 2,
    });
    for (const model of ["m1", "m2", "m3"]) playCall([collector], callInfo({ model }), okOutcome());
    const models = () => {
      const requests = family(
        parsePrometheusTextFormat(renderer.render(collector)),
        "mistral_client_requests_total",
      );
      return new Set(requests.metrics.map((sample) => sample.labels?.model));
    };
    expect(models()).toEqual(new Set(["m1", "m2", "other"]));

    // A model seen later under an earlier operation does not take over a label.
    playCall([collector], callInfo({ operation: "a.first", model: "m4" }), okOutcome());
    expect(models()).toEqual(new Set(["m1", "m2", "other"]));
  });

  it("labels users only when asked, with a cap", () => {
    const collector = new MetricsCollector();
    for (const user of ["u1", "u2", "u3", 'quote"and\nnewline']) {
      playCall([collector], callInfo({ user }), okOutcome());
    }

    const capped = parsePrometheusTextFormat(
      render({ includeUserLabel: true, maxLabelValues: 2 }, collector),
    );
    const requests = family(capped, "mistral_client_user_requests_total");
    const users = requests.metrics.filter((sample) => sample.labels?.outcome === "success");
    expect(users.map((sample) => [sample.labels?.user, sample.value])).toEqual([
      ["u1", "1"],
      ["u2", "1"],
      ["other", "2"],
    ]);

    const open = parsePrometheusTextFormat(render({ includeUserLabel: true }, collector));
    const names = family(open, "mistral_client_user_requests_total").metrics.map(
      (sample) => sample.labels?.user,
    );
    expect(names).toContain('quote"and\nnewline');
    const strict = strictSamples(render({ includeUserLabel: true }, collector));
    expect(strict.some((sample) => sample.labels.user === 'quote"and\nnewline')).toBe(true);
  });

  it("keeps each histogram series apart", () => {
    const collector = new MetricsCollector();
    playCall([collector], callInfo({ operation: "chat.create" }), okOutcome({ durationMs: 5 }));
    playCall([collector], callInfo({ operation: "fim.create" }), okOutcome({ durationMs: 50 }));
    const samples = strictSamples(render({}, collector)).filter(
      (sample) =>
        sample.name === "mistral_client_request_duration_seconds_bucket" &&
        sample.labels.le === "0.008",
    );
    expect(samples.map((sample) => [sample.labels.operation, sample.value])).toEqual([
      ["chat.create", 1],
      ["fim.create", 0],
    ]);
  });

  it("renders an empty collector", () => {
    const text = render({}, new MetricsCollector());
    expect(formatProblems(text)).toEqual([]);
    expect(text).toBe(
      "# HELP mistral_client_requests_in_flight API calls in progress.\n" +
        "# TYPE mistral_client_requests_in_flight gauge\n" +
        "mistral_client_requests_in_flight 0\n",
    );
  });
});
