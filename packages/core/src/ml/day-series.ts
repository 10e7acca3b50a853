import { dayNumber } from '../metrics/window.ts';
import { MICROS_PER_UNIT } from '../money/money.ts';
import type { DailyRow } from '../decide/features.ts';

const MICROS = Number(MICROS_PER_UNIT);

/**
 * One entity's daily rows as columns indexed by day (index 0 = day number `first`), money in major
 * units: the features and labels read many overlapping windows of the same days.
 */
export type DaySeries = {
  first: number;
  length: number;
  spend: Float64Array;
  revenue: Float64Array;
  purchases: Float64Array;
  impressions: Float64Array;
  clicks: Float64Array;
  reach: Float64Array;
  addsToCart: Float64Array;
};

/** Columns of `rows` (any order; rows of one date are summed); days without a row are zeros. */
export function daySeries(rows: readonly DailyRow[]): DaySeries {
  let first = Infinity;
  let last = -Infinity;
  const numbers = rows.map((row) => {
    const n = dayNumber(row.date);
    if (!Number.isFinite(n)) throw new RangeError(`row date "${row.date}" is not a YYYY-MM-DD date`);
    if (n < first) first = n;
    if (n > last) last = n;
    return n;
  });
  const length = rows.length === 0 ? 0 : last - first + 1;
  const series: DaySeries = {
    first: rows.length === 0 ? 0 : first,
    length,
    spend: new Float64Array(length),
    revenue: new Float64Array(length),
    purchases: new Float64Array(length),
    impressions: new Float64Array(length),
    clicks: new Float64Array(length),
    reach: new Float64Array(length),
    addsToCart: new Float64Array(length),
  };
  rows.forEach((row, i) => {
    const d = (numbers[i] ?? 0) - series.first;
    const t = row.totals;
    series.spend[d] = (series.spend[d] ?? 0) + Number(t.spend) / MICROS;
    series.revenue[d] = (series.revenue[d] ?? 0) + Number(t.revenue) / MICROS;
    series.purchases[d] = (series.purchases[d] ?? 0) + t.purchases;
    series.impressions[d] = (series.impressions[d] ?? 0) + t.impressions;
    series.clicks[d] = (series.clicks[d] ?? 0) + t.linkClicks;
    series.reach[d] = (series.reach[d] ?? 0) + t.reach;
    series.addsToCart[d] = (series.addsToCart[d] ?? 0) + t.addsToCart;
  });
  return series;
}

/** Sum of a column over day numbers from..to (inclusive); days outside the series count 0. */
export function sumDays(series: DaySeries, column: Float64Array, from: number, to: number): number {
  const lo = Math.max(0, from - series.first);
  const hi = Math.min(series.length - 1, to - series.first);
  let sum = 0;
  for (let d = lo; d <= hi; d++) sum += column[d] ?? 0;
  return sum;
}

/** CTR readings over 3-day stretches, as the fatigue index reads them (decide/fatigue.ts). */
export const CTR_STRETCH_DAYS = 3;
/** The peak is the best stretch ending in the last 8 days (10 days of data, fatigue.ts's look-back). */
export const CTR_PEAK_ENDS = 8;
/** A stretch on fewer clicks is mostly Poisson noise (20 clicks: +-22%), as in fatigue.ts. */
export const MIN_PEAK_CLICKS = 20;

export type CtrReading = { ctr: number; clicks: number; impressions: number };

/** Link clicks over impressions for the stretch ending on day number `end`; null without impressions. */
export function ctrOver(series: DaySeries, end: number): CtrReading | null {
  const impressions = sumDays(series, series.impressions, end - CTR_STRETCH_DAYS + 1, end);
  if (impressions <= 0) return null;
  const clicks = sumDays(series, series.clicks, end - CTR_STRETCH_DAYS + 1, end);
  return { ctr: clicks / impressions, clicks, impressions };
}

/** The best trusted stretch ending `end - CTR_PEAK_ENDS + 1` to `end` (the latest of equals) and the day it ended; null when none. */
export function peakCtr(series: DaySeries, end: number): { ctr: number; end: number } | null {
  let peak: { ctr: number; end: number } | null = null;
  for (let e = end - CTR_PEAK_ENDS + 1; e <= end; e++) {
    const reading = ctrOver(series, e);
    if (reading && reading.clicks >= MIN_PEAK_CLICKS && (peak === null || reading.ctr >= peak.ctr))
      peak = { ctr: reading.ctr, end: e };
  }
  return peak;
}
