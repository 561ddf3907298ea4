import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { networkErrorCode } from "../../src/core/network-error.js";
import { captureRejection } from "../helpers/error-capture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";
import { delay, nodeFetchFor, startTestServer, waitUntil } from "./http-server.js";

const canaryKey = "sk-test-CANARY-node-5d2e8f10";
const canaryHeaders = { authorization: `Bearer ${canaryKey}`, "x-api-key": canaryKey };

/** Finds a port on 127.0.0.1 where nothing listens, by binding one and closing it again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.concurrent("node fetch aborts", () => {
  it("rejects at once when already aborted", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("ok");
    });
    const nodeFetch = nodeFetchFor(context);
    const controller = new AbortController();
    controller.abort();

    const error = await captureRejection(nodeFetch(server.url, { signal: controller.signal }));

    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect(server.requests).toHaveLength(0);
  });

  it("rejects with reason before headers", async (context) => {
    const server = await startTestServer(context, () => {
      // Never responds.
    });
    const nodeFetch = nodeFetchFor(context);
    const controller = new AbortController();
    const reason = new Error("caller gave up");

    const pending = nodeFetch(server.url, { signal: controller.signal });
    await waitUntil(() => server.requests.length === 1);
    controller.abort(reason);
    const error = await captureRejection(pending);

    expect(error).toBe(reason);
    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("errors body with reason mid-read", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200);
      response.write("data: one\n\n");
    });
    const nodeFetch = nodeFetchFor(context);
    const controller = new AbortController();
    const response = await nodeFetch(server.url, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();

    const pendingRead = reader.read();
    controller.abort();
    const error = await captureRejection(pendingRead);

    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("errors an unread body on abort", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200);
      response.write("partial");
    });
    const nodeFetch = nodeFetchFor(context);
    const controller = new AbortController();
    const response = await nodeFetch(server.url, { signal: controller.signal });

    controller.abort(new Error("stop"));
    const error = await captureRejection(response.text());

    expect((error as Error).message).toBe("stop");
  });

  it("cancels an upload stream on abort", async (context) => {
    const server = await startTestServer(context, () => {}, { readBody: false });
    const nodeFetch = nodeFetchFor(context);
    const controller = new AbortController();
    let cancelReason: unknown;
    const body = new ReadableStream<Uint8Array>({
      start(streamController) {
        streamController.enqueue(new Uint8Array([1, 2, 3]));
      },
      cancel(reason) {
        cancelReason = reason;
      },
    });

    const pending = nodeFetch(server.url, {
      method: "POST",
      body,
      signal: controller.signal,
      duplex: "half",
    } as RequestInit);
    await waitUntil(() => server.sockets.length === 1);
    controller.abort();
    await captureRejection(pending);

    await waitUntil(() => cancelReason !== undefined);
    expect(cancelReason).toBeInstanceOf(Error);
  });

  it("ignores abort after body end", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("done");
    });
    const nodeFetch = nodeFetchFor(context);
    const controller = new AbortController();
    const response = await nodeFetch(server.url, { signal: controller.signal });

    expect(await response.text()).toBe("done");
    controller.abort();
    await delay(20);

    // An abort after the exchange has nothing to destroy: the connection stays for reuse.
    await (await nodeFetch(server.url)).text();
    expect(server.sockets).toHaveLength(1);
  });
});

describe.concurrent("node fetch errors", () => {
  it("rejects a refused connection with its code", async (context) => {
    const nodeFetch = nodeFetchFor(context);
    const port = await closedPort();

    const error = await captureRejection(
      nodeFetch(`http://127.0.0.1:${port}/v1/models`, { headers: canaryHeaders }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBe("ECONNREFUSED");
    expect(((error as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    expectNoSecrets(error, [canaryKey, "CANARY-node"]);
  });

  it("rejects a connection closed before headers", async (context) => {
    const server = await startTestServer(context, (request) => {
      request.socket.destroy();
    });
    const nodeFetch = nodeFetchFor(context);

    const error = await captureRejection(
      nodeFetch(server.url, { method: "POST", body: "{}", headers: canaryHeaders }),
    );

    expect(networkErrorCode(error)).toBe("ECONNRESET");
    expectNoSecrets(error, [canaryKey, "CANARY-node"]);
  });

  it("keeps key out of cut-off body", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write("partial");
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const nodeFetch = nodeFetchFor(context);

    const response = await nodeFetch(server.url, { headers: canaryHeaders });
    const error = await captureRejection(response.text());

    expect(networkErrorCode(error)).toBe("ECONNRESET");
    expectNoSecrets(error, [canaryKey, "CANARY-node"]);
  });

  it("keeps key out of header error", async (context) => {
    const nodeFetch = nodeFetchFor(context);

    const error = await captureRejection(
      nodeFetch("http://127.0.0.1:9/", {
        headers: { authorization: `Bearer ${canaryKey}\r\nx-injected: 1` },
      }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expectNoSecrets(error, [canaryKey, "CANARY-node"]);
  });

  it("does not follow redirects in any mode", async (context) => {
    const target = await startTestServer(context, (_request, response) => {
      response.end("target");
    });
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(307, { location: `${target.url}/collect` });
      response.end("moved");
    });
    const nodeFetch = nodeFetchFor(context);

    for (const redirect of ["follow", "manual", "error"] as const) {
      const response = await nodeFetch(server.url, {
        method: "POST",
        body: "{}",
        headers: canaryHeaders,
        redirect,
      });
      expect(response.status, redirect).toBe(307);
      expect(response.redirected, redirect).toBe(false);
      expect(response.headers.get("location"), redirect).toBe(`${target.url}/collect`);
      expect(await response.text(), redirect).toBe("moved");
    }

    await delay(50);
    expect(target.requests).toHaveLength(0);
  });
});
