import type { OpenString } from "./common.js";

/** Purpose of an uploaded file. Other strings, such as `"audio"`, are sent unchanged. */
export type FilePurpose = OpenString<"fine-tune" | "batch" | "ocr">;

/**
 * Visibility of an uploaded file: the whole workspace or its uploader only. Server default:
 * `"workspace"`.
 */
export type FileVisibility = OpenString<"workspace" | "user">;

/** Kind of content the server detected in a file. */
export type SampleType = OpenString<
  "pretrain" | "instruct" | "batch_request" | "batch_result" | "batch_error"
>;

/** Origin of a file: uploaded by a user, or written by the platform (batch results). */
export type FileSource = OpenString<"upload" | "repository" | "mistral">;

/** Metadata of a stored file, as upload, list and retrieve return it. */
export interface FileObject {
  id: string;
  /** Always `"file"`. */
  object: string;
  /** Size in bytes, or null on some responses. */
  bytes: number | null;
  /** Unix time in seconds. */
  created_at: number;
  filename: string;
  purpose: FilePurpose;
  sample_type: SampleType;
  source: FileSource;
  num_lines?: number | null;
  mimetype?: string | null;
  signature?: string | null;
  /** Unix time in seconds after which the file is deleted, when it expires. */
  expires_at?: number | null;
  visibility?: FileVisibility | null;
  /** Present on `retrieve`. */
  deleted?: boolean;
  [key: string]: unknown;
}

/** Response of `GET /v1/files`. */
export interface FileListResponse {
  data: FileObject[];
  object: string;
  /** Count of matching files across pages, unless `include_total` was false. */
  total?: number | null;
  [key: string]: unknown;
}

/** Response of `DELETE /v1/files/{file_id}`. */
export interface DeleteFileResponse {
  id: string;
  object: string;
  deleted: boolean;
  [key: string]: unknown;
}

/** Response of `GET /v1/files/{file_id}/url`. */
export interface FileSignedURL {
  /** URL that serves the content without the API key until it expires. */
  url: string;
  [key: string]: unknown;
}

/** Query of `GET /v1/files`. A single value or a list is accepted where the API takes lists. */
export interface FileListQuery {
  /** Zero-based page to start from. Default: 0. */
  page?: number;
  /** Files per page. Default: 100. */
  page_size?: number;
  /** Whether the server counts the matching files. Server default: true. */
  include_total?: boolean;
  sample_type?: SampleType | SampleType[];
  source?: FileSource | FileSource[];
  /** Text searched in file names. */
  search?: string;
  purpose?: FilePurpose;
  mimetypes?: string | string[];
}

/** Query of `GET /v1/files/{file_id}/url`. */
export interface SignedURLQuery {
  /** Hours until the URL stops working. Server default: 24. */
  expiry?: number;
}

/**
 * File content held or produced by the caller. A string is sent as UTF-8 text (not read as a
 * path), and a stream is read once, as the request body is sent.
 */
export type UploadData =
  | Blob
  | Uint8Array
  | ArrayBuffer
  | string
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>;

/** File content with the name and media type sent for it. */
export interface NamedUpload {
  /** File name sent in the multipart part, such as `scan.pdf`. */
  name: string;
  data: UploadData;
  /** Media type of the part. Default: the Blob's type, else one inferred from the name. */
  type?: string;
  /**
   * Size in bytes of a stream, when known in advance: progress then reports a total, and the
   * upload fails if the stream yields a different count.
   */
  size?: number;
}

/** A file on disk, read as a stream when the request is sent. Node.js only. */
export interface PathUpload {
  path: string;
  /** File name sent for it. Default: the last segment of `path`. */
  name?: string;
  /** Media type of the part. Default: inferred from the name. */
  type?: string;
}

/**
 * The file to upload: a path on disk (Node.js only), a `File`, content with a name, or a path
 * with another name. Bytes, a plain Blob and streams need a name, so pass them as `NamedUpload`.
 */
export type UploadFile = string | File | NamedUpload | PathUpload;

/** Progress of an upload, counted in bytes of the request body handed to `fetch`. */
export interface UploadProgress {
  /** Bytes read from the body so far, multipart headers included. */
  sentBytes: number;
  /** Size of the whole body, when every size is known in advance. */
  totalBytes: number | undefined;
}

/** Parameters of `files.upload`. */
export interface FileUploadRequest {
  file: UploadFile;
  purpose: FilePurpose;
  visibility?: FileVisibility;
  /**
   * Lifetime of the file, as a whole number. NOTE: the API reference gives no unit; the signed-URL
   * `expiry` of the same API is in hours.
   */
  expiry?: number | null;
  /** Called after each chunk of the body is read by `fetch`. An exception aborts the upload. */
  onProgress?: (progress: UploadProgress) => void;
}
