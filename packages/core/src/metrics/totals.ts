import type { Micros } from '../money/money.ts';

/** Raw additive counts for one entity over some span of days; every derived metric comes from these. */
export type MetricTotals = {
  spend: Micros;
  revenue: Micros;
  purchases: number;
  impressions: number;
  reach: number;
  linkClicks: number;
  addsToCart: number;
  checkoutsInitiated: number;
};

export function emptyTotals(): MetricTotals {
  return {
    spend: 0n,
    revenue: 0n,
    purchases: 0,
    impressions: 0,
    reach: 0,
    linkClicks: 0,
    addsToCart: 0,
    checkoutsInitiated: 0,
  };
}

/** Adds `b` into a copy of `a`. Reach is not additive across days; summing it gives an upper bound. */
export function addTotals(a: MetricTotals, b: MetricTotals): MetricTotals {
  return {
    spend: a.spend + b.spend,
    revenue: a.revenue + b.revenue,
    purchases: a.purchases + b.purchases,
    impressions: a.impressions + b.impressions,
    reach: a.reach + b.reach,
    linkClicks: a.linkClicks + b.linkClicks,
    addsToCart: a.addsToCart + b.addsToCart,
    checkoutsInitiated: a.checkoutsInitiated + b.checkoutsInitiated,
  };
}
