// Writes docs/benchmarks.md from the figures of one run.

import { readFileSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { goalRows, summarizeMemory, summarizeTimed } from "./aggregate.mjs";
import { clientNames } from "./clients.mjs";
import { guardCostSection, guardGoalRows, summarizeGuardCost } from "./guard-cost.mjs";
import { importCostOverBaseline } from "./import-cost.mjs";
import { transports } from "./mistralai-ts-clients.mjs";
import { profileSection } from "./report-profile.mjs";
import { memoryStreamModels, processWarmupCalls, scenarios } from "./scenarios.mjs";
import { formatBytes, formatNumber, median } from "./stats.mjs";

/** Hand-written analysis of the missed goals, placed after the goals table. */
const missedGoalsPath = fileURLToPath(new URL("./missed-goals.md", import.meta.url));
const reportPath = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));

function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const micros = (value) => formatNumber(value, value < 10 ? 2 : 1);
const ratio = (value) => `${formatNumber(value, 2)}x`;
const percent = (value) => `${formatNumber(value * 100, 0)} %`;

function runningSection() {
  return [
    "## Running",
    "",
    "```sh",
    "npm ci --prefix bench       # the other clients, at the versions below",
    "npm run bench               # build, then every benchmark (about 7 to 9 minutes); writes this page",
    "npm run bench:check         # build, then the CI check: import cost and install size (about 20 s)",
    "```",
    "",
    "`node bench/run.mjs --quick` runs one repetition without install size and profiles, for",
    "trying a change. `node bench/experiments/compare-builds.mjs . /path/to/other/build` compares",
    "builds of this package on chosen scenarios.",
  ].join("\n");
}

function machineSection(results) {
  const cpuList = cpus();
  const load = (values) => values.map((value) => formatNumber(value, 2)).join(", ");
  return [
    "## Machine",
    "",
    table(
      ["CPU", "cores", "memory", "Node", "kernel", "load average (1, 5, 15 min) at start / end"],
      [
        [
          cpuList[0]?.model ?? "unknown",
          String(cpuList.length),
          formatBytes(totalmem()),
          process.version,
          release(),
          `${load(results.loadBefore)} / ${load(results.loadAfter)}`,
        ],
      ],
    ),
    "",
    "The load average counts every process on the machine. Other work running at the same time " +
      "slows all clients alike, since they alternate, but it widens the spread between repetitions.",
  ].join("\n");
}

function versionsSection(versions, skipped = {}) {
  const notes = {
    fetch: "Node's built-in fetch",
    "undici.request": "npm package, not the copy inside Node",
    "mistralai-ts": "this repository's dist/, copied at the start of the run",
    ...Object.fromEntries(
      transports.map((transport) => [transport.name, transportNote(transport)]),
    ),
    openai: "7.x declares Node >= 22, so the last 6.x is used on Node 20",
  };
  const rows = clientNames
    .filter((name) => versions[name] !== undefined || skipped[name] !== undefined)
    .map((name) => [name, versions[name] ?? "not measured", skipped[name] ?? notes[name] ?? ""]);
  return ["## Clients", "", table(["client", "version", "note"], rows)].join("\n");
}

