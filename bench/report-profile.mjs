// Profile section of docs/benchmarks.md: where mistralai-ts spends CPU time, next to plain fetch.

import { formatNumber } from "./stats.mjs";

const table = (header, rows) => {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
};

const micros = (value) => formatNumber(value, value < 10 ? 2 : 1);
const percent = (value) => `${formatNumber(value * 100, 1)} %`;

function categoryRows(library, fetchBaseline) {
  const baseline = new Map(
    fetchBaseline.categories.map((entry) => [entry.name, entry.microsPerOperation]),
  );
  const rows = library.categories.map((entry) => [
    entry.name,
    micros(entry.microsPerOperation),
    micros(baseline.get(entry.name) ?? 0),
  ]);
  rows.push([
    "total (idle left out)",
    micros(library.busyMicros / library.operations),
    micros(fetchBaseline.busyMicros / fetchBaseline.operations),
  ]);
  return rows;
}

function scenarioProfile({ scenarioId, library, fetchBaseline, extra }) {
  const unit = scenarioId.startsWith("stream") ? "chunk" : "request";
  const topLibrary = library.library
    .slice(0, 10)
    .map((entry) => [
      `\`${entry.name}\``,
      `\`${entry.location}\``,
      micros(entry.microsPerOperation),
      percent(entry.share),
    ]);
  const topExtra = extra
    .slice(0, 10)
    .map((entry) => [
      `\`${entry.name}\``,
      `\`${entry.location || entry.category}\``,
      micros(entry.microsPerOperation),
      micros(entry.baselineMicrosPerOperation),
    ]);
  return [
    `### ${scenarioId}`,
    "",
    table(
      ["where", `mistralai-ts µs per ${unit}`, `fetch µs per ${unit}`],
      categoryRows(library, fetchBaseline),
    ),
    "",
    "Functions of dist/ by self time (mapped to src/):",
    "",
    table(["function", "source", `µs per ${unit}`, "share of busy time"], topLibrary),
    "",
    "Functions with the most self time added over plain fetch:",
    "",
    table(["function", "where", `mistralai-ts µs per ${unit}`, `fetch µs per ${unit}`], topExtra),
  ].join("\n");
}

/** Returns the profile section, or a note when the run skipped profiling. */
export function profileSection(profiles) {
  if (!profiles) return "## Profiles\n\nNot measured in this run (--quick).";
  return [
    "## Profiles",
    "",
    "CPU profiles of the measured run (warmup left out) through the inspector, sampling every",
    "50 µs, for mistralai-ts and for plain fetch in the same scenario. Self time excludes callees;",
    "built-ins such as `JSON.parse` count as self time of the function that calls them. The",
    "profiler slows everything down, so compare within a table rather than with the CPU tables.",
    "",
    profiles.map(scenarioProfile).join("\n\n"),
  ].join("\n");
}
