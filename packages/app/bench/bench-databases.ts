// Throw-away databases for the benchmarks: PGlite in a temp directory, or a PostgreSQL database of
// its own created from an admin connection and dropped on dispose.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/adapters/db/database.ts';

export type BenchDatabase = { database: Database; dispose: () => Promise<void> };

/** A fresh database; `name` prefixes the temp directory or names the PostgreSQL database (with the pid). */
export async function freshBenchDatabase(
  kind: 'pglite' | 'postgres',
  name: string,
  adminUrl: string,
): Promise<BenchDatabase> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), `${name.replaceAll('_', '-')}-`));
    const database = await openDatabase({ engine: 'pglite', dataDir: path.join(dir, 'pgdata') });
    return {
      database,
      dispose: () => database.close().then(() => rmSync(dir, { recursive: true, force: true })),
    };
  }
  const databaseName = `${name}_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`drop database if exists "${databaseName}" with (force)`);
  await admin(`create database "${databaseName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  const database = await openDatabase({ engine: 'postgres', url: url.toString() });
  return {
    database,
    dispose: async () => {
      await database.close();
      await admin(`drop database if exists "${databaseName}" with (force)`);
    },
  };
}

/** True when the admin connection answers (within `timeoutMs` when given). */
export async function postgresReachable(adminUrl: string, timeoutMs?: number): Promise<boolean> {
  const client = new pg.Client({
    connectionString: adminUrl,
    ...(timeoutMs === undefined ? {} : { connectionTimeoutMillis: timeoutMs }),
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
