import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Ocr, ocrDocumentFromBytes } from "../../src/resources/ocr.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { ocrRoutes } from "../../src/testing/routes/ocr.js";
import type { OCRRequest } from "../../src/types/ocr.js";
import { requestSchemaValidator, responseSchemaValidator } from "./spec.js";

const apiKey = "sk-ocr-contract-key";
const model = "mistral-ocr-latest";

/** OCR requests as callers build them, from the smallest to one that sets every field. */
const ocrRequests: Record<string, OCRRequest> = {
  "document URL": {
    model,
    document: { type: "document_url", document_url: "https://example.com/report.pdf" },
  },
  "image URL string": {
    model,
    document: { type: "image_url", image_url: "https://example.com/receipt.jpg" },
  },
  "image URL object": {
    model,
    document: { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } },
  },
  "uploaded file": {
    model,
    document: { type: "file", file_id: "0b6a9c1e-3f2d-4e5a-9b8c-7d6e5f4a3b21" },
  },
  "null model and page string": {
    model: null,
    document: { type: "document_url", document_url: "https://example.com/deck.pptx" },
    pages: "0-2",
  },
  "docx without images": {
    model,
    document: { type: "document_url", document_url: "https://example.com/contract.docx" },
    image_limit: 0,
  },
  "every field": {
    model,
    id: "run-1",
    document: {
      type: "document_url",
      document_url: "https://example.com/invoice.pdf",
      document_name: "invoice.pdf",
    },
    pages: [0, 1, 3],
    include_image_base64: true,
    image_limit: 2,
    image_min_size: 32,
    bbox_annotation_format: {
      type: "json_schema",
      json_schema: {
        name: "figure",
        schema: { type: "object", properties: { caption: { type: "string" } } },
        strict: true,
      },
    },
    document_annotation_format: { type: "json_object" },
    document_annotation_prompt: "Summarise the invoice",
    table_format: "markdown",
    extract_header: true,
    extract_footer: true,
    include_blocks: true,
    confidence_scores_granularity: "page",
  },
  "word confidence and html tables": {
    model,
    document: { type: "document_url", document_url: "https://example.com/t.pdf" },
    table_format: "html",
    confidence_scores_granularity: "word",
  },
};

let server: MockMistralServer;
let ocr: Ocr;
const replies: Array<{ status: number; text: string }> = [];

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: ocrRoutes });
  const config = resolveConfig(
    {
      apiKey,
      baseURL: server.url,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        replies.push({ status: response.status, text: await response.clone().text() });
        return response;
      },
    },
    {},
  );
  ocr = new Ocr(new Transport(config, "mistralai-ts/contract-test"));
});

afterAll(async () => {
  await server.close();
});

describe("ocr request bodies", () => {
  it("every request validates", async () => {
    const validate = requestSchemaValidator("POST", "/v1/ocr");
    const dataURL = await ocrDocumentFromBytes(new Uint8Array([1, 2, 3]), "application/pdf", "a");
    const requests = { ...ocrRequests, "data URL": { model, document: dataURL } };
    for (const [name, request] of Object.entries(requests)) {
      expect(validate(request).errors, name).toEqual([]);
    }
  });

  it("sent bodies equal the validated ones", async () => {
    server.reset();
    for (const request of Object.values(ocrRequests)) {
      await ocr.process(request);
    }

    expect(server.requests.map((request) => request.body)).toEqual(Object.values(ocrRequests));
  });
});

describe("ocr default replies", () => {
  it("every reply validates against the response schema", async () => {
    replies.length = 0;
    for (const request of Object.values(ocrRequests)) {
      await ocr.process(request);
    }

    const validate = responseSchemaValidator("POST", "/v1/ocr");
    expect(replies).toHaveLength(Object.keys(ocrRequests).length);
    for (const [index, reply] of replies.entries()) {
      const label = Object.keys(ocrRequests)[index];
      expect(reply.status, label).toBe(200);
      expect(validate(JSON.parse(reply.text)).errors, label).toEqual([]);
    }
  });
});
