import { parseMicros } from '@roas/core';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { queryRows, type Db } from '../adapters/db/database.ts';
import { describeEachEngine } from '../../test/test-databases.ts';
import { adsetDay, csv, DAILY_ADSET_HEADER } from '../../test/csv-builder.ts';
import { CsvImportError } from '../import/csv-import-error.ts';
import { UserError } from '../shared/errors.ts';
import { generateAdsManagerSample } from '../import/sample-export.ts';
import { importAdsManagerCsv } from './import.service.ts';
import { buildReport } from './report.service.ts';

const MARCH = csv(DAILY_ADSET_HEADER, [
  adsetDay('2026-03-01', 'Spring', 'Broad', '10.00', 1, '40.10'),
  adsetDay('2026-03-02', 'Spring', 'Broad', '12.50', 0, '0'),
  adsetDay('2026-03-02', 'Spring', 'Lookalike 1%', '20.00', 2, '99.99'),
  adsetDay('2026-03-03', 'Summer', 'Broad', '5.55', 1, '30'),
]);

const TABLES = [
  'accounts',
  'campaigns',
  'adsets',
  'ads',
  'campaign_insights',
  'adset_insights',
  'ad_insights',
  'imports',
];

async function snapshot(db: Db): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const rows = await queryRows(db, sql.raw(`select * from "${table}" order by 1, 2`));
    parts.push(
      `${table}: ${JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
    );
  }
  return parts.join('\n');
}

async function count(db: Db, table: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(db, sql.raw(`select count(*)::text as n from "${table}"`));
  return Number(row?.n ?? 0);
}

describeEachEngine('importAdsManagerCsv', (get) => {
  const t0 = new Date('2026-04-01T10:00:00Z');
  const t1 = new Date('2026-04-02T10:00:00Z');

  beforeEach(async () => {
    await get().db.execute(sql`truncate accounts, insight_revisions cascade`);
  });

  it('stores entities and daily rows and reports the summary', async () => {
    const summary = await importAdsManagerCsv(get().db, { text: MARCH, fileName: 'march.csv', now: t0 });
    expect(summary).toMatchObject({
      account: { name: 'march' },
      rows: 4,
      entities: 3,
      level: 'adset',
      currency: 'EUR',
      dateRange: { from: '2026-03-01', to: '2026-03-03' },
      totals: { spend: 48.05, purchases: 4, revenue: 170.09, impressions: 4000, clicks: 80 },
      stored: { inserted: 4, changed: 0, unchanged: 0 },
    });
    expect(await count(get().db, 'campaigns')).toBe(2);
    expect(await count(get().db, 'adsets')).toBe(3);
    expect(await count(get().db, 'adset_insights')).toBe(4);
  });

  it('updates instead of duplicating on re-import and on overlapping ranges', async () => {
    const { db } = get();
    await importAdsManagerCsv(db, { text: MARCH, fileName: 'march.csv', now: t0 });
    const again = await importAdsManagerCsv(db, { text: MARCH, fileName: 'march.csv', now: t1 });
    expect(again.stored).toEqual({ inserted: 0, changed: 0, unchanged: 4 });
    expect(await count(db, 'adset_insights')).toBe(4);

    // Late conversions restate 03-02; 03-04 is new.
    const overlap = csv(DAILY_ADSET_HEADER, [
      adsetDay('2026-03-02', 'Spring', 'Broad', '12.50', 1, '25.00'),
      adsetDay('2026-03-02', 'Spring', 'Lookalike 1%', '20.00', 2, '99.99'),
      adsetDay('2026-03-04', 'Spring', 'Broad', '9.00', 0, '0'),
    ]);
    const later = new Date('2026-04-03T10:00:00Z');
    const result = await importAdsManagerCsv(db, { text: overlap, fileName: 'march.csv', now: later });
    expect(result.stored).toEqual({ inserted: 1, changed: 1, unchanged: 1 });
    expect(await count(db, 'adset_insights')).toBe(5);

    const rows = await queryRows<{
      purchases: number;
      first_seen_at: Date | string;
      changed_at: Date | string;
    }>(
      db,
      sql`select i.purchases, i.first_seen_at, i.changed_at from adset_insights i join adsets a on a.id = i.adset_id
          where a.name = 'Broad' and i.date_start = '2026-03-02'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.purchases).toBe(1);
    expect(new Date(rows[0]?.first_seen_at ?? 0).toISOString()).toBe(t0.toISOString());
    expect(new Date(rows[0]?.changed_at ?? 0).toISOString()).toBe(later.toISOString());

    // Old days are not revision history when first seen; the restated day is, once.
    const revisions = await queryRows<{ date: string; purchases: number }>(
      db,
      sql`select date::text as date, purchases from insight_revisions order by date`,
    );
    expect(revisions).toEqual([{ date: '2026-03-02', purchases: 1 }]);
  });

  it('records the first reading of young days, the start of their lag curve', async () => {
    const { db } = get();
    const justAfter = new Date('2026-03-04T08:00:00Z');
    await importAdsManagerCsv(db, { text: MARCH, fileName: 'march.csv', now: justAfter });
    expect(await count(db, 'insight_revisions')).toBe(4);
    await importAdsManagerCsv(db, {
      text: MARCH,
      fileName: 'march.csv',
      now: new Date('2026-03-05T08:00:00Z'),
    });
    expect(await count(db, 'insight_revisions')).toBe(4);
  });

  it('refuses a malformed file and leaves the database exactly as it was', async () => {
    const { db } = get();
    await importAdsManagerCsv(db, { text: MARCH, fileName: 'march.csv', now: t0 });
    const before = await snapshot(db);
    const broken = MARCH.replace('"12.50"', '"12.5.0"');
    await expect(importAdsManagerCsv(db, { text: broken, fileName: 'broken.csv', now: t1 })).rejects.toThrow(
      CsvImportError,
    );
    const unterminated = `${MARCH}"2026-03-01","2026-03-31","2026-03-05","Spring","Broad,"1"\r\n`;
    await expect(
      importAdsManagerCsv(db, { text: unterminated, fileName: 'cut.csv', now: t1 }),
    ).rejects.toThrow(/line 6/);
    expect(await snapshot(db)).toBe(before);
  });

  it('rolls back every write when the import fails part-way through the transaction', async () => {
    const { db } = get();
    await importAdsManagerCsv(db, { text: MARCH, fileName: 'march.csv', now: t0 });
    const before = await snapshot(db);
    const bigger = csv(
      DAILY_ADSET_HEADER,
      Array.from({ length: 2500 }, (_, i) => adsetDay(dayOf(i), 'Spring', `Adset ${i % 7}`, '1.00', 0, '0')),
    );
    await expect(
      importAdsManagerCsv(db, {
        text: bigger,
        fileName: 'march.csv',
        now: t1,
        onProgress: (done) => {
          if (done >= 1000) throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(await snapshot(db)).toBe(before);
  });

  it('refuses an export in another currency than the account', async () => {
    const { db } = get();
    await importAdsManagerCsv(db, { text: MARCH, fileName: 'shop.csv', accountName: 'Shop', now: t0 });
    const inUsd = MARCH.replace('Amount spent (EUR)', 'Amount spent (USD)');
    await expect(
      importAdsManagerCsv(db, { text: inUsd, fileName: 'shop.csv', accountName: 'Shop', now: t1 }),
    ).rejects.toThrow(new UserError('shop.csv: account "Shop" is in EUR but this export is in USD'));
  });

  it('keeps same-named objects as sums with a warning, and reports them', async () => {
    const { db } = get();
    const boosted = csv(DAILY_ADSET_HEADER, [
      adsetDay('2026-03-01', 'Boosts', 'Boosted post', '3.00', 1, '10'),
      adsetDay('2026-03-01', 'Boosts', 'Boosted post', '4.00', 0, '0'),
    ]);
    const summary = await importAdsManagerCsv(db, { text: boosted, fileName: 'boosts.csv', now: t0 });
    expect(summary.warnings.join('\n')).toMatch(/Boosted post/);
    const report = await buildReport(db, { level: 'adset', window: '1d' });
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ name: 'Boosted post', spend: 7, purchases: 1 });
  });

  it('imports a 100,000-row daily export and stores exactly its totals', async () => {
    const { db } = get();
    const sample = generateAdsManagerSample({ rows: 100_000, seed: 11, level: 'ad', currency: 'USD' });
    const summary = await importAdsManagerCsv(db, { text: sample.csv, fileName: 'big.csv', now: t0 });
    expect(summary.rows).toBe(100_000);
    expect(summary.stored.inserted).toBe(100_000);
    const [stored] = await queryRows<{ n: string; spend: string; revenue: string; purchases: string }>(
      db,
      sql`select count(*)::text as n, sum(spend)::text as spend, sum(revenue)::text as revenue,
                 sum(purchases)::text as purchases from ad_insights`,
    );
    expect(Number(stored?.n)).toBe(100_000);
    expect(parseMicros(stored?.spend ?? '')).toBe(sample.totals.spend);
    expect(parseMicros(stored?.revenue ?? '')).toBe(sample.totals.revenue);
    expect(Number(stored?.purchases)).toBe(sample.totals.purchases);
  }, 120_000);

  it('imports into a named account across files and keeps ids stable', async () => {
    const { db } = get();
    await importAdsManagerCsv(db, { text: MARCH, fileName: 'a.csv', accountName: 'Main shop', now: t0 });
    await importAdsManagerCsv(db, { text: MARCH, fileName: 'b.csv', accountName: 'Main shop', now: t1 });
    expect(await count(db, 'accounts')).toBe(1);
    expect(await count(db, 'adsets')).toBe(3);
    expect(await count(db, 'imports')).toBe(2);
  });
});

function dayOf(i: number): string {
  const d = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 7) * 86_400_000);
  return d.toISOString().slice(0, 10);
}
