import type { TestContext } from "vitest";
import { describe, expect, it } from "vitest";
import { captureRejection } from "../helpers/error-capture.js";
import { delay, nodeFetchFor, startTestServer, type TestServer } from "./http-server.js";

/** Starts a server that responds `ok` to every request, for tests of what was sent. */
function startEchoServer(context: TestContext): Promise<TestServer> {
  return startTestServer(context, (_request, response) => {
    response.end("ok");
  });
}

/** Builds a stream that yields the given chunks, then closes. */
function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

const streamInit = { duplex: "half" } as RequestInit;

describe.concurrent("node fetch requests", () => {
  it("sends method, path, query and record headers", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);

    const response = await nodeFetch(`${server.url}/v1/models?page=2&size=10`, {
      method: "delete",
      headers: { "X-Custom": " value ", Accept: "application/json" },
    });

    expect(await response.text()).toBe("ok");
    const received = server.requests[0]!;
    expect(received.method).toBe("DELETE");
    expect(received.path).toBe("/v1/models?page=2&size=10");
    expect(received.headers["x-custom"]).toBe("value");
    expect(received.headers.accept).toBe("application/json");
  });

  it("accepts Headers, header pairs, URL and Request", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);

    await nodeFetch(new URL(`${server.url}/a`), { headers: new Headers({ "x-one": "1" }) });
    await nodeFetch(`${server.url}/b`, {
      headers: [
        ["x-two", "2"],
        ["X-Two", "3"],
      ],
    });
    await nodeFetch(new Request(`${server.url}/c`, { method: "PUT", body: "from request" }));

    expect(server.requests.map((request) => request.path)).toEqual(["/a", "/b", "/c"]);
    expect(server.requests[0]!.headers["x-one"]).toBe("1");
    expect(server.requests[1]!.headers["x-two"]).toBe("2, 3");
    expect(server.requests[2]!.method).toBe("PUT");
    expect(server.requests[2]!.body.toString()).toBe("from request");
  });

  it("requests compression unless caller chose", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);

    await nodeFetch(server.url);
    await nodeFetch(server.url, { headers: { "accept-encoding": "identity" } });

    expect(server.requests[0]!.headers["accept-encoding"]).toBe("gzip, deflate, br");
    expect(server.requests[0]!.headers.accept).toBe("*/*");
    expect(server.requests[1]!.headers["accept-encoding"]).toBe("identity");
  });

  it("sends byte bodies with their length", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const bodies: Array<[string, BodyInit]> = [
      ["Uint8Array", bytes],
      ["ArrayBuffer", bytes.slice().buffer],
      ["DataView", new DataView(bytes.buffer, 1, 3)],
    ];

    for (const [, body] of bodies) {
      await nodeFetch(server.url, { method: "POST", body });
    }

    const sent = server.requests.map((request) => [...request.body]);
    expect(sent).toEqual([
      [0, 1, 2, 250, 255],
      [0, 1, 2, 250, 255],
      [1, 2, 250],
    ]);
    const lengths = server.requests.map((request) => request.headers["content-length"]);
    expect(lengths).toEqual(["5", "5", "3"]);
    expect(server.requests[0]!.headers["transfer-encoding"]).toBeUndefined();
  });

  it("encodes text bodies as UTF-8", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);

    await nodeFetch(server.url, { method: "POST", body: "héllo" });
    await nodeFetch(server.url, {
      method: "POST",
      body: '{"a":1}',
      headers: { "content-type": "application/json" },
    });
    await nodeFetch(server.url, { method: "POST", body: new URLSearchParams({ q: "a b" }) });

    const [text, json, form] = server.requests;
    expect(text!.body.toString("utf8")).toBe("héllo");
    expect(text!.headers["content-length"]).toBe("6");
    expect(text!.headers["content-type"]).toBe("text/plain;charset=UTF-8");
    expect(json!.headers["content-type"]).toBe("application/json");
    expect(form!.body.toString()).toBe("q=a+b");
    expect(form!.headers["content-type"]).toBe("application/x-www-form-urlencoded;charset=UTF-8");
  });

  it("sends a zero length for POST without body", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);

    await nodeFetch(server.url, { method: "POST" });
    await nodeFetch(server.url);

    expect(server.requests[0]!.headers["content-length"]).toBe("0");
    expect(server.requests[1]!.headers["content-length"]).toBeUndefined();
    expect(server.requests[1]!.headers["transfer-encoding"]).toBeUndefined();
  });

  it("sends a Blob with its type and size", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);

    await nodeFetch(server.url, {
      method: "POST",
      body: new Blob(["line one\n", "line two\n"], { type: "application/jsonl" }),
    });

    const received = server.requests[0]!;
    expect(received.body.toString()).toBe("line one\nline two\n");
    expect(received.headers["content-type"]).toBe("application/jsonl");
    expect(received.headers["content-length"]).toBe("18");
  });

  it("encodes FormData as multipart with its boundary", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);
    const form = new FormData();
    form.append("purpose", "fine-tune");
    form.append("file", new Blob(['{"text":"a"}\n'], { type: "application/jsonl" }), "data.jsonl");

    await nodeFetch(server.url, { method: "POST", body: form });

    const received = server.requests[0]!;
    const contentType = received.headers["content-type"] ?? "";
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    // Parsing the bytes back proves the boundary in the header matches the one in the body.
    const parsed = await new Response(new Uint8Array(received.body), {
      headers: { "content-type": contentType },
    }).formData();
    expect(parsed.get("purpose")).toBe("fine-tune");
    const file = parsed.get("file") as File;
    expect(file.name).toBe("data.jsonl");
    expect(await file.text()).toBe('{"text":"a"}\n');
  });

  it("streams a body chunk by chunk", async (context) => {
    const arrivals: string[] = [];
    const server = await startTestServer(
      context,
      async (request, response) => {
        for await (const chunk of request) arrivals.push(String(chunk));
        response.end("done");
      },
      { readBody: false },
    );
    const nodeFetch = nodeFetchFor(context);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode("first"));
        await released;
        controller.enqueue(encoder.encode("second"));
        controller.close();
      },
    });

    const pending = nodeFetch(server.url, { method: "POST", body, ...streamInit });
    // The first chunk reaches the server while the stream is still open.
    await expect.poll(() => arrivals.join("")).toBe("first");
    release();
    const response = await pending;

    expect(await response.text()).toBe("done");
    expect(arrivals.join("")).toBe("firstsecond");
  });

  it("sends a stream chunked, without a length", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);
    const body = streamOf([new Uint8Array([1, 2]), new Uint8Array([3])]);

    await nodeFetch(server.url, { method: "POST", body, ...streamInit });

    const received = server.requests[0]!;
    expect([...received.body]).toEqual([1, 2, 3]);
    expect(received.headers["transfer-encoding"]).toBe("chunked");
    expect(received.headers["content-length"]).toBeUndefined();
  });

  it("sends a stream with the caller's length", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);
    const body = streamOf([new Uint8Array([1, 2]), new Uint8Array([3])]);

    await nodeFetch(server.url, {
      method: "POST",
      body,
      headers: { "content-length": "3" },
      ...streamInit,
    });

    const received = server.requests[0]!;
    expect([...received.body]).toEqual([1, 2, 3]);
    expect(received.headers["content-length"]).toBe("3");
    expect(received.headers["transfer-encoding"]).toBeUndefined();
  });

  it("rejects a stream shorter than its length", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);
    const body = streamOf([new Uint8Array([1, 2]), new Uint8Array([3])]);

    const sent = nodeFetch(server.url, {
      method: "POST",
      body,
      headers: { "content-length": "99" },
      ...streamInit,
    });

    await expect(sent).rejects.toThrow();
  });

  it("rejects a length that is not a byte count", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);
    const body = streamOf([new Uint8Array([1])]);

    const sent = nodeFetch(server.url, {
      method: "POST",
      body,
      headers: { "content-length": "1.0" },
      ...streamInit,
    });

    await expect(sent).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it("applies backpressure to stream uploads", async (context) => {
    let serverReading = false;
    const server = await startTestServer(
      context,
      async (request, response) => {
        await delay(300);
        serverReading = true;
        for await (const _chunk of request) {
          // Drains the upload.
        }
        response.end("done");
      },
      { readBody: false },
    );
    const nodeFetch = nodeFetchFor(context);
    const chunk = new Uint8Array(64 * 1024);
    let pulledBytes = 0;
    let pulledBeforeServerRead = 0;
    const totalBytes = 256 * 1024 * 1024;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!serverReading) pulledBeforeServerRead = pulledBytes;
        if (pulledBytes >= totalBytes) {
          controller.close();
          return;
        }

        pulledBytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });

    const response = await nodeFetch(server.url, { method: "POST", body, ...streamInit });

    expect(await response.text()).toBe("done");
    expect(pulledBytes).toBe(totalBytes);
    // Socket buffers take some megabytes; an upload read without backpressure would take it all.
    expect(pulledBeforeServerRead).toBeLessThan(64 * 1024 * 1024);
  });

  it("rejects when the body stream fails", async (context) => {
    const server = await startTestServer(context, (_request, response) => {
      response.end("ok");
    });
    const nodeFetch = nodeFetchFor(context);
    const failure = new Error("disk read failed");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1]));
        controller.error(failure);
      },
    });

    const error = await captureRejection(
      nodeFetch(server.url, { method: "POST", body, ...streamInit }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).cause).toBe(failure);
  });

  it("rejects what fetch rejects", async (context) => {
    const nodeFetch = nodeFetchFor(context);
    const body = streamOf([new Uint8Array([1])]);
    const cases: Array<[string, Promise<unknown>]> = [
      ["stream without duplex", nodeFetch("http://127.0.0.1:9/", { method: "POST", body })],
      ["GET with body", nodeFetch("http://127.0.0.1:9/", { body: "x" })],
      ["credentials in URL", nodeFetch("http://user:secret@127.0.0.1:9/")],
      ["file URL", nodeFetch("file:///etc/passwd")],
      ["invalid URL", nodeFetch("not a url")],
      ["CONNECT method", nodeFetch("http://127.0.0.1:9/", { method: "CONNECT" })],
    ];

    for (const [name, pending] of cases) {
      const error = await captureRejection(pending);
      expect(error, name).toBeInstanceOf(TypeError);
    }
  });
});
