// Client process that prices what mistralai-ts adds around a plain fetch call for a non-streaming
// chat request, one addition at a time: an AbortSignal, `redirect: "manual"`, the two attempt
// timers, and a reader loop in place of `response.text()`. Two more variants try to make fetch
// itself cheaper. Variants run in interleaved rounds in one process, so they share the same
// warmed-up fetch.
// Argument: a JSON object { baseURL, rounds, requests }.

import { fetch as undiciFetch } from "undici";
import { chatRequest } from "./payloads.mjs";

const headers = {
  "content-type": "application/json",
  accept: "application/json",
  authorization: "Bearer bench-key-not-secret",
  "user-agent": "bench/0",
};

async function readWithReader(response) {
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    chunks.push(value);
  }

  reader.releaseLock();
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }

  return new TextDecoder().decode(joined);
}

function variant(name, options) {
  const { signal = false, manualRedirect = false, timers = false, reader = false } = options;
  const { noRequestCopy = false, fetchFunction = undefined } = options;
  return {
    name,
    async run(url) {
      const send = fetchFunction ?? fetch;
      const controller = signal ? new AbortController() : undefined;
      const total = timers ? setTimeout(() => controller?.abort(), 600_000) : undefined;
      const untilHeaders = timers ? setTimeout(() => controller?.abort(), 60_000) : undefined;
      const response = await send(url, {
        method: "POST",
        headers,
        body: JSON.stringify(chatRequest),
        ...(signal ? { signal: controller.signal } : {}),
        ...(manualRedirect ? { redirect: "manual" } : {}),
        // With both, undici does not copy the request (and tee its body) before sending it.
        ...(noRequestCopy ? { window: null, redirect: "error" } : {}),
      });
      clearTimeout(untilHeaders);
      const text = reader ? await readWithReader(response) : await response.text();
      clearTimeout(total);
      return JSON.parse(text).choices[0].message.content.length;
    },
  };
}

export const fetchVariants = [
  variant("fetch + text() + JSON.parse", {}),
  variant("+ AbortController signal", { signal: true }),
  variant('+ redirect: "manual"', { manualRedirect: true }),
  variant("+ 2 timers set and cleared", { signal: true, timers: true }),
  variant("+ body read with getReader() loop", { reader: true }),
  variant("all four together", { signal: true, manualRedirect: true, timers: true, reader: true }),
  variant('window: null, redirect: "error" (no request copy)', { noRequestCopy: true }),
  variant("fetch of the undici package (7.x) in place of Node's", { fetchFunction: undiciFetch }),
];

async function main() {
  const options = JSON.parse(process.argv[2]);
  const url = `${options.baseURL}/v1/chat/completions`;
  const samples = Object.fromEntries(fetchVariants.map((item) => [item.name, []]));
  for (let round = -1; round < options.rounds; round++) {
    for (let index = 0; index < fetchVariants.length; index++) {
      const item = fetchVariants[(index + round + 1) % fetchVariants.length];
      // No forced collection here, as in worker.mjs: it would deoptimize the code under test.
      const before = process.cpuUsage();
      for (let count = 0; count < options.requests; count++) await item.run(url);
      const cpu = process.cpuUsage(before);
      // Round -1 is the warmup.
      if (round >= 0) samples[item.name].push((cpu.user + cpu.system) / options.requests);
    }
  }

  process.send({ client: "fetch variants", samples });
}

if (process.argv[2]) await main();
