import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import type { TestContext } from "vitest";
import { describe, expect, it } from "vitest";
import { networkErrorCode } from "../../src/core/network-error.js";
import { createNodeFetch, type NodeFetch } from "../../src/node/index.js";
import { captureRejection } from "../helpers/error-capture.js";
import { startTestServer, waitUntil } from "./http-server.js";

function nodeFetchFor(context: TestContext, options?: { maxSockets?: number }): NodeFetch {
  const nodeFetch = createNodeFetch(options);
  context.onTestFinished(() => nodeFetch.close());
  return nodeFetch;
}

/** Starts a TCP server on 127.0.0.1 that writes `reply` to every connection once it has data. */
async function startRawServer(context: TestContext, reply: string | Buffer): Promise<string> {
  const server: Server = createServer((socket) => {
    socket.once("data", () => socket.write(reply));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  context.onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("node transport with hostile replies", () => {
  it("rejects a 101 reply at once", async (context) => {
    const reply = "HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\n";
    const url = await startRawServer(context, reply);

    const error = await captureRejection(nodeFetchFor(context)(`${url}/v1/models`));

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("switched protocols");
  });

  it("rejects a connection closed before a response", async (context) => {
    const server: Server = createServer((socket) => {
      socket.once("data", () => socket.end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    context.onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const error = await captureRejection(nodeFetchFor(context)(`${url}/v1/models`));

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBeDefined();
  });

  it("rejects a status outside 200-599", async (context) => {
    const url = await startRawServer(context, "HTTP/1.1 000 Zero\r\ncontent-length: 0\r\n\r\n");

    const error = await captureRejection(nodeFetchFor(context)(`${url}/v1/models`));

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("invalid status 0");
  });

  it("rejects more than five content codings", async (context) => {
    const codings = Array.from({ length: 3000 }, () => "gzip").join(",");
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-encoding": codings, "content-length": "2" });
      response.end("{}");
    });

    const response = await nodeFetchFor(context)(`${server.url}/v1/models`);
    const error = await captureRejection(response.text());

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("3000 content-encodings");
  });

  it("does not quote an unknown coding", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-encoding": "x-sk-CANARY-coding" });
      response.end("{}");
    });

    const response = await nodeFetchFor(context)(`${server.url}/v1/models`);
    const error = await captureRejection(response.text());

    expect(String(error)).not.toMatch(/canary/i);
  });

  it("close() fails a request waiting for a socket", async (context) => {
    const server = await startTestServer(context, () => {
      // No response, so the one socket stays busy.
    });
    const nodeFetch = nodeFetchFor(context, { maxSockets: 1 });
    const busy = nodeFetch(`${server.url}/busy`);
    const queued = nodeFetch(`${server.url}/queued`);
    await waitUntil(() => server.requests.length === 1);

    nodeFetch.close();
    const errors = await Promise.all([captureRejection(busy), captureRejection(queued)]);

    for (const error of errors) {
      expect(error).toBeInstanceOf(TypeError);
      expect(networkErrorCode(error)).toBe("ERR_TRANSPORT_CLOSED");
    }

    expect(server.requests).toHaveLength(1);
  });
});
