import { deriveMetrics, type DerivedMetrics } from '../metrics/derive.ts';
import { addTotals, emptyTotals, type MetricTotals } from '../metrics/totals.ts';
import { addDays, daysBetween, WINDOWS, windowRange, type IsoDate, type Window } from '../metrics/window.ts';
import { MICROS_PER_UNIT } from '../money/money.ts';
import { completenessAt, DEFAULT_COMPLETENESS, type CompletenessCurve } from '../stats/lag.ts';

/** One entity's numbers for one day, as reported (the newest days still incomplete). */
export type DailyRow = { date: IsoDate; totals: MetricTotals };

/** A window's sums, their derived metrics, and the lag-adjusted view of the same days. */
export type WindowFeatures = {
  totals: MetricTotals;
  metrics: DerivedMetrics;
  /** Spend discounted by how much of its purchases can have been reported yet (major units). */
  exposure: number;
  /** Revenue over exposure: ROAS as it will read once late conversions arrive; null without spend. */
  lagCorrectedRoas: number | null;
  /** Days in the window with any delivery. */
  activeDays: number;
};

/** Everything the buckets, trend and rules read about one entity; no thresholds applied yet. */
export type EntityFeatures = {
  /** The last complete day (the day before `asOf`), on which every window ends. */
  lastDay: IsoDate;
  /** Days since the first day with delivery, through the last complete day. */
  ageDays: number;
  windows: Record<Window, WindowFeatures>;
  /**
   * Relative change per day of lag-corrected daily ROAS over the trend window (weighted least squares,
   * weights = exposure): -0.05 means about 5% lower each day. Null with fewer than 3 days of exposure.
   */
  roasSlope: number | null;
  /** Exposure-weighted mean of lag-corrected daily ROAS over the trend window (the slope's scale). */
  trendRoas: number | null;
  /** Days in the trend window with exposure. */
  trendDays: number;
  /** Coefficient of variation of daily lag-corrected CPA over the trend window; null with under 3 days of purchases. */
  cpaVolatility: number | null;
  /** Mean spend of the last 3 days over the 4 days before, minus 1 (0.5 = spending 50% faster). */
  spendAcceleration: number | null;
  /** Lag-corrected ROAS of the last day over the day before, minus 1. */
  dayOverDayRoasChange: number | null;
};

const toMajor = (micros: bigint) => Number(micros) / Number(MICROS_PER_UNIT);

/**
 * Age of a day's numbers when read on `asOf`: whole days since the day ended, so the day before
 * `asOf` is age 0 and `asOf` itself (still running) is -1, which the curve weighs at nothing.
 */
export function ageOn(date: IsoDate, asOf: IsoDate): number {
  return daysBetween(date, asOf) - 1;
}

function exposureOf(row: DailyRow, asOf: IsoDate, curve: CompletenessCurve): number {
  return toMajor(row.totals.spend) * completenessAt(curve, ageOn(row.date, asOf));
}

/** Weighted least-squares slope of y on x; null when the weights or x values leave it undefined. */
function weightedSlope(points: readonly { x: number; y: number; w: number }[]): number | null {
  const weight = points.reduce((s, p) => s + p.w, 0);
  if (points.length < 3 || weight <= 0) return null;
  const mx = points.reduce((s, p) => s + p.w * p.x, 0) / weight;
  const my = points.reduce((s, p) => s + p.w * p.y, 0) / weight;
  const sxx = points.reduce((s, p) => s + p.w * (p.x - mx) ** 2, 0);
  if (sxx <= 0) return null;
  return points.reduce((s, p) => s + p.w * (p.x - mx) * (p.y - my), 0) / sxx;
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Computes an entity's features from its daily rows as read on `asOf` (the account's current date).
 * Immature days are corrected by the completeness curve, never read raw as a decline.
 */
