import type { TestContext } from "vitest";
import { describe, expect, it } from "vitest";
import { captureRejection } from "../helpers/error-capture.js";
import { delay, startTestServer, type TestServer } from "../node/http-server.js";
import { undiciFetchFor } from "./undici-fetch-for.js";

/** Starts a server that responds `ok` to every request, for tests of what was sent. */
function startEchoServer(context: TestContext): Promise<TestServer> {
  return startTestServer(context, (_request, response) => {
    response.end("ok");
  });
}

/** Starts a server that reads each request to its end or error, then responds `ok`. */
function startDrainingServer(context: TestContext): Promise<TestServer> {
  return startTestServer(
    context,
    (request, response) => {
      // An upload that fails midway reaches the server as an aborted request.
      request.on("error", () => {});
      request.on("end", () => response.end("ok"));
      request.resume();
    },
    { readBody: false },
  );
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

/** Creates a Blob whose `size` reports `size` bytes while its stream yields `contentSize`. */
function misreportedBlob(size: number, contentSize: number): Blob {
  const blob = new Blob([new Uint8Array(contentSize).fill(0x61)]);
  Object.defineProperty(blob, "size", { value: size });
  return blob;
}

const streamInit = { duplex: "half" } as RequestInit;

describe.concurrent("undici fetch requests", () => {
  it("sends method, path, query and record headers", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);

    const response = await undiciFetch(`${server.url}/v1/models?page=2&size=10`, {
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
    const undiciFetch = undiciFetchFor(context);

    await undiciFetch(new URL(`${server.url}/a`), { headers: new Headers({ "x-one": "1" }) });
    await undiciFetch(`${server.url}/b`, {
      headers: [
        ["x-two", "2"],
        ["X-Two", "3"],
      ],
    });
    await undiciFetch(new Request(`${server.url}/c`, { method: "PUT", body: "from request" }));

    expect(server.requests.map((request) => request.path)).toEqual(["/a", "/b", "/c"]);
    expect(server.requests[0]!.headers["x-one"]).toBe("1");
    expect(server.requests[1]!.headers["x-two"]).toBe("2, 3");
    expect(server.requests[2]!.method).toBe("PUT");
    expect(server.requests[2]!.body.toString()).toBe("from request");
  });

  it("requests compression unless caller chose", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);

    await undiciFetch(server.url);
    await undiciFetch(server.url, { headers: { "accept-encoding": "identity" } });

    expect(server.requests[0]!.headers["accept-encoding"]).toBe("gzip, deflate, br");
    expect(server.requests[0]!.headers.accept).toBe("*/*");
    expect(server.requests[1]!.headers["accept-encoding"]).toBe("identity");
  });

  it("sends byte bodies with their length", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const bodies: BodyInit[] = [bytes, bytes.slice().buffer, new DataView(bytes.buffer, 1, 3)];

    for (const body of bodies) {
      await undiciFetch(server.url, { method: "POST", body });
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
    const undiciFetch = undiciFetchFor(context);

    await undiciFetch(server.url, { method: "POST", body: "héllo" });
    await undiciFetch(server.url, {
      method: "POST",
      body: '{"a":1}',
      headers: { "content-type": "application/json" },
    });
    await undiciFetch(server.url, { method: "POST", body: new URLSearchParams({ q: "a b" }) });

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
    const undiciFetch = undiciFetchFor(context);

    await undiciFetch(server.url, { method: "POST" });
    await undiciFetch(server.url, { method: "POST", body: "" });
    await undiciFetch(server.url);

    expect(server.requests[0]!.headers["content-length"]).toBe("0");
    expect(server.requests[1]!.headers["content-length"]).toBe("0");
    expect(server.requests[2]!.headers["content-length"]).toBeUndefined();
    expect(server.requests[2]!.headers["transfer-encoding"]).toBeUndefined();
  });

  it("sends a Blob with its type and size", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);

    await undiciFetch(server.url, {
      method: "POST",
      body: new Blob(["line one\n", "line two\n"], { type: "application/jsonl" }),
    });
    await undiciFetch(server.url, { method: "POST", body: new Blob([]) });

    const [lines, empty] = server.requests;
    expect(lines!.body.toString()).toBe("line one\nline two\n");
    expect(lines!.headers["content-type"]).toBe("application/jsonl");
    expect(lines!.headers["content-length"]).toBe("18");
    expect(empty!.body.byteLength).toBe(0);
    expect(empty!.headers["content-length"]).toBe("0");
  });

  it("encodes FormData with content-length", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);
    const form = new FormData();
    form.append("purpose", "fine-tune");
    form.append("file", new Blob(['{"text":"a"}\n'], { type: "application/jsonl" }), "data.jsonl");

    await undiciFetch(server.url, { method: "POST", body: form });

    const received = server.requests[0]!;
    const contentType = received.headers["content-type"] ?? "";
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(received.headers["content-length"]).toBe(String(received.body.byteLength));
    expect(received.headers["transfer-encoding"]).toBeUndefined();
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
    const undiciFetch = undiciFetchFor(context);
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

    const pending = undiciFetch(server.url, { method: "POST", body, ...streamInit });
    // The first chunk reaches the server while the stream is still open.
    await expect.poll(() => arrivals.join("")).toBe("first");
    release();
    const response = await pending;

    expect(await response.text()).toBe("done");
    expect(arrivals.join("")).toBe("firstsecond");
  });

  it("sends a stream chunked, without a length", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);
    const body = streamOf([new Uint8Array([1, 2]), new Uint8Array([3])]);

    await undiciFetch(server.url, { method: "POST", body, ...streamInit });

    const received = server.requests[0]!;
    expect([...received.body]).toEqual([1, 2, 3]);
    expect(received.headers["transfer-encoding"]).toBe("chunked");
    expect(received.headers["content-length"]).toBeUndefined();
  });

  it("sends a stream with the caller's length", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);
    const body = streamOf([new Uint8Array([1, 2]), new Uint8Array([3])]);

    await undiciFetch(server.url, {
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

  it("rejects a stream of the wrong length", async (context) => {
    const server = await startDrainingServer(context);
    const undiciFetch = undiciFetchFor(context);
    const cases: Array<[string, RegExp]> = [
      ["99", /^The request body ended after 3 bytes, short of its content-length of 99$/],
      ["2", /^The request body yielded at least 3 bytes, more than its content-length of 2$/],
    ];

    for (const [length, message] of cases) {
      const body = streamOf([new Uint8Array([1, 2]), new Uint8Array([3])]);

      const error = await captureRejection(
        undiciFetch(server.url, {
          method: "POST",
          body,
          headers: { "content-length": length },
          ...streamInit,
        }),
      );

      expect(error, length).toBeInstanceOf(TypeError);
      expect(((error as Error).cause as Error).message, length).toMatch(message);
    }
  });

  it("rejects a length that is not a byte count", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);
    const body = streamOf([new Uint8Array([1])]);

    const error = await captureRejection(
      undiciFetch(server.url, {
        method: "POST",
        body,
        headers: { "content-length": "1.0" },
        ...streamInit,
      }),
    );

    expect(error).toBeInstanceOf(TypeError);
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
    const undiciFetch = undiciFetchFor(context);
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

    const response = await undiciFetch(server.url, { method: "POST", body, ...streamInit });

    expect(await response.text()).toBe("done");
    expect(pulledBytes).toBe(totalBytes);
    // Socket buffers take some megabytes; an upload read without backpressure would take it all.
    expect(pulledBeforeServerRead).toBeLessThan(64 * 1024 * 1024);
  });

  it("rejects when the body stream fails", async (context) => {
    const server = await startDrainingServer(context);
    const undiciFetch = undiciFetchFor(context);
    const failure = new Error("disk read failed");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1]));
        controller.error(failure);
      },
    });

    const error = await captureRejection(
      undiciFetch(server.url, { method: "POST", body, ...streamInit }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).cause).toBe(failure);
  });

  it("rejects a stream of non-byte chunks", async (context) => {
    const server = await startDrainingServer(context);
    const undiciFetch = undiciFetchFor(context);
    const body = new ReadableStream<unknown>({
      start(controller) {
        controller.enqueue("text is not bytes");
        controller.close();
      },
    });

    const error = await captureRejection(
      undiciFetch(server.url, { method: "POST", body: body as ReadableStream, ...streamInit }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as Error).message).toContain("Uint8Array chunks");
  });

  it("rejects a Blob body of wrong size", async (context) => {
    const server = await startDrainingServer(context);
    const undiciFetch = undiciFetchFor(context);
    const cases: Array<[number, RegExp]> = [
      [80, /^The request body ended after 80 bytes, short of its content-length of 100$/],
      [120, /^The request body yielded at least 120 bytes, more than its content-length of 100$/],
    ];

    for (const [contentSize, message] of cases) {
      const body = misreportedBlob(100, contentSize);

      const error = await captureRejection(undiciFetch(server.url, { method: "POST", body }));

      expect(error, String(contentSize)).toBeInstanceOf(TypeError);
      expect(((error as Error).cause as Error).message, String(contentSize)).toMatch(message);
    }
  });

  it("rejects what fetch rejects", async (context) => {
    const undiciFetch = undiciFetchFor(context);
    const body = streamOf([new Uint8Array([1])]);
    const cases: Array<[string, Promise<unknown>]> = [
      ["stream without duplex", undiciFetch("http://127.0.0.1:9/", { method: "POST", body })],
      ["GET with body", undiciFetch("http://127.0.0.1:9/", { body: "x" })],
      ["credentials in URL", undiciFetch("http://user:secret@127.0.0.1:9/")],
      ["file URL", undiciFetch("file:///etc/passwd")],
      ["invalid URL", undiciFetch("not a url")],
      ["CONNECT method", undiciFetch("http://127.0.0.1:9/", { method: "CONNECT" })],
    ];

    for (const [name, pending] of cases) {
      const error = await captureRejection(pending);
      expect(error, name).toBeInstanceOf(TypeError);
    }
  });

  it("rejects a header undici cannot send", async (context) => {
    const server = await startEchoServer(context);
    const undiciFetch = undiciFetchFor(context);

    const error = await captureRejection(
      undiciFetch(server.url, { headers: { "transfer-encoding": "gzip" } }),
    );

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("transfer-encoding");
    expect(server.requests).toHaveLength(0);
  });
});
