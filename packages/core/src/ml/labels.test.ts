import { describe, expect, it } from 'vitest';
import { addDays, dayNumber } from '../metrics/window.ts';
import { daySeries } from './day-series.ts';
import { labelsAt } from './labels.ts';
import { dailyRow } from './test-accounts.ts';

const START = '2026-01-01';
const day = (i: number) => dayNumber(addDays(START, i));

/** 30 days: spend 100 a day, revenue 100 x (i mod 4), a purchase on even days, CTR from `ctr(i)`. */
function series(ctr: (i: number) => number = () => 0.02, impressions = 10_000) {
  return daySeries(
    Array.from({ length: 30 }, (_, i) =>
      dailyRow(addDays(START, i), {
        spend: 100,
        revenue: 100 * (i % 4),
        purchases: i % 2 === 0 ? 1 : 0,
        impressions,
        clicks: Math.round(impressions * ctr(i)),
      }),
    ),
  );
}

describe('labelsAt', () => {
  it('ROAS over the judged day and the 6 after it, with their spend', () => {
    const labels = labelsAt(series(), day(10), day(29));
    // Days 10..16: i mod 4 = 2, 3, 0, 1, 2, 3, 0 -> revenue 1100 on spend 700.
    expect(labels.roasForecast).toBeCloseTo(1100 / 700, 12);
    expect(labels.futureSpend).toBe(700);
  });

  it('leaves labels undefined past what is known, or without delivery', () => {
    expect(labelsAt(series(), day(25), day(29)).roasForecast).toBeNaN();
    expect(labelsAt(series(), day(27), day(29)).purchaseProbability).toBe(1);
    expect(labelsAt(series(), day(28), day(29)).purchaseProbability).toBeNaN();
    // After the rows end: days with no row are days without delivery.
    const afterEnd = labelsAt(series(), day(30), day(40));
    expect(afterEnd.roasForecast).toBeNaN();
    expect(afterEnd.futureSpend).toBe(0);
    expect(afterEnd.purchaseProbability).toBeNaN();
  });

  it('purchase in the next 3 days: 1 with one, 0 with delivery and none', () => {
    const quiet = daySeries(Array.from({ length: 10 }, (_, i) => dailyRow(addDays(START, i), { spend: 50 })));
    expect(labelsAt(series(), day(3), day(29)).purchaseProbability).toBe(1);
    expect(labelsAt(quiet, day(3), day(9)).purchaseProbability).toBe(0);
  });

  it('fatigue onset: 1 when a 3-day CTR falls 20% below its peak within 7 runs', () => {
    const falling = series((i) => (i < 14 ? 0.02 : 0.014));
    expect(labelsAt(falling, day(10), day(29)).fatigueOnset).toBe(1);
    // Judged after the drop started, it is no longer an onset: undefined.
    expect(labelsAt(falling, day(17), day(29)).fatigueOnset).toBeNaN();
    // A drop 8 days out is beyond the horizon.
    expect(labelsAt(falling, day(6), day(29)).fatigueOnset).toBe(0);
  });

  it('fatigue onset: 0 for a steady or slightly slipping CTR', () => {
    expect(labelsAt(series(), day(10), day(29)).fatigueOnset).toBe(0);
    expect(
      labelsAt(
        series((i) => (i < 14 ? 0.02 : 0.0175)),
        day(10),
        day(29),
      ).fatigueOnset,
    ).toBe(0);
  });

  it('fatigue onset: undefined without a trusted peak (under 20 clicks)', () => {
    const thin = series((i) => (i < 14 ? 0.002 : 0.0005), 1000);
    expect(labelsAt(thin, day(10), day(29)).fatigueOnset).toBeNaN();
  });
});
