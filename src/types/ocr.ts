import type { DocumentURLChunk, FileChunk, ImageURLChunk, ResponseFormat } from "./chat.js";
import type { OpenString } from "./common.js";

// Wire types of POST /v1/ocr: text, images, tables and layout blocks read from a document.

/**
 * The document to read: a URL (`https:` or a `data:` URL with base64 content) of a PDF, DOCX or
 * PPTX file, an image URL, or the id of a file uploaded with `purpose: "ocr"`.
 */
export type OCRDocument = DocumentURLChunk | ImageURLChunk | FileChunk;

/** Markup of the tables extracted from the pages. */
export type OCRTableFormat = OpenString<"markdown" | "html">;

/** Level at which confidence scores are reported. */
export type OCRConfidenceGranularity = OpenString<"word" | "page">;

/** Body of an OCR request. A field left out takes the server's default. */
export interface OCRRequest {
  /** An OCR model, for example `mistral-ocr-latest`. */
  model: string | null;
  document: OCRDocument;
  /** Caller-chosen id of the request. */
  id?: string;
  /**
   * Pages to read, zero-based: a list such as `[0, 2]`, or a string the server parses (such as
   * `"0-3"`). Default: every page.
   */
  pages?: string | number[] | null;
  /** Whether each extracted image is returned as base64 in `image_base64`. */
  include_image_base64?: boolean | null;
  /** Maximum number of images extracted; 0 extracts none. */
  image_limit?: number | null;
  /** Minimum width and height of an extracted image, in pixels. */
  image_min_size?: number | null;
  /** Structured output to produce for each extracted image (`image_annotation`). */
  bbox_annotation_format?: ResponseFormat | null;
  /** Structured output to produce for the whole document (`document_annotation`). */
  document_annotation_format?: ResponseFormat | null;
  /** Instructions for the document annotation. */
  document_annotation_prompt?: string | null;
  /** When set, tables are returned apart in `tables` and linked from the markdown. */
  table_format?: OCRTableFormat | null;
  /** Whether page headers are returned apart in `header`. Default false. */
  extract_header?: boolean;
  /** Whether page footers are returned apart in `footer`. Default false. */
  extract_footer?: boolean;
  /** Whether each page lists its layout blocks in `blocks`. Default false. */
  include_blocks?: boolean;
  confidence_scores_granularity?: OCRConfidenceGranularity | null;
}

/** Bounding box corners, in pixels from the top-left corner of the page. */
export interface OCRBoundingBox {
  top_left_x: number;
  top_left_y: number;
  bottom_right_x: number;
  bottom_right_y: number;
}

/** An image found on a page; the markdown refers to it by `id`. */
export interface OCRImage {
  id: string;
  top_left_x: number | null;
  top_left_y: number | null;
  bottom_right_x: number | null;
  bottom_right_y: number | null;
  /** Base64 data URL of the image, when `include_image_base64` was true. */
  image_base64?: string | null;
  /** Output of `bbox_annotation_format`, as a JSON string. */
  image_annotation?: string | null;
  [key: string]: unknown;
}

/** Confidence of one recognised word. */
export interface OCRConfidenceScore {
  text: string;
  /** From 0 to 1. */
  confidence: number;
  /** Offset of the word in the page's markdown, in characters. */
  start_index: number;
  [key: string]: unknown;
}

/** A table extracted when `table_format` was set; the markdown refers to it by `id`. */
export interface OCRTable {
  id: string;
  content: string;
  format: OCRTableFormat;
  word_confidence_scores?: OCRConfidenceScore[] | null;
  [key: string]: unknown;
}

/** Size of a rendered page. */
export interface OCRPageDimensions {
  /** Dots per inch of the rendering. */
  dpi: number;
  /** In pixels. */
  height: number;
  /** In pixels. */
  width: number;
  [key: string]: unknown;
}

export interface OCRPageConfidenceScores {
  /** Present when `confidence_scores_granularity` was `"word"`. */
  word_confidence_scores?: OCRConfidenceScore[];
  /** From 0 to 1. */
  average_page_confidence_score: number;
  /** From 0 to 1. */
  minimum_page_confidence_score: number;
  [key: string]: unknown;
}

/** Kind of a layout block. */
export type OCRBlockType = OpenString<
  | "text"
  | "list"
  | "image"
  | "table"
  | "title"
  | "equation"
  | "caption"
  | "code"
  | "references"
  | "aside_text"
  | "header"
  | "footer"
  | "signature"
>;

/** One layout block of a page, returned when `include_blocks` was true. */
export interface OCRBlock extends OCRBoundingBox {
  type?: OCRBlockType;
  content: string;
  /** Id of the image, for `image` blocks. */
  image_id?: string;
  /** Id of the table, for `table` blocks when tables are extracted. */
  table_id?: string | null;
  [key: string]: unknown;
}

/** One page of the OCR result. */
export interface OCRPage {
  /** Zero-based page number in the document. */
  index: number;
  /** Text of the page as markdown, with images and tables referred to by id. */
  markdown: string;
  images: OCRImage[];
  tables?: OCRTable[];
  hyperlinks?: string[];
  /** Present when `extract_header` was true. */
  header?: string | null;
  /** Present when `extract_footer` was true. */
  footer?: string | null;
  dimensions: OCRPageDimensions | null;
  confidence_scores?: OCRPageConfidenceScores | null;
  blocks?: OCRBlock[] | null;
  [key: string]: unknown;
}

export interface OCRUsageInfo {
  pages_processed: number;
  /** Size of the document, in bytes. */
  doc_size_bytes?: number | null;
  [key: string]: unknown;
}

export interface OCRResponse {
  pages: OCRPage[];
  /** The model that read the document. */
  model: string;
  /** Output of `document_annotation_format`, as a JSON string. */
  document_annotation?: string | null;
  usage_info: OCRUsageInfo;
  [key: string]: unknown;
}
