import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { networkErrorCode } from "../../src/core/network-error.js";
import { captureRejection } from "../helpers/error-capture.js";
import { delay, nodeFetchFor, startTestServer, waitUntil } from "./http-server.js";

/** Reads a body stream to its end, returning the chunks or the error that ended it. */
async function readStream(
  body: ReadableStream<Uint8Array>,
): Promise<{ chunks: Uint8Array[]; error: unknown }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { chunks, error: undefined };
      chunks.push(value);
    }
  } catch (error) {
    return { chunks, error };
  }
}

describe.concurrent("node fetch responses", () => {
  it("exposes status, headers and url", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(201, "Made It", [
        ["content-type", "application/json"],
        ["set-cookie", "a=1"],
        ["set-cookie", "b=2"],
        ["x-request-id", "req-1"],
      ]);
      response.end('{"id":"x"}');
    });
    const nodeFetch = nodeFetchFor(context);

    const response = await nodeFetch(`${server.url}/v1/things?x=1#part`);

    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Made It");
    expect(response.ok).toBe(true);
    expect(response.headers).toBeInstanceOf(Headers);
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(response.url).toBe(`${server.url}/v1/things?x=1`);
    expect(response.redirected).toBe(false);
    expect(response.type).toBe("basic");
    expect(response.body).toBeInstanceOf(ReadableStream);
    expect(await response.json()).toEqual({ id: "x" });
  });

  it("reads bodies as text, bytes, buffer and blob", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.setHeader("content-type", "text/plain");
      response.end("héllo");
    });
    const nodeFetch = nodeFetchFor(context);
    const expectedBytes = [...new TextEncoder().encode("héllo")];

    const text = await (await nodeFetch(server.url)).text();
    const bytes = await (await nodeFetch(server.url)).bytes();
    const buffer = await (await nodeFetch(server.url)).arrayBuffer();
    const blob = await (await nodeFetch(server.url)).blob();

    expect(text).toBe("héllo");
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual(expectedBytes);
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(buffer)]).toEqual(expectedBytes);
    expect(blob.type).toBe("text/plain");
    expect(await blob.text()).toBe("héllo");
  });

  it("marks the body used and rejects a second read", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("once");
    });
    const nodeFetch = nodeFetchFor(context);
    const response = await nodeFetch(server.url);

    expect(response.bodyUsed).toBe(false);
    expect(await response.text()).toBe("once");
    expect(response.bodyUsed).toBe(true);
    expect(await captureRejection(response.text())).toBeInstanceOf(TypeError);
  });

  it("hands out plain Uint8Array chunks", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("abc");
    });
    const nodeFetch = nodeFetchFor(context);

    const { chunks } = await readStream((await nodeFetch(server.url)).body!);

    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype);
  });

  it("has no body for HEAD, 204 and 304", async (context) => {
    const server = await startTestServer(context, (request, response) => {
      const statuses: Record<string, number> = { "/204": 204, "/304": 304 };
      const status = statuses[request.url ?? ""] ?? 200;
      response.writeHead(status, status === 200 ? { "content-length": "5" } : {});
      response.end(status === 200 && request.method !== "HEAD" ? "hello" : undefined);
    });
    const nodeFetch = nodeFetchFor(context);

    const head = await nodeFetch(server.url, { method: "HEAD" });
    const noContent = await nodeFetch(`${server.url}/204`);
    const notModified = await nodeFetch(`${server.url}/304`);

    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect(head.headers.get("content-length")).toBe("5");
    expect(noContent.body).toBeNull();
    expect(await noContent.text()).toBe("");
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeNull();
    // Each exchange freed its socket at the end, so all three shared one connection.
    expect(server.sockets).toHaveLength(1);
  });

  it("reuses a connection once a body is read", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("ok");
    });
    const nodeFetch = nodeFetchFor(context);

    for (let index = 0; index < 3; index++) {
      await (await nodeFetch(server.url)).text();
    }

    expect(server.sockets).toHaveLength(1);
  });

  it("decodes gzip, deflate, br and stacked codings", async (context) => {
    const text = "compressed ".repeat(1000);
    const encodings: Record<string, [string, Buffer]> = {
      "/gzip": ["gzip", gzipSync(text)],
      "/x-gzip": ["x-gzip", gzipSync(text)],
      "/deflate": ["deflate", deflateSync(text)],
      "/br": ["br", brotliCompressSync(text)],
      "/stacked": ["deflate, gzip", gzipSync(deflateSync(text))],
      "/identity": ["identity", Buffer.from(text)],
    };
    const server = await startTestServer(context, (request, response) => {
      const [coding, bytes] = encodings[request.url ?? ""]!;
      response.writeHead(200, { "content-encoding": coding });
      response.end(bytes);
    });
    const nodeFetch = nodeFetchFor(context);

    for (const path of Object.keys(encodings)) {
      const response = await nodeFetch(server.url + path);
      expect(await response.text(), path).toBe(text);
    }
  });

  it("delivers compressed events as they arrive", async (context) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startTestServer(context, async (_request, response) => {
      response.writeHead(200, { "content-encoding": "gzip", "content-type": "text/event-stream" });
      const { createGzip, constants } = await import("node:zlib");
      const gzip = createGzip();
      gzip.pipe(response);
      gzip.write("data: first\n\n");
      gzip.flush(constants.Z_SYNC_FLUSH);
      await released;
      gzip.end("data: second\n\n");
    });
    const nodeFetch = nodeFetchFor(context);
    const reader = (await nodeFetch(server.url)).body!.getReader();

    const first = await reader.read();

    expect(new TextDecoder().decode(first.value)).toBe("data: first\n\n");
    release();
    const rest = await readStream(
      new ReadableStream({
        pull: async (controller) => {
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
      }),
    );
    expect(rest.chunks.map((chunk) => new TextDecoder().decode(chunk)).join("")).toBe(
      "data: second\n\n",
    );
  });

  it("errors the body of an unknown encoding", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(500, { "content-encoding": "zstd" });
      response.end("not really zstd");
    });
    const nodeFetch = nodeFetchFor(context);

    const response = await nodeFetch(server.url);
    const { error } = await readStream(response.body!);

    expect(response.status).toBe(500);
    expect((error as Error).message).toContain("unsupported content-encoding");
    expect(networkErrorCode(error)).toBe("ERR_UNSUPPORTED_CONTENT_ENCODING");
  });

  it("errors the body of corrupt gzip", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-encoding": "gzip" });
      response.end("this is not gzip");
    });
    const nodeFetch = nodeFetchFor(context);

    const { error } = await readStream((await nodeFetch(server.url)).body!);

    expect(error).toBeInstanceOf(Error);
    expect(networkErrorCode(error)).toBe("Z_DATA_ERROR");
  });

  it("errors the body of truncated gzip", async (context) => {
    const compressed = gzipSync("x".repeat(10_000));
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-encoding": "gzip" });
      response.end(compressed.subarray(0, compressed.length - 8));
    });
    const nodeFetch = nodeFetchFor(context);

    const { error } = await readStream((await nodeFetch(server.url)).body!);

    expect(networkErrorCode(error)).toBe("Z_BUF_ERROR");
  });

  it("errors a body cut off by the server", async (context) => {
    const server = await startTestServer(context, (request, response) => {
      const framing: Record<string, string> =
        request.url === "/length" ? { "content-length": "100" } : {};
      response.writeHead(200, {
        ...framing,
        ...(request.url === "/gzip" ? { "content-encoding": "gzip" } : {}),
      });
      response.write(request.url === "/gzip" ? gzipSync("partial").subarray(0, 12) : "partial");
      setTimeout(() => response.socket?.destroy(), 50);
    });
    const nodeFetch = nodeFetchFor(context);

    for (const path of ["/length", "/chunked", "/gzip"]) {
      const { error } = await readStream((await nodeFetch(server.url + path)).body!);
      expect(error, path).toBeInstanceOf(Error);
      expect(networkErrorCode(error), path).toBe("ECONNRESET");
    }
  });

  it("pauses fast body read slowly", async (context) => {
    const totalBytes = 256 * 1024 * 1024;
    let writtenBytes = 0;
    const server = await startTestServer(context, async (_request, response) => {
      const chunk = Buffer.alloc(64 * 1024, 97);
      response.writeHead(200, { "content-length": String(totalBytes) });
      while (writtenBytes < totalBytes && !response.destroyed) {
        writtenBytes += chunk.length;
        if (!response.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              response.off("drain", done);
              response.off("close", done);
              resolve();
            };
            response.on("drain", done);
            response.on("close", done);
          });
        }
      }
      response.end();
    });
    const nodeFetch = nodeFetchFor(context);
    const reader = (await nodeFetch(server.url)).body!.getReader();

    await reader.read();
    await delay(300);
    const writtenWhileIdle = writtenBytes;
    let readBytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      readBytes += value.byteLength;
    }

    // Socket buffers on both sides take some megabytes; without backpressure the server would
    // have written all 256 MiB into the client's memory while it waited.
    expect(writtenWhileIdle).toBeLessThan(64 * 1024 * 1024);
    expect(readBytes).toBeGreaterThan(totalBytes - 64 * 1024 * 1024);
  });

  it("destroys connection on body cancel", async (context) => {
    const server = await startTestServer(context, (request, response) => {
      if (request.url === "/long") {
        response.writeHead(200);
        response.write("start of a long body");
        return;
      }

      response.end("short");
    });
    const nodeFetch = nodeFetchFor(context);
    const response = await nodeFetch(`${server.url}/long`);
    const reader = response.body!.getReader();
    await reader.read();

    await reader.cancel();
    await waitUntil(() => server.sockets[0]!.destroyed);
    const next = await nodeFetch(`${server.url}/short`);

    expect(await next.text()).toBe("short");
    expect(server.sockets).toHaveLength(2);
  });
});
