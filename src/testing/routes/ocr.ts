import { errorPlan, type ValidationIssue, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import { exampleForSchema } from "../schema-example.js";
import type { Route } from "./route.js";

type JsonObject = Record<string, unknown>;

/** Pages of a document when the request names none; an image always has one. */
const defaultPageCount = 2;

/** Size of every rendered page: US Letter at 200 dpi. */
const pageDimensions = { dpi: 200, height: 2200, width: 1700 };

/** Bytes of a 1x1 transparent GIF, returned as every extracted image. */
const tinyImageBase64 = "R0lGODlhAQABAAAAACH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

/** The 400 the API returns for a DOCX whose images cannot be returned as links. */
const docxImagesMessage =
  "For .docx files, extracted images can only be returned in base64. " +
  "If you don't want images, try setting image_limit=0 instead.";

/**
 * Default reply of `POST /v1/ocr`: pages whose markdown names the document (the last segment of
 * its URL, its `document_name`, or the file id), with an image per page up to `image_limit`, and
 * tables, headers, footers, blocks, confidence scores and annotations when the request sets
 * them. A DOCX URL without `include_image_base64: true` or `image_limit: 0` gets the API's 400.
 */
export const ocrRoutes: Route[] = [{ method: "POST", path: "/v1/ocr", handle: ocrPlan }];

interface OcrSource {
  /** Name shown in the markdown. */
  name: string;
  isImage: boolean;
  /** Decoded size of a `data:` URL, else null. */
  sizeBytes: number | null;
}

function ocrPlan(call: IncomingCall): ResponsePlan {
  const body = (typeof call.body === "object" && call.body !== null ? call.body : {}) as JsonObject;
  const issues = requestIssues(body);
  if (issues.length > 0) return validationErrorPlan(issues);
  const source = describeSource(body.document as JsonObject);
  const documentURL = (body.document as JsonObject).document_url;
  if (
    typeof documentURL === "string" &&
    /\.docx$/i.test(documentURL.split(/[?#]/, 1)[0]!) &&
    body.include_image_base64 !== true &&
    body.image_limit !== 0
  ) {
    return errorPlan(400, docxImagesMessage, "invalid_request_error");
  }

  const indexes = pageIndexes(body.pages, source.isImage ? 1 : defaultPageCount);
  const imageLimit = typeof body.image_limit === "number" ? body.image_limit : indexes.length;
  const pages = indexes.map((index, position) => page(body, source, index, position < imageLimit));
  return jsonPlan(200, {
    pages,
    model: typeof body.model === "string" ? body.model : "mistral-ocr-latest",
    ...optional(
      "document_annotation",
      annotationText(body.document_annotation_format, { title: source.name, pages: pages.length }),
    ),
    usage_info: { pages_processed: pages.length, doc_size_bytes: source.sizeBytes },
  });
}

function requestIssues(body: JsonObject): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!("model" in body)) issues.push(missing("model"));
  const document = body.document;
  if (typeof document !== "object" || document === null) {
    issues.push(missing("document"));
  } else if (describeSource(document as JsonObject).name === "") {
    issues.push({
      type: "value_error",
      loc: ["body", "document"],
      msg: "Value error, set document_url, image_url or file_id",
      input: document,
    });
  }

  return issues;
}

function missing(name: string): ValidationIssue {
  return { type: "missing", loc: ["body", name], msg: "Field required", input: null };
}

function describeSource(document: JsonObject): OcrSource {
  const imageURL = document.image_url;
  const url =
    typeof imageURL === "string" ? imageURL : (imageURL as { url?: unknown } | undefined)?.url;
  if (typeof url === "string") {
    return { name: nameFromURL(url, "image"), isImage: true, sizeBytes: dataSize(url) };
  }

  if (typeof document.document_url === "string") {
    const documentURL = document.document_url;
    const documentName = document.document_name;
    const name =
      typeof documentName === "string" ? documentName : nameFromURL(documentURL, "document");
    return { name, isImage: false, sizeBytes: dataSize(documentURL) };
  }

  if (typeof document.file_id === "string") {
    return { name: `file ${document.file_id}`, isImage: false, sizeBytes: null };
  }

  return { name: "", isImage: false, sizeBytes: null };
}

/** Returns the last path segment of a URL, or `fallback` for a `data:` URL, which has none. */
function nameFromURL(url: string, fallback: string): string {
  if (url.startsWith("data:")) return `inline ${fallback}`;
  const path = url.split(/[?#]/, 1)[0]!;
  const segment = path.slice(path.lastIndexOf("/") + 1);
  return segment === "" ? fallback : decodeURIComponentSafe(segment);
}

function dataSize(url: string): number | null {
  const match = /^data:[^,]*;base64,(.*)$/s.exec(url);
  return match ? Buffer.from(match[1]!, "base64").byteLength : null;
}

/** Zero-based page numbers from `pages`: a list, or a string such as `"0-2,5"`. */
function pageIndexes(pages: unknown, count: number): number[] {
  if (Array.isArray(pages)) return pages.filter((item) => Number.isInteger(item) && item >= 0);
  if (typeof pages !== "string" || pages.trim() === "") {
    return Array.from({ length: count }, (_, index) => index);
  }

  const indexes: number[] = [];
  for (const part of pages.split(",")) {
    const [first, last] = part.split("-").map((text) => Number.parseInt(text, 10));
    if (first === undefined || Number.isNaN(first)) continue;
    const end = last === undefined || Number.isNaN(last) ? first : last;
    for (let index = first; index <= end && indexes.length < 1000; index++) indexes.push(index);
  }

  return indexes;
}

function page(body: JsonObject, source: OcrSource, index: number, withImage: boolean): JsonObject {
  const tableFormat = body.table_format === "html" ? "html" : "markdown";
  const hasTable = body.table_format === "markdown" || body.table_format === "html";
  const imageId = `img-${index}.jpeg`;
  const tableId = `tbl-${index}.${tableFormat === "html" ? "html" : "md"}`;
  const text = `Page ${index + 1} of ${source.name}.`;
  const markdown = [
    `# ${source.name}`,
    text,
    ...(withImage ? [`![${imageId}](${imageId})`] : []),
    ...(hasTable ? [`[${tableId}](${tableId})`] : []),
  ].join("\n\n");
  return {
    index,
    markdown,
    images: withImage ? [image(body, imageId)] : [],
    ...(hasTable ? { tables: [table(tableId, tableFormat, index)] } : {}),
    hyperlinks: [],
    ...(body.extract_header === true ? { header: source.name } : {}),
    ...(body.extract_footer === true ? { footer: `${index + 1}` } : {}),
    dimensions: pageDimensions,
    ...confidence(body.confidence_scores_granularity, text, markdown.indexOf(text)),
    ...(body.include_blocks === true ? { blocks: blocks(source.name, text) } : {}),
  };
}

function image(body: JsonObject, id: string): JsonObject {
  const imageBase64 = `data:image/gif;base64,${tinyImageBase64}`;
  return {
    id,
    top_left_x: 100,
    top_left_y: 400,
    bottom_right_x: 900,
    bottom_right_y: 1000,
    image_base64: body.include_image_base64 === true ? imageBase64 : null,
    ...optional("image_annotation", annotationText(body.bbox_annotation_format, { image_id: id })),
  };
}

function table(id: string, format: "markdown" | "html", index: number): JsonObject {
  const content =
    format === "html"
      ? `<table><tr><th>Page</th></tr><tr><td>${index + 1}</td></tr></table>`
      : `| Page |\n| --- |\n| ${index + 1} |`;
  return { id, content, format };
}

function confidence(granularity: unknown, text: string, offset: number): JsonObject {
  if (granularity !== "word" && granularity !== "page") return {};
  const scores = { average_page_confidence_score: 0.98, minimum_page_confidence_score: 0.91 };
  if (granularity === "page") return { confidence_scores: scores };
  const words: JsonObject[] = [];
  let position = offset;
  for (const word of text.split(" ")) {
    words.push({ text: word, confidence: 0.98, start_index: position });
    position += word.length + 1;
  }

  return { confidence_scores: { word_confidence_scores: words, ...scores } };
}

function blocks(name: string, text: string): JsonObject[] {
  return [
    { type: "title", content: name, ...box(100, 100, 1600, 200) },
    { type: "text", content: text, ...box(100, 250, 1600, 350) },
  ];
}

function box(left: number, top: number, right: number, bottom: number): JsonObject {
  return { top_left_x: left, top_left_y: top, bottom_right_x: right, bottom_right_y: bottom };
}

/**
 * Builds the annotation for a requested format as a JSON string: an example of its JSON schema
 * when it has one, else `fallback`. Returns undefined when no format was requested.
 */
function annotationText(format: unknown, fallback: JsonObject): string | undefined {
  if (typeof format !== "object" || format === null) return undefined;
  const schema = (format as { json_schema?: { schema?: unknown } | null }).json_schema?.schema;
  return JSON.stringify(schema === undefined ? fallback : exampleForSchema(schema));
}

/** `{ [name]: value }`, or an empty object when the value is undefined. */
function optional(name: string, value: unknown): JsonObject {
  return value === undefined ? {} : { [name]: value };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
