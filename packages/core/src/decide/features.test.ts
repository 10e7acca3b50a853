import { describe, expect, it } from 'vitest';
import { deriveMetrics } from '../metrics/derive.ts';
import { emptyTotals, type MetricTotals } from '../metrics/totals.ts';
import { addDays } from '../metrics/window.ts';
import { parseMicros } from '../money/money.ts';
import { DEFAULT_COMPLETENESS } from '../stats/lag.ts';
import { ageOn, computeFeatures, type DailyRow } from './features.ts';

const ASOF = '2026-06-15';

/** Days ending yesterday, oldest first, from (spend, revenue, purchases) triples. */
function series(days: readonly [number, number, number][]): DailyRow[] {
  return days.map(([spend, revenue, purchases], i) => ({
    date: addDays(ASOF, -(days.length - i)),
    totals: {
      ...emptyTotals(),
      spend: parseMicros(String(spend)),
      revenue: parseMicros(String(revenue)),
      purchases,
      impressions: 1000,
      linkClicks: 20,
    } satisfies MetricTotals,
  }));
}

/** What a steady ad set reports on ASOF: each day's revenue and purchases only as complete as its age allows. */
function lagged(days: number, spend: number, roas: number, aov: number): DailyRow[] {
  return series(
    Array.from({ length: days }, (_, i) => {
      const age = days - 1 - i;
      const share = DEFAULT_COMPLETENESS[age] ?? 1;
      return [spend, spend * roas * share, Math.round(((spend * roas) / aov) * share)] as [
        number,
        number,
        number,
      ];
    }),
  );
}

describe('computeFeatures', () => {
  it('measures age from the end of each day', () => {
    expect(ageOn('2026-06-14', ASOF)).toBe(0);
    expect(ageOn('2026-06-08', ASOF)).toBe(6);
    expect(ageOn(ASOF, ASOF)).toBe(-1);
  });

  it('sums every window ending on the last complete day and leaves today out', () => {
    const rows = [
      ...series(Array.from({ length: 10 }, () => [10, 30, 1] as [number, number, number])),
      ...series([[99, 0, 0]]).map((r) => ({ ...r, date: ASOF })),
    ];
    const f = computeFeatures(rows, ASOF);
    expect(f.lastDay).toBe('2026-06-14');
    expect(f.windows['1d'].totals.spend).toBe(parseMicros('10'));
    expect(f.windows['7d'].totals.purchases).toBe(7);
    expect(f.windows.lifetime.totals.spend).toBe(parseMicros('100'));
    expect(f.windows['7d'].metrics.roas).toBeCloseTo(3, 10);
    expect(f.ageDays).toBe(10);
  });

  it("derives each window's metrics from its totals when they are read", () => {
    const f = computeFeatures(lagged(20, 100, 3, 60), ASOF);
    for (const window of Object.values(f.windows)) {
      expect(window.metrics).toEqual(deriveMetrics(window.totals));
      // Read twice, worked out once.
      expect(window.metrics).toBe(window.metrics);
    }
  });

  it('does not read a steady winner as declining when its newest days are only immature', () => {
    const rows = lagged(14, 100, 3, 60);
    const raw = rows.slice(-2).map((r) => Number(r.totals.revenue) / Number(r.totals.spend));
    // Raw ROAS of the last two days looks like a collapse...
    expect(raw[1]).toBeLessThan(2);
    const f = computeFeatures(rows, ASOF);
    // ...but corrected for lag, the trend is flat and the 7-day ROAS is the true 3.
    expect(Math.abs(f.roasSlope ?? 1)).toBeLessThan(0.02);
    expect(f.windows['7d'].lagCorrectedRoas).toBeCloseTo(3, 5);
    expect(f.windows['7d'].metrics.roas).toBeLessThan(2.8);
  });

  it('sees a real decline through the correction', () => {
    const declining = series(
      Array.from({ length: 7 }, (_, i) => [100, 400 - 40 * i, 6] as [number, number, number]),
    );
    const f = computeFeatures(declining, ASOF, [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(f.roasSlope).toBeLessThan(-0.1);
    expect(f.dayOverDayRoasChange).toBeCloseTo(160 / 200 - 1, 10);
  });

  it('measures CPA volatility and spend acceleration, null where undefined', () => {
    const steady = series(Array.from({ length: 7 }, () => [50, 150, 2] as [number, number, number]));
    const flat = computeFeatures(steady, ASOF, [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(flat.cpaVolatility).toBeCloseTo(0, 10);
    expect(flat.spendAcceleration).toBeCloseTo(0, 10);
    const ramp = series([
      [10, 0, 0],
      [10, 0, 0],
      [10, 0, 0],
      [10, 0, 0],
      [20, 60, 1],
      [20, 10, 4],
      [20, 90, 1],
    ]);
    const f = computeFeatures(ramp, ASOF, [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(f.spendAcceleration).toBeCloseTo(1, 10);
    // Daily CPAs 20, 5 and 20: mean 15, population sd √50.
    expect(f.cpaVolatility).toBeCloseTo(Math.sqrt(50) / 15, 10);
    const empty = computeFeatures([], ASOF);
    expect(empty).toMatchObject({
      roasSlope: null,
      cpaVolatility: null,
      spendAcceleration: null,
      dayOverDayRoasChange: null,
      ageDays: 0,
    });
    expect(empty.windows['7d'].lagCorrectedRoas).toBeNull();
  });
});
