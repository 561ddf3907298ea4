import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import type { QueryValue } from "../../core/transport.js";
import type { LibraryDocumentListParams } from "../../types/libraries.js";

/** Page size the API uses when a request names none. */
const DEFAULT_PAGE_SIZE = 100;

/** Fields of the list parameters sent as text. Each may also be null. */
const TEXT_FIELDS = ["search", "filters_attributes", "sort_by", "sort_order"] as const;

/** Checked list parameters: where paging starts, and the other query fields as given. */
export interface DocumentListQuery {
  firstPage: number;
  pageSize: number;
  filters: Record<string, QueryValue>;
}

/** Checks the parameters of a document list, listing every problem before any request. */
export function checkListParams(params: LibraryDocumentListParams): DocumentListQuery {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new ValidationError([{ path: "params", message: "must be an object" }]);
  }

  const { page = 0, page_size = DEFAULT_PAGE_SIZE, ...filters } = params;
  const problems: InputProblem[] = [];
  if (!Number.isInteger(page) || page < 0) {
    problems.push({ path: "page", message: "must be an integer of at least 0" });
  }

  // The API accepts at most 100 but that bound is left to the server, which may raise it.
  if (!Number.isInteger(page_size) || page_size < 1) {
    problems.push({ path: "page_size", message: "must be an integer of at least 1" });
  }

  for (const [name, value] of Object.entries(filters)) {
    const isText = (TEXT_FIELDS as readonly string[]).includes(name);
    if (isText && value !== undefined && value !== null && typeof value !== "string") {
      problems.push({ path: name, message: "must be a string" });
    } else if (typeof value === "object" && value !== null) {
      problems.push({ path: name, message: "must be a string, number or boolean" });
    }
  }

  if (problems.length > 0) {
    throw new ValidationError(problems, "Invalid document list parameters");
  }

  return { firstPage: page, pageSize: page_size, filters: filters as Record<string, QueryValue> };
}
