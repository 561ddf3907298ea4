import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ClientOptions } from "../../src/core/client-options.js";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import {
  AbortError,
  NotFoundError,
  ResponseTooLargeError,
  TimeoutError,
  UnprocessableEntityError,
  ValidationError,
} from "../../src/index.js";
import { Files } from "../../src/resources/files.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { filesRoutes } from "../../src/testing/routes/files.js";
import { parseMultipartForm } from "../../src/testing/routes/files-multipart.js";
import type { UploadProgress } from "../../src/types/files.js";

const apiKey = "files-test-key";
const fileId = "0b6a9c1e-3f2d-4e5a-9b8c-7d6e5f4a3b21";

/** The 200 body of an OCR upload, with a `sample_type` the API reference does not list. */
const ocrUploadReply = `{"id":"${fileId}","object":"file","bytes":48213,"created_at":1764806400,"filename":"scan.pdf","purpose":"ocr","sample_type":"ocr_input","source":"upload","num_lines":null,"mimetype":"application/pdf","signature":null}`;

/** The 422 body of an unsupported OCR upload: `detail` is a sentence, not a list of issues. */
const zipRejectedReply = `{"detail":"Invalid file format.","message":"Received file with mimetype application/zip, only application/pdf, image/.*, application/vnd.openxmlformats-officedocument.wordprocessingml.document are currently supported"}`;

const pdfBytes = new TextEncoder().encode(
  "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n",
);

let server: MockMistralServer;
let files: Files;
let directory: string;

function createFiles(options: ClientOptions = {}): Files {
  const config = resolveConfig({ apiKey, baseURL: server.url, maxRetries: 0, ...options }, {});
  return new Files(new Transport(config, "mistralai-ts/test"));
}

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: filesRoutes });
  files = createFiles();
  directory = await mkdtemp(path.join(tmpdir(), "mistralai-files-"));
});

afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

beforeEach(() => {
  server.reset();
});

function lastRequest(): RecordedRequest {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error("The server received no request");
  return request;
}

function boundaryOf(request: RecordedRequest): string {
  const match = /^multipart\/form-data; boundary=([A-Za-z0-9-]+)$/.exec(
    request.headers["content-type"] ?? "",
  );
  if (match === null)
    throw new Error(`Not a multipart request: ${request.headers["content-type"]}`);
  return match[1]!;
}

function formOf(request: RecordedRequest) {
  const form = parseMultipartForm(request.headers["content-type"], request.rawBody);
  if ("error" in form) throw new Error(form.error);
  return form.parts;
}

