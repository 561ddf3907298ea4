import { describe, expect, it } from "vitest";
import { networkErrorCode } from "../../src/core/network-error.js";
import { captureRejection } from "../helpers/error-capture.js";
import { startRawServer } from "../helpers/raw-http.js";
import { nodeFetchFor, startTestServer, waitUntil } from "./http-server.js";

describe("node transport with hostile replies", () => {
  it("rejects a 101 reply at once", async (context) => {
    const reply = "HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\n";
    const url = await startRawServer(context, (socket) => socket.write(reply));

    const error = await captureRejection(nodeFetchFor(context)(`${url}/v1/models`));

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("switched protocols");
  });

  it("rejects a connection closed before a response", async (context) => {
    const url = await startRawServer(context, (socket) => socket.end());

    const error = await captureRejection(nodeFetchFor(context)(`${url}/v1/models`));

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBeDefined();
  });

  it("rejects a status outside 200-599", async (context) => {
    const url = await startRawServer(context, (socket) =>
      socket.write("HTTP/1.1 000 Zero\r\ncontent-length: 0\r\n\r\n"),
    );

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
