import type { Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import type { FetchFunction } from "../../src/core/client-options.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { createNodeFetch } from "../../src/node/index.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { captureRejection, drain } from "../helpers/error-capture.js";
import type { CleanupContext } from "../helpers/loopback-fixture.js";
import { neverEndingStream } from "../helpers/never-ending-upload.js";
import { startRawServer } from "../helpers/raw-http.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";
import { startTestServer } from "../node/http-server.js";
import { undiciFetchFor } from "../undici/undici-fetch-for.js";

const canaryKey = "sk-test-CANARY-undici-attack-42";

type TransportFactory = (context: CleanupContext) => FetchFunction & { close(): void };

const transports: Array<[string, TransportFactory]> = [
  ["undici", (context) => undiciFetchFor(context)],
  [
    "node",
    (context) => {
      const nodeFetch = createNodeFetch();
      context.onTestFinished(() => nodeFetch.close());
      return nodeFetch;
    },
  ],
];

/** A chunked reply whose second chunk size is not hex, followed by the echoed key. */
const badChunkReply =
  "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n" +
  `1\r\n{\r\nzz\r\nBearer ${canaryKey}\r\n0\r\n\r\n`;

/** A chunked reply whose trailer line is malformed and contains the echoed key. */
const badTrailerReply =
  "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" +
  `6\r\ndata: \r\n0\r\nx-echo Bearer ${canaryKey}\u0001\r\n\r\n`;

function canaryClient(url: string, fetch: FetchFunction): MistralClient {
  return new MistralClient({ apiKey: canaryKey, baseURL: url, maxRetries: 0, fetch });
}

function replyOnce(reply: string): (socket: Socket) => void {
  return (socket) => socket.end(reply);
}

describe("undici transport under attack", () => {
  // undici's HTTPParserError keeps the raw bytes after the bad byte in `data`. A server that
  // echoes the Authorization header there must not put the key into the transport's error.
  it("keeps echoed key out of framing error", async (context) => {
    const url = await startRawServer(context, replyOnce(badChunkReply));
    const undiciFetch = undiciFetchFor(context);

    const response = await undiciFetch(url, { headers: { authorization: `Bearer ${canaryKey}` } });
    const error = await captureRejection(response.text());

    expect(error).toBeInstanceOf(TypeError);
    expectNoSecrets(error, [canaryKey]);
  });

  it("keeps echoed key out of trailer error", async (context) => {
    const url = await startRawServer(context, replyOnce(badTrailerReply));
    const undiciFetch = undiciFetchFor(context);

    const response = await undiciFetch(url, { headers: { authorization: `Bearer ${canaryKey}` } });
    const error = await captureRejection(response.text());

    expect(error).toBeInstanceOf(TypeError);
    expectNoSecrets(error, [canaryKey]);
  });

  it("ignores body bytes past content-length", async (context) => {
    let requests = 0;
    const url = await startRawServer(context, (socket) => {
      const reply = () => {
        requests++;
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA");
      };
      reply();
      socket.on("data", reply);
    });
    const undiciFetch = undiciFetchFor(context);

    const first = await undiciFetch(url);

    expect(await first.text()).toBe("ok");

    const second = await undiciFetch(url).then(
      (response) => response.text(),
      (error: unknown) => error,
    );

    // undici drops a connection that sent bytes past a response, so "EXTRA" is never read as the
    // start of the next response: the next request gets a whole reply or a connection error.
    expect(second === "ok" || second instanceof TypeError, String(second)).toBe(true);
    expect(requests).toBeGreaterThanOrEqual(1);
  });

  it("fails a body that never ends on abort", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: 1\n\n");
    });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();

    const response = await undiciFetch(server.url, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    setTimeout(() => controller.abort(new Error("stop now")), 20);
    const error = await captureRejection(reader.read());

    expect((error as Error).message).toBe("stop now");
  });

  it("rejects on abort while uploading", async (context) => {
    const server = await startTestServer(context, () => {}, { readBody: false });
    const undiciFetch = undiciFetchFor(context);
    const controller = new AbortController();
    let cancelled: unknown;
    const body = neverEndingStream((reason) => {
      cancelled = reason;
    });

    const pending = undiciFetch(server.url, {
      method: "POST",
      body,
      duplex: "half",
      signal: controller.signal,
    } as RequestInit);
    setTimeout(() => controller.abort(new Error("upload aborted")), 50);
    const error = await captureRejection(pending);

    expect((error as Error).message).toBe("upload aborted");
    expect(cancelled).toBeInstanceOf(Error);
  });

  it("close() fails a running upload", async (context) => {
    const server = await startTestServer(context, () => {}, { readBody: false });
    const undiciFetch = undiciFetchFor(context);
    let cancelled: unknown;
    const body = neverEndingStream((reason) => {
      cancelled = reason;
    });

    const pending = undiciFetch(server.url, {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);
    setTimeout(() => undiciFetch.close(), 50);
    const error = await captureRejection(pending);

    expect((error as { code?: unknown }).code).toBe("ERR_TRANSPORT_CLOSED");
    expect(cancelled).toBeInstanceOf(Error);
  });

  for (const [label, chunks] of [
    ["longer", ["abc", "def"]],
    ["shorter", ["ab"]],
  ] as const) {
    it(`rejects an upload ${label} than declared, then opens a new socket`, async (context) => {
      const server = await startTestServer(
        context,
        (request, response) => {
          request.on("error", () => {});
          request.resume();
          response.end("ok");
        },
        { readBody: false },
      );
      const undiciFetch = undiciFetchFor(context);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      });

      const started = Date.now();
      const error = await captureRejection(
        undiciFetch(server.url, {
          method: "POST",
          body: stream,
          duplex: "half",
          headers: { "content-length": "4" },
        } as RequestInit),
      );

      expect(error).toBeInstanceOf(TypeError);
      expect(Date.now() - started).toBeLessThan(2000);

      const next = await undiciFetch(server.url);

      expect(await next.text()).toBe("ok");
    });
  }

  it("bounds a gzip bomb with maxResponseBytes", async (context) => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const server = await startTestServer(context, (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      response.end(bomb);
    });
    const client = new MistralClient({
      apiKey: canaryKey,
      baseURL: server.url,
      maxRetries: 0,
      maxResponseBytes: 1024 * 1024,
      fetch: undiciFetchFor(context),
    });

    const error = await captureRejection(client.chat.create(helloRequest));

    expect(isMistralError(error, "response_too_large")).toBe(true);
  });
});

