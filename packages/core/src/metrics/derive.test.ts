import { describe, expect, it } from 'vitest';
import { parseMicros } from '../money/money.ts';
import { deriveMetrics, safeRatio } from './derive.ts';
import { addTotals, emptyTotals, type MetricTotals } from './totals.ts';

const sample: MetricTotals = {
  spend: parseMicros('200'),
  revenue: parseMicros('770'),
  purchases: 10,
  impressions: 40_000,
  reach: 20_000,
  linkClicks: 500,
  addsToCart: 50,
  checkoutsInitiated: 20,
};

describe('deriveMetrics', () => {
  it('computes every ratio from the totals', () => {
    const m = deriveMetrics(sample);
    expect(m.roas).toBeCloseTo(3.85, 10);
    expect(m.cpa).toBe(20);
    expect(m.cvr).toBe(0.02);
    expect(m.ctr).toBe(0.0125);
    expect(m.cpc).toBe(0.4);
    expect(m.cpm).toBe(5);
    expect(m.aov).toBe(77);
    expect(m.frequency).toBe(2);
    expect(m.addToCartRate).toBe(0.1);
    expect(m.costPerAddToCart).toBe(4);
  });

  it('gives null, never Infinity or NaN, for zero denominators', () => {
    const m = deriveMetrics(emptyTotals());
    for (const value of Object.values(m)) expect(value).toBeNull();
    const spendOnly = deriveMetrics({ ...emptyTotals(), spend: parseMicros('5') });
    expect(spendOnly.roas).toBe(0);
    expect(spendOnly.cpa).toBeNull();
    expect(spendOnly.cpm).toBeNull();
  });

  it('safeRatio refuses non-finite input', () => {
    expect(safeRatio(Number.NaN, 2)).toBeNull();
    expect(safeRatio(1, Number.POSITIVE_INFINITY)).toBeNull();
    expect(safeRatio(0, 0)).toBeNull();
  });

  it('adds totals field by field', () => {
    const doubled = addTotals(sample, sample);
    expect(doubled.spend).toBe(parseMicros('400'));
    expect(doubled.purchases).toBe(20);
    expect(deriveMetrics(doubled).roas).toBeCloseTo(3.85, 10);
  });
});
