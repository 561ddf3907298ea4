import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { networkErrorCode } from "../../src/core/network-error.js";
import { captureRejection } from "../helpers/error-capture.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";
import { delay, startTestServer, waitUntil } from "../node/http-server.js";
import { undiciFetchFor } from "./undici-fetch-for.js";

const canaryKey = "sk-test-CANARY-undici-a81f3c62";
const canaryHeaders = { authorization: `Bearer ${canaryKey}`, "x-api-key": canaryKey };

/** Finds a port on 127.0.0.1 where nothing listens, by binding one and closing it again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.concurrent("undici fetch aborts", () => {
  it("rejects at once when already aborted", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("ok");
    });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();
    controller.abort();

    const error = await captureRejection(undiciFetch(server.url, { signal: controller.signal }));

    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    await delay(20);
    expect(server.sockets).toHaveLength(0);
  });

  it("rejects with reason before headers", async (context) => {
    const server = await startTestServer(context, () => {
      // Never responds.
    });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();
    const reason = new Error("caller gave up");

    const pending = undiciFetch(server.url, { signal: controller.signal });
    await waitUntil(() => server.requests.length === 1);
    controller.abort(reason);
    const error = await captureRejection(pending);

    expect(error).toBe(reason);
    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("rejects with a non-Error reason", async (context) => {
    const server = await startTestServer(context, () => {
      // Never responds.
    });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();

    const pending = undiciFetch(server.url, { signal: controller.signal });
    await waitUntil(() => server.requests.length === 1);
    controller.abort("plain string");
    const error = await captureRejection(pending);

    expect(error).toBe("plain string");
    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("errors body with reason mid-read", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200);
      response.write("data: one\n\n");
    });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();
    const response = await undiciFetch(server.url, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();

    const pendingRead = reader.read();
    controller.abort();
    const error = await captureRejection(pendingRead);

    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("errors a compressed body on abort", async (context) => {
    const { createGzip } = await import("node:zlib");
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-encoding": "gzip" });
      const gzip = createGzip();
      gzip.pipe(response);
      gzip.write("data: one\n\n");
      gzip.flush();
    });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();
    const response = await undiciFetch(server.url, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: one\n\n");

    const pendingRead = reader.read();
    controller.abort(new Error("stop"));
    const error = await captureRejection(pendingRead);

    expect((error as Error).message).toBe("stop");
    await waitUntil(() => server.sockets[0]!.destroyed);
  });

  it("errors an unread body on abort", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200);
      response.write("partial");
    });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();
    const response = await undiciFetch(server.url, { signal: controller.signal });

    controller.abort(new Error("stop"));
    const error = await captureRejection(response.text());

    expect((error as Error).message).toBe("stop");
  });

  it("cancels an upload stream on abort", async (context) => {
    const server = await startTestServer(context, () => {}, { readBody: false });
    const undiciFetch = undiciFetchFor(context);
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

    const pending = undiciFetch(server.url, {
      method: "POST",
      body,
      signal: controller.signal,
      duplex: "half",
    } as RequestInit);
    await waitUntil(() => server.sockets.length === 1);
    controller.abort();
    await captureRejection(pending);

    await waitUntil(() => cancelReason !== undefined);
    expect(cancelReason).toBeInstanceOf(DOMException);
  });

  it("cancels an upload stream on refused connection", async (context) => {
    const undiciFetch = undiciFetchFor(context);
    const port = await closedPort();
    let cancelReason: unknown;
    const body = new ReadableStream<Uint8Array>({
      cancel(reason) {
        cancelReason = reason;
      },
    });

    const error = await captureRejection(
      undiciFetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        body,
        duplex: "half",
      } as RequestInit),
    );

    expect(networkErrorCode(error)).toBe("ECONNREFUSED");
    await waitUntil(() => cancelReason !== undefined);
    expect(networkErrorCode(cancelReason)).toBe("ECONNREFUSED");
  });

  it("ignores abort after body end", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("done");
    });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();
    const response = await undiciFetch(server.url, { signal: controller.signal });

    expect(await response.text()).toBe("done");
    controller.abort();
    await delay(20);

    // An abort after the exchange has nothing to destroy: the connection stays for reuse.
    await (await undiciFetch(server.url)).text();
    expect(server.sockets).toHaveLength(1);
  });
});

describe.concurrent("undici fetch errors", () => {
  it("rejects a refused connection with its code", async (context) => {
    const undiciFetch = undiciFetchFor(context);
    const port = await closedPort();

    const error = await captureRejection(
      undiciFetch(`http://127.0.0.1:${port}/v1/models`, { headers: canaryHeaders }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBe("ECONNREFUSED");
    expect(((error as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    expectNoSecrets(error, [canaryKey, "CANARY-undici"]);
  });

  it("rejects a connection closed before headers", async (context) => {
    const server = await startTestServer(context, (request) => {
      request.socket.destroy();
    });
    const undiciFetch = undiciFetchFor(context);

    const error = await captureRejection(
      undiciFetch(server.url, { method: "POST", body: "{}", headers: canaryHeaders }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBe("UND_ERR_SOCKET");
    expectNoSecrets(error, [canaryKey, "CANARY-undici"]);
  });

  it("keeps key out of cut-off body", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write("partial");
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const undiciFetch = undiciFetchFor(context);

    const response = await undiciFetch(server.url, { headers: canaryHeaders });
    const error = await captureRejection(response.text());

    expect(error).toBeInstanceOf(TypeError);
    expect(networkErrorCode(error)).toBe("UND_ERR_SOCKET");
    expectNoSecrets(error, [canaryKey, "CANARY-undici"]);
  });

  it("keeps key out of header error", async (context) => {
    const undiciFetch = undiciFetchFor(context);

    const error = await captureRejection(
      undiciFetch("http://127.0.0.1:9/", {
        headers: { authorization: `Bearer ${canaryKey}\r\nx-injected: 1` },
      }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expectNoSecrets(error, [canaryKey, "CANARY-undici"]);
  });

  it("does not follow redirects in any mode", async (context) => {
    const target = await startTestServer(context, (_request, response) => {
      response.end("target");
    });
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(307, { location: `${target.url}/collect` });
      response.end("moved");
    });
    const undiciFetch = undiciFetchFor(context);

    for (const redirect of ["follow", "manual", "error"] as const) {
      const response = await undiciFetch(server.url, {
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
