import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Files } from "../../src/resources/files.js";

// The server runs in a child process, so the memory measured here is the client's alone: a
// server in this process would buffer the whole body and hide what the client holds.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const apiKey = "upload-memory-test-key";

/** 50 MiB, sent in 64 KiB chunks that are each allocated afresh and then dropped. */
const fileBytes = 50 * 1024 * 1024;
const chunkBytes = 64 * 1024;

/** Growth allowed over the baseline. Holding the file would add at least 50 MiB to each. */
const maxArrayBufferGrowth = 16 * 1024 * 1024;
const maxRssGrowth = 40 * 1024 * 1024;

const serverScript = `
const { MockMistralServer } = await import(${JSON.stringify(`${repoRoot}/src/testing/index.ts`)});
const { filesRoutes } = await import(${JSON.stringify(`${repoRoot}/src/testing/routes/files.ts`)});
const server = await MockMistralServer.start({
  apiKey: ${JSON.stringify(apiKey)},
  routes: filesRoutes,
  record: false,
});
console.log(server.url);
process.stdin.on("end", () => server.close().then(() => process.exit(0)));
process.stdin.resume();
`;

let child: ChildProcess;
let files: Files;
/** Files on a fetch that never follows redirects, so undici does not clone the request. */
let filesWithoutRedirects: Files;

async function startServerProcess(): Promise<string> {
  child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", serverScript], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`The server process exited with ${code}`)));
  });
  lines.close();
  return url;
}

beforeAll(async () => {
  const url = await startServerProcess();
  const config = resolveConfig({ apiKey, baseURL: url, maxRetries: 0 }, {});
  files = new Files(new Transport(config, "mistralai-ts/test"));
  const noRedirects = resolveConfig(
    {
      apiKey,
      baseURL: url,
      maxRetries: 0,
      fetch: (input, init) => globalThis.fetch(input, { ...init, redirect: "error" }),
    },
    {},
  );
  filesWithoutRedirects = new Files(new Transport(noRedirects, "mistralai-ts/test"));
}, 30_000);

afterAll(async () => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin?.end();
  await exited;
});

// Garbage chunks count in `arrayBuffers` until the collector runs, so each sample collects first
// and measures what is still reachable.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Bytes between two samples, because each sample collects garbage, which takes milliseconds. */
const sampleEveryBytes = 2 * 1024 * 1024;

/** Tracks the peak of the memory figures over a baseline taken at construction. */
class MemoryPeak {
  readonly #baseline: NodeJS.MemoryUsage;
  #rss = 0;
  #arrayBuffers = 0;
  #nextSampleAt = 0;

  constructor() {
    collectGarbage();
    this.#baseline = process.memoryUsage();
  }

  /** Samples once `bytes` passes the next sampling point. */
  sampleAt(bytes: number): void {
    if (bytes < this.#nextSampleAt) return;
    this.#nextSampleAt = bytes + sampleEveryBytes;
    collectGarbage();
    const usage = process.memoryUsage();
    this.#rss = Math.max(this.#rss, usage.rss - this.#baseline.rss);
    this.#arrayBuffers = Math.max(
      this.#arrayBuffers,
      usage.arrayBuffers - this.#baseline.arrayBuffers,
    );
  }

  get rssGrowth(): number {
    return this.#rss;
  }

  get arrayBufferGrowth(): number {
    return this.#arrayBuffers;
  }
}

/** Returns a stream of `fileBytes` pseudo-random bytes, hashed as they are produced. */
function generatedStream(hash: ReturnType<typeof createHash>): ReadableStream<Uint8Array> {
  let produced = 0;
  let seed = 0x2545f491;
  return new ReadableStream({
    pull(controller) {
      if (produced >= fileBytes) {
        controller.close();
        return;
      }

      const chunk = new Uint8Array(Math.min(chunkBytes, fileBytes - produced));
      for (let index = 0; index < chunk.length; index += 4) {
        seed = (seed * 1_103_515_245 + 12_345) >>> 0;
        chunk[index] = seed & 0xff;
        chunk[index + 1] = (seed >>> 8) & 0xff;
        chunk[index + 2] = (seed >>> 16) & 0xff;
        chunk[index + 3] = seed >>> 24;
      }

      hash.update(chunk);
      produced += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

/** Uploads 50 MiB from a generated stream and returns the peak memory growth and the hash. */
async function uploadLargeStream(target: Files) {
  const hash = createHash("sha256");
  const memory = new MemoryPeak();
  let lastSent = 0;
  const file = await target.upload({
    file: { name: "large.bin", data: generatedStream(hash), size: fileBytes },
    purpose: "batch",
    onProgress: (progress) => {
      lastSent = progress.sentBytes;
      memory.sampleAt(progress.sentBytes);
    },
  });
  return { file, memory, lastSent, sentHash: hash.digest("hex") };
}

describe("large file memory", () => {
  it("streams the multipart body without holding it", async () => {
    const { file, memory, lastSent, sentHash } = await uploadLargeStream(filesWithoutRedirects);

    expect(file.bytes).toBe(fileBytes);
    expect(file.signature).toBe(sentHash);
    expect(lastSent).toBeGreaterThan(fileBytes);
    expect(memory.arrayBufferGrowth).toBeLessThan(maxArrayBufferGrowth);
    expect(memory.rssGrowth).toBeLessThan(maxRssGrowth);
  }, 60_000);

  it("uploads 50 MiB without holding it", async () => {
    const { file, memory } = await uploadLargeStream(files);

    expect(file.bytes).toBe(fileBytes);
    // Node's fetch (undici 6) clones a request whose redirect mode is not "error", and the clone
    // tees a stream body into a branch that is never read, which buffers the whole upload.
    expect(
      memory.arrayBufferGrowth,
      'the transport must send stream bodies with redirect: "error"',
    ).toBeLessThan(maxArrayBufferGrowth);
    expect(memory.rssGrowth).toBeLessThan(maxRssGrowth);
  }, 60_000);

  it("downloads 50 MiB without holding it", async () => {
    const uploadHash = createHash("sha256");
    const uploaded = await files.upload({
      file: { name: "large.bin", data: generatedStream(uploadHash), size: fileBytes },
      purpose: "batch",
    });
    const memory = new MemoryPeak();
    const hash = createHash("sha256");
    let received = 0;

    const download = await files.download(uploaded.id);
    for await (const chunk of chunksOf(download.body)) {
      hash.update(chunk);
      received += chunk.byteLength;
      memory.sampleAt(received);
    }

    expect(received).toBe(fileBytes);
    expect(hash.digest("hex")).toBe(uploadHash.digest("hex"));
    expect(memory.arrayBufferGrowth).toBeLessThan(maxArrayBufferGrowth);
    expect(memory.rssGrowth).toBeLessThan(maxRssGrowth);
  }, 60_000);
});

/** Yields a web stream's chunks, since its DOM typings lack an async iterator. */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}
