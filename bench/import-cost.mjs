// Cold-start cost: whole `node` processes that import one client and exit, minus a bare
// `node -e ""`. Two figures per process: wall time from spawn to exit, and the CPU time the
// process used up to the end of its script (it prints `process.cpuUsage()`), which other load on
// the machine disturbs much less. Targets run in a rotating order within each round, so drift in
// the machine's load spreads over all of them.

import { spawnSync } from "node:child_process";
import { clientEntries } from "./clients.mjs";
import { libraryPath } from "./library.mjs";
import { median, rotate } from "./stats.mjs";

/** Statement that ends every timed script: prints the process's CPU time so far. */
const printCpu = "process.stdout.write(JSON.stringify(process.cpuUsage()));";

/** Arguments of a process that imports `entries` one after the other, then prints its CPU time. */
function importArguments(entries) {
  const imports = entries.map((entry) => `await import(${JSON.stringify(entry)});`).join(" ");
  return ["--input-type=module", "-e", `${imports} ${printCpu}`];
}

/** Processes whose start-up is timed; `baseline` is subtracted from the import rows. */
export function importTargets(clientNames) {
  const targets = [
    { id: "baseline", label: 'node -e ""', args: ["-e", printCpu] },
    { id: "esm", label: "ESM entry, empty", args: ["--input-type=module", "-e", printCpu] },
  ];
  for (const name of clientNames) {
    // fetch is built in; reading it makes Node load its bundled undici.
    const args =
      name === "fetch"
        ? ["-e", `globalThis.fetch; ${printCpu}`]
        : importArguments(clientEntries(name));
    targets.push({ id: name, label: name, args });
  }

  return targets;
}

/** Target of the CLI's `--help`: its whole wall time is the figure, and it reports no CPU time. */
export function cliHelpTarget() {
  return {
    id: "cli-help",
    label: "mistral --help",
    args: [libraryPath("dist/cli/main.js"), "--help"],
  };
}

function lowerQuartile(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 4)];
}

function timeProcess(target) {
  const start = performance.now();
  const result = spawnSync(process.execPath, target.args, {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  const wallMs = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${target.label} exited with ${result.status}: ${result.stderr}`);
  }

  if (target.id === "cli-help") return { wallMs, cpuMs: Number.NaN };
  const cpu = JSON.parse(result.stdout);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function statistics(values) {
  return {
    medianMs: median(values),
    minMs: Math.min(...values),
    lowerQuartileMs: lowerQuartile(values),
  };
}

/**
 * Times each target `runs` times after `warmupRuns` untimed rounds (which fill the file cache).
 * Returns, per target id, statistics of the wall times (`medianMs`, `minMs`, `lowerQuartileMs`),
 * the median CPU time (`cpuMedianMs`) and every wall-time sample, in milliseconds.
 */
export function measureStartup(targets, { runs, warmupRuns = 2 }) {
  const samples = Object.fromEntries(targets.map((target) => [target.id, []]));
  for (let round = 0; round < warmupRuns + runs; round++) {
    for (const target of rotate(targets, round)) {
      const sample = timeProcess(target);
      if (round >= warmupRuns) samples[target.id].push(sample);
    }
  }

  const result = {};
  for (const target of targets) {
    const own = samples[target.id];
    result[target.id] = {
      label: target.label,
      ...statistics(own.map((sample) => sample.wallMs)),
      cpuMedianMs: median(own.map((sample) => sample.cpuMs)),
      samplesMs: own.map((sample) => sample.wallMs),
    };
  }

  return result;
}

/**
 * Import cost over the baseline, in milliseconds, per target id, from one statistic of each
 * target: `medianMs` (wall time, the default), `lowerQuartileMs` or `cpuMedianMs`.
 */
export function importCostOverBaseline(startup, statistic = "medianMs") {
  const baseline = startup.baseline[statistic];
  const costs = {};
  for (const [id, entry] of Object.entries(startup)) {
    if (id !== "baseline") costs[id] = entry[statistic] - baseline;
  }

  return costs;
}
