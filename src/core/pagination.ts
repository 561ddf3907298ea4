/** One page of a list operation. */
export interface Page<T> {
  items: T[];
  /** Zero-based page number, as the API counts. */
  page: number;
  pageSize: number;
  /** Total item count across pages, when the server reports it. */
  total: number | undefined;
  /** False once a page came back short or the reported total is reached. */
  hasMore: boolean;
  /** The response body as the server sent it. */
  raw: unknown;
}

/** Result of a list operation for one page request. */
export interface PageResult<T> {
  items: T[];
  total?: number | undefined;
  raw: unknown;
}

export type PageFetcher<T> = (page: number, pageSize: number) => Promise<PageResult<T>>;

/**
 * A list over every page of a list operation. `for await` yields each item, fetching the next
 * page only when the previous one is used up; `page(n)` reads one page. Nothing is fetched
 * before it is asked for. Abort with the `signal` of the call's options.
 */
export class PagedList<T> implements AsyncIterable<T> {
  readonly #fetch: PageFetcher<T>;
  readonly #firstPage: number;
  readonly #pageSize: number;

  constructor(fetch: PageFetcher<T>, firstPage: number, pageSize: number) {
    this.#fetch = fetch;
    this.#firstPage = firstPage;
    this.#pageSize = pageSize;
  }

  /** Reads one page; default: the first page of this list. */
  async page(page: number = this.#firstPage): Promise<Page<T>> {
    const result = await this.#fetch(page, this.#pageSize);
    const items = Array.isArray(result.items) ? result.items : [];
    const fetchedSoFar = (page + 1) * this.#pageSize;
    const hasMore =
      items.length >= this.#pageSize &&
      items.length > 0 &&
      (result.total === undefined || fetchedSoFar < result.total);
    return { items, page, pageSize: this.#pageSize, total: result.total, hasMore, raw: result.raw };
  }

  /** Iterates pages, fetching each one when the previous one is done. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let number = this.#firstPage;
    for (;;) {
      const page = await this.page(number);
      yield page;
      if (!page.hasMore) return;
      number++;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) {
      yield* page.items;
    }
  }

  /** Collects items into an array, stopping after `limit` items (default: all). */
  async toArray(limit = Number.POSITIVE_INFINITY): Promise<T[]> {
    const items: T[] = [];
    if (limit <= 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= limit) break;
    }

    return items;
  }
}
