// Turns the raw figures of a run into medians, ratios to plain fetch, and the goal verdicts.

import { clientNames } from "./clients.mjs";
import { importCostOverBaseline } from "./import-cost.mjs";
import { transports } from "./mistralai-ts-clients.mjs";
import { operationCount, scenarios } from "./scenarios.mjs";
import { formatBytes, formatNumber, median } from "./stats.mjs";

/**
 * CPU time of `client` over that of `baseline` in the same repetition, in scenario `scenarioId`,
 * one ratio per repetition in which both ran it.
 */
export function ratiosPerRepetition(runs, client, baseline, scenarioId) {
  const ratios = [];
  for (const run of runs) {
    if (run.client !== client || run.results[scenarioId] === undefined) continue;
    const other = runs.find((item) => item.client === baseline && item.rep === run.rep);
    const base = other?.results[scenarioId];
    if (base !== undefined) ratios.push(run.results[scenarioId].cpuMicros / base.cpuMicros);
  }

  return ratios;
}

/** Medians over the repetitions of one client in one scenario, with its ratio to fetch. */
export function summarizeClient(runs, client, scenario) {
  const operations = operationCount(scenario);
  const figures = runs
    .filter((run) => run.client === client && run.results[scenario.id] !== undefined)
    .map((run) => run.results[scenario.id]);
  const ratios = ratiosPerRepetition(runs, client, "fetch", scenario.id);
  return {
    cpuMicrosPerOperation: median(figures.map((item) => item.cpuMicros / operations)),
    ratioToFetch: median(ratios),
    ratios,
    operationsPerSecond: median(figures.map((item) => operations / (item.wallMs / 1000))),
    serverBusy: median(figures.map((item) => item.serverCpuMicros / (item.wallMs * 1000))),
    serverCpuMicrosPerOperation: median(figures.map((item) => item.serverCpuMicros / operations)),
  };
}

/** Clients of `clientNames` that ran at least once, in table order. */
function clientsIn(runs) {
  return clientNames.filter((client) => runs.some((run) => run.client === client));
}

/** Per scenario and compared client: medians over the repetitions, and the ratio to fetch. */
export function summarizeTimed(runs) {
  const summary = {};
  for (const scenario of scenarios) {
    const perClient = {};
    for (const client of clientsIn(runs)) {
      perClient[client] = summarizeClient(runs, client, scenario);
    }

    summary[scenario.id] = { scenario, perClient };
  }

  return summary;
}

/** Per client: median memory growth of the long stream, in bytes, for each server mode. */
export function summarizeMemory(runs) {
  const summary = {};
  for (const client of clientsIn(runs)) {
    const memories = runs.filter((run) => run.client === client).map((run) => run.memory);
    const pick = (mode, key) => median(memories.map((memory) => memory[mode][key]));
    summary[client] = {
      steadyPeak: pick("steady", "peakBytes"),
      steadyAtLastChunk: pick("steady", "atLastChunkBytes"),
      bulkPeak: pick("bulk", "peakBytes"),
      bulkAtLastChunk: pick("bulk", "atLastChunkBytes"),
    };
  }

  return summary;
}

export function verdictAtMost(value, limit, format) {
  if (value <= limit) return "met";
  const over = value - limit;
  return `missed by ${format(over)} (${formatNumber((over / limit) * 100, 1)} % over)`;
}

const milliseconds = (value) => `${formatNumber(value, 1)} ms`;
export const times = (value) => `${formatNumber(value, 2)}x`;

/** Maximum memory growth over a 20,000-chunk stream: 2 MB, read as 2,000,000 bytes. */
const streamMemoryLimitBytes = 2_000_000;
/**
 * Memory allowed at the end of the phase in which all 1,000 streams are open, as a multiple of
 * the memory at its start, while the streams grow several times longer.
 */
const manyStreamGrowthLimit = 1.5;

