import { describe, expect, it } from "vitest";
import { networkErrorCode } from "../../src/core/network-error.js";
import { captureRejection } from "../helpers/error-capture.js";
import { startRawServer } from "../helpers/raw-http.js";
import { startTestServer, waitUntil } from "../node/http-server.js";
import { undiciFetchFor } from "./undici-fetch-for.js";

describe("undici transport with hostile replies", () => {
  it("rejects a 101 reply at once", async (context) => {
    const reply = "HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\n";
    const url = await startRawServer(context, (socket) => socket.write(reply));

    const error = await captureRejection(undiciFetchFor(context)(`${url}/v1/models`));

    // undici refuses an upgrade it did not ask for, as a socket error.
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("bad upgrade");
    expect(networkErrorCode(error)).toBe("UND_ERR_SOCKET");
  });

  it("skips an informational reply", async (context) => {
    const url = await startRawServer(context, (socket) =>
      socket.write(
        "HTTP/1.1 103 Early Hints\r\nlink: </style.css>\r\n\r\n" +
          "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
      ),
    );

    const response = await undiciFetchFor(context)(`${url}/v1/models`);

    expect(response.status).toBe(200);
    expect(response.headers.get("link")).toBeNull();
    expect(await response.text()).toBe("ok");
  });

  it("rejects a connection closed before a response", async (context) => {
    const url = await startRawServer(context, (socket) => socket.end());

    const error = await captureRejection(undiciFetchFor(context)(`${url}/v1/models`));

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBeDefined();
  });

  it("rejects a status outside 200-599", async (context) => {
    for (const [line, status] of [
      ["000 Zero", 0],
      ["099 Low", 99],
      ["600 Beyond", 600],
      ["999 Far", 999],
    ] as const) {
      const url = await startRawServer(context, (socket) =>
        socket.write(`HTTP/1.1 ${line}\r\ncontent-length: 0\r\n\r\n`),
      );

      const error = await captureRejection(undiciFetchFor(context)(`${url}/v1/models`));

      expect(error, line).toBeInstanceOf(TypeError);
      expect((error as Error).message, line).toContain(`invalid status ${status}`);
      expect(networkErrorCode(error), line).toBe("ECONNRESET");
    }
  });

  it("rejects a malformed status line", async (context) => {
    const url = await startRawServer(context, (socket) => socket.write("NOT HTTP AT ALL\r\n\r\n"));

    const error = await captureRejection(undiciFetchFor(context)(`${url}/v1/models`));

    // undici 7.30's parser errors carry no code, so only the message names the failure.
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("does not match the HTTP/1.1 protocol");
  });

  it("rejects more than five content codings", async (context) => {
    const codings = Array.from({ length: 3000 }, () => "gzip").join(",");
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-encoding": codings, "content-length": "2" });
      response.end("{}");
    });

    const response = await undiciFetchFor(context)(`${server.url}/v1/models`);
    const error = await captureRejection(response.text());

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("3000 content-encodings");
  });

  it("does not quote an unknown coding", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-encoding": "x-sk-CANARY-coding" });
      response.end("{}");
    });

    const response = await undiciFetchFor(context)(`${server.url}/v1/models`);
    const error = await captureRejection(response.text());

    expect(String(error)).not.toMatch(/canary/i);
  });

  it("reads header bytes as Latin-1", async (context) => {
    const reply = "HTTP/1.1 200 OK\r\nx-name: caf\xe9\r\ncontent-length: 2\r\n\r\nok";
    const url = await startRawServer(context, (socket) =>
      socket.write(Buffer.from(reply, "latin1")),
    );

    const response = await undiciFetchFor(context)(`${url}/v1/models`);

    expect(response.headers.get("x-name")).toBe("caf\u00e9");
    expect(await response.text()).toBe("ok");
  });

  it("close() fails a request waiting for a socket", async (context) => {
    const server = await startTestServer(context, () => {
      // No response, so the one socket stays busy.
    });
    const undiciFetch = undiciFetchFor(context, { connections: 1 });
    const busy = undiciFetch(`${server.url}/busy`);
    const queued = undiciFetch(`${server.url}/queued`);
    await waitUntil(() => server.requests.length === 1);

    undiciFetch.close();
    const errors = await Promise.all([captureRejection(busy), captureRejection(queued)]);

    for (const error of errors) {
      expect(networkErrorCode(error)).toBe("ERR_TRANSPORT_CLOSED");
    }

    expect(server.requests).toHaveLength(1);
  });
});
