import { ValidationError } from "../../core/errors/client-errors.js";
import { StreamError } from "../../core/errors/transport-errors.js";
import type { BatchJob, BatchResultLine } from "../../types/batch.js";
import type { FileDownload } from "../files/download.js";
import { isTerminalBatchStatus } from "./batch-status.js";
import { readLines } from "./jsonl-lines.js";

/** Access to a job and its result files, given by the client to `BatchResults`. */
export interface ResultSources {
  loadJob: () => Promise<BatchJob>;
  download: (fileId: string) => Promise<FileDownload>;
  /** Maximum length of a result line, in bytes. */
  maxLineBytes: number;
}

/**
 * The results of a finished batch job: the lines of its output file, then those of its error
 * file, each parsed as it is read. `for await` streams them without holding a file in memory, and
 * `toMap()` collects them by `custom_id`. Nothing is downloaded before iteration starts, and
 * each iteration downloads the files again.
 */
export class BatchResults implements AsyncIterable<BatchResultLine> {
  readonly #sources: ResultSources;

  constructor(sources: ResultSources) {
    this.#sources = sources;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<BatchResultLine, void, undefined> {
    const job = await this.#sources.loadJob();
    const fileIds = [job.output_file, job.error_file].filter(
      (id): id is string => typeof id === "string" && id !== "",
    );
    if (fileIds.length === 0 && !isTerminalBatchStatus(job.status)) {
      throw new ValidationError(
        [
          {
            path: "job",
            message:
              `${job.id} has status ${job.status} and no result file yet: ` +
              "await batch.wait(id) first",
          },
        ],
        "Batch results not available",
      );
    }

    for (const fileId of fileIds) {
      const download = await this.#sources.download(fileId);
      yield* parseResultLines(download, fileId, this.#sources.maxLineBytes);
    }
  }

  /**
   * Collects every result into a Map keyed by `custom_id`, in ascending order of the ids (numeric
   * ids by value, so `"2"` comes before `"10"`). Lines without a `custom_id` are left out.
   */
  async toMap(): Promise<Map<string, BatchResultLine>> {
    const entries: Array<[string, BatchResultLine]> = [];
    for await (const line of this) {
      const id = line.custom_id;
      if (typeof id === "string" || typeof id === "number") entries.push([String(id), line]);
    }

    entries.sort(([a], [b]) => compareIds(a, b));
    return new Map(entries);
  }
}

/** Returns true for a result whose request succeeded: a 2xx response and no error. */
export function isBatchResultSuccess(line: BatchResultLine): boolean {
  const status = line.response?.status_code;
  return (line.error === null || line.error === undefined) && typeof status === "number"
    ? status >= 200 && status < 300
    : false;
}

async function* parseResultLines(
  download: FileDownload,
  fileId: string,
  maxLineBytes: number,
): AsyncGenerator<BatchResultLine, void, undefined> {
  let number = 0;
  for await (const line of readLines(download.body, maxLineBytes)) {
    number++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw badLine(fileId, number, line, "is not valid JSON", error, download.requestId);
    }

    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw badLine(fileId, number, line, "is not a JSON object", undefined, download.requestId);
    }

    yield value as BatchResultLine;
  }
}

function badLine(
  fileId: string,
  number: number,
  line: string,
  problem: string,
  cause: unknown,
  requestId: string | undefined,
): StreamError {
  return new StreamError(
    `Line ${number} of result file ${fileId} ${problem}: download the file with ` +
      "files.download to inspect it",
    { payload: line.slice(0, 200), cause, requestId },
  );
}

function compareIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b) && a.length !== b.length) {
    return a.length - b.length;
  }

  if (a === b) return 0;
  return a < b ? -1 : 1;
}
