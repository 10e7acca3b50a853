import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { hostname } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/test-databases.ts';
import { openDatabase, queryRows } from './database.ts';
import { accounts } from './schema.ts';

describeEachEngine('migrations', (get) => {
  it('create every table product.md lists', async () => {
    const { db } = get();
    const rows = await queryRows<{ table_name: string }>(
      db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const tables = rows.map((row) => row.table_name);
    for (const table of [
      'accounts',
      'campaigns',
      'adsets',
      'ads',
      'adset_insights',
      'ad_insights',
      'recommendations',
      'actions',
      'outcomes',
      'settings_versions',
      'users',
      'sessions',
      'notifications',
      'models',
      'predictions',
    ]) {
      expect(tables).toContain(table);
    }
  });

  it('are idempotent when applied twice', async () => {
    await get().migrate();
    const { db } = get();
    await db.insert(accounts).values({ id: 'act_1', source: 'csv', name: 'Twice', currency: 'EUR' });
    await get().migrate();
    expect(await db.select().from(accounts)).toHaveLength(1);
  });

  it('keep money exact and budgets as bigint minor units', async () => {
    const { db } = get();
    await db.insert(accounts).values({
      id: 'act_2',
      source: 'meta',
      name: 'Big',
      currency: 'IDR',
      spendCapMinor: 9_007_199_254_740_993n,
    });
    const [row] = await db
      .select()
      .from(accounts)
      .where(sql`${accounts.id} = 'act_2'`);
    expect(row?.spendCapMinor).toBe(9_007_199_254_740_993n);
  });
});

describe('PGlite data directory ownership', () => {
  it('refuses a second owner with a message naming the first', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'roas-lock-')), 'pgdata');
    const first = await openDatabase({ engine: 'pglite', dataDir });
    try {
      await expect(openDatabase({ engine: 'pglite', dataDir })).rejects.toThrow(
        new RegExp(`in use by process ${process.pid}`),
      );
    } finally {
      await first.close();
    }
    const again = await openDatabase({ engine: 'pglite', dataDir });
    await again.close();
  });

  it('takes over a lock left by a process that has died', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'roas-lock-')), 'pgdata');
    const deadPid = 2 ** 22 + 12_345;
    writeFileSync(
      `${dataDir}.lock`,
      JSON.stringify({
        pid: deadPid,
        hostname: hostname(),
        command: 'roas serve',
        startedAt: '2026-01-01T00:00:00Z',
      }),
    );
    const database = await openDatabase({ engine: 'pglite', dataDir });
    await database.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