function filePart(request: RecordedRequest) {
  const part = formOf(request).find((candidate) => candidate.name === "file");
  if (part === undefined) throw new Error("The upload has no file part");
  return part;
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

describe("files.upload multipart body", () => {
  it("matches the OCR upload byte for byte", async () => {
    server.enqueue({ match: { path: "/v1/files" }, body: ocrUploadReply });

    const file = await files.upload({
      file: { name: "scan.pdf", data: pdfBytes, type: "application/pdf" },
      purpose: "ocr",
    });

    const request = lastRequest();
    const boundary = boundaryOf(request);
    const expected = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\n` +
          'Content-Disposition: form-data; name="purpose"\r\n\r\n' +
          "ocr\r\n" +
          `--${boundary}\r\n` +
          'Content-Disposition: form-data; name="file"; filename="scan.pdf"\r\n' +
          "Content-Type: application/pdf\r\n\r\n",
      ),
      Buffer.from(pdfBytes),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/files");
    expect(request.rawBody.equals(expected)).toBe(true);
    expect(request.headers["content-type"]).not.toContain("application/json");
    expect(server.authorizationMatches(request)).toBe(true);
    expect(file.purpose).toBe("ocr");
    expect(file.sample_type).toBe("ocr_input");
    expect(file.num_lines).toBeNull();
    expect(file.signature).toBeNull();
    expect(file.bytes).toBe(48213);
    expect(file.requestId).toBe(request.headers["mistral-correlation-id"] ?? file.requestId);
  });

  it("uses a new random boundary per upload", async () => {
    await files.upload({ file: { name: "a.txt", data: "a" }, purpose: "batch" });
    await files.upload({ file: { name: "b.txt", data: "b" }, purpose: "batch" });

    const [first, second] = server.requests.map(boundaryOf);
    expect(first).not.toBe(second);
    expect(first!.length).toBeGreaterThanOrEqual(30);
  });

  it("sends an unknown purpose unchanged", async () => {
    const file = await files.upload({ file: { name: "talk.mp3", data: "ID3" }, purpose: "audio" });

    const purpose = formOf(lastRequest()).find((part) => part.name === "purpose");
    expect(purpose?.data.toString()).toBe("audio");
    expect(file.purpose).toBe("audio");
  });

  it("sends visibility and expiry before the file", async () => {
    await files.upload({
      file: { name: "train.jsonl", data: '{"messages":[]}\n' },
      purpose: "fine-tune",
      visibility: "user",
      expiry: 48,
    });

    const parts = formOf(lastRequest());
    expect(parts.map((part) => part.name)).toEqual(["purpose", "visibility", "expiry", "file"]);
    expect(parts[1]!.data.toString()).toBe("user");
    expect(parts[2]!.data.toString()).toBe("48");
  });

  it.each([
    ["scan.pdf", "application/pdf"],
    ["photo.PNG", "image/png"],
    ["photo.jpeg", "image/jpeg"],
    ["photo.jpg", "image/jpeg"],
    ["requests.jsonl", "application/jsonl"],
    ["data.json", "application/json"],
    ["notes.txt", "text/plain"],
    ["report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ["talk.mp3", "audio/mpeg"],
    ["talk.wav", "audio/wav"],
    ["archive.unknown", "application/octet-stream"],
    ["no-extension", "application/octet-stream"],
    ["odd.constructor", "application/octet-stream"],
  ])("infers the part type of %s", async (name, type) => {
    await files.upload({ file: { name, data: "x" }, purpose: "batch" });

    expect(filePart(lastRequest()).contentType).toBe(type);
  });

  it("prefers the caller's type to the extension", async () => {
    await files.upload({
      file: { name: "data.bin", data: "{}", type: "application/json" },
      purpose: "batch",
    });

    expect(filePart(lastRequest()).contentType).toBe("application/json");
  });

  it("escapes quotes and line breaks in file names", async () => {
    const name = 'bad"name\r\nContent-Type: text/html.pdf';
    await files.upload({ file: { name, data: "x" }, purpose: "ocr" });

    const raw = lastRequest().rawBody.toString("latin1");
    expect(raw).toContain('filename="bad%22name%0D%0AContent-Type: text/html.pdf"');
    expect(filePart(lastRequest()).filename).toBe(name);
    expect(filePart(lastRequest()).contentType).toBe("application/pdf");
  });

  it("keeps UTF-8 file names", async () => {
    await files.upload({ file: { name: "crème brûlée.txt", data: "x" }, purpose: "batch" });

    expect(filePart(lastRequest()).filename).toBe("crème brûlée.txt");
  });
});

describe("files.upload sources", () => {
  it("reads a path as a stream with its size", async () => {
    const file = path.join(directory, "requests.jsonl");
    const content = Buffer.from('{"custom_id":"0","body":{}}\n'.repeat(5000));
    await writeFile(file, content);
    const progress: UploadProgress[] = [];

    const uploaded = await files.upload({
      file,
      purpose: "batch",
      onProgress: (event) => progress.push(event),
    });

    const part = filePart(lastRequest());
    expect(part.filename).toBe("requests.jsonl");
    expect(part.contentType).toBe("application/jsonl");
    expect(part.data.equals(content)).toBe(true);
    expect(uploaded.bytes).toBe(content.byteLength);
    expect(uploaded.num_lines).toBe(5000);
    expect(progress.at(-1)).toEqual({
      sentBytes: lastRequest().rawBody.byteLength,
      totalBytes: lastRequest().rawBody.byteLength,
    });
  });

  it("renames a path upload with { path, name }", async () => {
    const file = path.join(directory, "tmp-1234.bin");
    await writeFile(file, "%PDF-1.4");

    await files.upload({ file: { path: file, name: "invoice.pdf" }, purpose: "ocr" });

    expect(filePart(lastRequest()).filename).toBe("invoice.pdf");
    expect(filePart(lastRequest()).contentType).toBe("application/pdf");
  });

  it("rejects a missing path before sending", async () => {
    const missing = path.join(directory, "absent.pdf");

    const upload = files.upload({ file: missing, purpose: "ocr" });

    await expect(upload).rejects.toThrow(ValidationError);
    await expect(upload).rejects.toThrow("does not exist");
    expect(server.requests).toHaveLength(0);
  });

  it("rejects a directory path", async () => {
    await expect(files.upload({ file: directory, purpose: "ocr" })).rejects.toThrow(
      "is not a regular file",
    );
  });

  it("sends a File with its name and type", async () => {
    const file = new File(["hello"], "greeting.txt", { type: "text/x-greeting" });

    await files.upload({ file, purpose: "batch" });

    const part = filePart(lastRequest());
    expect(part.filename).toBe("greeting.txt");
    expect(part.contentType).toBe("text/x-greeting");
    expect(part.data.toString()).toBe("hello");
  });

  it("sends a named Blob", async () => {
    const data = new Blob([pdfBytes], { type: "application/pdf" });

    await files.upload({ file: { name: "scan.pdf", data }, purpose: "ocr" });

    expect(filePart(lastRequest()).data.equals(Buffer.from(pdfBytes))).toBe(true);
  });

  it("sends an ArrayBuffer", async () => {
    await files.upload({
      file: { name: "a.bin", data: pdfBytes.slice().buffer },
      purpose: "batch",
    });

    expect(filePart(lastRequest()).data.equals(Buffer.from(pdfBytes))).toBe(true);
  });

  it("streams bytes in pieces and reports progress", async () => {
    const data = new Uint8Array(300 * 1024).map((_, index) => index % 251);
    const progress: UploadProgress[] = [];

    await files.upload({
      file: { name: "big.bin", data },
      purpose: "batch",
      onProgress: (event) => progress.push(event),
    });

    const total = lastRequest().rawBody.byteLength;
    expect(filePart(lastRequest()).data.equals(Buffer.from(data))).toBe(true);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.every((event) => event.totalBytes === total)).toBe(true);
    const sent = progress.map((event) => event.sentBytes);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(sent.at(-1)).toBe(total);
  });

  it("sends a web stream with a declared size", async () => {
    const chunks = [Buffer.from("first,"), Buffer.from("second,"), Buffer.from("third")];
    const progress: UploadProgress[] = [];

    await files.upload({
      file: { name: "parts.csv", data: streamOf(chunks), size: 18 },
      purpose: "batch",
      onProgress: (event) => progress.push(event),
    });

    expect(filePart(lastRequest()).data.toString()).toBe("first,second,third");
    expect(progress.at(-1)?.totalBytes).toBe(lastRequest().rawBody.byteLength);
  });

  it("sends a stream of unknown size", async () => {
    const progress: UploadProgress[] = [];

    await files.upload({
      file: { name: "parts.txt", data: streamOf([Buffer.from("a"), Buffer.from("b")]) },
      purpose: "batch",
      onProgress: (event) => progress.push(event),
    });

    expect(filePart(lastRequest()).data.toString()).toBe("ab");
    expect(progress.every((event) => event.totalBytes === undefined)).toBe(true);
    expect(progress.at(-1)?.sentBytes).toBe(lastRequest().rawBody.byteLength);
  });

  it("sends a known size as content-length", async () => {
    const file = path.join(directory, "sized.jsonl");
    await writeFile(file, "{}\n".repeat(100));

    await files.upload({ file, purpose: "batch" });

    const request = lastRequest();
    expect(request.headers["content-length"]).toBe(String(request.rawBody.byteLength));
    expect(request.headers["transfer-encoding"]).toBeUndefined();
  });

  it("sends an unknown size chunked", async () => {
    const data = streamOf([Buffer.from("a"), Buffer.from("b")]);

    await files.upload({ file: { name: "parts.txt", data }, purpose: "batch" });

    const request = lastRequest();
    expect(request.headers["content-length"]).toBeUndefined();
    expect(request.headers["transfer-encoding"]).toBe("chunked");
  });

  it("sends a Node readable", async () => {
    const data = Readable.from([Buffer.from("line 1\n"), "line 2\n"]);

    await files.upload({ file: { name: "lines.txt", data }, purpose: "batch" });

    expect(filePart(lastRequest()).data.toString()).toBe("line 1\nline 2\n");
  });

  it("fails when a stream is longer than its size", async () => {
    const data = streamOf([Buffer.from("12345"), Buffer.from("6789")]);

    const upload = files.upload({ file: { name: "a.txt", data, size: 5 }, purpose: "batch" });

    await expect(upload).rejects.toThrow(ValidationError);
    await expect(upload).rejects.toThrow("produced more than 5 bytes");
  });

  it("fails when a stream is shorter than its size", async () => {
    const data = streamOf([Buffer.from("123")]);

    const upload = files.upload({ file: { name: "a.txt", data, size: 5 }, purpose: "batch" });

    await expect(upload).rejects.toThrow("produced 3 bytes but its size is 5");
  });

  it("rethrows a source error instead of a connection error", async () => {
    const failure = new Error("disk unplugged");
    const data = new ReadableStream<Uint8Array>({
      pull() {
        throw failure;
      },
    });

    await expect(files.upload({ file: { name: "a.txt", data }, purpose: "batch" })).rejects.toBe(
      failure,
    );
  });
});

describe("files.upload abort", () => {
  it("aborts mid-body and cancels the source", async () => {
    const controller = new AbortController();
    let cancelled = false;
    let pulls = 0;
    const data = new ReadableStream<Uint8Array>({
      pull(stream) {
        pulls++;
        stream.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });

    const upload = files.upload(
      {
        file: { name: "endless.bin", data },
        purpose: "batch",
        onProgress: (progress) => {
          if (progress.sentBytes > 1024 * 1024) controller.abort();
        },
      },
      { signal: controller.signal },
    );

    await expect(upload).rejects.toThrow(AbortError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(100);
  });

  it("stops when onProgress throws", async () => {
    const failure = new Error("quota reached");

    const upload = files.upload({
      file: { name: "a.bin", data: new Uint8Array(200 * 1024) },
      purpose: "batch",
      onProgress: () => {
        throw failure;
      },
    });

    await expect(upload).rejects.toBe(failure);
  });
});

describe("files.upload checks", () => {
  it.each([
    ["missing purpose", { file: { name: "a.txt", data: "x" } }, "purpose"],
    ["empty purpose", { file: { name: "a.txt", data: "x" }, purpose: " " }, "purpose"],
    ["purpose with CRLF", { file: { name: "a.txt", data: "x" }, purpose: "ocr\r\nX" }, "purpose"],
    ["missing file", { purpose: "ocr" }, "file"],
    [
      "fractional expiry",
      { file: { name: "a.txt", data: "x" }, purpose: "ocr", expiry: 1.5 },
      "expiry",
    ],
    ["bytes without name", { file: pdfBytes, purpose: "ocr" }, "file"],
    ["Blob without name", { file: new Blob(["x"]), purpose: "ocr" }, "file"],
    ["stream without name", { file: streamOf([]), purpose: "ocr" }, "file"],
    ["empty name", { file: { name: "", data: "x" }, purpose: "ocr" }, "file.name"],
    [
      "type with CRLF",
      { file: { name: "a", data: "x", type: "a/b\r\nX: y" }, purpose: "ocr" },
      "file.type",
    ],
    ["number data", { file: { name: "a", data: 42 }, purpose: "ocr" }, "file.data"],
    [
      "negative size",
      { file: { name: "a", data: streamOf([]), size: -1 }, purpose: "ocr" },
      "file.size",
    ],
  ])("rejects %s", async (_, request, problemPath) => {
    const error = await files.upload(request as never).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toContain(
      problemPath,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe("files.upload errors", () => {
  it("reads a 422 whose detail is a sentence", async () => {
    server.enqueue({ match: { path: "/v1/files" }, status: 422, body: zipRejectedReply });

    const error = await files
      .upload({ file: { name: "data.zip", data: "PK", type: "application/zip" }, purpose: "ocr" })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnprocessableEntityError);
    const apiError = error as UnprocessableEntityError;
    expect(apiError.status).toBe(422);
    expect(apiError.kind).toBe("unprocessable_entity");
    expect(apiError.message).toContain("Invalid file format.");
    expect(apiError.message).toContain("application/zip");
    expect(apiError.issues.length).toBeLessThanOrEqual(1);
    expect(filePart(lastRequest()).contentType).toBe("application/zip");
    expect(filePart(lastRequest()).filename).toBe("data.zip");
  });

  it("does not retry a 422", async () => {
    server.enqueue({ match: { path: "/v1/files" }, status: 422, body: zipRejectedReply });
    const retrying = createFiles({ maxRetries: 2 });

    await expect(
      retrying.upload({ file: { name: "data.zip", data: "PK" }, purpose: "ocr" }),
    ).rejects.toThrow(UnprocessableEntityError);
    expect(server.requests).toHaveLength(1);
  });

  it("does not resend a streamed body after a 503", async () => {
    server.enqueue({ match: { path: "/v1/files" }, status: 503, body: { message: "busy" } });
    const retrying = createFiles({ maxRetries: 2 });

    const upload = retrying.upload({ file: { name: "a.txt", data: "a" }, purpose: "batch" });

    await expect(upload).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(1);
  });

  it("gets a 422 from the default route for an OCR zip", async () => {
    const upload = files.upload({ file: { name: "data.zip", data: "PK" }, purpose: "ocr" });

    await expect(upload).rejects.toThrow(UnprocessableEntityError);
    await expect(upload).rejects.toThrow("Invalid file format.");
  });
});

describe("files.list", () => {
  it("sends the filters under the API's query names", async () => {
    await files
      .list({
        page: 2,
        page_size: 5,
        include_total: false,
        purpose: "batch",
        sample_type: ["batch_result", "batch_error"],
        source: "mistral",
        search: "output",
        mimetypes: ["application/jsonl"],
      })
      .page();

    const request = lastRequest();
    expect(request.method).toBe("GET");
    expect(request.path).toBe("/v1/files");
    const query = new URLSearchParams(request.url.split("?")[1]);
    expect([...query]).toEqual([
      ["include_total", "false"],
      ["purpose", "batch"],
      ["search", "output"],
      ["sample_type", "batch_result"],
      ["sample_type", "batch_error"],
      ["source", "mistral"],
      ["mimetypes", "application/jsonl"],
      ["page", "2"],
      ["page_size", "5"],
    ]);
  });

  it("iterates every page lazily", async () => {
    for (let index = 0; index < 5; index++) {
      await files.upload({ file: { name: `file-${index}.jsonl`, data: "{}" }, purpose: "batch" });
    }

    await files.upload({ file: { name: "scan.pdf", data: pdfBytes }, purpose: "ocr" });
    server.requests.length = 0;

    const names: string[] = [];
    for await (const file of files.list({ purpose: "batch", page_size: 2 })) {
      names.push(file.filename);
    }

    expect(names.sort()).toEqual([0, 1, 2, 3, 4].map((index) => `file-${index}.jsonl`));
    expect(server.requests.map((request) => request.query.page)).toEqual(["0", "1", "2"]);
  });

  it("reads one page with its total", async () => {
    await files.upload({ file: { name: "a.txt", data: "a" }, purpose: "batch" });
    await files.upload({ file: { name: "b.txt", data: "b" }, purpose: "batch" });

    const page = await files.list({ page_size: 1 }).page();

    expect(page.items).toHaveLength(1);
    expect(page.total).toBe(2);
    expect(page.hasMore).toBe(true);
  });

  it("rejects a bad page size before sending", () => {
    expect(() => files.list({ page_size: 0 })).toThrow(ValidationError);
    expect(() => files.list({ page: -1 })).toThrow(ValidationError);
  });
});

describe("files metadata, content and deletion", () => {
  it("retrieves metadata only", async () => {
    const uploaded = await files.upload({
      file: { name: "out.jsonl", data: '{"a":1}' },
      purpose: "batch",
    });

    const file = await files.retrieve(uploaded.id);

    expect(lastRequest().method).toBe("GET");
    expect(lastRequest().path).toBe(`/v1/files/${uploaded.id}`);
    expect(file.id).toBe(uploaded.id);
    expect(file.deleted).toBe(false);
    expect(file.filename).toBe("out.jsonl");
    expect(file).not.toHaveProperty("content");
  });

  it("downloads the content as a stream", async () => {
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const uploaded = await files.upload({
      file: { name: "big.bin", data: content },
      purpose: "batch",
    });

    const download = await files.download(uploaded.id);
    let received = 0;
    let reads = 0;
    for await (const chunk of chunksOf(download.body)) {
      received += chunk.byteLength;
      reads++;
    }

    const request = lastRequest();
    expect(request.path).toBe(`/v1/files/${uploaded.id}/content`);
    expect(request.headers.accept).toBe("*/*");
    expect(download.contentType).toBe("application/octet-stream");
    expect(download.contentLength).toBe(content.byteLength);
    expect(received).toBe(content.byteLength);
    expect(reads).toBeGreaterThan(1);
  });

  it("reads the content as text and bytes", async () => {
    const uploaded = await files.upload({
      file: { name: "a.txt", data: "Comté ✓" },
      purpose: "batch",
    });

    const text = await (await files.download(uploaded.id)).text();
    const bytes = await (await files.download(uploaded.id)).arrayBuffer();

    expect(text).toBe("Comté ✓");
    expect(Buffer.from(bytes).equals(Buffer.from("Comté ✓"))).toBe(true);
  });

  it("bounds text() by maxResponseBytes", async () => {
    const uploaded = await files.upload({
      file: { name: "a.bin", data: new Uint8Array(4096) },
      purpose: "batch",
    });
    const small = createFiles({ maxResponseBytes: 1024 });

    const download = await small.download(uploaded.id);

    await expect(download.text()).rejects.toThrow(ResponseTooLargeError);
  });

  it("fails a stalled download with an idle timeout", async () => {
    const uploaded = await files.upload({
      file: { name: "a.bin", data: new Uint8Array(8192) },
      purpose: "batch",
    });
    server.enqueue({
      match: { path: `/v1/files/${uploaded.id}/content` },
      fault: "stall-mid-body",
    });
    const impatient = createFiles({ idleTimeoutMs: 100 });

    const download = await impatient.download(uploaded.id);
    const error = await download.arrayBuffer().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("idle");
  });

  it("cancels a download the caller stops reading", async () => {
    const uploaded = await files.upload({
      file: { name: "a.bin", data: new Uint8Array(3 << 20) },
      purpose: "batch",
    });

    const download = await files.download(uploaded.id);
    const reader = download.body.getReader();
    await reader.read();
    await reader.cancel();

    // The connection is free again: another call on the same client succeeds.
    await expect(files.retrieve(uploaded.id)).resolves.toMatchObject({ id: uploaded.id });
  });

  it("deletes a file", async () => {
    const uploaded = await files.upload({ file: { name: "a.txt", data: "a" }, purpose: "batch" });

    const deleted = await files.delete(uploaded.id);

    expect(lastRequest().method).toBe("DELETE");
    expect(lastRequest().path).toBe(`/v1/files/${uploaded.id}`);
    expect(deleted).toEqual({ id: uploaded.id, object: "file", deleted: true });
    await expect(files.retrieve(uploaded.id)).rejects.toThrow(NotFoundError);
  });

  it("returns a signed URL that works without the key", async () => {
    const uploaded = await files.upload({
      file: { name: "scan.pdf", data: pdfBytes },
      purpose: "ocr",
    });

    const signed = await files.getSignedUrl(uploaded.id, { expiry: 2 });
    const response = await fetch(signed.url);

    const [urlRequest, contentRequest] = server.requests.slice(-2);
    expect(urlRequest?.path).toBe(`/v1/files/${uploaded.id}/url`);
    expect(urlRequest?.query).toEqual({ expiry: "2" });
    expect(signed.url.startsWith(server.url)).toBe(true);
    expect(contentRequest?.headers.authorization).toBeUndefined();
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(pdfBytes))).toBe(true);
  });

  it("rejects a bad expiry", async () => {
    await expect(files.getSignedUrl(fileId, { expiry: 0 })).rejects.toThrow(ValidationError);
  });

  it.each(["../models", "a/b", "id?x=1", "", "%2e%2e"])("rejects the file id %j", async (id) => {
    await expect(files.retrieve(id)).rejects.toThrow(ValidationError);
    await expect(files.download(id)).rejects.toThrow(ValidationError);
    expect(server.requests).toHaveLength(0);
  });
});

/** Yields a web stream's chunks, since its DOM typings lack an async iterator. */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}
