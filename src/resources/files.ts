import type { RequestOptions } from "../core/client-options.js";
import { type InputProblem, ValidationError } from "../core/errors/client-errors.js";
import { readJsonResponse, type WithResponseMeta } from "../core/json-response.js";
import type { PagedList } from "../core/pagination.js";
import { apiPath } from "../core/path.js";
import type { Transport } from "../core/transport.js";
import type {
  DeleteFileResponse,
  FileListQuery,
  FileListResponse,
  FileObject,
  FileSignedURL,
  FileUploadRequest,
  SignedURLQuery,
} from "../types/files.js";
import { createFileDownload, type FileDownload } from "./files/download.js";
import { asList, listPages } from "./files/list-pages.js";
import { createMultipartBody, type FormField } from "./files/multipart.js";
import { resolveUploadSource } from "./files/upload-source.js";

/** Stored files: `/v1/files`. Upload documents for OCR, JSONL for batch jobs and fine-tuning. */
export class Files {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Uploads a file as `multipart/form-data`, streaming its content: a path or stream is read only
   * as the request is sent, never held whole in memory. The upload is retried only where the
   * server cannot have stored it, and never once the body started, since a stream is read once.
   */
  async upload(
    request: FileUploadRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<FileObject>> {
    checkUploadRequest(request);
    const maxBytes = this.#transport.config.limits.maxUploadBytes;
    const source = await resolveUploadSource(request.file, maxBytes);
    const body = createMultipartBody(uploadFields(request), "file", source, request.onProgress);
    const headers = { ...options?.headers, "content-type": body.contentType };
    try {
      const api = await this.#transport.send({
        method: "POST",
        path: "/v1/files",
        body: body.stream,
        contentLength: body.contentLength,
        options: { ...options, headers },
        retryMode: "unsent",
      });
      return await readJsonResponse<FileObject>(api, this.#transport.config.maxResponseBytes);
    } catch (error) {
      throw body.failure ?? error;
    } finally {
      body.stop();
    }
  }

  /** Lists files page by page as a {@link PagedList}. Filters use the API's query names. */
  list(query: FileListQuery = {}, options?: RequestOptions): PagedList<FileObject> {
    const { page, page_size, sample_type, source, mimetypes, ...filters } = query;
    return listPages<FileObject, FileListResponse>(
      this.#transport,
      {
        path: "/v1/files",
        query: {
          ...filters,
          sample_type: asList(sample_type),
          source: asList(source),
          mimetypes: asList(mimetypes),
        },
        page,
        pageSize: page_size,
        itemsOf: (body) => ({ items: body.data, total: body.total }),
      },
      options,
    );
  }

  /** Returns a file's metadata. For its content, call {@link Files.download}. */
  async retrieve(fileId: string, options?: RequestOptions): Promise<WithResponseMeta<FileObject>> {
    const api = await this.#transport.send({
      method: "GET",
      path: apiPath`/v1/files/${fileId}`,
      options,
    });
    return readJsonResponse<FileObject>(api, this.#transport.config.maxResponseBytes);
  }

  async delete(
    fileId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<DeleteFileResponse>> {
    const api = await this.#transport.send({
      method: "DELETE",
      path: apiPath`/v1/files/${fileId}`,
      options,
    });
    return readJsonResponse<DeleteFileResponse>(api, this.#transport.config.maxResponseBytes);
  }

  /**
   * Downloads a file's content from `/v1/files/{id}/content` as a stream. Nothing is read before
   * the caller reads `body` (or calls `arrayBuffer()` or `text()`).
   */
  async download(fileId: string, options?: RequestOptions): Promise<FileDownload> {
    // Any media type: the content is the file as stored, not JSON.
    const headers = { accept: "*/*", ...options?.headers };
    const api = await this.#transport.send({
      method: "GET",
      path: apiPath`/v1/files/${fileId}/content`,
      options: { ...options, headers },
    });
    return createFileDownload(api, this.#transport.config.maxResponseBytes);
  }

  /** Returns a URL that serves the file's content without the API key, for `expiry` hours. */
  async getSignedUrl(
    fileId: string,
    query: SignedURLQuery = {},
    options?: RequestOptions,
  ): Promise<WithResponseMeta<FileSignedURL>> {
    const expiry = query.expiry;
    if (expiry !== undefined && (!Number.isSafeInteger(expiry) || expiry < 1)) {
      throw new ValidationError(
        [{ path: "expiry", message: "must be a whole number of hours, at least 1" }],
        "Invalid signed URL query",
      );
    }

    const api = await this.#transport.send({
      method: "GET",
      path: apiPath`/v1/files/${fileId}/url`,
      query: { expiry },
      options,
    });
    return readJsonResponse<FileSignedURL>(api, this.#transport.config.maxResponseBytes);
  }
}

/** Text fields in the order the form sends them; the file part always comes last. */
function uploadFields(request: FileUploadRequest): FormField[] {
  const fields: FormField[] = [{ name: "purpose", value: request.purpose }];
  if (request.visibility !== undefined) {
    fields.push({ name: "visibility", value: request.visibility });
  }

  if (request.expiry !== undefined && request.expiry !== null) {
    fields.push({ name: "expiry", value: String(request.expiry) });
  }

  return fields;
}

/** Field values end up in the multipart body as text, so they may not contain line breaks. */
function checkUploadRequest(request: FileUploadRequest): void {
  if (typeof request !== "object" || request === null) {
    throw new ValidationError([{ path: "request", message: "must be an object" }]);
  }

  const problems: InputProblem[] = [];
  if (request.file === undefined) {
    problems.push({ path: "file", message: "is required" });
  }

  checkFieldText(request.purpose, "purpose", problems);
  if (request.visibility !== undefined) {
    checkFieldText(request.visibility, "visibility", problems);
  }

  const expiry = request.expiry;
  if (expiry !== undefined && expiry !== null && !Number.isSafeInteger(expiry)) {
    problems.push({ path: "expiry", message: "must be a whole number or null" });
  }

  if (request.onProgress !== undefined && typeof request.onProgress !== "function") {
    problems.push({ path: "onProgress", message: "must be a function" });
  }

  if (problems.length > 0) {
    throw new ValidationError(problems, "Invalid file upload");
  }
}

function checkFieldText(value: unknown, path: string, problems: InputProblem[]): void {
  if (typeof value !== "string" || value.trim() === "") {
    problems.push({ path, message: "must be a non-empty string" });
  } else if (/[\r\n]/.test(value)) {
    problems.push({ path, message: "must not contain line breaks" });
  }
}
