// Client process of the benchmark: imports one client, runs the scenarios against the server and
// sends the figures to its parent. Run with --expose-gc. Arguments: a JSON object
//   { client, baseURL, scenarioIds, memory, profileFile, rounds }
// where `memory` adds the memory-growth run of the long stream after the timed scenarios,
// `profileFile` writes a CPU profile of the measured runs (not the warmups) to that path, and
// `rounds` (default 1) runs the scenarios that many times in turn and keeps, per scenario, the
// round with the median CPU time.

import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { Session } from "node:inspector/promises";
import { createClient } from "./clients.mjs";
import {
  longStreamChunks,
  memoryStreamModels,
  processWarmupCalls,
  scenarios,
} from "./scenarios.mjs";

if (typeof globalThis.gc !== "function") {
  throw new Error("bench/worker.mjs needs --expose-gc, to measure memory after a collection");
}

/** Reads the server's CPU time and counters, through node:http so no client under test runs. */
function serverStats(baseURL) {
  return new Promise((resolve, reject) => {
    const call = request(`${baseURL}/bench/stats`, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (part) => {
        text += part;
      });
      response.on("end", () => resolve(JSON.parse(text)));
    });
    call.on("error", reject);
    call.end();
  });
}

/** Runs `task` `total` times with at most `concurrency` calls in flight. */
async function runPool(total, concurrency, task) {
  let started = 0;
  const lane = async () => {
    while (started < total) {
      started += 1;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
}

function scenarioTask(client, scenario) {
  if (scenario.kind === "chat") return () => client.chat();
  if (scenario.kind === "embed") return () => client.embed();
  return async () => {
    let chunks = 0;
    await client.stream(scenario.model, scenario.chunks, (content) => {
      if (typeof content === "string") chunks += 1;
    });
    if (chunks !== scenario.chunks + 2) {
      throw new Error(`${scenario.id}: received ${chunks} chunks, expected ${scenario.chunks + 2}`);
    }
  };
}

/** Sampling interval of the profiler, in microseconds (Node's default is 1000). */
const profileIntervalMicros = 50;

async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: profileIntervalMicros });
  await session.post("Profiler.start");
  return session;
}

async function stopProfiler(session, file) {
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
}

async function measureScenario(client, scenario, options) {
  const task = scenarioTask(client, scenario);
  // No full collection is forced before a scenario. With no stream or response alive, a forced
  // collection frees the object shapes (maps) that optimized code was specialized to, which
  // deoptimizes that code, and the measured run then pays for compiling it again. A process
  // under load is rarely idle at a collection. Before a chat run with 1 call in flight, such a
  // collection raised the undici transport's cost from 278-288 to 487-572 µs per call.
  await runPool(scenario.warmup, scenario.concurrency, task);
  const serverBefore = await serverStats(options.baseURL);
  const profiler = options.profileFile ? await startProfiler() : undefined;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  await runPool(scenario.count, scenario.concurrency, task);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  if (profiler) await stopProfiler(profiler, options.profileFile);
  const serverAfter = await serverStats(options.baseURL);
  return {
    cpuMicros: cpu.user + cpu.system,
    wallMs,
    serverCpuMicros: serverAfter.cpuMicros - serverBefore.cpuMicros,
  };
}

function memorySample() {
  globalThis.gc();
  const usage = process.memoryUsage();
  return { heapAndExternal: usage.heapUsed + usage.external, rss: usage.rss };
}

/** Chunks between two memory samples of the long stream. */
const memorySampleEvery = 2000;

/**
 * Streams `longStreamChunks` chunks and samples memory after a full collection every
 * `memorySampleEvery` chunks and at the last chunk, while the stream is open. Returns the largest
 * growth over the sample taken before the request, and the growth at the last chunk.
 */
async function measureStreamMemory(client, model) {
  // A first, shorter stream loads and compiles what the stream path needs (Node loads fetch's
  // code on its first call), so that code is not counted as growth.
  await client.stream(model, memorySampleEvery, () => {});
  memorySample();
  const before = memorySample();
  const samples = [];
  let seen = 0;
  await client.stream(model, longStreamChunks, () => {
    seen += 1;
    if (seen % memorySampleEvery === 0 || seen === longStreamChunks + 2) {
      samples.push(memorySample());
    }
  });
  const growth = (sample, key) => sample[key] - before[key];
  return {
    peakBytes: Math.max(...samples.map((sample) => growth(sample, "heapAndExternal"))),
    peakRssBytes: Math.max(...samples.map((sample) => growth(sample, "rss"))),
    atLastChunkBytes: growth(samples.at(-1), "heapAndExternal"),
  };
}

/** Returns the sample with the median CPU time, or the lower middle one for an even count. */
function medianSample(samples) {
  const sorted = [...samples].sort((a, b) => a.cpuMicros - b.cpuMicros);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Measures the chosen scenarios `options.rounds` times in turn and keeps the median of each. */
async function measureRounds(client, options) {
  const chosen = scenarios.filter((scenario) => options.scenarioIds.includes(scenario.id));
  const samples = Object.fromEntries(chosen.map((scenario) => [scenario.id, []]));
  for (let round = 0; round < (options.rounds ?? 1); round++) {
    for (const scenario of chosen) {
      samples[scenario.id].push(await measureScenario(client, scenario, options));
    }
  }

  const results = {};
  for (const [id, own] of Object.entries(samples)) {
    results[id] = { ...medianSample(own), rounds: own.length };
  }

  return results;
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  const client = await createClient(options.client, options.baseURL);
  await runPool(processWarmupCalls, 16, () => client.chat());
  const results = await measureRounds(client, options);

  let memory;
  if (options.memory) {
    memory = {};
    for (const [mode, model] of Object.entries(memoryStreamModels)) {
      memory[mode] = await measureStreamMemory(client, model);
    }
  }

  // What the client counted during the run (calls, events, log lines), where it counts anything.
  const report = { client: options.client, results, memory, summary: client.summary?.() };
  if (process.send) {
    process.send(report);
  } else {
    console.log(JSON.stringify(report, null, 2));
  }
}

await main();
