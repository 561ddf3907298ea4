import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { networkErrorCode } from "../../src/core/network-error.js";
import { createNodeFetch, type NodeFetchOptions } from "../../src/node/index.js";
import { captureRejection, captureThrow } from "../helpers/error-capture.js";
import type { CleanupContext } from "../helpers/loopback-fixture.js";
import { delay, nodeFetchFor, startTestServer, waitUntil } from "./http-server.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const runFile = promisify(execFile);
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

/**
 * Runs an ES module script in a child Node process with tsx, so it can import the sources, and
 * returns its stdout and how long it ran in milliseconds.
 */
async function runScript(
  script: string,
  environment: Record<string, string> = {},
): Promise<{ stdout: string; elapsedMs: number }> {
  const startedAt = performance.now();
  const { stdout } = await runFile(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { cwd: repoRoot, env: { ...process.env, ...environment }, timeout: 15_000 },
  );
  return { stdout, elapsedMs: performance.now() - startedAt };
}

/** Builds a script that fetches `url` once through the node transport and prints the body. */
function fetchOnceScript(url: string, options: NodeFetchOptions): string {
  return `
const { createNodeFetch } = await import(${JSON.stringify(`${repoRoot}/src/node/index.ts`)});
const nodeFetch = createNodeFetch(${JSON.stringify(options)});
const response = await nodeFetch(${JSON.stringify(url)});
console.log(await response.text());
`;
}

/** Starts an https server on 127.0.0.1 with a new self-signed certificate for 127.0.0.1. */
async function startSelfSignedServer(context: CleanupContext) {
  const directory = await mkdtemp(path.join(tmpdir(), "node-fetch-tls-"));
  context.onTestFinished(() => rm(directory, { recursive: true, force: true }));
  const keyPath = path.join(directory, "key.pem");
  const certificatePath = path.join(directory, "certificate.pem");
  await runFile("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
    ...["-keyout", keyPath, "-out", certificatePath],
    ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
  ]);
  const server = createHttpsServer(
    { key: await readFile(keyPath), cert: await readFile(certificatePath) },
    (_request, response) => {
      response.end("secure");
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  context.onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}/`, certificatePath };
}

describe.concurrent("node fetch connections", () => {
  it("closes a socket idle for keepAliveMs", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("ok");
    });
    const nodeFetch = nodeFetchFor(context, { keepAliveMs: 100 });

    await (await nodeFetch(server.url)).text();
    await delay(20);
    expect(server.sockets[0]!.destroyed).toBe(false);

    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("closes an idle socket at the server's hint", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.setHeader("keep-alive", "timeout=2");
      response.end("ok");
    });
    const nodeFetch = nodeFetchFor(context, { keepAliveMs: 60_000 });

    await (await nodeFetch(server.url)).text();
    const idleSince = performance.now();
    await waitUntil(() => server.sockets[0]!.destroyed, 5000);

    // Node closes the socket one second before the server's announced timeout.
    expect(performance.now() - idleSince).toBeLessThan(2000);
  });

  it("waits longer than keepAliveMs for a response", async (context) => {
    const server = await startTestServer(context, async (_request, response) => {
      response.writeHead(200);
      await delay(150);
      response.write("slow ");
      await delay(150);
      response.end("body");
    });
    const nodeFetch = nodeFetchFor(context, { keepAliveMs: 50 });

    const response = await nodeFetch(server.url);

    expect(await response.text()).toBe("slow body");
  });

  it("opens at most maxSockets per origin", async (context) => {
    const server = await startTestServer(context, async (_request, response) => {
      await delay(50);
      response.end("ok");
    });
    const nodeFetch = nodeFetchFor(context, { maxSockets: 2 });

    const responses = await Promise.all(
      Array.from({ length: 6 }, async () => (await nodeFetch(server.url)).text()),
    );

    expect(responses).toEqual(Array(6).fill("ok"));
    expect(server.sockets).toHaveLength(2);
  });

  it("aborts a request queued for a socket", async (context) => {
    const server = await startTestServer(context, async (_request, response) => {
      await delay(100);
      response.end("ok");
    });
    const nodeFetch = nodeFetchFor(context, { maxSockets: 1 });
    const controller = new AbortController();

    const first = nodeFetch(`${server.url}/first`);
    const queued = nodeFetch(`${server.url}/queued`, { signal: controller.signal });
    controller.abort();
    const error = await captureRejection(queued);
    await (await first).text();
    const third = await nodeFetch(`${server.url}/third`);

    expect((error as DOMException).name).toBe("AbortError");
    expect(await third.text()).toBe("ok");
    expect(server.requests.map((request) => request.path)).toEqual(["/first", "/third"]);
  });

  it("destroys idle and busy sockets on close", async (context) => {
    const server = await startTestServer(context, (request, response) => {
      if (request.url === "/idle") response.end("ok");
      // Other requests never get a response.
    });
    const nodeFetch = nodeFetchFor(context);
    await (await nodeFetch(`${server.url}/idle`)).text();
    const pending = nodeFetch(`${server.url}/busy`);
    await waitUntil(() => server.requests.length === 2);

    nodeFetch.close();
    const error = await captureRejection(pending);

    expect(error).toBeInstanceOf(TypeError);
    await waitUntil(() => server.sockets.every((socket) => socket.destroyed));
    // The agents stay usable: a later call opens a new socket.
    expect(await (await nodeFetch(`${server.url}/idle`)).text()).toBe("ok");
  });

  it("rejects invalid options", () => {
    const invalid: NodeFetchOptions[] = [
      { maxSockets: 0 },
      { maxSockets: 1.5 },
      { maxSockets: Number.NaN },
      { keepAliveMs: 0 },
      { keepAliveMs: -1 },
      { keepAliveMs: Number.POSITIVE_INFINITY },
    ];

    for (const options of invalid) {
      const error = captureThrow(() => createNodeFetch(options));
      expect(error, JSON.stringify(options)).toBeInstanceOf(ConfigurationError);
    }
  });

  it("lets process exit with idle sockets", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("done");
    });

    // Without unref, the idle socket would hold the child for keepAliveMs (60 s) and the run
    // would hit its 15 s timeout.
    const { stdout, elapsedMs } = await runScript(
      fetchOnceScript(server.url, { keepAliveMs: 60_000 }),
    );

    expect(stdout.trim()).toBe("done");
    expect(elapsedMs).toBeLessThan(10_000);
    expect(server.sockets).toHaveLength(1);
  });

  it.skipIf(!hasOpenssl)("rejects an untrusted certificate", async (context) => {
    const server = await startSelfSignedServer(context);
    const nodeFetch = nodeFetchFor(context);

    const error = await captureRejection(nodeFetch(server.url));

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it.skipIf(!hasOpenssl)("connects to trusted https server", async (context) => {
    const server = await startSelfSignedServer(context);

    // NODE_EXTRA_CA_CERTS is read when a process starts, so the trusting client is a child.
    const { stdout } = await runScript(fetchOnceScript(server.url, {}), {
      NODE_EXTRA_CA_CERTS: server.certificatePath,
    });

    expect(stdout.trim()).toBe("secure");
  });
});
