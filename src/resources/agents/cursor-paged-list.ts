import { type Page, PagedList, type PageResult } from "../../core/pagination.js";

/** One page of a cursor-paginated list, as a fetcher returns it. */
export interface CursorPageResult<T> {
  items: T[];
  /** Cursor of the next page; null, undefined or empty on the last page. */
  nextCursor: string | null | undefined;
  raw: unknown;
}

/** Reads the page that `cursor` points to; undefined reads the first page. */
export type CursorFetcher<T> = (cursor: string | undefined) => Promise<CursorPageResult<T>>;

/**
 * A {@link PagedList} over an API that pages by opaque cursor. Page numbers count from the list's
 * start, and the end is where the server sends no next cursor, so a short page in the middle
 * does not stop the iteration. `page(n)` reads pages 0 to n-1 first when their cursors are not
 * known yet.
 */
export class CursorPagedList<T> extends PagedList<T> {
  readonly #chain: CursorChain<T>;

  /** `pageSize` only labels the pages; the fetcher decides what it sends. */
  constructor(fetch: CursorFetcher<T>, pageSize: number, firstCursor?: string) {
    const chain = new CursorChain(fetch, firstCursor);
    super((page) => chain.fetch(page), 0, pageSize);
    this.#chain = chain;
  }

  override async page(page = 0): Promise<Page<T>> {
    const result = await super.page(page);
    return { ...result, hasMore: this.#chain.hasPageAfter(page) };
  }
}

/** The cursors of the pages read so far, learnt one page at a time. */
class CursorChain<T> {
  readonly #fetch: CursorFetcher<T>;
  /**
   * Cursor of page n at index n: undefined for a first page without cursor, null for a page past
   * the end. An index beyond the array is a page whose cursor is not known yet.
   */
  readonly #cursors: Array<string | null | undefined>;

  constructor(fetch: CursorFetcher<T>, firstCursor: string | undefined) {
    this.#fetch = fetch;
    this.#cursors = [firstCursor];
  }

  async fetch(page: number): Promise<PageResult<T>> {
    // The cursor of page n arrives with page n-1, so earlier pages are read first.
    while (this.#cursors.length <= page) {
      await this.fetch(this.#cursors.length - 1);
    }

    const cursor = this.#cursors[page];
    if (cursor === null) {
      this.#cursors[page + 1] = null;
      return { items: [], raw: undefined };
    }

    const result = await this.#fetch(cursor);
    const next = result.nextCursor;
    this.#cursors[page + 1] = typeof next === "string" && next !== "" ? next : null;
    return { items: Array.isArray(result.items) ? result.items : [], raw: result.raw };
  }

  hasPageAfter(page: number): boolean {
    const next = this.#cursors[page + 1];
    return typeof next === "string";
  }
}
