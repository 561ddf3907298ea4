import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { BadRequestError, ValidationError } from "../../src/index.js";
import { Ocr, ocrDocumentFromBytes } from "../../src/resources/ocr.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { ocrRoutes } from "../../src/testing/routes/ocr.js";
import type { OCRRequest } from "../../src/types/ocr.js";
import { captureRejection } from "../helpers/error-capture.js";

const apiKey = "ocr-test-key";
const docxImagesMessage =
  "For .docx files, extracted images can only be returned in base64. If you don't want images, " +
  "try setting image_limit=0 instead.";

let server: MockMistralServer;
let ocr: Ocr;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: ocrRoutes });
  // Retries are on with a short delay, so a test that expects no retry can see one happen.
  const config = resolveConfig(
    { apiKey, baseURL: server.url, maxRetries: 2, retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    {},
  );
  ocr = new Ocr(new Transport(config, "mistralai-ts/test"));
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

function onlyRequest(): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

describe("ocr.process", () => {
  it("sends a document URL as set", async () => {
    const request: OCRRequest = {
      model: "mistral-ocr-latest",
      document: { type: "document_url", document_url: "https://example.com/papers/report.pdf" },
    };
    const response = await ocr.process(request);

    const sent = onlyRequest();
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/ocr");
    expect(sent.query).toEqual({});
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.body).toEqual(request);
    expect(response.model).toBe("mistral-ocr-latest");
    expect(response.pages.map((page) => page.index)).toEqual([0, 1]);
    expect(response.pages[0]!.markdown).toContain("# report.pdf");
    expect(response.pages[0]!.dimensions).toEqual({ dpi: 200, height: 2200, width: 1700 });
    expect(response.usage_info.pages_processed).toBe(2);
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends every option field", async () => {
    const request: OCRRequest = {
      model: "mistral-ocr-latest",
      id: "ocr-run-1",
      document: {
        type: "document_url",
        document_url: "https://example.com/invoice.pdf",
        document_name: "invoice.pdf",
      },
      pages: [0, 2],
      include_image_base64: true,
      image_limit: 1,
      image_min_size: 50,
      bbox_annotation_format: { type: "text" },
      document_annotation_format: {
        type: "json_schema",
        json_schema: {
          name: "invoice",
          schema: {
            type: "object",
            properties: { total: { type: "number" } },
            required: ["total"],
          },
        },
      },
      document_annotation_prompt: "Extract the total",
      table_format: "html",
      extract_header: true,
      extract_footer: true,
      include_blocks: true,
      confidence_scores_granularity: "word",
    };
    const response = await ocr.process(request);

    expect(onlyRequest().body).toEqual(request);
    const [first, second] = response.pages;
    expect(response.pages.map((page) => page.index)).toEqual([0, 2]);
    expect(first!.images).toHaveLength(1);
    expect(first!.images[0]!.image_base64).toMatch(/^data:image\/gif;base64,/);
    expect(first!.images[0]!.image_annotation).toBe('{"image_id":"img-0.jpeg"}');
    expect(second!.images).toEqual([]);
    expect(first!.tables?.[0]?.format).toBe("html");
    expect(first!.header).toBe("invoice.pdf");
    expect(first!.footer).toBe("1");
    expect(first!.blocks?.map((block) => block.type)).toEqual(["title", "text"]);
    expect(first!.confidence_scores?.word_confidence_scores?.[0]?.text).toBe("Page");
    expect(JSON.parse(response.document_annotation ?? "null")).toEqual({ total: 1 });
  });

  it("sends an image URL", async () => {
    const request: OCRRequest = {
      model: "mistral-ocr-latest",
      document: {
        type: "image_url",
        image_url: { url: "https://example.com/receipt.png", detail: "high" },
      },
    };
    const response = await ocr.process(request);

    expect(onlyRequest().body).toEqual(request);
    expect(response.pages).toHaveLength(1);
    expect(response.pages[0]!.markdown).toContain("receipt.png");
  });

  it("sends an uploaded file id", async () => {
    const fileId = "0b6a9c1e-3f2d-4e5a-9b8c-7d6e5f4a3b21";
    const request: OCRRequest = {
      model: "mistral-ocr-latest",
      document: { type: "file", file_id: fileId },
    };
    const response = await ocr.process(request);

    expect(onlyRequest().body).toEqual(request);
    expect(response.pages[0]!.markdown).toContain(`file ${fileId}`);
  });

  it("passes unknown response fields through", async () => {
    server.enqueue({
      body: {
        pages: [
          {
            index: 0,
            markdown: "Hi",
            images: [],
            dimensions: null,
            layout_version: 3,
          },
        ],
        model: "mistral-ocr-2512",
        usage_info: { pages_processed: 1, doc_size_bytes: 12, pages_billed: 1 },
        processing_ms: 840,
      },
    });
    const response = await ocr.process({
      model: "mistral-ocr-latest",
      document: { type: "document_url", document_url: "https://example.com/a.pdf" },
    });

    expect(response.processing_ms).toBe(840);
    expect(response.pages[0]!.layout_version).toBe(3);
    expect(response.usage_info.pages_billed).toBe(1);
  });
});

