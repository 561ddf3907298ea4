// Workloads every client runs, in this order, in each worker process. The counts let the slowest
// client (@mistralai/mistralai) finish a scenario in 1 to 3 s on a 2-core machine. The figures
// are per operation, so they do not depend on the counts. A request scenario warms up as long as
// it measures, because the optimizing compiler's threads count in the process's CPU time. After
// 120 warmup calls, plain fetch still took 1,005 µs per chat call with 16 in flight; after 2,000,
// it took 776 µs. A bulk stream scenario warms up with 120,000 chunks: after one
// stream of 20,000 chunks, fetch took 2.5-2.8 µs per chunk over the next 40,000 chunks, and
// 1.5-2.0 µs after 120,000.

/**
 * Chat calls, 16 in flight, that each client process makes before its first scenario. The first
 * scenario's own warmup was too short for a lean client. Through the undici transport at 1 in
 * flight, V8 still optimized 156 functions during calls 2,000 to 4,000 and 16 during calls 6,000
 * to 8,000. A call cost 290 µs of CPU in the first of those ranges and 180 µs after 6,000. With
 * 16 in flight the same code runs as often in a fraction of the wall time.
 */
export const processWarmupCalls = 4000;

/** Chunks in the long stream whose memory growth is measured. */
export const longStreamChunks = 20_000;

/**
 * Server modes of the memory runs: as fast as the socket takes it, where the transport may read
 * ahead of a slower client, and 16 chunks per millisecond, which every client keeps up with.
 */
export const memoryStreamModels = { bulk: "bench-bulk", steady: "bench-paced-1x16" };

export const scenarios = [
  {
    id: "chat-1",
    title: "chat, 1 in flight",
    kind: "chat",
    concurrency: 1,
    warmup: 500,
    count: 500,
  },
  {
    id: "chat-16",
    title: "chat, 16 in flight",
    kind: "chat",
    concurrency: 16,
    warmup: 1000,
    count: 1000,
  },
  {
    id: "embed-1",
    title: "embeddings (1 × 1024 floats), 1 in flight",
    kind: "embed",
    concurrency: 1,
    warmup: 250,
    count: 250,
  },
  {
    id: "embed-16",
    title: "embeddings (1 × 1024 floats), 16 in flight",
    kind: "embed",
    concurrency: 16,
    warmup: 500,
    count: 500,
  },
  {
    id: "stream-1",
    title: `streams of ${longStreamChunks} chunks, 1 in flight, server writes as fast as read`,
    kind: "stream",
    model: "bench-bulk",
    concurrency: 1,
    chunks: longStreamChunks,
    warmup: 6,
    count: 2,
  },
  {
    id: "stream-16",
    title: "16 streams in flight × 1250 chunks, server writes as fast as read",
    kind: "stream",
    model: "bench-bulk",
    concurrency: 16,
    chunks: 1250,
    warmup: 96,
    count: 16,
  },
  {
    id: "stream-paced-16",
    title: "16 streams in flight × 500 chunks, one chunk per stream per ms (one event per read)",
    kind: "stream",
    model: "bench-paced-1",
    concurrency: 16,
    chunks: 500,
    warmup: 16,
    count: 16,
  },
];

/**
 * Scenarios of the guardrail cost section, run by the configurations that only it shows: both
 * chat scenarios, where the cost per call is largest against the request, and one stream.
 */
export const guardScenarioIds = ["chat-1", "chat-16", "stream-16"];

/**
 * Rounds of the guardrail scenarios in each process. Their ratios must resolve 10 %, which is
 * finer than the spread of one measured run, so each process keeps the median of 3 rounds.
 */
export const guardRounds = 3;

/** Operations a scenario's figure is divided by: requests, or stream chunks. */
export function operationCount(scenario) {
  return scenario.kind === "stream" ? scenario.count * (scenario.chunks + 2) : scenario.count;
}
