import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ClientOptions } from "../../src/core/client-options.js";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { MistralApiError, NotFoundError, TimeoutError, ValidationError } from "../../src/index.js";
import { Libraries } from "../../src/resources/libraries/libraries.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { librariesRoutes } from "../../src/testing/routes/libraries.js";

const apiKey = "libraries-test-key";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OTHER_USER = "0b7c1a52-4a43-4f7e-9d55-3f1c2b8e6a10";

let server: MockMistralServer;
let libraries: Libraries;

/** Builds the resource on its own transport, as the client does for `client.libraries`. */
function createLibraries(options: ClientOptions = {}): Libraries {
  const config = resolveConfig({ apiKey, baseURL: server.url, ...options }, {});
  return new Libraries(new Transport(config, "mistralai-ts/test"));
}

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: librariesRoutes });
  libraries = createLibraries();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

/** Forgets the recorded requests but keeps the stored libraries, unlike `server.reset()`. */
function forgetRequests(): void {
  server.requests.length = 0;
}

function lastRequest(): RecordedRequest {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error("The server received no request");
  return request;
}

/** Parses the multipart body of a recorded upload with the runtime's form parser. */
async function uploadedForm(request: RecordedRequest): Promise<FormData> {
  const parser = new Request("http://127.0.0.1/", {
    method: "POST",
    headers: { "content-type": request.headers["content-type"] ?? "" },
    body: new Uint8Array(request.rawBody),
  });
  return parser.formData();
}

async function newLibrary(name = "Handbooks") {
  return libraries.create({ name });
}