export function computeFeatures(
  rows: readonly DailyRow[],
  asOf: IsoDate,
  curve: CompletenessCurve = DEFAULT_COMPLETENESS,
  trendDays = 7,
): EntityFeatures {
  const lastDay = addDays(asOf, -1);
  const complete = rows.filter((r) => r.date <= lastDay);
  const byDate = new Map<IsoDate, MetricTotals>();
  for (const row of complete)
    byDate.set(row.date, addTotals(byDate.get(row.date) ?? emptyTotals(), row.totals));
  const days = [...byDate.entries()]
    .map(([date, totals]) => ({ date, totals }))
    .sort((a, b) => a.date.localeCompare(b.date));

  const windows = {} as Record<Window, WindowFeatures>;
  for (const window of WINDOWS) {
    const range = windowRange(window, lastDay);
    const inWindow = days.filter((d) => range.from === null || d.date >= range.from);
    const totals = inWindow.reduce<MetricTotals>((sum, d) => addTotals(sum, d.totals), emptyTotals());
    const exposure = inWindow.reduce((sum, d) => sum + exposureOf(d, asOf, curve), 0);
    windows[window] = {
      totals,
      metrics: deriveMetrics(totals),
      exposure,
      lagCorrectedRoas: exposure > 0 ? toMajor(totals.revenue) / exposure : null,
      activeDays: inWindow.filter((d) => d.totals.spend > 0n || d.totals.impressions > 0).length,
    };
  }

  const recent = days.filter((d) => d.date >= addDays(lastDay, -(trendDays - 1)));
  const daily = recent.map((d) => {
    const exposure = exposureOf(d, asOf, curve);
    const completeness = completenessAt(curve, ageOn(d.date, asOf));
    return {
      x: daysBetween(recent[0]?.date ?? d.date, d.date),
      exposure,
      roas: exposure > 0 ? toMajor(d.totals.revenue) / exposure : null,
      cpa:
        d.totals.purchases > 0 && completeness > 0
          ? toMajor(d.totals.spend) / (d.totals.purchases / completeness)
          : null,
    };
  });
  const withRoas = daily.filter((d) => d.roas !== null && d.exposure > 0);
  const meanRoas =
    withRoas.reduce((s, d) => s + (d.roas ?? 0) * d.exposure, 0) /
    Math.max(
      1e-9,
      withRoas.reduce((s, d) => s + d.exposure, 0),
    );
  const roasSlope =
    meanRoas > 0
      ? weightedSlope(withRoas.map((d) => ({ x: d.x, y: (d.roas ?? 0) / meanRoas, w: d.exposure })))
      : null;

  const cpas = daily.flatMap((d) => (d.cpa === null ? [] : [d.cpa]));
  const cpaMean = cpas.length >= 3 ? mean(cpas) : 0;
  const cpaVolatility =
    cpas.length >= 3 && cpaMean > 0 ? Math.sqrt(mean(cpas.map((c) => (c - cpaMean) ** 2))) / cpaMean : null;

  const spendOn = (from: number, to: number) => {
    const spends: number[] = [];
    for (let k = from; k <= to; k++) spends.push(toMajor(byDate.get(addDays(lastDay, -k))?.spend ?? 0n));
    return mean(spends);
  };
  const before = spendOn(3, 6);
  const spendAcceleration = before > 0 ? spendOn(0, 2) / before - 1 : null;

  const last = daily.find((d) => d.x === daysBetween(recent[0]?.date ?? lastDay, lastDay));
  const previous = daily.find((d) => d.x === daysBetween(recent[0]?.date ?? lastDay, addDays(lastDay, -1)));
  const lastRoas = last?.roas ?? null;
  const previousRoas = previous?.roas ?? null;
  const dayOverDayRoasChange =
    lastRoas !== null && previousRoas !== null && previousRoas > 0 ? lastRoas / previousRoas - 1 : null;

  const first = days.find((d) => d.totals.spend > 0n || d.totals.impressions > 0);
  return {
    lastDay,
    ageDays: first ? daysBetween(first.date, lastDay) + 1 : 0,
    windows,
    roasSlope,
    trendRoas: withRoas.length > 0 && meanRoas > 0 ? meanRoas : null,
    trendDays: withRoas.length,
    cpaVolatility,
    spendAcceleration,
    dayOverDayRoasChange,
  };
}