function methodSection(results) {
  return [
    "## Method",
    "",
    "- A loopback HTTP server (`bench/server.mjs`) runs in its own process, so its CPU time is",
    "  never counted in a client's. It replies with prebuilt payloads shaped like the API's: a",
    "  chat completion of about 90 tokens, one 1024-float embedding, and streams whose chunks",
    "  carry one token each. Its own CPU time is read before and after each run (server table).",
    `- Each client runs in a fresh process per repetition (${results.reps} repetitions), alternating`,
    `  the order of clients between repetitions. Each process first makes ${formatNumber(processWarmupCalls)}`,
    "  chat calls with 16 in flight, unmeasured, so that V8 has compiled the client's code. Then",
    "  every scenario runs a warmup, then a measured run. A request scenario warms up with as",
    "  many requests as it measures, and a bulk stream scenario with 120,000 chunks, so that the",
    "  code is compiled by then: the compiler's threads count in the CPU time. In one process,",
    "  Node still optimized 63 and 58 functions during the second and third runs of 40,000",
    "  chunks with fetch, and 8 to 18 during later ones.",
    "- No full garbage collection is forced before a scenario. With no stream or response alive,",
    "  a forced collection frees the object shapes that optimized code was specialized to, and",
    '  V8 deoptimizes that code (`--trace-deopt` reason "weak objects"). The next calls then pay',
    "  for compiling it again, more so for a client whose own code is a larger share of its cost.",
    "  With a collection before each scenario's warmup, the undici transport took 487-572 µs per",
    "  chat call with 1 in flight, against 278-288 µs without (3 processes each). A bulk stream",
    "  through the default transport kept taking 3.2-4.1 µs per chunk, against 1.8-2.0 µs.",
    "  A long-running process pays that again after a full collection that finds it idle.",
    "- CPU time is `process.cpuUsage()` (user + system, all threads of the client process) over the",
    "  measured run, divided by the requests or by the stream chunks (content chunks plus the first",
    "  and last chunk). Ratios are taken against plain fetch in the same repetition; the tables show",
    "  the median ratio and the median CPU time.",
    "- Every client does the same work with a result: it reads the message content, the vector, or",
    "  the `delta.content` of each chunk. Clients keep their default settings. openai gets",
    '  `encoding_format: "float"` for embeddings, since by default it asks for base64. The',
    "  transport rows are mistralai-ts with `fetch: createNodeFetch()` or `createUndiciFetch()`",
    "  and otherwise default options.",
    "- Start-up: whole `node` processes that import a client and exit, 15 times each in rotating",
    '  order after 2 untimed rounds; the median of `node -e ""` is subtracted.',
    "- mistralai-ts is a copy of this repository's package (package.json and dist/) taken at the",
    "  start of the run, so a rebuild during the run cannot change what is measured.",
    "- Install size: `npm pack` of each package (mistralai-ts from that copy), then `npm install`",
    "  of the tarball into an empty project; the size is that of node_modules.",
    "- Memory: heap used plus external memory after a full collection, sampled every 2,000 chunks",
    "  and at the last chunk of a 20,000-chunk stream, minus the same before the request. The",
    `  \`steady\` server mode (\`${memoryStreamModels.steady}\`) writes 16 chunks per millisecond, which`,
    "  every client keeps up with. In `bulk` mode the server writes as fast as the socket takes the",
    "  data, so the figure also includes what the transport read ahead of a slower client.",
  ].join("\n");
}

/** Note of a transport's row in the clients table. */
function transportNote(transport) {
  const peer = transport.peer === undefined ? "" : `, with the ${transport.peer} version above`;
  return `the same, with \`fetch: ${transport.factory}()\` from ${transport.entry}${peer}`;
}

/** Sentences on what importing each transport adds over the main entry alone. */
function transportImportNotes(results, costs, cpuCosts) {
  const notes = [];
  for (const transport of transports) {
    const skipped = results.skipped?.[transport.name];
    if (skipped !== undefined) {
      notes.push(`${skipped}.`);
      continue;
    }

    if (costs[transport.name] === undefined) continue;
    const wall = costs[transport.name] - costs["mistralai-ts"];
    const cpu = cpuCosts[transport.name] - cpuCosts["mistralai-ts"];
    notes.push(
      `The ${transport.name} row imports ${transport.entry} after the main entry. That ` +
        `second import adds ${formatNumber(wall, 1)} ms of wall time and ${formatNumber(cpu, 1)} ms ` +
        "of CPU time over the mistralai-ts row.",
    );
  }

  return notes.join(" ");
}

