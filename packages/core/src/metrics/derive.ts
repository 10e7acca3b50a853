import { MICROS_PER_UNIT } from '../money/money.ts';
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

const MICROS = Number(MICROS_PER_UNIT);

export function deriveMetrics(totals: MetricTotals): DerivedMetrics {
  return deriveMetricsOfMicros(totals, Number(totals.spend), Number(totals.revenue));
}

/**
 * `deriveMetrics` for callers that hold spend and revenue as numbers already (`Number(totals.spend)`
 * and `Number(totals.revenue)`): converting a BigInt costs more than the rest of the arithmetic.
 */
export function deriveMetricsOfMicros(
  totals: MetricTotals,
  spendMicros: number,
  revenueMicros: number,
): DerivedMetrics {
  const spend = spendMicros / MICROS;
  return {
    roas: spendMicros === 0 ? null : revenueMicros / spendMicros,
    cpa: safeRatio(spend, totals.purchases),
    cvr: safeRatio(totals.purchases, totals.linkClicks),
    ctr: safeRatio(totals.linkClicks, totals.impressions),
    cpc: safeRatio(spend, totals.linkClicks),
    // Exact as numbers while spend is; beyond 2^53 micros the product is taken in BigInt.
    cpm: safeRatio(
      (Number.isSafeInteger(spendMicros) ? spendMicros * 1000 : Number(totals.spend * 1000n)) / MICROS,
      totals.impressions,
    ),
    aov: safeRatio(revenueMicros / MICROS, totals.purchases),
    frequency: safeRatio(totals.impressions, totals.reach),
    addToCartRate: safeRatio(totals.addsToCart, totals.linkClicks),
    costPerAddToCart: safeRatio(spend, totals.addsToCart),
  };
}
