import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/test-databases.ts';
import { adsetDay, csv, DAILY_ADSET_HEADER } from '../../test/csv-builder.ts';
import { UserError } from '../shared/errors.ts';
import { importAdsManagerCsv } from './import.service.ts';
import { buildReport } from './report.service.ts';

const now = new Date('2026-04-01T00:00:00Z');

// Ten days of one ad set spending 10.00 a day; purchases on day 10 only, so windows differ visibly.
const TEN_DAYS = csv(
  DAILY_ADSET_HEADER,
  Array.from({ length: 10 }, (_, i) => {
    const day = `2026-03-${String(i + 1).padStart(2, '0')}`;
    return adsetDay(day, 'Spring', 'Broad', '10.00', i === 9 ? 2 : 0, i === 9 ? '55.50' : '0');
  }),
);

describeEachEngine('buildReport', (get) => {
  beforeEach(async () => {
    await get().db.execute(sql`truncate accounts cascade`);
  });

  it('sums each window ending on the latest day and derives the metrics', async () => {
    const { db } = get();
    await importAdsManagerCsv(db, { text: TEN_DAYS, fileName: 'shop.csv', now });
    const oneDay = await buildReport(db, { level: 'adset', window: '1d' });
    expect(oneDay.dateRange).toEqual({ from: '2026-03-10', to: '2026-03-10' });
    expect(oneDay.rows[0]).toMatchObject({
      spend: 10,
      revenue: 55.5,
      purchases: 2,
      roas: 5.55,
      cpa: 5,
      cvr: 0.1,
    });

    const threeDays = await buildReport(db, { level: 'adset', window: '3d' });
    expect(threeDays.rows[0]).toMatchObject({ spend: 30, purchases: 2, cpm: 10, ctr: 0.02 });
    expect(threeDays.rows[0]?.roas).toBeCloseTo(1.85, 10);

    const lifetime = await buildReport(db, { level: 'adset', window: 'lifetime' });
    expect(lifetime.dateRange).toEqual({ from: '2026-03-01', to: '2026-03-10' });
    expect(lifetime.totals).toMatchObject({ spend: 100, revenue: 55.5, purchases: 2, impressions: 10_000 });
  });

  it('gives null ratios, not Infinity, where nothing was bought', async () => {
    const { db } = get();
    const noSales = csv(DAILY_ADSET_HEADER, [adsetDay('2026-03-01', 'C', 'A', '10.00', 0, '0', 0, 0)]);
    await importAdsManagerCsv(db, { text: noSales, fileName: 'none.csv', now });
    const report = await buildReport(db, { level: 'adset', window: '7d' });
    expect(report.rows[0]).toMatchObject({
      roas: 0,
      cpa: null,
      cvr: null,
      ctr: null,
      cpc: null,
      cpm: null,
      aov: null,
    });
    expect(JSON.stringify(report)).not.toMatch(/Infinity|NaN/);
  });

  it('rolls ad set rows up to campaigns and refuses levels it has no data for', async () => {
    const { db } = get();
    const twoCampaigns = csv(DAILY_ADSET_HEADER, [
      adsetDay('2026-03-01', 'Spring', 'Broad', '10.00', 1, '30'),
      adsetDay('2026-03-01', 'Spring', 'Interest', '5.00', 0, '0'),
      adsetDay('2026-03-01', 'Summer', 'Broad', '1.00', 0, '0'),
    ]);
    await importAdsManagerCsv(db, { text: twoCampaigns, fileName: 'shop.csv', now });
    const campaigns = await buildReport(db, { level: 'campaign', window: '7d' });
    expect(campaigns.rows.map((r) => [r.name, r.spend])).toEqual([
      ['Spring', 15],
      ['Summer', 1],
    ]);
    expect(campaigns.notes.join()).toMatch(/rolled up from adset/);
    await expect(buildReport(db, { level: 'ad', window: '7d' })).rejects.toThrow(/--level adset/);
  });

  it('uses whole-period rows when an account has no daily rows', async () => {
    const { db } = get();
    const header = DAILY_ADSET_HEADER.filter((h) => h !== 'Day');
    const periods = csv(header, [
      [
        '2026-03-01',
        '2026-03-31',
        'Spring',
        'Broad',
        '310.00',
        31000,
        15000,
        600,
        30,
        20,
        12,
        '900',
        '',
      ].slice(0, 12),
      ['2026-03-25', '2026-03-31', 'Spring', 'Broad', '70.00', 7000, 4000, 140, 7, 5, 3, '210'].slice(0, 12),
    ]);
    await importAdsManagerCsv(db, { text: periods, fileName: 'periods.csv', now });
    const lifetime = await buildReport(db, { level: 'adset', window: 'lifetime' });
    expect(lifetime.basis).toBe('period');
    // The two periods overlap: the wider one is counted, the week inside it is not added on top.
    expect(lifetime.rows[0]).toMatchObject({ spend: 310, purchases: 12 });
    const week = await buildReport(db, { level: 'adset', window: '7d' });
    expect(week.rows[0]).toMatchObject({ spend: 70, purchases: 3 });
  });

  it('asks which account when there are several, and names them', async () => {
    const { db } = get();
    await importAdsManagerCsv(db, { text: TEN_DAYS, fileName: 'a.csv', accountName: 'Shop A', now });
    await importAdsManagerCsv(db, { text: TEN_DAYS, fileName: 'b.csv', accountName: 'Shop B', now });
    await expect(buildReport(db, { level: 'adset', window: '7d' })).rejects.toThrow(UserError);
    await expect(buildReport(db, { level: 'adset', window: '7d' })).rejects.toThrow(/"Shop A".*"Shop B"/);
    const b = await buildReport(db, { account: 'Shop B', level: 'adset', window: '7d' });
    expect(b.account.name).toBe('Shop B');
    await expect(buildReport(db, { account: 'Shop C', level: 'adset', window: '7d' })).rejects.toThrow(
      /no such account/,
    );
  });
});