function startupSection(results) {
  const costs = importCostOverBaseline(results.startup);
  const cpuCosts = importCostOverBaseline(results.startup, "cpuMedianMs");
  const rows = Object.entries(results.startup).map(([id, entry]) => {
    const isImport = id !== "baseline" && id !== "cli-help";
    return [
      id === "cli-help" ? "`mistral --help` (whole process)" : entry.label,
      formatNumber(entry.medianMs, 1),
      formatNumber(entry.minMs, 1),
      isImport ? formatNumber(costs[id], 1) : "",
      Number.isFinite(entry.cpuMedianMs) ? formatNumber(entry.cpuMedianMs, 1) : "",
      isImport ? formatNumber(cpuCosts[id], 1) : "",
    ];
  });
  return [
    "## Start-up",
    "",
    "Import rows run `node --input-type=module -e 'await import(...)'`; the fetch row only reads",
    "`globalThis.fetch`, which makes Node load its bundled undici. Each script then prints",
    "`process.cpuUsage()`: the CPU columns are the process's CPU time up to that point, which",
    "other load on the machine disturbs much less than wall time. Such load can push the wall-time",
    "difference below the CPU time an import takes, so the import goal is judged on the larger of",
    "the two.",
    "",
    table(
      [
        "process",
        "wall, median (ms)",
        "wall, fastest (ms)",
        "wall over bare node (ms)",
        "CPU, median (ms)",
        "CPU over bare node (ms)",
      ],
      rows,
    ),
    "",
    transportImportNotes(results, costs, cpuCosts),
  ]
    .join("\n")
    .trimEnd();
}

function installSection(results) {
  if (!results.install) return "## Install size\n\nNot measured in this run (--quick).";
  const rows = Object.entries(results.install).map(([name, entry]) => [
    name,
    formatBytes(entry.tarballBytes),
    formatBytes(entry.bytes),
    formatBytes(entry.diskBytes),
    formatNumber(entry.files),
    entry.packages.join(", "),
  ]);
  return [
    "## Install size",
    "",
    "Installed size is the sum of file sizes; on disk is the space of their blocks, as `du` counts.",
    "",
    table(["package", "tarball", "installed", "on disk", "files", "packages installed"], rows),
  ].join("\n");
}

function timedSection(timed) {
  const parts = ["## CPU per operation", ""];
  for (const { scenario, perClient } of Object.values(timed)) {
    const unit = scenario.kind === "stream" ? "chunk" : "request";
    const rows = Object.entries(perClient).map(([client, entry]) => {
      return [
        client,
        micros(entry.cpuMicrosPerOperation),
        ratio(entry.ratioToFetch),
        entry.ratios.map((value) => formatNumber(value, 2)).join(", "),
        formatNumber(entry.operationsPerSecond),
        percent(entry.serverBusy),
      ];
    });
    parts.push(
      `### ${scenario.title}`,
      "",
      table(
        [
          "client",
          `CPU µs per ${unit}`,
          "ratio to fetch",
          "ratio per repetition",
          `${unit}s/s`,
          "server busy",
        ],
        rows,
      ),
      "",
    );
  }

  return parts.join("\n").trimEnd();
}

function memorySection(memory) {
  const rows = Object.entries(memory).map(([client, entry]) => {
    return [
      client,
      formatBytes(entry.steadyPeak),
      formatBytes(entry.steadyAtLastChunk),
      formatBytes(entry.bulkPeak),
      formatBytes(entry.bulkAtLastChunk),
    ];
  });
  return [
    "## Memory over a 20,000-chunk stream",
    "",
    "Growth of heap used plus external memory; medians over the repetitions.",
    "",
    table(
      ["client", "steady: peak", "steady: at last chunk", "bulk: peak", "bulk: at last chunk"],
      rows,
    ),
  ].join("\n");
}

function manyStreamsSection(manyStreams) {
  const rows = manyStreams.map((run) => {
    const phase = run.allOpen;
    const cells = [
      run.client,
      `${formatNumber(run.streams)} × ${run.chunks}`,
      `${run.completed} / ${run.streams}`,
      `${formatNumber(run.receivedChunks)} / ${formatNumber(run.expectedChunks)}`,
    ];
    if (phase === undefined) return [...cells, "never all open", "", "", "", ""];
    return [
      ...cells,
      `${formatBytes(phase.firstBytes)} (${formatNumber(phase.firstChunksPerStream)} chunks each)`,
      `${formatBytes(phase.lastBytes)} (${formatNumber(phase.lastChunksPerStream)} chunks each)`,
      formatBytes(phase.peakBytes / run.streams),
      formatBytes(phase.peakRssBytes),
      formatNumber(run.wallMs),
    ];
  });
  return [
    "## 1,000 concurrent streams",
    "",
    "One process opens every stream at once. The server keeps them waiting until all are open,",
    "then sends one chunk per stream every 50 ms. Memory is heap used plus external after a full",
    "collection, sampled every 200 ms. The first and last samples with every stream open show",
    "whether memory follows the number of open streams or their length.",
    "",
    table(
      [
        "client",
        "streams × chunks",
        "completed",
        "chunks received",
        "all open: first sample",
        "all open: last sample",
        "peak per open stream",
        "peak RSS growth",
        "wall (ms)",
      ],
      rows,
    ),
  ].join("\n");
}

