import { graphErrors } from './graph-error.ts';
import { decodeCursor, encodeCursor } from './ids.ts';

/** Where `next` / `previous` point: the fake's own absolute URL with every original query parameter. */
export type PageLink = {
  /** `http://127.0.0.1:PORT/v26.0/act_1/insights`. */
  url: string;
  query: URLSearchParams;
  /** Added to the links when the token did not come in the query (nor in an Authorization header). */
  token: string | null;
};

export type Paging = {
  cursors: { before: string; after: string };
  next?: string;
  previous?: string;
};

export type Page<T> = { data: T[]; paging?: Paging; summary?: { total_count: number } };

const DEFAULT_LIMIT = 25;

/** `limit` as an integer >= 1 (default 25). */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  const value = Number(raw);
  // The wording of a bad `limit` is not documented; (#100) is what every other bad parameter gets.
  if (!Number.isInteger(value) || value < 0)
    throw graphErrors.invalidParameter('Param limit must be a non-negative integer');
  return value === 0 ? DEFAULT_LIMIT : value;
}

function linkWith(link: PageLink, key: 'after' | 'before', cursor: string): string {
  const query = new URLSearchParams(link.query);
  query.delete('after');
  query.delete('before');
  if (link.token !== null && !query.has('access_token')) query.set('access_token', link.token);
  query.set(key, cursor);
  return `${link.url}?${query.toString()}`;
}

/**
 * Cuts one page out of `items` following meta-graph-api.md 2.1: cursor paging with `limit`, `after`
 * and `before`, absolute `next` / `previous` links, and no `next` on the last page. `onPage` sees the
 * 1-based page number before the page is returned (the page-fail fault throws from it).
 */
export function paginate<T>(
  items: readonly T[],
  params: Record<string, string>,
  link: PageLink,
  onPage?: (pageNumber: number) => void,
): Page<T> {
  const limit = parseLimit(params.limit);
  let start = 0;
  if (params.after !== undefined && params.after !== '') {
    const offset = decodeCursor(params.after);
    if (offset === null) throw graphErrors.invalidParameter('Invalid cursor: after');
    start = offset + 1;
  } else if (params.before !== undefined && params.before !== '') {
    const offset = decodeCursor(params.before);
    if (offset === null) throw graphErrors.invalidParameter('Invalid cursor: before');
    start = Math.max(0, offset - limit);
  }
  onPage?.(Math.floor(start / limit) + 1);
  const data = items.slice(start, start + limit);
  const page: Page<T> = { data };
  if (data.length > 0) {
    const cursors = { before: encodeCursor(start), after: encodeCursor(start + data.length - 1) };
    const paging: Paging = { cursors };
    if (start + data.length < items.length) paging.next = linkWith(link, 'after', cursors.after);
    if (start > 0) paging.previous = linkWith(link, 'before', cursors.before);
    page.paging = paging;
  }
  // `summary=true` and the empty `{"data":[]}` page are [MEM] in the document.
  const summary = params.summary;
  if (summary === 'true' || summary === 'total_count' || summary === '1')
    page.summary = { total_count: items.length };
  return page;
}
