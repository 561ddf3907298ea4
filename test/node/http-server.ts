import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createNodeFetch, type NodeFetch, type NodeFetchOptions } from "../../src/node/index.js";
import type { CleanupContext } from "../helpers/loopback-fixture.js";

/** A node:http server on 127.0.0.1 whose handler each test writes itself. */
export interface TestServer {
  /** Origin such as `http://127.0.0.1:40123`. */
  url: string;
  /** Every connection the server accepted, in order. */
  sockets: Socket[];
  /** Every request received, with the body read whole. */
  requests: ReceivedRequest[];
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
) => void | Promise<void>;

/**
 * Starts a server that reads each request body whole, records it, then calls `handler`. It closes
 * when the test finishes, destroying open connections.
 */
export async function startTestServer(
  context: CleanupContext,
  handler: Handler,
  options: { readBody?: boolean } = {},
): Promise<TestServer> {
  const sockets: Socket[] = [];
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (request, response) => {
    const body = options.readBody === false ? Buffer.alloc(0) : await readWhole(request);
    requests.push({
      method: request.method ?? "",
      path: request.url ?? "",
      headers: request.headers,
      body,
    });
    await handler(request, response, body);
  });
  server.on("connection", (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  context.onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sockets, requests };
}

async function readWhole(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms until it holds, failing after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`The condition did not hold within ${timeoutMs} ms`);
    await delay(10);
  }
}

/** Creates a node transport that closes when the test of `context` finishes. */
export function nodeFetchFor(context: CleanupContext, options?: NodeFetchOptions): NodeFetch {
  const nodeFetch = createNodeFetch(options);
  context.onTestFinished(() => nodeFetch.close());
  return nodeFetch;
}
