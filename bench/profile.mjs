// CPU profiles of the benchmark scenarios. bench/worker.mjs profiles its measured run (warmup left
// out) through the inspector. This module ranks functions by self time, maps those of dist/ back
// to src/ through the build's source maps, and compares a client with plain fetch.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { libraryUrl } from "./library.mjs";
import { operationCount, scenarios } from "./scenarios.mjs";

const workerPath = fileURLToPath(new URL("./worker.mjs", import.meta.url));

/** Self time per profile node id, in microseconds: each sample lasts until the next one. */
function selfTimes(profile) {
  const times = new Map();
  const { samples, timeDeltas } = profile;
  for (let index = 0; index < samples.length - 1; index++) {
    const id = samples[index];
    times.set(id, (times.get(id) ?? 0) + timeDeltas[index + 1]);
  }

  return times;
}

function category(url, functionName) {
  if (url.startsWith(libraryUrl("dist/"))) return "mistralai-ts (dist/)";
  if (url.startsWith("node:")) return "Node internals (fetch, streams, http)";
  if (url === "") return functionName === "(garbage collector)" ? "garbage collector" : "other";
  return "benchmark code";
}

function createSourceMapper() {
  const maps = new Map();
  return (url, line, column) => {
    if (!url.startsWith(libraryUrl("dist/"))) return undefined;
    let map = maps.get(url);
    if (map === undefined) {
      map = new SourceMap(JSON.parse(readFileSync(new URL(`${url}.map`), "utf8")));
      maps.set(url, map);
    }

    const entry = map.findEntry(line, column);
    if (!entry?.originalSource) return undefined;
    const source = entry.originalSource.replace(/^.*?\/src\//, "src/");
    return `${source}:${entry.originalLine + 1}`;
  };
}

/** Groups self time by function and by category; idle time is left out of every share. */
export function summarizeProfile(profile, operations) {
  const times = selfTimes(profile);
  const mapSource = createSourceMapper();
  const functions = new Map();
  const categories = new Map();
  let busyMicros = 0;
  for (const node of profile.nodes) {
    const micros = times.get(node.id) ?? 0;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (micros === 0 || functionName === "(idle)") continue;
    busyMicros += micros;
    const group = category(url, functionName);
    categories.set(group, (categories.get(group) ?? 0) + micros);
    const key = `${functionName}|${url}|${lineNumber}|${columnNumber}`;
    const entry = functions.get(key) ?? {
      name: functionName || "(anonymous)",
      category: group,
      location: mapSource(url, lineNumber, columnNumber) ?? url.replace(/^.*\/node_modules\//, ""),
      micros: 0,
    };
    entry.micros += micros;
    functions.set(key, entry);
  }

  const ranked = [...functions.values()].sort((a, b) => b.micros - a.micros);
  const withShares = (entry) => ({
    ...entry,
    share: entry.micros / busyMicros,
    microsPerOperation: entry.micros / operations,
  });
  return {
    operations,
    busyMicros,
    categories: [...categories.entries()]
      .map(([name, micros]) => withShares({ name, micros }))
      .sort((a, b) => b.micros - a.micros),
    library: ranked.filter((entry) => entry.category === "mistralai-ts (dist/)").map(withShares),
    overall: ranked.map(withShares),
  };
}

/** Profiles the measured run of one scenario in its own worker process; returns the summary. */
export function profileScenario(baseURL, scenarioId, client) {
  const scenario = scenarios.find((item) => item.id === scenarioId);
  const directory = mkdtempSync(join(tmpdir(), "mistralai-ts-profile-"));
  try {
    const profileFile = join(directory, "run.cpuprofile");
    const options = { client, baseURL, scenarioIds: [scenarioId], memory: false, profileFile };
    const result = spawnSync(
      process.execPath,
      ["--expose-gc", workerPath, JSON.stringify(options)],
      { encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`Profiling ${scenarioId} failed: ${result.stderr}`);
    const profile = JSON.parse(readFileSync(profileFile, "utf8"));
    return { scenarioId, client, ...summarizeProfile(profile, operationCount(scenario)) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Lists the functions whose self time per operation grew most from `baseline` (plain fetch) to
 * `target`. Functions are matched by name and location, so Node internals that the library calls
 * more often than plain fetch does show up too.
 */
export function compareProfiles(target, baseline, limit = 12) {
  const key = (entry) => `${entry.name}|${entry.location}`;
  const before = new Map(baseline.overall.map((entry) => [key(entry), entry.microsPerOperation]));
  return target.overall
    .map((entry) => ({
      ...entry,
      baselineMicrosPerOperation: before.get(key(entry)) ?? 0,
      extraMicrosPerOperation: entry.microsPerOperation - (before.get(key(entry)) ?? 0),
    }))
    .sort((a, b) => b.extraMicrosPerOperation - a.extraMicrosPerOperation)
    .slice(0, limit);
}
