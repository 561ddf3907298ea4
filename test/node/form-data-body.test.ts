import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "vitest";
import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import { encodeFormData } from "../../src/node/form-data-body.js";
import type { RequestBody } from "../../src/node/request-body.js";
import { audioRoutes } from "../../src/testing/routes/audio.js";
import { filesRoutes } from "../../src/testing/routes/files.js";
import { captureRejection } from "../helpers/error-capture.js";
import { startLoopbackServer } from "../helpers/loopback-fixture.js";
import { delay, nodeFetchFor, startTestServer, type TestServer } from "./http-server.js";

const apiKey = "sk-test-CANARY-form-9e41b2c7";
const mebibyte = 1024 * 1024;

/**
 * A File whose content is generated as its stream is read, never held whole. It records how it
 * is read, fails if read in one piece, and can declare a `size` other than what its stream yields.
 */
class GeneratedFile extends File {
  readonly chunkSize: number;
  readonly contentSize: number;
  /** Chunks and bytes taken from streams returned by `stream()`. */
  pulls = 0;
  pulledBytes = 0;

  constructor(name: string, options: { size: number; contentSize?: number; chunkSize?: number }) {
    super([], name, { type: "application/octet-stream" });
    this.contentSize = options.contentSize ?? options.size;
    this.chunkSize = options.chunkSize ?? 64 * 1024;
    // `size` is a getter of Blob.prototype, so an own property shadows it.
    Object.defineProperty(this, "size", { value: options.size });
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    // Every chunk is a view of the same bytes, which no reader mutates.
    const pattern = new Uint8Array(this.chunkSize).fill(0x61);
    let remaining = this.contentSize;
    return new ReadableStream({
      pull: (controller) => {
        if (remaining === 0) {
          controller.close();
          return;
        }

        const chunk = pattern.subarray(0, Math.min(remaining, this.chunkSize));
        remaining -= chunk.byteLength;
        this.pulls += 1;
        this.pulledBytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    throw new Error("The file was read whole with arrayBuffer()");
  }

  override text(): Promise<string> {
    throw new Error("The file was read whole with text()");
  }

  override slice(): Blob {
    throw new Error("The file was copied with slice()");
  }
}

/** Reads a body's stream to its end and returns the bytes and the size of each chunk. */
async function readBody(body: RequestBody): Promise<{ bytes: Buffer; chunkSizes: number[] }> {
  const chunks: Uint8Array[] = [];
  const reader = body.stream!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }

  return { bytes: Buffer.concat(chunks), chunkSizes: chunks.map((chunk) => chunk.byteLength) };
}

function boundaryOf(contentType: string): string {
  return contentType.slice(contentType.indexOf("boundary=") + "boundary=".length);
}

/** Parses multipart bytes with Node's own form parser (undici). */
function parseForm(bytes: Uint8Array, contentType: string): Promise<FormData> {
  return new Response(new Uint8Array(bytes), {
    headers: { "content-type": contentType },
  }).formData();
}

/** Builds a form with non-ASCII text, every kind of line break, a Blob and an oddly named File. */
function sampleForm(): FormData {
  const form = new FormData();
  form.append("purpose", "fine-tune");
  form.append("note", "héllo wörld ✓\nline two\rline three\r\nend");
  form.append("data", new Blob([new Uint8Array([0, 1, 2, 0xff])]));
  form.append(
    "file",
    new File(['{"a":1}\n'], 'say "hi"\nnow.jsonl', { type: "application/jsonl" }),
  );
  return form;
}

/** Starts a server that reads every upload to its end, then responds `ok`. */
function startEchoServer(context: TestContext): Promise<TestServer> {
  return startTestServer(context, (_request, response) => {
    response.end("ok");
  });
}

/**
 * Starts a server that drains each upload and responds only once the body ended. A client that
 * sent fewer bytes than its content-length and then waited would hang here.
 */
function startDrainingServer(context: TestContext): Promise<TestServer> {
  return startTestServer(
    context,
    (request, response) => {
      request.on("error", () => {});
      request.on("end", () => response.end("ok"));
      request.resume();
    },
    { readBody: false },
  );
}

describe.concurrent("FormData encoding", () => {
  it("encodes exact bytes and length", async () => {
    const body = encodeFormData(sampleForm());
    const contentType = body.contentType ?? "";
    const boundary = boundaryOf(contentType);
    const { bytes } = await readBody(body);

    const expected = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\n` +
          'Content-Disposition: form-data; name="purpose"\r\n\r\n' +
          "fine-tune\r\n" +
          `--${boundary}\r\n` +
          'Content-Disposition: form-data; name="note"\r\n\r\n' +
          "héllo wörld ✓\r\nline two\r\nline three\r\nend\r\n" +
          `--${boundary}\r\n` +
          'Content-Disposition: form-data; name="data"; filename="blob"\r\n' +
          "Content-Type: application/octet-stream\r\n\r\n",
        "utf8",
      ),
      Buffer.from([0, 1, 2, 0xff]),
      Buffer.from(
        "\r\n" +
          `--${boundary}\r\n` +
          'Content-Disposition: form-data; name="file"; filename="say %22hi%22%0Anow.jsonl"\r\n' +
          "Content-Type: application/jsonl\r\n\r\n" +
          '{"a":1}\n\r\n' +
          `--${boundary}--\r\n`,
        "utf8",
      ),
    ]);
    expect(contentType).toBe(`multipart/form-data; boundary=${boundary}`);
    expect(bytes.toString("latin1")).toBe(expected.toString("latin1"));
    expect(body.length).toBe(expected.byteLength);
    expect(body.bytes).toBeUndefined();
  });

  it("picks a fresh valid boundary", () => {
    const first = boundaryOf(encodeFormData(new FormData()).contentType ?? "");
    const second = boundaryOf(encodeFormData(new FormData()).contentType ?? "");

    // RFC 2046: 1 to 70 characters from a restricted set, not ending in a space.
    expect(first).toMatch(/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).not.toBe(first);
  });

  it("escapes and normalizes field names", async () => {
    const form = new FormData();
    form.append('a"b\nc\rd', "value");
    const body = encodeFormData(form);

    const { bytes } = await readBody(body);

    // The name's line breaks become CRLF first, then every CR and LF is escaped.
    expect(bytes.toString("utf8")).toContain('name="a%22b%0D%0Ac%0D%0Ad"\r\n');
  });

  it("encodes an empty form as its closing delimiter", async () => {
    const body = encodeFormData(new FormData());
    const boundary = boundaryOf(body.contentType ?? "");

    const { bytes } = await readBody(body);

    expect(bytes.toString("latin1")).toBe(`--${boundary}--\r\n`);
    expect(body.length).toBe(bytes.byteLength);
  });

  it("matches Node's fetch encoding", async () => {
    const form = sampleForm();
    const ours = encodeFormData(form);
    const fetchEncoded = new Response(form);
    const fetchType = fetchEncoded.headers.get("content-type") ?? "";

    const ourBytes = (await readBody(ours)).bytes.toString("latin1");
    const fetchBytes = Buffer.from(await fetchEncoded.arrayBuffer()).toString("latin1");

    const placeholder = "BOUNDARY";
    expect(ourBytes.replaceAll(boundaryOf(ours.contentType ?? ""), placeholder)).toBe(
      fetchBytes.replaceAll(boundaryOf(fetchType), placeholder),
    );
  });

  it("parses back as the same form", async () => {
    const body = encodeFormData(sampleForm());
    const { bytes } = await readBody(body);

    const parsed = await parseForm(bytes, body.contentType ?? "");

    expect(parsed.get("purpose")).toBe("fine-tune");
    expect(parsed.get("note")).toBe("héllo wörld ✓\r\nline two\r\nline three\r\nend");
    const data = parsed.get("data") as File;
    expect(data.name).toBe("blob");
    expect([...new Uint8Array(await data.arrayBuffer())]).toEqual([0, 1, 2, 0xff]);
    const file = parsed.get("file") as File;
    expect(file.name).toBe('say "hi"\nnow.jsonl');
    expect(file.type).toBe("application/jsonl");
    expect(await file.text()).toBe('{"a":1}\n');
  });

  it("keeps an empty file name a file", async () => {
    const form = new FormData();
    form.append("upload", new File([], ""));
    const body = encodeFormData(form);
    const { bytes } = await readBody(body);

    const parsed = await parseForm(bytes, body.contentType ?? "");

    expect(bytes.toString("utf8")).toContain('name="upload"; filename=""\r\n');
    expect(parsed.get("upload")).toBeInstanceOf(File);
  });

  it("reads a file chunk by chunk", async () => {
    const file = new GeneratedFile("big.bin", { size: 8 * mebibyte });
    const form = new FormData();
    form.append("file", file);
    const body = encodeFormData(form);
    const reader = body.stream!.getReader();

    expect(file.pulls).toBe(0);
    for (let read = 0; read < 10; read += 1) await reader.read();
    // The part header, then nine file chunks, with at most one more chunk read ahead.
    expect(file.pulledBytes).toBeLessThanOrEqual(10 * file.chunkSize);
    await reader.cancel();
  });

  it("streams every file chunk separately", async () => {
    const file = new GeneratedFile("big.bin", { size: 4 * mebibyte + 5 });
    const form = new FormData();
    form.append("file", file);
    const body = encodeFormData(form);

    const { bytes, chunkSizes } = await readBody(body);

    expect(bytes.byteLength).toBe(body.length);
    expect(Math.max(...chunkSizes)).toBe(file.chunkSize);
    expect(file.pulledBytes).toBe(file.size);
  });

  it("cancels the file stream with the body", async () => {
    let cancelReason: unknown;
    const file = new GeneratedFile("big.bin", { size: mebibyte });
    const stream = file.stream.bind(file);
    Object.defineProperty(file, "stream", {
      value: () => {
        const inner = stream().getReader();
        return new ReadableStream({
          pull: async (controller) => {
            const { done, value } = await inner.read();
            if (done) controller.close();
            else controller.enqueue(value);
          },
          cancel: (reason) => {
            cancelReason = reason;
          },
        });
      },
    });
    const form = new FormData();
    form.append("file", file);
    const reader = encodeFormData(form).stream!.getReader();

    await reader.read();
    await reader.read();
    await reader.cancel("stopped");

    expect(cancelReason).toBe("stopped");
  });

  it("fails when a file yields too many bytes", async () => {
    const form = new FormData();
    form.append("file", new GeneratedFile("grown.bin", { size: 10, contentSize: 12 }));

    const error = await captureRejection(readBody(encodeFormData(form)));

    expect((error as Error).message).toMatch(
      /^The file "grown.bin" of form field "file" has a size of 10 bytes, but its stream yielded at least 12 bytes/,
    );
  });

  it("fails when a file yields too few bytes", async () => {
    const form = new FormData();
    form.append("file", new GeneratedFile("shrunk.bin", { size: 10, contentSize: 8 }));

    const error = await captureRejection(readBody(encodeFormData(form)));

    expect((error as Error).message).toMatch(
      /has a size of 10 bytes, but its stream ended after 8/,
    );
  });
});

describe.concurrent("FormData over node transport", () => {
  it("sends content-length, not chunked", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);

    const response = await nodeFetch(server.url, { method: "POST", body: sampleForm() });

    expect(await response.text()).toBe("ok");
    const received = server.requests[0]!;
    expect(received.headers["transfer-encoding"]).toBeUndefined();
    expect(received.headers["content-length"]).toBe(String(received.body.byteLength));
    const contentType = received.headers["content-type"] ?? "";
    const parsed = await parseForm(received.body, contentType);
    expect(parsed.get("note")).toBe("héllo wörld ✓\r\nline two\r\nline three\r\nend");
    // Node's parser decodes the escapes, so the name comes back as it was.
    expect((parsed.get("file") as File).name).toBe('say "hi"\nnow.jsonl');
    expect(await (parsed.get("file") as File).text()).toBe('{"a":1}\n');
  });

  it("keeps a caller's content type", async (context) => {
    const server = await startEchoServer(context);
    const nodeFetch = nodeFetchFor(context);

    await nodeFetch(server.url, {
      method: "POST",
      body: sampleForm(),
      headers: { "content-type": "multipart/form-data; boundary=caller" },
    });

    expect(server.requests[0]!.headers["content-type"]).toBe(
      "multipart/form-data; boundary=caller",
    );
  });

  it("streams a large upload with backpressure", async (context) => {
    let serverReading = false;
    let receivedBytes = 0;
    let tail = "";
    const server = await startTestServer(
      context,
      async (request, response) => {
        await delay(300);
        serverReading = true;
        for await (const chunk of request as AsyncIterable<Buffer>) {
          receivedBytes += chunk.byteLength;
          tail = (tail + chunk.toString("latin1")).slice(-200);
        }

        response.end("done");
      },
      { readBody: false },
    );
    const nodeFetch = nodeFetchFor(context);
    const file = new GeneratedFile("big.bin", { size: 64 * mebibyte });
    let pulledBeforeServerRead = 0;
    const stream = file.stream.bind(file);
    Object.defineProperty(file, "stream", {
      value: () => {
        const inner = stream().getReader();
        return new ReadableStream({
          pull: async (controller) => {
            if (!serverReading) pulledBeforeServerRead = file.pulledBytes;
            const { done, value } = await inner.read();
            if (done) controller.close();
            else controller.enqueue(value);
          },
        });
      },
    });
    const form = new FormData();
    form.append("file", file);

    const response = await nodeFetch(server.url, { method: "POST", body: form });

    expect(await response.text()).toBe("done");
    const received = server.requests[0]!;
    expect(received.headers["content-length"]).toBe(String(receivedBytes));
    expect(received.headers["transfer-encoding"]).toBeUndefined();
    expect(receivedBytes).toBeGreaterThan(file.size);
    expect(tail).toMatch(/a\r\n--mistralai-ts-[0-9a-f]{32}--\r\n$/);
    // Socket buffers take some megabytes, but an upload read without backpressure takes it all.
    expect(pulledBeforeServerRead).toBeLessThan(32 * mebibyte);
  });

  it("rejects a file longer than its size", async (context) => {
    const server = await startDrainingServer(context);
    const nodeFetch = nodeFetchFor(context);
    const form = new FormData();
    form.append("purpose", "fine-tune");
    form.append("file", new GeneratedFile("grown.bin", { size: 100, contentSize: 120 }));

    const error = await captureRejection(nodeFetch(server.url, { method: "POST", body: form }));

    expect(error).toBeInstanceOf(TypeError);
    const cause = (error as Error).cause as Error;
    expect(cause.message).toMatch(/"grown.bin" .* size of 100 bytes, but its stream yielded/);
  });

  it("rejects a file shorter than its size", async (context) => {
    const server = await startDrainingServer(context);
    const nodeFetch = nodeFetchFor(context);
    const form = new FormData();
    form.append("file", new GeneratedFile("shrunk.bin", { size: 100, contentSize: 80 }));

    const error = await captureRejection(nodeFetch(server.url, { method: "POST", body: form }));

    expect(error).toBeInstanceOf(TypeError);
    const cause = (error as Error).cause as Error;
    expect(cause.message).toMatch(
      /"shrunk.bin" .* size of 100 bytes, but its stream ended after 80/,
    );
  });

  it("rejects a Blob body of wrong size", async (context) => {
    const server = await startDrainingServer(context);
    const nodeFetch = nodeFetchFor(context);
    const cases: Array<[number, RegExp]> = [
      [80, /^The request body ended after 80 bytes, short of its content-length of 100$/],
      [120, /^The request body yielded at least 120 bytes, more than its content-length of 100$/],
    ];

    for (const [contentSize, message] of cases) {
      const blob = new GeneratedFile("body.bin", { size: 100, contentSize, chunkSize: 40 });

      const error = await captureRejection(nodeFetch(server.url, { method: "POST", body: blob }));

      expect(error, String(contentSize)).toBeInstanceOf(TypeError);
      expect(((error as Error).cause as Error).message).toMatch(message);
    }
  });
});

describe.concurrent("client uploads on node transport", () => {
  /** Creates a client on the node transport, closed when the test finishes. */
  function nodeClient(context: TestContext, baseURL: string): MistralClient {
    return new MistralClient({ apiKey, baseURL, fetch: nodeFetchFor(context) });
  }

  /** Writes `size` bytes to a new temporary file, removed when the test finishes. */
  async function temporaryFile(context: TestContext, name: string, size: number) {
    const directory = await mkdtemp(join(tmpdir(), "form-data-body-"));
    context.onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, name);
    await writeFile(path, Buffer.alloc(size, 0x62));
    return path;
  }

  it("uploads a file with files.upload", async (context) => {
    const server = await startLoopbackServer(context, { apiKey, routes: filesRoutes });
    const client = nodeClient(context, server.url);
    const path = await temporaryFile(context, "train.jsonl", 3 * mebibyte);

    const file = await client.files.upload({ file: path, purpose: "fine-tune" });

    expect(file.bytes).toBe(3 * mebibyte);
    expect(file.filename).toBe("train.jsonl");
  });

  it("sends a transcription form with content-length", async (context) => {
    const server = await startLoopbackServer(context, { apiKey, routes: audioRoutes });
    const client = nodeClient(context, server.url);
    // A path is opened with fs.openAsBlob, so the file is read from disk as the form is sent.
    const path = await temporaryFile(context, "memo.mp3", 3 * mebibyte);

    const transcript = await client.audio.transcriptions.create({
      model: "voxtral-mini-latest",
      file: path,
    });

    expect(transcript.text).toContain(`The upload has ${3 * mebibyte} bytes.`);
    const received = server.requests[0]!;
    expect(received.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(received.headers["content-length"]).toBe(String(received.rawBody.byteLength));
    expect(received.headers["transfer-encoding"]).toBeUndefined();
  });
});
