import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Libraries } from "../../src/resources/libraries/libraries.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { librariesRoutes } from "../../src/testing/routes/libraries.js";
import type {
  LibraryAccessDeleteRequest,
  LibraryAccessRequest,
  LibraryCreateRequest,
  LibraryDocumentUpdateRequest,
  LibraryUpdateRequest,
} from "../../src/types/libraries.js";
import { loadSpec, requestSchemaValidator, responseSchemaValidator } from "./spec.js";

const apiKey = "sk-libraries-contract-key";
const OTHER_USER = "6f1d2c3b-8a9e-4f70-b1c2-d3e4f5a6b7c8";
const ORG = "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d";

/** One response as the server sent it, captured before the client parsed it. */
interface CapturedReply {
  method: string;
  path: string;
  status: number;
  text: string;
}

const libraryCreates: Record<string, LibraryCreateRequest> = {
  minimal: { name: "Handbooks" },
  "every field": { name: "Contracts", description: "Signed contracts", chunk_size: 1024 },
  "explicit nulls": { name: "Nulls", description: null, chunk_size: null },
};
const libraryUpdate: LibraryUpdateRequest = { name: "Renamed", description: null };
const documentUpdate: LibraryDocumentUpdateRequest = {
  name: "renamed.txt",
  attributes: {
    team: "legal",
    year: 2026,
    ratio: 0.5,
    reviewed: false,
    published_at: "2026-08-01T10:00:00Z",
    tags: ["a", "b"],
    pages: [1, 2],
    weights: [0.25, 0.75],
    flags: [true, false],
  },
};
const share: LibraryAccessRequest = {
  org_id: ORG,
  share_with_uuid: OTHER_USER,
  share_with_type: "User",
  level: "Editor",
};
const unshare: LibraryAccessDeleteRequest = {
  share_with_uuid: OTHER_USER,
  share_with_type: "User",
};

let server: MockMistralServer;
let libraries: Libraries;
const replies: CapturedReply[] = [];

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: librariesRoutes });
  const config = resolveConfig(
    {
      apiKey,
      baseURL: server.url,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const url = new URL(input instanceof Request ? input.url : input);
        const text = await response.clone().text();
        replies.push({
          method: init?.method ?? "GET",
          path: url.pathname,
          status: response.status,
          text,
        });
        return response;
      },
    },
    {},
  );
  libraries = new Libraries(new Transport(config, "mistralai-ts/contract-test"));
});

afterAll(async () => {
  await server.close();
});

/** Runs every libraries operation once, so each default reply is captured. */
async function runEveryOperation(): Promise<void> {
  for (const request of Object.values(libraryCreates)) {
    await libraries.create(request);
  }

  const library = await libraries.create({ name: "Every operation" });
  await libraries.list();
  await libraries.get(library.id);
  await libraries.update(library.id, libraryUpdate);
  const file = new File(["Travel is booked through the portal."], "travel.txt");
  const document = await libraries.documents.upload(library.id, { file });
  await libraries.documents.upload(library.id, { file });
  const pdfBytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0xff]);
  await libraries.documents.upload(library.id, { file: { name: "scan.pdf", data: pdfBytes } });
  await libraries.documents.list(library.id, { page_size: 1, search: "t" }).toArray();
  await libraries.documents.get(library.id, document.id);
  await libraries.documents.update(library.id, document.id, documentUpdate);
  await libraries.documents.waitUntilProcessed(library.id, document.id, { pollIntervalMs: 0 });
  await libraries.documents.get(library.id, document.id);
  await libraries.documents.getTextContent(library.id, document.id);
  await libraries.documents.getSignedUrl(library.id, document.id);
  await libraries.documents.getExtractedTextSignedUrl(library.id, document.id);
  await libraries.documents.reprocess(library.id, document.id);
  await libraries.sharing.createOrUpdate(library.id, share);
  await libraries.sharing.list(library.id);
  await libraries.sharing.delete(library.id, unshare);
  await libraries.documents.delete(library.id, document.id);
  await libraries.delete(library.id);
}