/** Rows of the goals table: figure, goal, measured value, verdict. */
export function goalRows(results, timed, memory) {
  const rows = [];
  const imports = importCostOverBaseline(results.startup);
  const importMs = imports["mistralai-ts"];
  const importCpuMs = importCostOverBaseline(results.startup, "cpuMedianMs")["mistralai-ts"];
  // Other load on the machine can push the wall-time difference below the CPU time the import
  // takes, so the verdict uses the larger of the two.
  rows.push([
    "import cost over bare node: wall time (CPU time)",
    "< 25 ms",
    `${milliseconds(importMs)} (${milliseconds(importCpuMs)})`,
    verdictAtMost(Math.max(importMs, importCpuMs), 25, milliseconds),
  ]);
  const helpMs = results.startup["cli-help"].medianMs;
  rows.push([
    "`mistral --help`, whole process",
    "< 150 ms",
    milliseconds(helpMs),
    verdictAtMost(helpMs, 150, milliseconds),
  ]);
  if (results.install) {
    const install = results.install["mistralai-ts"];
    const limit = 1024 * 1024;
    const text = `${formatBytes(install.bytes)} (${formatBytes(install.diskBytes)} on disk), ${install.files} files`;
    rows.push([
      "installed size with runtime dependencies",
      "< 1 MiB",
      text,
      verdictAtMost(Math.max(install.bytes, install.diskBytes), limit, formatBytes),
    ]);
  }

  for (const id of ["chat-1", "chat-16", "embed-1", "embed-16"]) {
    const { scenario, perClient } = timed[id];
    const ratio = perClient["mistralai-ts"].ratioToFetch;
    rows.push([
      `CPU per request vs fetch: ${scenario.title}`,
      "≤ 1.10x",
      times(ratio),
      verdictAtMost(ratio, 1.1, times),
    ]);
  }

  for (const id of ["stream-1", "stream-16", "stream-paced-16"]) {
    const { scenario, perClient } = timed[id];
    const ratio = perClient["mistralai-ts"].ratioToFetch;
    rows.push([
      `CPU per chunk vs fetch: ${scenario.title}`,
      "≤ 1.25x",
      times(ratio),
      verdictAtMost(ratio, 1.25, times),
    ]);
  }

  for (const transport of transports) {
    rows.push(...transportRows(transport, timed, results.skipped?.[transport.name]));
  }

  const own = memory["mistralai-ts"];
  for (const [mode, label] of [
    ["steady", "16 chunks/ms"],
    ["bulk", "as fast as read"],
  ]) {
    const peak = own[`${mode}Peak`];
    rows.push([
      `memory growth over a 20,000-chunk stream (${label})`,
      "< 2 MB (1.91 MiB)",
      formatBytes(peak),
      verdictAtMost(peak, streamMemoryLimitBytes, formatBytes),
    ]);
  }

  rows.push(manyStreamsRow(results.manyStreams));
  return rows;
}

/** Largest CPU time per request of an optional transport, as a multiple of plain fetch's. */
const transportRequestLimit = 0.5;

/**
 * Rows of an optional transport: the goal per request, and the figure per chunk, which has no
 * goal of its own (the 1.25x goal is the default transport's). One row when the run skipped it.
 */
function transportRows(transport, timed, skippedReason) {
  const { name, label } = transport;
  if (skippedReason !== undefined || timed["chat-1"].perClient[name] === undefined) {
    const reason = skippedReason ?? "no figures for it in this run";
    const goal = `≤ ${times(transportRequestLimit)} per request`;
    return [[`${label}: CPU vs fetch`, goal, reason, "not measured"]];
  }

  const rows = [];
  for (const id of ["chat-1", "chat-16", "embed-1", "embed-16"]) {
    const { scenario, perClient } = timed[id];
    const ratio = perClient[name].ratioToFetch;
    rows.push([
      `${label}: CPU per request vs fetch: ${scenario.title}`,
      `≤ ${times(transportRequestLimit)}`,
      times(ratio),
      verdictAtMost(ratio, transportRequestLimit, times),
    ]);
  }

  for (const id of ["stream-1", "stream-16", "stream-paced-16"]) {
    const { scenario, perClient } = timed[id];
    rows.push([
      `${label}: CPU per chunk vs fetch: ${scenario.title}`,
      "none (≤ 1.25x is the default transport's)",
      times(perClient[name].ratioToFetch),
      "not judged",
    ]);
  }

  return rows;
}

function manyStreamsRow(manyStreams) {
  const run = manyStreams.find((item) => item.client === "mistralai-ts");
  const completed = run.completed === run.streams && run.receivedChunks === run.expectedChunks;
  const phase = run.allOpen;
  const goal = `all complete; memory at the end ≤ ${manyStreamGrowthLimit}x that at the start`;
  if (!completed || phase === undefined) {
    const reason = completed
      ? "the streams were never all open at once"
      : "not every stream completed";
    return ["1,000 concurrent streams", goal, reason, `missed: ${reason}`];
  }

  const factor = phase.lastBytes / phase.firstBytes;
  const measured =
    `all completed; ${formatBytes(phase.peakBytes / run.streams)} per open stream; ` +
    `${formatBytes(phase.firstBytes)} after ${formatNumber(phase.firstChunksPerStream)} chunks each, ` +
    `${formatBytes(phase.lastBytes)} after ${formatNumber(phase.lastChunksPerStream)}`;
  const verdict = verdictAtMost(factor, manyStreamGrowthLimit, times);
  return ["1,000 concurrent streams", goal, measured, verdict];
}
