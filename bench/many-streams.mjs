// Client process of the many-streams figure: opens `streams` chat streams at once with one client.
// The server keeps them waiting until all are open, then sends one chunk per stream every
// `intervalMs` to all of them on the same tick. Memory is sampled after a full collection every
// 200 ms, so the samples taken while every stream is open show memory as the streams get longer.
// Run with --expose-gc. Argument: a JSON object { client, baseURL, streams, chunks, intervalMs }.

import { createClient } from "./clients.mjs";

if (typeof globalThis.gc !== "function") {
  throw new Error("bench/many-streams.mjs needs --expose-gc, to measure memory after a collection");
}

/** Time between memory samples, in milliseconds. */
const samplePeriodMs = 200;

function heapAndExternal() {
  globalThis.gc();
  const usage = process.memoryUsage();
  return { heapAndExternal: usage.heapUsed + usage.external, rss: usage.rss };
}

/** Reads one stream; it counts as open from its first chunk to its end. */
async function readStream(client, model, chunks, state) {
  let received = 0;
  await client.stream(model, chunks, () => {
    received += 1;
    state.chunks += 1;
    if (received === 1) state.open += 1;
  });
  state.open -= 1;
}

/** Opens `count` streams of the gated model at once and reads them all; returns the outcomes. */
async function readStreams(client, options, count, state, onAllOpen) {
  const model = `bench-paced-${options.intervalMs}-after-${count}`;
  const calls = Array.from({ length: count }, () =>
    readStream(client, model, options.chunks, state),
  );
  onAllOpen?.();
  return Promise.allSettled(calls);
}

/** Samples with every stream open: the first and the last, with the chunks read by then. */
function openPhase(samples, streams, before) {
  const full = samples.filter((sample) => sample.open === streams);
  if (full.length === 0) return undefined;
  const first = full[0];
  const last = full.at(-1);
  const growth = (sample) => sample.heapAndExternal - before.heapAndExternal;
  return {
    samples: full.length,
    firstBytes: growth(first),
    firstChunksPerStream: first.chunks / streams,
    lastBytes: growth(last),
    lastChunksPerStream: last.chunks / streams,
    peakBytes: Math.max(...full.map(growth)),
    peakRssBytes: Math.max(...full.map((sample) => sample.rss - before.rss)),
  };
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  const client = await createClient(options.client, options.baseURL);
  // A few streams first, so that loading and compiling code is not counted as stream memory.
  const warmup = { open: 0, chunks: 0 };
  await readStreams(client, { ...options, chunks: 5 }, 8, warmup);
  heapAndExternal();
  const before = heapAndExternal();
  const state = { open: 0, chunks: 0 };
  const samples = [];
  const sampler = setInterval(() => {
    samples.push({ ...heapAndExternal(), open: state.open, chunks: state.chunks });
  }, samplePeriodMs);
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  const outcomes = await readStreams(client, options, options.streams, state);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - start;
  clearInterval(sampler);
  const failures = outcomes.filter((outcome) => outcome.status === "rejected");
  const report = {
    ...options,
    completed: outcomes.length - failures.length,
    firstFailure: failures[0] ? String(failures[0].reason) : undefined,
    receivedChunks: state.chunks,
    expectedChunks: options.streams * (options.chunks + 2),
    wallMs,
    cpuMicros: cpu.user + cpu.system,
    allOpen: openPhase(samples, options.streams, before),
  };
  if (process.send) {
    process.send(report);
  } else {
    console.log(JSON.stringify(report, null, 2));
  }
}

await main();
