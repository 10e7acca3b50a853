import { MICROS_PER_UNIT, type Micros } from '../money/money.ts';
import type { MetricTotals } from './totals.ts';

/**
 * Metrics derived from totals. Every ratio is null when its denominator is zero, never Infinity or NaN.
 * Rates (ctr, cvr, addToCartRate) are fractions: 0.0123 means 1.23%. Money is in major units.
 */
export type DerivedMetrics = {
  roas: number | null;
  cpa: number | null;
  cvr: number | null;
  ctr: number | null;
  cpc: number | null;
  cpm: number | null;
  aov: number | null;
  frequency: number | null;
  addToCartRate: number | null;
  costPerAddToCart: number | null;
};

/** numerator / denominator, or null when the denominator is zero or either side is not finite. */
export function safeRatio(numerator: number, denominator: number): number | null {
  if (denominator === 0 || !Number.isFinite(numerator) || !Number.isFinite(denominator)) return null;
  return numerator / denominator;
}

function microsRatio(numerator: Micros, denominator: Micros): number | null {
  if (denominator === 0n) return null;
  return Number(numerator) / Number(denominator);
}

function moneyPer(amount: Micros, count: number): number | null {
  return safeRatio(Number(amount) / Number(MICROS_PER_UNIT), count);
}

export function deriveMetrics(totals: MetricTotals): DerivedMetrics {
  return {
    roas: microsRatio(totals.revenue, totals.spend),
    cpa: moneyPer(totals.spend, totals.purchases),
    cvr: safeRatio(totals.purchases, totals.linkClicks),
    ctr: safeRatio(totals.linkClicks, totals.impressions),
    cpc: moneyPer(totals.spend, totals.linkClicks),
    cpm: moneyPer(totals.spend * 1000n, totals.impressions),
    aov: moneyPer(totals.revenue, totals.purchases),
    frequency: safeRatio(totals.impressions, totals.reach),
    addToCartRate: safeRatio(totals.addsToCart, totals.linkClicks),
    costPerAddToCart: moneyPer(totals.spend, totals.addsToCart),
  };
}
