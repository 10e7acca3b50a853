import { gzipSync } from 'node:zlib';
import { Generation, type ChangeFeed } from './change-feed.ts';

/** A response body already serialized to JSON; `T` records what it holds, for the route's types. */
export class JsonText<T> {
  declare readonly shape?: T;
  private compressed: Buffer | undefined;

  constructor(readonly text: string) {}

  /** The body gzipped, compressed once however often a cached page is sent. */
  gzipped(): Buffer {
    this.compressed ??= gzipSync(this.text, { level: 6 });
    return this.compressed;
  }
}

/** The tables the recommendations list and the history read (names come from the entity tables). */
const LIST_TABLES = ['recommendations', 'actions', 'accounts', 'campaigns', 'adsets', 'ads', 'users'];

/**
 * Serialized list pages (the recommendations list, history), dropped whenever a table behind them
 * changes. A page computed while a change committed is not kept; nothing is kept while the change
 * feed is not live. Concurrent requests for a page that is not cached share one computation, and a
 * cached page is gzipped once for every client that accepts it.
 */
export class ListCache {
  private bytes = 0;
  private readonly pages = new Map<string, JsonText<unknown>>();
  private readonly pending = new Map<string, { generation: number; page: Promise<JsonText<unknown>> }>();
  private readonly generation: Generation;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly limits = { entries: 256, bytes: 64 * 1024 * 1024 },
  ) {
    this.generation = new Generation(feed, LIST_TABLES, () => this.clear());
  }

  private clear(): void {
    this.pages.clear();
    this.pending.clear();
    this.bytes = 0;
  }

  /** The page under `key`, computed by `compute` only when it is not cached. */
  async through<T>(key: string, compute: () => Promise<T>): Promise<JsonText<T>> {
    if (!this.feed.isLive) return new JsonText<T>(JSON.stringify(await compute()));
    const cached = this.pages.get(key);
    if (cached !== undefined) {
      // Map order is recency: move the page to the end.
      this.pages.delete(key);
      this.pages.set(key, cached);
      return cached as JsonText<T>;
    }
    const generation = this.generation.value;
    const inFlight = this.pending.get(key);
    if (inFlight && inFlight.generation === generation) return (await inFlight.page) as JsonText<T>;
    const page = compute().then((value) => new JsonText<T>(JSON.stringify(value)));
    this.pending.set(key, { generation, page });
    try {
      const result = await page;
      if (this.feed.isLive && generation === this.generation.value) this.store(key, result);
      return result;
    } finally {
      if (this.pending.get(key)?.page === page) this.pending.delete(key);
    }
  }

  private store(key: string, page: JsonText<unknown>): void {
    if (page.text.length > this.limits.bytes) return;
    const previous = this.pages.get(key);
    if (previous !== undefined) this.bytes -= previous.text.length;
    this.pages.set(key, page);
    this.bytes += page.text.length;
    for (const [oldest, old] of this.pages) {
      if (this.pages.size <= this.limits.entries && this.bytes <= this.limits.bytes) break;
      this.pages.delete(oldest);
      this.bytes -= old.text.length;
    }
  }
}
