import type { RequestOptions } from "../../core/client-options.js";
import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import { readJsonResponse } from "../../core/json-response.js";
import { PagedList } from "../../core/pagination.js";
import type { QueryValue, Transport } from "../../core/transport.js";

/** Page size the list operations of the API use when none is given. */
const defaultPageSize = 100;

/** A list operation that pages with `page` (zero-based) and `page_size`. */
export interface PagedOperation<T, Body> {
  path: string;
  /** Query parameters other than `page` and `page_size`. */
  query: Record<string, QueryValue | QueryValue[]>;
  page: unknown;
  pageSize: unknown;
  /** Reads the items and the total from a response body. */
  itemsOf: (body: Body) => { items: T[] | undefined; total: number | null | undefined };
}

/**
 * Returns a lazy list over every page of a `GET` operation. The paging values are checked now,
 * so a bad one throws before anything is sent.
 */
export function listPages<T, Body>(
  transport: Transport,
  operation: PagedOperation<T, Body>,
  options: RequestOptions | undefined,
): PagedList<T> {
  const problems: InputProblem[] = [];
  const firstPage = checkWhole(operation.page, "page", 0, 0, problems);
  const pageSize = checkWhole(operation.pageSize, "page_size", 1, defaultPageSize, problems);
  if (problems.length > 0) {
    throw new ValidationError(problems, "Invalid list query");
  }

  return new PagedList<T>(
    async (page, size) => {
      const api = await transport.send({
        method: "GET",
        path: operation.path,
        query: { ...operation.query, page, page_size: size },
        options,
      });
      const body = await readJsonResponse<Body>(api, transport.config.maxResponseBytes);
      const { items, total } = operation.itemsOf(body);
      return { items: items ?? [], total: total ?? undefined, raw: body };
    },
    firstPage,
    pageSize,
  );
}

function checkWhole(
  value: unknown,
  name: string,
  minimum: number,
  fallback: number,
  problems: InputProblem[],
): number {
  if (value === undefined) {
    return fallback;
  }

  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
    problems.push({ path: name, message: `must be a whole number of at least ${minimum}` });
    return fallback;
  }

  return value;
}

/** Turns a single value or a list into a list, for query parameters the API repeats. */
export function asList<T>(value: T | T[] | undefined): T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}