describe("libraries", () => {
  it("create sends the body as set", async () => {
    const library = await libraries.create({
      name: "Contracts",
      description: "Signed customer contracts",
      chunk_size: 2048,
    });
    const request = lastRequest();
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/libraries");
    expect(request.url).toBe("/v1/libraries");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body).toEqual({
      name: "Contracts",
      description: "Signed customer contracts",
      chunk_size: 2048,
    });
    expect(server.authorizationMatches(request)).toBe(true);
    expect(library.id).toMatch(UUID);
    expect(library.name).toBe("Contracts");
    expect(library.chunk_size).toBe(2048);
    expect(library.nb_documents).toBe(0);
    expect(library.requestId).toMatch(UUID);
  });

  it("create rejects a missing name", async () => {
    const error = await libraries
      .create({ description: "no name" } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([{ path: "name", message: "is required" }]);
    expect(server.requests).toHaveLength(0);
  });

  it("list returns created libraries", async () => {
    const library = await newLibrary("Listed");
    const list = await libraries.list();
    expect(lastRequest().method).toBe("GET");
    expect(lastRequest().url).toBe("/v1/libraries");
    expect(lastRequest().rawBody.byteLength).toBe(0);
    expect(list.data.map((item) => item.id)).toContain(library.id);
  });

  it("get reads one library", async () => {
    const library = await newLibrary();
    const read = await libraries.get(library.id);
    expect(lastRequest().method).toBe("GET");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}`);
    expect(read).toEqual(library);
  });

  it("update sends only the fields set", async () => {
    const library = await newLibrary();
    const updated = await libraries.update(library.id, { description: "Team handbooks" });
    expect(lastRequest().method).toBe("PUT");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}`);
    expect(lastRequest().body).toEqual({ description: "Team handbooks" });
    expect(updated.description).toBe("Team handbooks");
    expect(updated.name).toBe("Handbooks");
  });

  it("delete returns the deleted library", async () => {
    const library = await newLibrary();
    const deleted = await libraries.delete(library.id);
    expect(lastRequest().method).toBe("DELETE");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}`);
    expect(deleted.id).toBe(library.id);
    await expect(libraries.get(library.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("path ids that change the route are rejected", async () => {
    for (const id of ["../models", "a/b", "x?y=1", "%2e%2e", ""]) {
      await expect(libraries.get(id)).rejects.toBeInstanceOf(ValidationError);
      await expect(libraries.documents.get("lib", id)).rejects.toBeInstanceOf(ValidationError);
      expect(() => libraries.documents.list(id)).toThrow(ValidationError);
    }

    expect(server.requests).toHaveLength(0);
  });

  it("state changes are not retried after a 500", async () => {
    const retrying = createLibraries({
      maxRetries: 2,
      retry: { initialDelayMs: 1, maxDelayMs: 1 },
    });
    server.enqueue({ match: { method: "POST" }, status: 500, body: { message: "boom" } });
    await expect(retrying.create({ name: "Once" })).rejects.toBeInstanceOf(MistralApiError);
    expect(server.requests).toHaveLength(1);
  });

  it("reads are retried after a 500", async () => {
    const retrying = createLibraries({
      maxRetries: 2,
      retry: { initialDelayMs: 1, maxDelayMs: 1 },
    });
    server.enqueue({ match: { method: "GET" }, status: 500, body: { message: "boom" } });
    await retrying.list();
    expect(server.requests).toHaveLength(2);
  });
});

describe("documents.upload", () => {
  it("sends a File as one multipart part", async () => {
    const library = await newLibrary();
    const file = new File(["Remote work is allowed on Fridays."], "policy.txt", {
      type: "text/plain",
    });
    const document = await libraries.documents.upload(library.id, { file });
    const request = lastRequest();
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`/v1/libraries/${library.id}/documents`);
    expect(request.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const form = await uploadedForm(request);
    expect([...form.keys()]).toEqual(["file"]);
    const part = form.get("file") as File;
    expect(part.name).toBe("policy.txt");
    expect(part.type).toBe("text/plain");
    expect(await part.text()).toBe("Remote work is allowed on Fridays.");
    expect(document.name).toBe("policy.txt");
    expect(document.library_id).toBe(library.id);
    expect(document.extension).toBe("txt");
    expect(document.mime_type).toBe("text/plain");
    expect(document.size).toBe(34);
    expect(document.process_status).toBe("todo");
  });

  it("sends named bytes with a media type", async () => {
    const library = await newLibrary();
    const bytes = new TextEncoder().encode("# Onboarding\n");
    await libraries.documents.upload(library.id, {
      file: { name: "onboarding.md", data: bytes, type: "text/markdown" },
    });
    const part = (await uploadedForm(lastRequest())).get("file") as File;
    expect(part.name).toBe("onboarding.md");
    expect(part.type).toBe("text/markdown");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes);
  });

  it("sends a ReadableStream and an async iterable", async () => {
    const library = await newLibrary();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("first half, "));
        controller.enqueue(new TextEncoder().encode("second half"));
        controller.close();
      },
    });
    await libraries.documents.upload(library.id, { file: { name: "stream.txt", data: stream } });
    const streamed = (await uploadedForm(lastRequest())).get("file") as File;
    expect(streamed.name).toBe("stream.txt");
    expect(await streamed.text()).toBe("first half, second half");

    async function* chunks() {
      yield new TextEncoder().encode("from ");
      yield new TextEncoder().encode("a generator");
    }

    await libraries.documents.upload(library.id, { file: { name: "gen.txt", data: chunks() } });
    const generated = (await uploadedForm(lastRequest())).get("file") as File;
    expect(generated.name).toBe("gen.txt");
    expect(await generated.text()).toBe("from a generator");
  });

  it("sends a file from a path", async () => {
    const library = await newLibrary();
    const directory = await mkdtemp(join(tmpdir(), "libraries-test-"));
    const path = join(directory, "faq.md");
    await writeFile(path, "Q: Where is the office?\nA: Paris.");
    try {
      const document = await libraries.documents.upload(library.id, { file: path });
      const part = (await uploadedForm(lastRequest())).get("file") as File;
      expect(part.name).toBe("faq.md");
      expect(part.type).toBe("text/markdown");
      expect(await part.text()).toBe("Q: Where is the office?\nA: Paris.");
      expect(document.name).toBe("faq.md");
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("reports progress up to the body size", async () => {
    const library = await newLibrary();
    const progress: Array<{ sentBytes: number; totalBytes: number | undefined }> = [];
    await libraries.documents.upload(library.id, {
      file: { name: "big.txt", data: new Uint8Array(200_000).fill(0x61) },
      onProgress: (update) => progress.push(update),
    });
    const last = progress.at(-1);
    expect(progress.length).toBeGreaterThan(1);
    expect(last?.sentBytes).toBe(lastRequest().rawBody.byteLength);
    expect(last?.totalBytes).toBe(lastRequest().rawBody.byteLength);
  });

  it("rejects content without a name", async () => {
    const library = await newLibrary();
    forgetRequests();
    const unnamed = { file: new Blob(["no name"]) } as never;
    const error = await libraries.documents
      .upload(library.id, unnamed)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toEqual(["file"]);
    const missing = await libraries.documents
      .upload(library.id, {} as never)
      .catch((caught: unknown) => caught);
    expect((missing as ValidationError).problems).toEqual([
      { path: "file", message: "is required" },
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it("rethrows the error of a failing stream", async () => {
    const library = await newLibrary();
    async function* failing() {
      yield new TextEncoder().encode("partial");
      throw new Error("disk read failed");
    }

    const upload = libraries.documents.upload(library.id, {
      file: { name: "broken.txt", data: failing() },
    });
    await expect(upload).rejects.toThrow("disk read failed");
  });

  it("returns the existing document for the same content", async () => {
    const library = await newLibrary();
    const first = await libraries.documents.upload(library.id, {
      file: new File(["same"], "a.txt"),
    });
    const second = await libraries.documents.upload(library.id, {
      file: new File(["same"], "b.txt"),
    });
    expect(second.id).toBe(first.id);
    expect((await libraries.get(library.id)).nb_documents).toBe(1);
  });
});

describe("documents.list", () => {
  it("sends filters and paging in the query", async () => {
    const library = await newLibrary();
    const list = libraries.documents.list(library.id, {
      search: "policy",
      page_size: 10,
      page: 2,
      filters_attributes: '{"team":"legal"}',
      sort_by: "name",
      sort_order: "asc",
    });
    expect(server.requests).toHaveLength(1);
    const page = await list.page();
    const request = lastRequest();
    expect(request.method).toBe("GET");
    expect(request.path).toBe(`/v1/libraries/${library.id}/documents`);
    expect(request.query).toEqual({
      search: "policy",
      filters_attributes: '{"team":"legal"}',
      sort_by: "name",
      sort_order: "asc",
      page: "2",
      page_size: "10",
    });
    expect(page.page).toBe(2);
    expect(page.items).toEqual([]);
  });

  it("fetches pages lazily with for await", async () => {
    const library = await newLibrary();
    const names = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"];
    for (const name of names) {
      await libraries.documents.upload(library.id, {
        file: new File([`content of ${name}`], name),
      });
    }

    forgetRequests();
    const list = libraries.documents.list(library.id, {
      page_size: 2,
      sort_by: "name",
      sort_order: "asc",
    });
    const seen: string[] = [];
    const requestsAfterItem: number[] = [];
    for await (const document of list) {
      seen.push(document.name);
      requestsAfterItem.push(server.requests.length);
    }

    expect(seen).toEqual(names);
    expect(requestsAfterItem).toEqual([1, 1, 2, 2, 3]);
    expect(server.requests.map((request) => request.query["page"])).toEqual(["0", "1", "2"]);
    expect(server.requests.every((request) => request.query["page_size"] === "2")).toBe(true);
  });

  it("stops early without fetching later pages", async () => {
    const library = await newLibrary();
    for (const name of ["x.txt", "y.txt", "z.txt"]) {
      await libraries.documents.upload(library.id, { file: new File([name], name) });
    }

    forgetRequests();
    const names: string[] = [];
    for await (const document of libraries.documents.list(library.id, { page_size: 1 })) {
      names.push(document.name);
      break;
    }

    expect(names).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
  });

  it("search filters by name", async () => {
    const library = await newLibrary();
    await libraries.documents.upload(library.id, { file: new File(["1"], "travel-policy.txt") });
    await libraries.documents.upload(library.id, { file: new File(["2"], "menu.txt") });
    const found = await libraries.documents.list(library.id, { search: "POLICY" }).toArray();
    expect(found.map((document) => document.name)).toEqual(["travel-policy.txt"]);
    expect(lastRequest().query["page_size"]).toBe("100");
  });

  it("rejects invalid paging parameters", () => {
    const invalid = { page: -1, page_size: 0, search: 3 } as never;
    let error: unknown;
    try {
      libraries.documents.list("lib", invalid);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).problems.map((problem) => problem.path);
    expect(paths).toEqual(["page", "page_size", "search"]);
  });
});

describe("documents", () => {
  async function uploadedDocument(text = "Expenses are reimbursed within 30 days.") {
    const library = await newLibrary();
    const file = new File([text], "expenses.txt", { type: "text/plain" });
    const document = await libraries.documents.upload(library.id, { file });
    forgetRequests();
    return { library, document };
  }

  it("get reads the metadata", async () => {
    const { library, document } = await uploadedDocument();
    const read = await libraries.documents.get(library.id, document.id);
    expect(lastRequest().method).toBe("GET");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}/documents/${document.id}`);
    expect(read).toEqual(document);
  });

  it("update sends the name and attributes", async () => {
    const { library, document } = await uploadedDocument();
    const attributes = { team: "finance", year: 2026, reviewed: true, tags: ["hr", "money"] };
    const updated = await libraries.documents.update(library.id, document.id, {
      name: "expenses-2026.txt",
      attributes,
    });
    expect(lastRequest().method).toBe("PUT");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}/documents/${document.id}`);
    expect(lastRequest().body).toEqual({ name: "expenses-2026.txt", attributes });
    expect(updated.name).toBe("expenses-2026.txt");
    expect(updated.attributes).toEqual(attributes);
  });

  it("delete resolves once the document is gone", async () => {
    const { library, document } = await uploadedDocument();
    const result = await libraries.documents.delete(library.id, document.id);
    expect(result).toBeUndefined();
    expect(lastRequest().method).toBe("DELETE");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}/documents/${document.id}`);
    const error = await libraries.documents.get(library.id, document.id).catch((caught) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((await libraries.get(library.id)).nb_documents).toBe(0);
  });

  it("getTextContent returns the text of a text file", async () => {
    const { library, document } = await uploadedDocument("Line one\nLine two — ünïcode");
    const content = await libraries.documents.getTextContent(library.id, document.id);
    expect(lastRequest().url).toBe(
      `/v1/libraries/${library.id}/documents/${document.id}/text_content`,
    );
    expect(content.text).toBe("Line one\nLine two — ünïcode");
  });

  it("getStatus advances on each read", async () => {
    const { library, document } = await uploadedDocument();
    const statuses = [];
    for (let read = 0; read < 3; read++) {
      statuses.push(await libraries.documents.getStatus(library.id, document.id));
    }

    expect(lastRequest().method).toBe("GET");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}/documents/${document.id}/status`);
    expect(statuses.map((status) => status.process_status)).toEqual([
      "in_progress",
      "done",
      "done",
    ]);
    expect(statuses.map((status) => status.processing_status)).toEqual([
      "Running",
      "Completed",
      "Completed",
    ]);
    expect(statuses[0]?.document_id).toBe(document.id);
    const processed = await libraries.documents.get(library.id, document.id);
    expect(processed.last_processed_at).not.toBeNull();
  });

  it("getSignedUrl returns a working download URL", async () => {
    const { library, document } = await uploadedDocument("original bytes");
    const url = await libraries.documents.getSignedUrl(library.id, document.id);
    expect(lastRequest().url).toBe(
      `/v1/libraries/${library.id}/documents/${document.id}/signed-url`,
    );
    expect(url.startsWith(`${server.url}/`)).toBe(true);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe("original bytes");
    expect(lastRequest().headers["authorization"]).toBeUndefined();
  });

  it("getExtractedTextSignedUrl serves the text", async () => {
    const { library, document } = await uploadedDocument("extracted words");
    const url = await libraries.documents.getExtractedTextSignedUrl(library.id, document.id);
    expect(lastRequest().url).toBe(
      `/v1/libraries/${library.id}/documents/${document.id}/extracted-text-signed-url`,
    );
    const download = await fetch(url);
    expect(download.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await download.text()).toBe("extracted words");
    const tampered = await fetch(url.replace(/signature=[0-9a-f]+/, "signature=00"));
    expect(tampered.status).toBe(403);
  });

  it("reprocess queues the document again", async () => {
    const { library, document } = await uploadedDocument();
    await libraries.documents.waitUntilProcessed(library.id, document.id, { pollIntervalMs: 0 });
    forgetRequests();
    const result = await libraries.documents.reprocess(library.id, document.id);
    expect(result).toBeUndefined();
    const request = lastRequest();
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`/v1/libraries/${library.id}/documents/${document.id}/reprocess`);
    expect(request.rawBody.byteLength).toBe(0);
    expect((await libraries.documents.get(library.id, document.id)).process_status).toBe("todo");
  });

  it("waitUntilProcessed polls until done", async () => {
    const { library, document } = await uploadedDocument();
    const status = await libraries.documents.waitUntilProcessed(library.id, document.id, {
      pollIntervalMs: 1,
    });
    expect(status.process_status).toBe("done");
    expect(server.requests.map((request) => request.path.split("/").at(-1))).toEqual([
      "status",
      "status",
    ]);
  });

  it("waitUntilProcessed returns an error status", async () => {
    const { library, document } = await uploadedDocument();
    server.enqueue({
      match: { path: /\/status$/ },
      body: { document_id: document.id, process_status: "error", processing_status: "Failed" },
    });
    const status = await libraries.documents.waitUntilProcessed(library.id, document.id);
    expect(status.process_status).toBe("error");
    expect(server.requests).toHaveLength(1);
  });

  it("waitUntilProcessed times out", async () => {
    const { library, document } = await uploadedDocument();
    server.enqueue({
      match: { path: /\/status$/ },
      body: { document_id: document.id, process_status: "in_progress", processing_status: "" },
      times: Number.POSITIVE_INFINITY,
    });
    const wait = { pollIntervalMs: 5, timeoutMs: 30 };
    const error = await libraries.documents
      .waitUntilProcessed(library.id, document.id, wait)
      .catch((caught: unknown) => caught);
    server.clearQueue();
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(30);
    expect((error as Error).message).toContain("in_progress");
    expect(server.requests.length).toBeGreaterThan(1);
  });

  it("waitUntilProcessed stops on abort", async () => {
    const { library, document } = await uploadedDocument();
    server.enqueue({
      match: { path: /\/status$/ },
      body: { document_id: document.id, process_status: "todo", processing_status: "" },
      times: Number.POSITIVE_INFINITY,
    });
    const controller = new AbortController();
    const waiting = libraries.documents.waitUntilProcessed(
      library.id,
      document.id,
      { pollIntervalMs: 10_000 },
      { signal: controller.signal },
    );
    await server.waitForRequests(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ kind: "abort" });
    server.clearQueue();
  });
});

describe("sharing", () => {
  it("list includes the owner", async () => {
    const library = await newLibrary();
    const accesses = await libraries.sharing.list(library.id);
    expect(lastRequest().method).toBe("GET");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}/share`);
    expect(accesses.data).toHaveLength(1);
    expect(accesses.data[0]?.share_with_uuid).toBe(library.owner_id);
  });

  it("createOrUpdate sends the body as set", async () => {
    const library = await newLibrary();
    const request = {
      share_with_uuid: OTHER_USER,
      share_with_type: "User",
      level: "Viewer",
    } as const;
    const access = await libraries.sharing.createOrUpdate(library.id, request);
    expect(lastRequest().method).toBe("PUT");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}/share`);
    expect(lastRequest().body).toEqual(request);
    expect(access).toMatchObject({
      library_id: library.id,
      role: "Viewer",
      share_with_type: "User",
      share_with_uuid: OTHER_USER,
    });
    const changed = await libraries.sharing.createOrUpdate(library.id, {
      ...request,
      level: "Editor",
    });
    expect(changed.role).toBe("Editor");
    expect((await libraries.sharing.list(library.id)).data).toHaveLength(2);
  });

  it("delete sends the entity in the body", async () => {
    const library = await newLibrary();
    await libraries.sharing.createOrUpdate(library.id, {
      share_with_uuid: OTHER_USER,
      share_with_type: "Workspace",
      level: "Editor",
    });
    const body = { share_with_uuid: OTHER_USER, share_with_type: "Workspace" } as const;
    const removed = await libraries.sharing.delete(library.id, body);
    expect(lastRequest().method).toBe("DELETE");
    expect(lastRequest().url).toBe(`/v1/libraries/${library.id}/share`);
    expect(lastRequest().headers["content-type"]).toBe("application/json");
    expect(lastRequest().body).toEqual(body);
    expect(removed.role).toBe("Editor");
    expect((await libraries.sharing.list(library.id)).data).toHaveLength(1);
  });

  it("rejects missing entity fields", async () => {
    const error = await libraries.sharing
      .createOrUpdate("lib", { share_with_uuid: "" } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      { path: "share_with_uuid", message: "must be a non-empty string" },
      { path: "share_with_type", message: "is required" },
      { path: "level", message: "is required" },
    ]);
    expect(server.requests).toHaveLength(0);
  });
});

describe("library flow", () => {
  it("creates, fills, shares and deletes a library", async () => {
    const library = await libraries.create({ name: "Flow", description: "End to end" });
    const document = await libraries.documents.upload(library.id, {
      file: { name: "holidays.txt", data: new TextEncoder().encode("Holidays: 25 days a year.") },
    });
    const processed = await libraries.documents.waitUntilProcessed(library.id, document.id, {
      pollIntervalMs: 1,
    });
    expect(processed.process_status).toBe("done");

    const { text } = await libraries.documents.getTextContent(library.id, document.id);
    expect(text).toBe("Holidays: 25 days a year.");

    const access = await libraries.sharing.createOrUpdate(library.id, {
      share_with_uuid: OTHER_USER,
      share_with_type: "User",
      level: "Viewer",
    });
    expect(access.role).toBe("Viewer");

    const deleted = await libraries.delete(library.id);
    expect(deleted.nb_documents).toBe(1);
    const listed = await libraries.list();
    expect(listed.data.some((item) => item.id === library.id)).toBe(false);

    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /v1/libraries",
      `POST /v1/libraries/${library.id}/documents`,
      `GET /v1/libraries/${library.id}/documents/${document.id}/status`,
      `GET /v1/libraries/${library.id}/documents/${document.id}/status`,
      `GET /v1/libraries/${library.id}/documents/${document.id}/text_content`,
      `PUT /v1/libraries/${library.id}/share`,
      `DELETE /v1/libraries/${library.id}`,
      "GET /v1/libraries",
    ]);
  });
});