describe("client through node transports with echoed key", () => {
  for (const [name, makeFetch] of transports) {
    it(`${name}: keeps key out of framing error`, async (context) => {
      const url = await startRawServer(context, replyOnce(badChunkReply));
      const client = canaryClient(url, makeFetch(context));

      const error = await captureRejection(client.chat.create(helloRequest));

      expect(isMistralError(error)).toBe(true);
      expectNoSecrets(error, [canaryKey]);
    });

    it(`${name}: keeps key out of trailer error`, async (context) => {
      const url = await startRawServer(context, replyOnce(badTrailerReply));
      const client = canaryClient(url, makeFetch(context));

      const { error } = await drain(await client.chat.stream(helloRequest));

      expect(isMistralError(error)).toBe(true);
      expectNoSecrets(error, [canaryKey]);
    });

    it(`${name}: keeps key out of status text`, async (context) => {
      const reply = `HTTP/1.1 500 Bearer ${canaryKey}\r\ncontent-length: 2\r\n\r\n{}`;
      const url = await startRawServer(context, replyOnce(reply));
      const client = canaryClient(url, makeFetch(context));

      const error = await captureRejection(client.chat.create(helloRequest));

      expect(isMistralError(error, "server_error")).toBe(true);
      expectNoSecrets(error, [canaryKey]);
    });
  }
});