describe("ocr errors", () => {
  const docxRequest: OCRRequest = {
    model: "mistral-ocr-latest",
    document: { type: "document_url", document_url: "https://example.com/contract.docx" },
    include_image_base64: false,
  };

  it("docx 400 is a BadRequestError", async () => {
    server.enqueue({
      status: 400,
      body: {
        object: "error",
        message: docxImagesMessage,
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    const error = await captureRejection(ocr.process(docxRequest));

    expect(error).toBeInstanceOf(BadRequestError);
    const badRequest = error as BadRequestError;
    expect(badRequest.status).toBe(400);
    expect(badRequest.kind).toBe("bad_request");
    expect(badRequest.serverMessage).toBe(docxImagesMessage);
    expect(badRequest.message).toContain(docxImagesMessage);
    expect(badRequest.type).toBe("invalid_request_error");
    expect(badRequest.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("docx 400 is not retried", async () => {
    const error = await captureRejection(ocr.process(docxRequest));

    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).serverMessage).toBe(docxImagesMessage);
    expect(server.requests).toHaveLength(1);
  });

  it("docx with image_limit 0 succeeds", async () => {
    const response = await ocr.process({ ...docxRequest, image_limit: 0 });

    expect(response.pages[0]!.images).toEqual([]);
    expect(response.pages[0]!.markdown).toContain("contract.docx");
  });

  it("missing fields fail before sending", async () => {
    const error = await captureRejection(ocr.process({} as OCRRequest));

    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).problems.map((problem) => problem.path);
    expect(paths).toEqual(["model", "document"]);
    expect(server.requests).toHaveLength(0);
  });

  it("camelCase names fail before sending", async () => {
    const request = {
      model: "mistral-ocr-latest",
      document: { type: "document_url", documentUrl: "https://example.com/a.pdf" },
      includeImageBase64: true,
    } as unknown as OCRRequest;
    const error = await captureRejection(ocr.process(request));

    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems).toContainEqual({
      path: "includeImageBase64",
      message: "is not an API field: use include_image_base64",
    });
    expect(problems).toContainEqual({
      path: "document.documentUrl",
      message: "is not an API field: use document_url",
    });
    expect(problems.map((problem) => problem.path)).toContain("document");
    expect(server.requests).toHaveLength(0);
  });
});

describe("ocrDocumentFromBytes", () => {
  const pdfBytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37]);

  it("builds a document data URL", async () => {
    const document = await ocrDocumentFromBytes(pdfBytes, "application/pdf", "scan.pdf");

    expect(document).toEqual({
      type: "document_url",
      document_url: "data:application/pdf;base64,JVBERi0xLjc=",
      document_name: "scan.pdf",
    });
  });

  it("builds an image data URL from a Blob", async () => {
    const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: "image/png" });
    const document = await ocrDocumentFromBytes(png, "image/png");

    expect(document).toEqual({ type: "image_url", image_url: "data:image/png;base64,iVBORw==" });
  });

  it("sends the data URL and its size", async () => {
    const document = await ocrDocumentFromBytes(pdfBytes.buffer, "application/pdf");
    const response = await ocr.process({ model: "mistral-ocr-latest", document });

    expect((onlyRequest().body as OCRRequest).document).toEqual(document);
    expect(response.usage_info.doc_size_bytes).toBe(8);
    expect(response.pages[0]!.markdown).toContain("inline document");
  });

  it("encodes large content", async () => {
    const bytes = new Uint8Array(100_000).map((_, index) => index % 256);
    const document = await ocrDocumentFromBytes(bytes, "application/pdf");
    const url = (document as { document_url: string }).document_url;
    const decoded = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");

    expect(decoded.equals(Buffer.from(bytes))).toBe(true);
  });
});
