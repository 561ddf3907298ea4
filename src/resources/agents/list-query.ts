import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import type { QueryValue } from "../../core/transport.js";

/** Query parameters ready for `Transport.send`. */
export type Query = Record<string, QueryValue | QueryValue[]>;

/** First page and page size of a page-numbered list. */
export interface PageWindow {
  firstPage: number;
  pageSize: number;
}

/**
 * Checks `page` and `page_size` of a page-numbered list. `defaultPageSize` is the server's
 * default, used when the caller sets none, because `PagedList` needs the size to tell a short
 * last page from a full one.
 */
export function checkPageWindow(
  params: { page?: unknown; page_size?: unknown },
  defaultPageSize: number,
  problems: InputProblem[],
): PageWindow {
  const { page = 0, page_size = defaultPageSize } = params;
  if (!Number.isInteger(page) || (page as number) < 0) {
    problems.push({ path: "page", message: "must be an integer of at least 0" });
  }

  checkPageSize(page_size, problems);
  return { firstPage: page as number, pageSize: page_size as number };
}

/** Checks a page size. The upper bound is left to the server, which may raise it. */
export function checkPageSize(pageSize: unknown, problems: InputProblem[]): void {
  if (!Number.isInteger(pageSize) || (pageSize as number) < 1) {
    problems.push({ path: "page_size", message: "must be an integer of at least 1" });
  }
}

/** Checks that list parameters are a plain object; `undefined` counts as no parameters. */
export function checkParamsObject(params: unknown, summary: string): Record<string, unknown> {
  if (params === undefined) return {};
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new ValidationError([{ path: "params", message: "must be an object" }], summary);
  }

  return params as Record<string, unknown>;
}

/**
 * Encodes a `metadata` filter, which the API reads as JSON text in the query. Null and undefined
 * leave the parameter out.
 */
export function encodeMetadata(metadata: unknown, problems: InputProblem[]): string | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  if (typeof metadata !== "object" || Array.isArray(metadata)) {
    problems.push({ path: "metadata", message: "must be an object of key-value pairs" });
    return undefined;
  }

  return JSON.stringify(metadata);
}

/** Throws a ValidationError listing `problems` when there is at least one. */
export function throwIfProblems(problems: InputProblem[], summary: string): void {
  if (problems.length > 0) {
    throw new ValidationError(problems, summary);
  }
}
