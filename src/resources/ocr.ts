import type { RequestOptions } from "../core/client-options.js";
import { type InputProblem, ValidationError } from "../core/errors/client-errors.js";
import { readJsonResponse, type WithResponseMeta } from "../core/json-response.js";
import type { Transport } from "../core/transport.js";
import type { OCRDocument, OCRRequest, OCRResponse } from "../types/ocr.js";
import { encodeBase64 } from "./audio/base64.js";

/** Wire names of the request fields, to point camelCase spellings to them. */
const wireNames = new Set([
  "model",
  "id",
  "document",
  "pages",
  "include_image_base64",
  "image_limit",
  "image_min_size",
  "bbox_annotation_format",
  "document_annotation_format",
  "document_annotation_prompt",
  "table_format",
  "extract_header",
  "extract_footer",
  "include_blocks",
  "confidence_scores_granularity",
  "document_url",
  "document_name",
  "image_url",
  "file_id",
]);

/** Document AI: `POST /v1/ocr` reads text, images and tables from a document or an image. */
export class Ocr {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Reads a document and returns its pages as markdown. When the server cannot apply a format or
   * option to this document, the call fails with a BadRequestError whose `serverMessage` is the
   * server's sentence. Like every 400, it is not retried.
   */
  async process(
    request: OCRRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<OCRResponse>> {
    checkOcrRequest(request);
    const api = await this.#transport.send({
      method: "POST",
      path: "/v1/ocr",
      body: request,
      options,
    });
    return readJsonResponse<OCRResponse>(api, this.#transport.config.maxResponseBytes);
  }
}

/**
 * Builds the `document` of an OCR request from file content, as a base64 `data:` URL: an
 * `image_url` chunk for `image/*` media types, a `document_url` chunk otherwise (PDF, DOCX, PPTX).
 * The content travels inside the JSON body, so upload large files with the files API instead and
 * pass their id.
 */
export async function ocrDocumentFromBytes(
  data: Uint8Array | ArrayBuffer | Blob,
  mediaType: string,
  name?: string,
): Promise<OCRDocument> {
  const bytes =
    data instanceof Uint8Array
      ? data
      : new Uint8Array(data instanceof ArrayBuffer ? data : await data.arrayBuffer());
  const url = `data:${mediaType};base64,${encodeBase64(bytes)}`;
  if (mediaType.toLowerCase().startsWith("image/")) {
    return { type: "image_url", image_url: url };
  }

  return name === undefined
    ? { type: "document_url", document_url: url }
    : { type: "document_url", document_url: url, document_name: name };
}

/** Checks `model`, the document source and the field names before anything is sent. */
function checkOcrRequest(request: unknown): void {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    throw new ValidationError([{ path: "request", message: "must be an object" }]);
  }

  const body = request as Record<string, unknown>;
  const problems: InputProblem[] = [];
  if (body.model === undefined) {
    problems.push({ path: "model", message: "is required, for example 'mistral-ocr-latest'" });
  } else if (body.model !== null && (typeof body.model !== "string" || body.model.trim() === "")) {
    problems.push({ path: "model", message: "must be a non-empty string or null" });
  }

  checkDocument(body.document, problems);
  checkFieldNames(body, "", problems);
  if (typeof body.document === "object" && body.document !== null) {
    checkFieldNames(body.document as Record<string, unknown>, "document.", problems);
  }

  if (problems.length > 0) {
    throw new ValidationError(problems);
  }
}

function checkDocument(document: unknown, problems: InputProblem[]): void {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    const message = "is required: a document_url, image_url or file chunk";
    problems.push({ path: "document", message });
    return;
  }

  const chunk = document as Record<string, unknown>;
  const imageURL = chunk.image_url as { url?: unknown } | string | undefined;
  const hasSource =
    typeof chunk.document_url === "string" ||
    typeof imageURL === "string" ||
    typeof imageURL?.url === "string" ||
    typeof chunk.file_id === "string";
  if (!hasSource) {
    const message = "must set document_url, image_url (a string or { url }) or file_id";
    problems.push({ path: "document", message });
  }
}

function checkFieldNames(
  body: Record<string, unknown>,
  prefix: string,
  problems: InputProblem[],
): void {
  for (const name of Object.keys(body)) {
    const snakeCase = name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    if (snakeCase !== name && wireNames.has(snakeCase)) {
      problems.push({ path: prefix + name, message: `is not an API field: use ${snakeCase}` });
    }
  }
}