describe("libraries request bodies", () => {
  it("library bodies validate", () => {
    const validateCreate = requestSchemaValidator("POST", "/v1/libraries");
    for (const request of Object.values(libraryCreates)) {
      expect(validateCreate(request).errors).toEqual([]);
    }

    const validateUpdate = requestSchemaValidator("PUT", `/v1/libraries/${ORG}`);
    expect(validateUpdate(libraryUpdate).errors).toEqual([]);
  });

  it("document update body validates", () => {
    const path = `/v1/libraries/${ORG}/documents/${OTHER_USER}`;
    expect(requestSchemaValidator("PUT", path)(documentUpdate).errors).toEqual([]);
  });

  it("sharing bodies validate", () => {
    const path = `/v1/libraries/${ORG}/share`;
    expect(requestSchemaValidator("PUT", path)(share).errors).toEqual([]);
    // The spec's SharingDelete lists `level` as required but defines no such property, and the
    // delete operation has no level to send, so that one error is expected.
    const errors = requestSchemaValidator("DELETE", path)(unshare).errors;
    expect(errors).toEqual(["(root) must have required property 'level'"]);
  });

  it("sent bodies equal the validated ones", async () => {
    server.reset();
    const library = await libraries.create(libraryCreates["every field"]!);
    await libraries.update(library.id, libraryUpdate);
    await libraries.sharing.createOrUpdate(library.id, share);
    await libraries.sharing.delete(library.id, unshare);
    const bodies = server.requests.map((request) => request.body);
    expect(bodies).toEqual([libraryCreates["every field"], libraryUpdate, share, unshare]);
  });

  it("upload sends the spec's multipart fields", async () => {
    const operation = loadSpec().paths["/v1/libraries/{library_id}/documents"]?.["post"];
    const schema = operation?.requestBody?.content?.["multipart/form-data"]?.schema as {
      properties: Record<string, unknown>;
      required: string[];
    };
    server.reset();
    const library = await libraries.create({ name: "Uploads" });
    await libraries.documents.upload(library.id, { file: new File(["x"], "x.txt") });
    const request = server.requests.at(-1)!;
    const form = await new Request("http://127.0.0.1/", {
      method: "POST",
      headers: { "content-type": request.headers["content-type"]! },
      body: new Uint8Array(request.rawBody),
    }).formData();
    const fields = [...form.keys()];
    expect(fields.filter((name) => !(name in schema.properties))).toEqual([]);
    expect(schema.required.filter((name) => !fields.includes(name))).toEqual([]);
  });

  it("list query names are spec parameters", async () => {
    const operation = loadSpec().paths["/v1/libraries/{library_id}/documents"]?.["get"];
    const parameters = (operation?.["parameters"] ?? []) as Array<{ name: string; in: string }>;
    const queryNames = parameters
      .filter((parameter) => parameter.in === "query")
      .map((parameter) => parameter.name);
    server.reset();
    const library = await libraries.create({ name: "Query" });
    await libraries.documents
      .list(library.id, {
        search: "a",
        filters_attributes: "{}",
        sort_by: "name",
        sort_order: "asc",
        page: 0,
        page_size: 5,
      })
      .page();
    const sent = Object.keys(server.requests.at(-1)!.query);
    expect(sent.sort()).toEqual(queryNames.sort());
  });
});

describe("libraries default replies", () => {
  beforeAll(async () => {
    server.reset();
    replies.length = 0;
    await runEveryOperation();
  });

  it("every reply validates against its response schema", () => {
    const apiReplies = replies.filter((reply) => reply.path.startsWith("/v1/"));
    expect(apiReplies.length).toBeGreaterThan(20);
    for (const reply of apiReplies) {
      const label = `${reply.method} ${reply.path} ${reply.status}`;
      expect(reply.status, label).toBeLessThan(300);
      if (reply.status === 204) {
        expect(reply.text, label).toBe("");
        continue;
      }

      const validate = responseSchemaValidator(reply.method, reply.path, reply.status);
      expect(validate(JSON.parse(reply.text)).errors, label).toEqual([]);
    }
  });

  it("replies use each success status the spec lists", () => {
    const statuses = new Set(replies.map((reply) => `${reply.method} ${reply.status}`));
    for (const expected of ["POST 201", "POST 200", "POST 204", "DELETE 204", "DELETE 200"]) {
      expect(statuses.has(expected), expected).toBe(true);
    }

    const document = "/v1/libraries/{library_id}/documents/{document_id}";
    const paths = loadSpec().paths;
    expect(Object.keys(paths[document]?.["delete"]?.responses ?? {})).toContain("204");
    expect(Object.keys(paths[`${document}/reprocess`]?.["post"]?.responses ?? {})).toContain("204");
  });

  it("every libraries operation of the spec is called", () => {
    const called = new Set(
      replies.map((reply) => {
        const template = reply.path
          .replace(
            /^\/v1\/libraries\/[^/]+\/documents\/[^/]+/,
            "/v1/libraries/{library_id}/documents/{document_id}",
          )
          .replace(/^\/v1\/libraries\/[0-9a-f-]{36}/, "/v1/libraries/{library_id}");
        return `${reply.method.toLowerCase()} ${template}`;
      }),
    );
    const specified = Object.entries(loadSpec().paths)
      .filter(([path]) => path.startsWith("/v1/libraries"))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(specified.filter((operation) => !called.has(operation))).toEqual([]);
  });
});
