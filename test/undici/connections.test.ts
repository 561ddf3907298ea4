import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { Agent, ProxyAgent } from "undici";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { networkErrorCode } from "../../src/core/network-error.js";
import { createUndiciFetch, type UndiciFetchOptions } from "../../src/undici/index.js";
import { captureRejection, captureThrow } from "../helpers/error-capture.js";
import type { CleanupContext } from "../helpers/loopback-fixture.js";
import { delay, startTestServer, waitUntil } from "../node/http-server.js";
import { undiciFetchFor } from "./undici-fetch-for.js";

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

/** Builds a script that fetches `url` once through the undici transport and prints the body. */
function fetchOnceScript(url: string, options: UndiciFetchOptions): string {
  return `
const { createUndiciFetch } = await import(${JSON.stringify(`${repoRoot}/src/undici/index.ts`)});
const undiciFetch = createUndiciFetch(${JSON.stringify(options)});
const response = await undiciFetch(${JSON.stringify(url)});
console.log(await response.text());
`;
}

/** Starts an https server on 127.0.0.1 with a new self-signed certificate for 127.0.0.1. */
async function startSelfSignedServer(context: CleanupContext) {
  const directory = await mkdtemp(path.join(tmpdir(), "undici-fetch-tls-"));
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

/**
 * Starts an HTTP proxy on 127.0.0.1 that tunnels each CONNECT request to its target, and records
 * the targets. It closes when the test finishes.
 */
async function startTunnelProxy(context: CleanupContext) {
  const targets: string[] = [];
  const sockets: Socket[] = [];
  const proxy = createHttpServer();
  proxy.on("connect", (request, clientSocket: Socket, head: Buffer) => {
    const target = request.url ?? "";
    targets.push(target);
    const [host, port] = target.split(":");
    const upstream = connect(Number(port), host, () => {
      clientSocket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    sockets.push(clientSocket, upstream);
    upstream.on("error", () => clientSocket.destroy());
    clientSocket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  context.onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  );
  const { port } = proxy.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, targets };
}

describe.concurrent("undici fetch connections", () => {
  it("closes a socket idle for keepAliveTimeoutMs", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("ok");
    });
    const undiciFetch = undiciFetchFor(context, { keepAliveTimeoutMs: 100 });

    await (await undiciFetch(server.url)).text();
    await delay(20);
    expect(server.sockets[0]!.destroyed).toBe(false);

    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("closes an idle socket at the server's hint", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.setHeader("keep-alive", "timeout=3");
      response.end("ok");
    });
    const undiciFetch = undiciFetchFor(context, { keepAliveTimeoutMs: 60_000 });

    await (await undiciFetch(server.url)).text();
    const idleSince = performance.now();
    await waitUntil(() => server.sockets[0]!.destroyed, 5000);

    // undici 7.30 closes the socket 2 seconds before the server's announced timeout.
    expect(performance.now() - idleSince).toBeLessThan(2500);
  });

  it("waits longer than keepAliveTimeoutMs for a response", async (context) => {
    const server = await startTestServer(context, async (_request, response) => {
      response.writeHead(200);
      await delay(150);
      response.write("slow ");
      await delay(150);
      response.end("body");
    });
    const undiciFetch = undiciFetchFor(context, { keepAliveTimeoutMs: 50 });

    const response = await undiciFetch(server.url);

    expect(await response.text()).toBe("slow body");
  });

  it("opens at most connections per origin", async (context) => {
    const server = await startTestServer(context, async (_request, response) => {
      await delay(50);
      response.end("ok");
    });
    const undiciFetch = undiciFetchFor(context, { connections: 2 });

    const responses = await Promise.all(
      Array.from({ length: 6 }, async () => (await undiciFetch(server.url)).text()),
    );

    expect(responses).toEqual(Array(6).fill("ok"));
    expect(server.sockets).toHaveLength(2);
  });

  it("aborts a request queued for a socket", async (context) => {
    const server = await startTestServer(context, async (_request, response) => {
      await delay(100);
      response.end("ok");
    });
    const undiciFetch = undiciFetchFor(context, { connections: 1 });
    const controller = new AbortController();

    const first = undiciFetch(`${server.url}/first`);
    const queued = undiciFetch(`${server.url}/queued`, { signal: controller.signal });
    controller.abort();
    const error = await captureRejection(queued);
    const firstText = await (await first).text();
    const third = await undiciFetch(`${server.url}/third`);

    expect((error as DOMException).name).toBe("AbortError");
    expect(firstText).toBe("ok");
    expect(await third.text()).toBe("ok");
    expect(server.requests.map((request) => request.path)).toEqual(["/first", "/third"]);
  });

  it("destroys idle and busy sockets on close", async (context) => {
    const server = await startTestServer(context, (request, response) => {
      if (request.url === "/idle") response.end("ok");
      // Other requests never get a response.
    });
    const undiciFetch = undiciFetchFor(context);
    await (await undiciFetch(`${server.url}/idle`)).text();
    const pending = undiciFetch(`${server.url}/busy`);
    await waitUntil(() => server.requests.length === 2);

    undiciFetch.close();
    const error = await captureRejection(pending);

    expect(networkErrorCode(error)).toBe("ERR_TRANSPORT_CLOSED");
    await waitUntil(() => server.sockets.every((socket) => socket.destroyed));
    // The transport stays usable: a later call opens a new socket.
    expect(await (await undiciFetch(`${server.url}/idle`)).text()).toBe("ok");
  });

  it("errors a body being read on close", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200);
      response.write("partial");
    });
    const undiciFetch = undiciFetchFor(context);
    const response = await undiciFetch(server.url);

    undiciFetch.close();
    const error = await captureRejection(response.text());

    expect(networkErrorCode(error)).toBe("ERR_TRANSPORT_CLOSED");
    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("sends through a caller's dispatcher", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, "Fine", [
        ["set-cookie", "a=1"],
        ["set-cookie", "b=2"],
        ["content-encoding", "gzip"],
      ]);
      response.end(gzipSync("via agent"));
    });
    const dispatched: string[] = [];
    // compose wraps the transport's handler in undici's adapter for interceptors, which hands
    // over headers parsed into an object, with repeated ones as arrays.
    const agent = new Agent({ connections: 1 }).compose((dispatch) => (options, handler) => {
      dispatched.push(`${options.method} ${options.path}`);
      return dispatch(options, handler);
    });
    context.onTestFinished(() => agent.destroy());
    const undiciFetch = undiciFetchFor(context, { dispatcher: agent });

    const response = await undiciFetch(`${server.url}/v1/models`);

    expect(response.statusText).toBe("Fine");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.text()).toBe("via agent");
    expect(dispatched).toEqual(["GET /v1/models"]);
  });

  it("close() keeps a caller's dispatcher open", async (context) => {
    const idleServer = await startTestServer(context, (_request, response) => {
      response.end("ok");
    });
    const busyServer = await startTestServer(context, () => {
      // Never responds.
    });
    const agent = new Agent();
    context.onTestFinished(() => agent.destroy());
    const undiciFetch = undiciFetchFor(context, { dispatcher: agent });
    await (await undiciFetch(idleServer.url)).text();
    const pending = undiciFetch(busyServer.url);
    await waitUntil(() => busyServer.requests.length === 1);

    undiciFetch.close();
    const error = await captureRejection(pending);

    expect(networkErrorCode(error)).toBe("ERR_TRANSPORT_CLOSED");
    await waitUntil(() => busyServer.sockets[0]!.destroyed);
    expect(agent.destroyed).toBe(false);
    // The idle socket belongs to the caller's agent, so it stays open for the next request.
    expect(await (await undiciFetch(idleServer.url)).text()).toBe("ok");
    expect(idleServer.sockets).toHaveLength(1);
    expect(idleServer.sockets[0]!.destroyed).toBe(false);
  });

  it("tunnels through a ProxyAgent", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("through the proxy");
    });
    const proxy = await startTunnelProxy(context);
    const dispatcher = new ProxyAgent(proxy.url);
    context.onTestFinished(() => dispatcher.destroy());
    const undiciFetch = undiciFetchFor(context, { dispatcher });

    const response = await undiciFetch(`${server.url}/v1/models`);

    expect(await response.text()).toBe("through the proxy");
    expect(proxy.targets).toEqual([new URL(server.url).host]);
  });

  it("rejects invalid options", () => {
    const invalid: UndiciFetchOptions[] = [
      { connections: 0 },
      { connections: 1.5 },
      { connections: Number.NaN },
      { keepAliveTimeoutMs: 0 },
      { keepAliveTimeoutMs: -1 },
      { keepAliveTimeoutMs: Number.POSITIVE_INFINITY },
      { dispatcher: {} as Agent },
      { dispatcher: new Agent(), connections: 4 },
      { dispatcher: new Agent(), keepAliveTimeoutMs: 1000 },
    ];

    for (const options of invalid) {
      const error = captureThrow(() => createUndiciFetch(options));
      expect(error, JSON.stringify(options)).toBeInstanceOf(ConfigurationError);
    }
  });

  it("lets process exit with idle sockets", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("done");
    });

    // A referenced idle socket would hold the child for keepAliveTimeoutMs (60 s) and the run
    // would hit its 15 s timeout.
    const { stdout, elapsedMs } = await runScript(
      fetchOnceScript(server.url, { keepAliveTimeoutMs: 60_000 }),
    );

    expect(stdout.trim()).toBe("done");
    expect(elapsedMs).toBeLessThan(10_000);
    expect(server.sockets).toHaveLength(1);
  });

  it.skipIf(!hasOpenssl)("rejects an untrusted certificate", async (context) => {
    const server = await startSelfSignedServer(context);
    const undiciFetch = undiciFetchFor(context);

    const error = await captureRejection(undiciFetch(server.url));

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it.skipIf(!hasOpenssl)("trusts a CA given to the dispatcher", async (context) => {
    const server = await startSelfSignedServer(context);
    const dispatcher = new Agent({ connect: { ca: await readFile(server.certificatePath) } });
    context.onTestFinished(() => dispatcher.destroy());

    const response = await undiciFetchFor(context, { dispatcher })(server.url);

    expect(await response.text()).toBe("secure");
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
