import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Files } from "../../src/resources/files.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { filesRoutes } from "../../src/testing/routes/files.js";
import type { FileUploadRequest } from "../../src/types/files.js";
import { loadSpec, responseSchemaValidator, schemaValidator } from "./spec.js";

const apiKey = "sk-files-contract-key";

/** Uploads as callers write them, from the smallest to one that sets every field. */
const uploads: Record<string, FileUploadRequest> = {
  "fine-tune JSONL": {
    file: { name: "train.jsonl", data: '{"messages":[{"role":"user","content":"Hi"}]}' },
    purpose: "fine-tune",
  },
  "batch JSONL": {
    file: { name: "in.jsonl", data: '{"custom_id":"0","body":{}}' },
    purpose: "batch",
  },
  "OCR PDF with every field": {
    file: new File(["%PDF-1.7"], "scan.pdf", { type: "application/pdf" }),
    purpose: "ocr",
    visibility: "user",
    expiry: 24,
  },
};

let server: MockMistralServer;
let files: Files;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: filesRoutes });
  const config = resolveConfig({ apiKey, baseURL: server.url, maxRetries: 0 }, {});
  files = new Files(new Transport(config, "mistralai-ts/contract"));
});

afterAll(async () => {
  await server.close();
});

/** Parses a recorded multipart body with the runtime's own form parser, independent of ours. */
async function formOf(request: RecordedRequest): Promise<FormData> {
  return new Request("http://127.0.0.1/", {
    method: "POST",
    headers: { "content-type": request.headers["content-type"]! },
    body: new Uint8Array(request.rawBody),
  }).formData();
}

function queryNamesOf(path: string, method: string): string[] {
  const operation = loadSpec().paths[path]?.[method];
  const parameters = (operation?.["parameters"] ?? []) as Array<{ name: string; in: string }>;
  return parameters
    .filter((parameter) => parameter.in === "query")
    .map((parameter) => parameter.name);
}

/** Serialises a parsed reply back to plain JSON, dropping the non-enumerable request id. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("files request shapes", () => {
  const operation = loadSpec().paths["/v1/files"]?.["post"];
  const schema = operation?.requestBody?.content?.["multipart/form-data"]?.schema as {
    properties: Record<string, unknown>;
    required: string[];
  };
  const validatePurpose = schemaValidator("FilePurpose");
  const validateVisibility = schemaValidator("FileVisibility");

  for (const [name, upload] of Object.entries(uploads)) {
    it(`upload sends the spec's multipart fields: ${name}`, async () => {
      server.reset();
      await files.upload(upload);

      const form = await formOf(server.requests[0]!);
      const names = [...new Set(form.keys())];
      expect(names.every((field) => field in schema.properties)).toBe(true);
      expect(schema.required.every((field) => names.includes(field))).toBe(true);
      expect(validatePurpose(form.get("purpose")).errors).toEqual([]);
      if (form.has("visibility")) {
        expect(validateVisibility(form.get("visibility")).errors).toEqual([]);
      }

      if (form.has("expiry")) {
        expect(String(form.get("expiry"))).toMatch(/^\d+$/);
      }

      expect(form.get("file")).toBeInstanceOf(File);
    });
  }

  it("list sends only the spec's query names", async () => {
    server.reset();
    await files
      .list({
        page: 0,
        page_size: 10,
        include_total: true,
        sample_type: "instruct",
        source: "upload",
        search: "a",
        purpose: "batch",
        mimetypes: "application/jsonl",
      })
      .page();

    const sent = [...new URLSearchParams(server.requests[0]!.url.split("?")[1]).keys()];
    const specified = queryNamesOf("/v1/files", "get");
    expect(sent.filter((name) => !specified.includes(name))).toEqual([]);
    expect(specified.filter((name) => !sent.includes(name))).toEqual([]);
  });

  it("signed URL sends only the spec's query names", async () => {
    server.reset();
    const file = await files.upload(uploads["batch JSONL"]!);
    await files.getSignedUrl(file.id, { expiry: 1 });

    const sent = Object.keys(server.requests[1]!.query);
    expect(sent).toEqual(queryNamesOf("/v1/files/{file_id}/url", "get"));
  });
});

describe("files default replies", () => {
  it("upload replies validate", async () => {
    const validate = responseSchemaValidator("POST", "/v1/files");
    for (const upload of Object.values(uploads)) {
      expect(validate(plain(await files.upload(upload))).errors).toEqual([]);
    }
  });

  it("list, retrieve, delete and signed URL replies validate", async () => {
    const file = await files.upload(uploads["batch JSONL"]!);

    const page = await files.list({ page_size: 2 }).page();
    const retrieved = await files.retrieve(file.id);
    const signed = await files.getSignedUrl(file.id);
    const deleted = await files.delete(file.id);

    expect(responseSchemaValidator("GET", "/v1/files")(page.raw).errors).toEqual([]);
    const validateRetrieve = responseSchemaValidator("GET", `/v1/files/${file.id}`);
    expect(validateRetrieve(plain(retrieved)).errors).toEqual([]);
    const validateSigned = responseSchemaValidator("GET", `/v1/files/${file.id}/url`);
    expect(validateSigned(plain(signed)).errors).toEqual([]);
    const validateDelete = responseSchemaValidator("DELETE", `/v1/files/${file.id}`);
    expect(validateDelete(plain(deleted)).errors).toEqual([]);
  });

  it("content is served as application/octet-stream", async () => {
    const file = await files.upload(uploads["batch JSONL"]!);

    const download = await files.download(file.id);
    await download.body.cancel();

    const operation = loadSpec().paths["/v1/files/{file_id}/content"]?.["get"];
    expect(Object.keys(operation?.responses?.["200"]?.content ?? {})).toEqual([
      download.contentType,
    ]);
  });

  it("every files operation of the spec has a default route", () => {
    const specified = Object.entries(loadSpec().paths)
      .filter(([path]) => path.startsWith("/v1/files"))
      .flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
    const routed = filesRoutes.map((route) => `${route.method} ${route.path}`);

    expect(specified.filter((operation) => !routed.includes(operation))).toEqual([]);
  });
});