function serverSection(timed) {
  const rows = Object.values(timed).map(({ scenario, perClient }) => {
    const entries = Object.values(perClient);
    const serverMicros = median(entries.map((entry) => entry.serverCpuMicrosPerOperation));
    const unit = scenario.kind === "stream" ? "chunks" : "requests";
    return [
      scenario.title,
      micros(serverMicros),
      `${formatNumber(1e6 / serverMicros)} ${unit}/s`,
      formatNumber(Math.max(...entries.map((entry) => entry.operationsPerSecond))),
      percent(Math.max(...entries.map((entry) => entry.serverBusy))),
    ];
  });
  return [
    "## Server ceiling",
    "",
    "The server's CPU time per operation gives the rate it could serve with one core to itself.",
    "Each row also shows the fastest rate a client drove and the server's busiest share of a core",
    "during a measured run.",
    "",
    table(
      [
        "scenario",
        "server CPU µs per operation",
        "ceiling on one core",
        "fastest client (per s)",
        "server busy, max",
      ],
      rows,
    ),
  ].join("\n");
}

function fetchOptionsSection(samples) {
  const baseline = median(Object.values(samples)[0]);
  const rows = Object.entries(samples).map(([name, values]) => [
    name,
    micros(median(values)),
    ratio(median(values) / baseline),
  ]);
  return [
    "## What the library's fetch options cost",
    "",
    "Plain fetch with, one at a time, what mistralai-ts adds around it for a chat request, then",
    "two ways to make fetch itself cheaper (`bench/fetch-options.mjs`; 5 interleaved rounds of",
    "300 requests in one process). Rounds of the same variant differ by up to about 15 %, so",
    "smaller differences are noise.",
    "",
    table(["variant", "CPU µs per request", "vs plain"], rows),
  ].join("\n");
}

/** Writes docs/benchmarks.md and returns its path. */
export function writeReport(results) {
  const timed = summarizeTimed(results.timed);
  const memory = summarizeMemory(results.timed);
  const guardCost = summarizeGuardCost(results.timed);
  const goals = [...goalRows(results, timed, memory), ...guardGoalRows(guardCost, results)];
  const sections = [
    "# Benchmarks",
    `Measured on ${results.started.slice(0, 10)} by \`npm run bench\` (\`bench/run.mjs\`, ` +
      `${formatNumber(results.durationSeconds)} s), which writes this page. mistralai-ts, with ` +
      "its default transport and with its node and undici transports, is compared with plain " +
      "`fetch`, " +
      "`undici.request`, the official `@mistralai/mistralai` SDK and `openai`, all against the " +
      "same loopback server, and priced with its guardrails and telemetry off and on. The " +
      `scenarios are listed in \`bench/scenarios.mjs\` (${scenarios.length} of them).`,
    "## Goals (mistralai-ts)",
    table(["figure", "goal", "measured", "verdict"], goals),
    readFileSync(missedGoalsPath, "utf8").trim(),
    runningSection(),
    machineSection(results),
    versionsSection(results.versions, results.skipped),
    methodSection(results),
    startupSection(results),
    installSection(results),
    timedSection(timed),
    guardCostSection(guardCost, results),
    memorySection(memory),
    manyStreamsSection(results.manyStreams),
    serverSection(timed),
    fetchOptionsSection(results.fetchOptions),
    profileSection(results.profiles),
  ];
  writeFileSync(reportPath, `${sections.join("\n\n")}\n`);
  return reportPath;
}
