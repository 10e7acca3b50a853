import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The drizzle handle both engines share; repositories are written against this type only. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Engine = 'pglite' | 'postgres';

export type Database = {
  readonly db: Db;
  readonly engine: Engine;
  /** Where the data lives, with any password masked. */
  readonly location: string;
  migrate(): Promise<void>;
  /**
   * Calls `onNotify` for each NOTIFY on the channel, after the notifying transaction commits. On
   * PostgreSQL it holds a connection of its own; `onLost` hears when that connection fails (no
   * further notices will come). Resolves to a function that stops listening.
   */
  listen(
    channel: string,
    handlers: { onNotify(payload: string): void; onLost(error: unknown): void },
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

export type DatabaseOptions =
  { engine: 'pglite'; dataDir: string | null } | { engine: 'postgres'; url: string; max?: number };

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

// node-postgres returns int8 and numeric as strings; keep it that way so money stays exact.
const SILENT_NOTICE = () => {};

/** Opens PGlite (in a directory this process then owns, or in memory when dataDir is null) or PostgreSQL. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 10 });
    pool.on('error', SILENT_NOTICE);
    const db = drizzlePg({ client: pool, schema }) as unknown as Db;
    await pool.query('select 1');
    return {
      db,
      engine: 'postgres',
      location: options.url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@'),
      migrate: () => migratePg(drizzlePg({ client: pool, schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
      listen: async (channel, handlers) => {
        const client = new pg.Client({ connectionString: options.url });
        let isStopped = false;
        const lost = (error: unknown) => {
          if (isStopped) return;
          isStopped = true;
          handlers.onLost(error);
        };
        client.on('error', lost);
        client.on('end', () => lost(new Error('the notification connection closed')));
        client.on('notification', (message) => {
          if (message.channel === channel) handlers.onNotify(message.payload ?? '');
        });
        await client.connect();
        await client.query(`listen "${channel.replace(/"/g, '""')}"`);
        return async () => {
          isStopped = true;
          await client.end().catch(SILENT_NOTICE);
        };
      },
      close: () => pool.end(),
    };
  }
  let release: () => void = () => {};
  if (options.dataDir !== null) {
    mkdirSync(path.dirname(options.dataDir), { recursive: true });
    release = acquireDataDirLock(`${options.dataDir}.lock`);
  }
  try {
    const client = options.dataDir === null ? new PGlite() : new PGlite(options.dataDir);
    await client.waitReady;
    const db = drizzlePglite({ client, schema });
    return {
      db: db as unknown as Db,
      engine: 'pglite',
      location: options.dataDir ?? 'memory',
      migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
      // PGlite runs in this process: its notices cannot be lost while it is open.
      listen: async (channel, handlers) => {
        const stop = await client.listen(channel, (payload) => handlers.onNotify(payload));
        return async () => {
          if (!client.closed) await stop();
        };
      },
      close: async () => {
        try {
          await client.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** The database the configuration points at: PostgreSQL when DATABASE_URL is set, else PGlite under home. */
export function databaseOptionsFor(config: {
  home: string;
  databaseUrl?: string | undefined;
}): DatabaseOptions {
  return config.databaseUrl
    ? { engine: 'postgres', url: config.databaseUrl }
    : { engine: 'pglite', dataDir: path.join(config.home, 'pgdata') };
}

/** Runs raw SQL and returns its rows; both drivers answer with `{ rows }`, which the shared type hides. */
export async function queryRows<Row extends Record<string, unknown>>(db: Db, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: Row[] }).rows;
}
