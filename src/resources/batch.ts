import type { RequestOptions } from "../core/client-options.js";
import { readJsonResponse, type WithResponseMeta } from "../core/json-response.js";
import type { PagedList } from "../core/pagination.js";
import { apiPath } from "../core/path.js";
import type { Transport } from "../core/transport.js";
import type {
  BatchJob,
  BatchJobCreateRequest,
  BatchJobFromRequests,
  BatchJobGetQuery,
  BatchJobList,
  BatchJobListQuery,
} from "../types/batch.js";
import { checkCreateRequest, checkFromRequests, toJsonLines } from "./batch/batch-request-check.js";
import { BatchResults } from "./batch/batch-results.js";
import { type BatchWaitOptions, waitForJob } from "./batch/wait-for-job.js";
import { asList, listPages } from "./files/list-pages.js";
import { Files } from "./files.js";

/**
 * Batch jobs: `/v1/batch/jobs`. A job runs many requests against one endpoint offline; its
 * results arrive as JSONL files, read with {@link Batch.results}.
 */
export class Batch {
  readonly #transport: Transport;
  readonly #files: Files;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.#files = new Files(transport);
  }

  /**
   * Creates a job from uploaded JSONL files (`input_files`) or from requests sent inline in the
   * body (`requests`, at most 10000). The body contains exactly the fields given.
   */
  async create(
    request: BatchJobCreateRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<BatchJob>> {
    checkCreateRequest(request);
    return this.#json<BatchJob>("POST", "/v1/batch/jobs", undefined, request, options);
  }

  /**
   * Uploads the requests as a JSONL file (purpose `batch`), then creates a job reading that file.
   * Every request needs a unique `custom_id`, which its result line carries back. A failed
   * upload creates no job; a failed creation leaves the uploaded file in place.
   */
  async createFromRequests(
    request: BatchJobFromRequests,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<BatchJob>> {
    checkFromRequests(request);
    const { requests, filename, ...job } = request;
    // Extra body fields are meant for the job; the upload body is multipart.
    const { extraBody: _, ...uploadOptions } = options ?? {};
    const file = await this.#files.upload(
      {
        file: {
          name: filename ?? "batch-requests.jsonl",
          data: toJsonLines(requests),
          type: "application/jsonl",
        },
        purpose: "batch",
      },
      uploadOptions,
    );
    return this.create({ ...job, input_files: [file.id] }, options);
  }

  /** Lists jobs page by page, newest first unless `order_by` sets another order. */
  list(query: BatchJobListQuery = {}, options?: RequestOptions): PagedList<BatchJob> {
    const { page, page_size, metadata, created_after, status, ...filters } = query;
    return listPages<BatchJob, BatchJobList>(
      this.#transport,
      {
        path: "/v1/batch/jobs",
        query: {
          ...filters,
          // NOTE: the API reference types this parameter as an object without saying how it is
          // encoded in the query, so it is sent as JSON text.
          metadata: metadata === undefined ? undefined : JSON.stringify(metadata),
          created_after:
            created_after instanceof Date ? created_after.toISOString() : created_after,
          status: asList(status),
        },
        page,
        pageSize: page_size,
        itemsOf: (body) => ({ items: body.data, total: body.total }),
      },
      options,
    );
  }

  /** Returns a job with its status and request counts. */
  async get(
    jobId: string,
    query: BatchJobGetQuery = {},
    options?: RequestOptions,
  ): Promise<WithResponseMeta<BatchJob>> {
    const path = apiPath`/v1/batch/jobs/${jobId}`;
    return this.#json<BatchJob>("GET", path, { inline: query.inline }, undefined, options);
  }

  /**
   * Requests cancellation. The job moves to `CANCELLATION_REQUESTED`, then to `CANCELLED` once
   * running requests stop. {@link Batch.wait} waits for that.
   */
  async cancel(jobId: string, options?: RequestOptions): Promise<WithResponseMeta<BatchJob>> {
    const path = apiPath`/v1/batch/jobs/${jobId}/cancel`;
    return this.#json<BatchJob>("POST", path, undefined, undefined, options);
  }

  /**
   * Polls the job, with growing delays, until it reaches a final status (`SUCCESS`, `FAILED`,
   * `TIMEOUT_EXCEEDED` or `CANCELLED`), and returns it. A failed job is returned, not thrown.
   * The signal of either options argument stops the wait.
   */
  async wait(
    jobId: string,
    waitOptions: BatchWaitOptions = {},
    options?: RequestOptions,
  ): Promise<BatchJob> {
    const signal = waitOptions.signal ?? options?.signal;
    return waitForJob(jobId, () => this.get(jobId, {}, { ...options, signal }), {
      ...waitOptions,
      signal,
    });
  }

  /**
   * Streams the result lines of a finished job: its output file, then its error file, each line
   * parsed as read. Pass the job returned by `wait` to skip fetching it again. Each line is at
   * most `maxResponseBytes` long.
   */
  results(job: string | BatchJob, options?: RequestOptions): BatchResults {
    return new BatchResults({
      loadJob: async () => (typeof job === "string" ? this.get(job, {}, options) : job),
      download: (fileId) => this.#files.download(fileId, options),
      maxLineBytes: this.#transport.config.maxResponseBytes,
    });
  }

  async #json<T>(
    method: "GET" | "POST",
    path: string,
    query: Record<string, boolean | undefined> | undefined,
    body: unknown,
    options: RequestOptions | undefined,
  ): Promise<WithResponseMeta<T>> {
    const api = await this.#transport.send({
      method,
      path,
      query,
      body,
      options,
      retryMode: method === "POST" ? "unsent" : "always",
    });
    return readJsonResponse<T>(api, this.#transport.config.maxResponseBytes);
  }
}
