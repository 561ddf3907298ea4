// Compares builds of mistralai-ts with each other and with plain fetch, on chosen scenarios, to
// price a change before or after it lands. Each argument is a package root holding a dist/ (this
// repository, or a copy with a patched src/ built with `npx tsup`).
//
//   node bench/experiments/compare-builds.mjs --scenarios stream-1,chat-1 --reps 5 . /tmp/patched
//
// Prints, per scenario and build, the median CPU time per operation, the median ratio to fetch
// in the same repetition, and the memory growth of the 20,000-chunk stream (steady mode).

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runClientProcess, startServer } from "../children.mjs";
import { operationCount, scenarios } from "../scenarios.mjs";
import { formatBytes, formatNumber, median, rotate } from "../stats.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scenarios: { type: "string", default: "stream-1,stream-16,stream-paced-16" },
    reps: { type: "string", default: "5" },
    memory: { type: "boolean", default: false },
  },
});
const scenarioIds = values.scenarios.split(",");
const roots = positionals.map((root) => resolve(root));
if (roots.length === 0) {
  throw new Error("Name at least one package root with a dist/, such as `.`");
}

async function runOne(root, baseURL) {
  const options = { client: root ? "mistralai-ts" : "fetch", baseURL, scenarioIds };
  if (root) process.env.MISTRALAI_TS_BENCH_ROOT = root;
  return runClientProcess("./worker.mjs", { ...options, memory: values.memory });
}

const server = await startServer();
const runs = [];
try {
  for (let rep = 0; rep < Number(values.reps); rep++) {
    for (const root of rotate([undefined, ...roots], rep)) {
      process.stderr.write(`rep ${rep + 1}: ${root ?? "fetch"}\n`);
      runs.push({ rep, root, report: await runOne(root, server.url) });
    }
  }
} finally {
  server.stop();
}

for (const id of scenarioIds) {
  const scenario = scenarios.find((item) => item.id === id);
  const operations = operationCount(scenario);
  console.log(`\n${scenario.title}`);
  for (const root of [undefined, ...roots]) {
    const own = runs.filter((run) => run.root === root);
    const cpu = own.map((run) => run.report.results[id].cpuMicros);
    const ratios = own.map((run) => {
      const baseline = runs.find((other) => other.rep === run.rep && other.root === undefined);
      return run.report.results[id].cpuMicros / baseline.report.results[id].cpuMicros;
    });
    console.log(
      `  ${(root ?? "fetch").padEnd(40)} ${formatNumber(median(cpu) / operations, 2)} µs/op, ` +
        `${formatNumber(median(ratios), 2)}x fetch`,
    );
  }
}

if (values.memory) {
  console.log("\nmemory growth over a 20,000-chunk stream, steady mode: peak, at last chunk");
  for (const root of [undefined, ...roots]) {
    const own = runs.filter((run) => run.root === root).map((run) => run.report.memory.steady);
    const peak = formatBytes(median(own.map((memory) => memory.peakBytes)));
    const last = formatBytes(median(own.map((memory) => memory.atLastChunkBytes)));
    console.log(`  ${(root ?? "fetch").padEnd(40)} ${peak}, ${last}`);
  }
}
