// Runs every benchmark once and writes docs/benchmarks.md. Needs a built dist/ (`npm run build`)
// and the benchmark's own dependencies (`npm ci --prefix bench`). Takes 7 to 9 minutes on a
// 2-core machine (444 s quiet, 590 s with a load average of 5 from other work). Options:
// --reps N (client processes per client, default 4), --quick (1 rep, fewer start-up runs, no
// install or profile, for trying changes), --json FILE (raw figures), --from FILE (write the page
// again from raw figures saved with --json, measuring nothing).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runClientProcess, startServer } from "./children.mjs";
import { clientNames, clientVersion, guardPlanNames } from "./clients.mjs";
import { cliHelpTarget, importTargets, measureStartup } from "./import-cost.mjs";
import { measureInstallSizes } from "./install-size.mjs";
import { snapshotLibrary } from "./library.mjs";
import {
  everythingOnName,
  hasTransport,
  missingTransportMessage,
  telemetryOffName,
  transports,
} from "./mistralai-ts-clients.mjs";
import { compareProfiles, profileScenario } from "./profile.mjs";
import { writeReport } from "./report.mjs";
import { guardRounds, guardScenarioIds, scenarios } from "./scenarios.mjs";
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

/** Configurations of the guardrail cost section profiled on chat-1, next to the defaults. */
const profiledConfigurations = [telemetryOffName, everythingOnName];

/**
 * Clients compared in this run, with a transport left out when the build under test lacks its
 * entry module. Returns the names and the reason of each one left out.
 */
function availableClients() {
  const skipped = {};
  for (const transport of transports) {
    if (hasTransport(transport)) continue;
    skipped[transport.name] = missingTransportMessage(transport);
    log(`skipping: ${skipped[transport.name]}`);
  }

  return { names: clientNames.filter((name) => skipped[name] === undefined), skipped };
}

/** Alternates the order of clients: rotated each repetition, reversed every other one. */
function clientOrder(names, rep) {
  const rotated = rotate(names, rep);
  return rep % 2 === 1 ? rotated.reverse() : rotated;
}

/** Returns the scenarios, memory run and rounds of one client process. */
function workerPlan(client) {
  if (guardPlanNames.includes(client)) {
    return { scenarioIds: guardScenarioIds, memory: false, rounds: guardRounds };
  }

  return { scenarioIds: scenarios.map((scenario) => scenario.id), memory: true };
}

async function runTimedScenarios(baseURL, reps, names) {
  const runs = [];
  const timedNames = [...names, ...guardPlanNames];
  for (let rep = 0; rep < reps; rep++) {
    for (const client of clientOrder(timedNames, rep)) {
      log(`rep ${rep + 1}/${reps}: ${client}`);
      const options = { client, baseURL, ...workerPlan(client) };
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

/** Profiles chat-1 in each guardrail configuration other than the defaults, keyed by client. */
function runConfigurationProfiles(baseURL) {
  const profiles = {};
  for (const client of profiledConfigurations) {
    log(`profile: chat-1, ${client}`);
    profiles[client] = profileScenario(baseURL, "chat-1", client);
  }

  return profiles;
}

async function main() {
  const { values } = parseArgs({
    options: {
      reps: { type: "string", default: "4" },
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
  const { names, skipped } = availableClients();
  const versions = Object.fromEntries(names.map((name) => [name, clientVersion(name)]));
  const results = { reps, versions, skipped, loadBefore: loadavg() };
  log("start-up times");
  const targets = [...importTargets(names), cliHelpTarget()];
  results.startup = measureStartup(targets, { runs: quick ? 5 : 15 });
  if (!quick) {
    log("install sizes (npm pack, npm install)");
    results.install = measureInstallSizes();
  }

  const server = await startServer();
  try {
    results.timed = await runTimedScenarios(server.url, reps, names);
    log("fetch options");
    const fetchOptions = {
      client: "fetch variants",
      baseURL: server.url,
      rounds: 5,
      requests: 300,
    };
    results.fetchOptions = (await runClientProcess("./fetch-options.mjs", fetchOptions)).samples;
    results.manyStreams = await runManyStreams(server.url);
    if (!quick) {
      results.profiles = runProfiles(server.url);
      results.configurationProfiles = runConfigurationProfiles(server.url);
    }
  } finally {
    server.stop();
  }

  results.loadAfter = loadavg();
  return results;
}

await main();
