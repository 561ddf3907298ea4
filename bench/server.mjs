// Loopback server of the benchmark, run as its own process (`fork`) so that its CPU time is never
// counted in a client's. It serves the three calls under test with fixed, prebuilt payloads:
//
//   POST /v1/chat/completions  JSON, or SSE when the body has `stream: true`
//   POST /v1/embeddings        one 1024-dimension vector per input
//   GET  /bench/stats          this process's CPU time and counters, for the ceiling figures
//
// A stream sends `max_tokens` content chunks. The model name picks how they are written:
// `bench-bulk` writes them as fast as the socket takes them (32 events per write), and
// `bench-paced-N` writes one event per stream every N milliseconds, so that each client read
// holds a single event, as with a model generating tokens. `bench-paced-NxK` writes K events per
// stream every N milliseconds, a steady rate that any client under test keeps up with. A suffix
// `-after-M` (as in `bench-paced-50-after-1000`) holds each stream after its headers until M
// streams of that model are open, then starts them all on the same tick.

import { createServer } from "node:http";
import { chatCompletionBody, embeddingsBody, streamEvents } from "./payloads.mjs";

/** Events joined into one `write()` in bulk mode. */
const eventsPerWrite = 32;
const pacedModel = /^bench-paced-(\d+)(?:x(\d+))?(?:-after-(\d+))?$/;

const counters = { requests: 0, events: 0, connections: 0 };
const bodyCache = new Map();
/** Paced streams by interval in milliseconds: one timer per interval serves all its streams. */
const pacedGroups = new Map();
/** Streams of `-after-M` models waiting for the others, by model name. */
const heldStreams = new Map();
let nextRequestId = 0;

function cached(key, build) {
  let value = bodyCache.get(key);
  if (value === undefined) {
    value = build();
    bodyCache.set(key, value);
  }

  return value;
}

function requestId() {
  nextRequestId += 1;
  return `bench-${process.pid}-${nextRequestId}`;
}

async function readJson(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? {} : JSON.parse(text);
}

function sendJson(response, status, body) {
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "mistral-correlation-id": requestId(),
  });
  response.end(body);
}

function startEventStream(response) {
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "mistral-correlation-id": requestId(),
  });
}

/** Resolves once the response can take more data or was closed, leaving no listener behind. */
function drainOrClose(response) {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}

async function sendBulkStream(response, model, count) {
  const writes = cached(`bulk:${model}:${count}`, () => {
    const events = streamEvents(model, count);
    const joined = [];
    for (let index = 0; index < events.length; index += eventsPerWrite) {
      joined.push(Buffer.from(events.slice(index, index + eventsPerWrite).join("")));
    }

    return joined;
  });
  startEventStream(response);
  for (const data of writes) {
    if (response.destroyed) return;
    if (!response.write(data)) {
      await drainOrClose(response);
    }
  }

  counters.events += count + 3;
  response.end();
}

function sendPacedStream(response, model, count, pacing) {
  const { intervalMs, eventsPerTick, startAfter } = pacing;
  const events = cached(`paced:${model}:${count}`, () => {
    const all = streamEvents(model, count);
    const writes = [];
    for (let index = 0; index < all.length; index += eventsPerTick) {
      writes.push(Buffer.from(all.slice(index, index + eventsPerTick).join("")));
    }

    return writes;
  });
  startEventStream(response);
  const stream = { response, events, next: 0, count: count + 3 };
  if (startAfter <= 1) {
    addPacedStreams(intervalMs, [stream]);
    return;
  }

  const held = heldStreams.get(model) ?? [];
  held.push(stream);
  heldStreams.set(model, held);
  if (held.length >= startAfter) {
    heldStreams.delete(model);
    addPacedStreams(intervalMs, held);
  }
}

function addPacedStreams(intervalMs, streams) {
  let group = pacedGroups.get(intervalMs);
  if (group === undefined) {
    group = { streams: new Set(), timer: undefined };
    group.timer = setInterval(() => tickPaced(intervalMs), intervalMs);
    pacedGroups.set(intervalMs, group);
  }

  for (const stream of streams) group.streams.add(stream);
}

function tickPaced(intervalMs) {
  const group = pacedGroups.get(intervalMs);
  for (const stream of group.streams) {
    if (stream.response.destroyed) {
      group.streams.delete(stream);
      continue;
    }

    stream.response.write(stream.events[stream.next]);
    stream.next += 1;
    if (stream.next === stream.events.length) {
      counters.events += stream.count;
      stream.response.end();
      group.streams.delete(stream);
    }
  }

  if (group.streams.size === 0) {
    clearInterval(group.timer);
    pacedGroups.delete(intervalMs);
  }
}

async function handleChat(request, response) {
  const body = await readJson(request);
  const model = String(body.model ?? "mistral-small-latest");
  if (body.stream !== true) {
    sendJson(
      response,
      200,
      cached(`chat:${model}`, () => chatCompletionBody(model)),
    );
    return;
  }

  const count = Number.isInteger(body.max_tokens) ? body.max_tokens : 100;
  const paced = pacedModel.exec(model);
  if (paced === null) {
    await sendBulkStream(response, model, count);
  } else {
    sendPacedStream(response, model, count, {
      intervalMs: Number(paced[1]),
      eventsPerTick: Number(paced[2] ?? 1),
      startAfter: Number(paced[3] ?? 1),
    });
  }
}

async function handleEmbeddings(request, response) {
  const body = await readJson(request);
  const model = String(body.model ?? "mistral-embed");
  const inputs = Array.isArray(body.input) ? body.input.length : 1;
  sendJson(
    response,
    200,
    cached(`embed:${model}:${inputs}`, () => embeddingsBody(model, inputs)),
  );
}

function sendStats(response) {
  const cpu = process.cpuUsage();
  const stats = { cpuMicros: cpu.user + cpu.system, ...counters };
  sendJson(response, 200, JSON.stringify(stats));
}

async function handle(request, response) {
  counters.requests += 1;
  const path = request.url ?? "";
  if (request.method === "POST" && path === "/v1/chat/completions") {
    await handleChat(request, response);
  } else if (request.method === "POST" && path === "/v1/embeddings") {
    await handleEmbeddings(request, response);
  } else if (request.method === "GET" && path === "/bench/stats") {
    sendStats(response);
  } else {
    request.resume();
    const message = `No route for ${request.method} ${path} in the benchmark server`;
    sendJson(response, 404, JSON.stringify({ object: "error", message }));
  }
}

const server = createServer({ noDelay: true, keepAliveTimeout: 60_000, requestTimeout: 0 });
server.on("connection", () => {
  counters.connections += 1;
});
server.on("request", (request, response) => {
  handle(request, response).catch((error) => {
    if (!response.headersSent) {
      sendJson(response, 500, JSON.stringify({ object: "error", message: String(error) }));
    } else {
      response.destroy();
    }
  });
});
// A backlog above Node's default of 511, so 1,000 streams opened at once are all accepted.
server.listen({ port: 0, host: "127.0.0.1", backlog: 2048 }, () => {
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;
  if (process.send) {
    process.send({ url });
  } else {
    console.log(url);
  }
});
// The parent ends the server by closing the IPC channel, so no server outlives a benchmark run.
process.on("disconnect", () => process.exit(0));
