import { addTotals, emptyTotals, microsToNumber } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { parseAdsManagerCsv } from './ads-manager-parser.ts';
import { readCsv } from './csv-reader.ts';
import { generateAdsManagerCsv, generateAdsManagerSample } from './sample-export.ts';

describe('generateAdsManagerCsv', () => {
  it('is deterministic for a seed and varies between seeds', () => {
    const a = generateAdsManagerCsv({ rows: 300, seed: 7 });
    expect(generateAdsManagerCsv({ rows: 300, seed: 7 })).toBe(a);
    expect(generateAdsManagerCsv({ rows: 300, seed: 8 })).not.toBe(a);
  });

  it('writes a realistic daily ad-level export: header order, account total row first, then data', () => {
    const records = readCsv(
      generateAdsManagerCsv({ rows: 50, seed: 1, currency: 'AUD', startDate: '2026-03-01' }),
    );
    const [header, total, first] = records;
    expect(header?.cells.slice(0, 6)).toEqual([
      'Reporting starts',
      'Reporting ends',
      'Day',
      'Campaign name',
      'Ad set name',
      'Ad name',
    ]);
    expect(header?.cells).toContain('Amount spent (AUD)');
    expect(header?.cells).toContain('CPM (cost per 1,000 impressions) (AUD)');
    expect(total?.cells.slice(2, 6)).toEqual(['', '', '', '']);
    expect(first?.cells[2]).toBe('2026-03-01');
    expect(records).toHaveLength(52);
  });

  it('exercises quoting: commas, quotes, emoji and non-Latin names', () => {
    const text = generateAdsManagerCsv({ rows: 3000, seed: 3 });
    expect(text).toContain('"Retargeting, 30 days');
    expect(text).toContain('"The ""Big"" Weekend');
    expect(text).toContain('春季セール 🌸');
    expect(text).toMatch(/[\u0600-\u06FF]/);
    expect(text).toMatch(/[\u0400-\u04FF]/);
  });

  it('honours withBom, crlf and withIds', () => {
    const text = generateAdsManagerCsv({ rows: 20, seed: 2, withBom: true, crlf: true, withIds: true });
    expect(text.startsWith('\uFEFF"Reporting starts"')).toBe(true);
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    const parsed = parseAdsManagerCsv(text);
    expect(parsed.rows.every((row) => row.ad?.id?.match(/^\d{18}$/) && row.campaign?.id !== null)).toBe(true);
    expect(parsed.warnings).toEqual([]);
  });

  it.each(['campaign', 'adset', 'ad'] as const)('parses back at %s level with exact totals', (level) => {
    const sample = generateAdsManagerSample({ rows: 2000, seed: 11, level, currency: 'EUR' });
    const parsed = parseAdsManagerCsv(sample.csv);
    expect(parsed.level).toBe(level);
    expect(parsed.currency).toBe('EUR');
    expect(parsed.isDaily).toBe(true);
    expect(parsed.sourceRows).toBe(2000);
    expect(parsed.rows).toHaveLength(2000);
    expect(parsed.unknownColumns).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.rows.reduce((sum, row) => addTotals(sum, row.totals), emptyTotals())).toEqual(
      sample.totals,
    );
  });

  it('keeps the figures consistent with each other (CTR ~1%, CPM ~10, CVR ~2%, AOV ~60)', () => {
    const { totals, csv } = generateAdsManagerSample({ rows: 5000, seed: 5 });
    const spend = microsToNumber(totals.spend);
    const revenue = microsToNumber(totals.revenue);
    expect(totals.linkClicks / totals.impressions).toBeGreaterThan(0.006);
    expect(totals.linkClicks / totals.impressions).toBeLessThan(0.016);
    expect((spend / totals.impressions) * 1000).toBeGreaterThan(7);
    expect((spend / totals.impressions) * 1000).toBeLessThan(14);
    expect(totals.purchases / totals.linkClicks).toBeGreaterThan(0.012);
    expect(totals.purchases / totals.linkClicks).toBeLessThan(0.03);
    expect(revenue / totals.purchases).toBeGreaterThan(45);
    expect(revenue / totals.purchases).toBeLessThan(75);
    expect(totals.reach).toBeLessThanOrEqual(totals.impressions);
    expect(totals.addsToCart).toBeGreaterThanOrEqual(totals.checkoutsInitiated);
    expect(totals.checkoutsInitiated).toBeGreaterThanOrEqual(totals.purchases);
    const rows = parseAdsManagerCsv(csv).rows;
    const zeroPurchaseDays = rows.filter((row) => row.totals.purchases === 0).length;
    expect(zeroPurchaseDays).toBeGreaterThan(rows.length * 0.05);
    expect(zeroPurchaseDays).toBeLessThan(rows.length * 0.9);
    expect(rows.some((row) => row.totals.spend === 0n)).toBe(true);
  });
});

describe('100,000-row export', () => {
  it('parses back with totals equal to what the generator wrote', () => {
    const sample = generateAdsManagerSample({
      rows: 100_000,
      seed: 42,
      withIds: true,
      withBom: true,
      crlf: true,
    });
    const started = performance.now();
    const parsed = parseAdsManagerCsv(sample.csv, { fileName: 'big.csv' });
    const elapsed = performance.now() - started;

    expect(parsed.sourceRows).toBe(100_000);
    expect(parsed.rows).toHaveLength(100_000);
    expect(parsed.isDaily).toBe(true);
    expect(parsed.level).toBe('ad');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.rows[0]?.dateStart).toBe(sample.dateStart);
    expect(parsed.rows.at(-1)?.dateStart).toBe(sample.dateStop);
    expect(parsed.rows.reduce((sum, row) => addTotals(sum, row.totals), emptyTotals())).toEqual(
      sample.totals,
    );
    // Generous bound for loaded CI machines; the benchmark measures it properly.
    expect(elapsed).toBeLessThan(4000);
  });
});
