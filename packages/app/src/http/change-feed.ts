import type { Logger } from 'pino';
import type { Database } from '../adapters/db/database.ts';

/** The channel the database's triggers notify on (migration 0006); the payload is the table written. */
export const DATA_CHANGED_CHANNEL = 'roas_data_changed';

const RETRY_MS = { first: 1000, max: 30_000 };

/**
 * Hears which tables changed, from the notifications the database's triggers send when a writing
 * transaction commits. Caches built on it count changes per group of tables (`generation`) and cache
 * nothing while the feed is not live (not yet listening, or its connection was lost).
 */
export class ChangeFeed {
  private live = false;
  private closed = false;
  private readonly listeners = new Set<(table: string) => void>();
  private stopListening: (() => Promise<void>) | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retryMs = RETRY_MS.first;

  get isLive(): boolean {
    return this.live;
  }

  /** Calls `listener` with the table name of each change, and with `*` whenever notices may have been missed. */
  subscribe(listener: (table: string) => void): void {
    this.listeners.add(listener);
  }

  private emit(table: string): void {
    for (const listener of this.listeners) listener(table);
  }

  /**
   * Drops everything cached, at once. For changes this process made: a notice travels on its own
   * connection and may arrive after the response that reports the change.
   */
  invalidateAll(): void {
    this.emit('*');
  }

  async start(database: Pick<Database, 'listen'>, logger: Pick<Logger, 'warn'>): Promise<void> {
    if (this.closed) return;
    try {
      const stop = await database.listen(DATA_CHANGED_CHANNEL, {
        onNotify: (table) => this.emit(table),
        onLost: (error) => {
          this.live = false;
          this.emit('*');
          logger.warn({ err: error }, 'change feed lost: API caches are off until it is back');
          this.scheduleRetry(database, logger);
        },
      });
      if (this.closed) {
        await stop();
        return;
      }
      this.stopListening = stop;
      this.emit('*');
      this.live = true;
      this.retryMs = RETRY_MS.first;
    } catch (error) {
      logger.warn({ err: error }, 'cannot listen for data changes: API caches are off for now');
      this.scheduleRetry(database, logger);
    }
  }

  private scheduleRetry(database: Pick<Database, 'listen'>, logger: Pick<Logger, 'warn'>): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.start(database, logger);
    }, this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MS.max);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    if (this.retry) clearTimeout(this.retry);
    this.emit('*');
    await this.stopListening?.();
  }
}

/** Counts changes to a set of tables: a value computed under one count is stale once it moves. */
export class Generation {
  private count = 0;

  constructor(feed: ChangeFeed, tables: readonly string[], onChange: () => void) {
    const watched = new Set(tables);
    feed.subscribe((table) => {
      if (table !== '*' && !watched.has(table)) return;
      this.count += 1;
      onChange();
    });
  }

  get value(): number {
    return this.count;
  }
}
