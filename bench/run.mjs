// Runs every benchmark once and writes docs/benchmarks.md. Needs a built dist/ (`npm run build`)
// and the benchmark's own dependencies (`npm ci --prefix bench`). Takes about 7 minutes on a
// 2-core machine. Options: --reps N (client processes per client, default 5), --quick (1 rep,
// fewer start-up runs, no install or profile, for trying changes), --json FILE (raw figures),
// --from FILE (write the page again from raw figures saved with --json, measuring nothing).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runClientProcess, startServer } from "./children.mjs";
import { clientNames, clientVersion } from "./clients.mjs";
import { cliHelpTarget, importTargets, measureStartup } from "./import-cost.mjs";
import { measureInstallSizes } from "./install-size.mjs";
import { snapshotLibrary } from "./library.mjs";
import { compareProfiles, profileScenario } from "./profile.mjs";
import { writeReport } from "./report.mjs";
import { scenarios } from "./scenarios.mjs";
import { rotate } from "./stats.mjs";

/** The many-streams run: 1,000 streams of 100 chunks, one chunk per stream every 50 ms. */
const manyStreamRun = { streams: 1000, chunks: 100, intervalMs: 50 };
const profiledScenarios = ["chat-1", "stream-1", "stream-paced-16"];

function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function checkPrerequisites() {
  if (!existsSync(new URL("./node_modules/openai/package.json", import.meta.url))) {
    throw new Error("bench/node_modules is missing: run `npm ci --prefix bench` first");
  }
}

/** Alternates the order of clients: rotated each repetition, reversed every other one. */
function clientOrder(rep) {
  const rotated = rotate(clientNames, rep);
  return rep % 2 === 1 ? rotated.reverse() : rotated;
}

async function runTimedScenarios(baseURL, reps) {
  const runs = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const client of clientOrder(rep)) {
      log(`rep ${rep + 1}/${reps}: ${client}`);
      const options = {
        client,
        baseURL,
        scenarioIds: scenarios.map((scenario) => scenario.id),
        memory: true,
      };
      runs.push({ rep, ...(await runClientProcess("./worker.mjs", options)) });
    }
  }

  return runs;
}

async function runManyStreams(baseURL) {
  const results = [];
  for (const client of ["fetch", "mistralai-ts"]) {
    log(`many streams: ${client}, ${manyStreamRun.streams} × ${manyStreamRun.chunks} chunks`);
    results.push(
      await runClientProcess("./many-streams.mjs", { client, baseURL, ...manyStreamRun }),
    );
  }

  return results;
}

function runProfiles(baseURL) {
  return profiledScenarios.map((scenarioId) => {
    log(`profile: ${scenarioId}`);
    const library = profileScenario(baseURL, scenarioId, "mistralai-ts");
    const fetchBaseline = profileScenario(baseURL, scenarioId, "fetch");
    return { scenarioId, library, fetchBaseline, extra: compareProfiles(library, fetchBaseline) };
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      reps: { type: "string", default: "5" },
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      from: { type: "string" },
    },
  });
  if (values.from) {
    log(`wrote ${writeReport(JSON.parse(readFileSync(values.from, "utf8")))}`);
    return;
  }

  checkPrerequisites();
  const started = new Date();
  const removeSnapshot = snapshotLibrary();
  let results;
  try {
    results = await measureAll(values.quick, values.quick ? 1 : Number(values.reps));
  } finally {
    removeSnapshot();
  }

  results.started = started.toISOString();
  results.durationSeconds = (Date.now() - started.getTime()) / 1000;
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
  const path = writeReport(results);
  log(`done in ${results.durationSeconds.toFixed(0)} s; wrote ${path}`);
}

async function measureAll(quick, reps) {
  const versions = Object.fromEntries(clientNames.map((name) => [name, clientVersion(name)]));
  const results = { reps, versions, loadBefore: loadavg() };
  log("start-up times");
  const targets = [...importTargets(clientNames), cliHelpTarget()];
  results.startup = measureStartup(targets, { runs: quick ? 5 : 15 });
  if (!quick) {
    log("install sizes (npm pack, npm install)");
    results.install = measureInstallSizes();
  }

  const server = await startServer();
  try {
    results.timed = await runTimedScenarios(server.url, reps);
    log("fetch options");
    const fetchOptions = {
      client: "fetch variants",
      baseURL: server.url,
      rounds: 5,
      requests: 300,
    };
    results.fetchOptions = (await runClientProcess("./fetch-options.mjs", fetchOptions)).samples;
    results.manyStreams = await runManyStreams(server.url);
    if (!quick) results.profiles = runProfiles(server.url);
  } finally {
    server.stop();
  }

  results.loadAfter = loadavg();
  return results;
}

await main();
