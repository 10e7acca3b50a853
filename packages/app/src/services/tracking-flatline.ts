import { addDays, completenessAt, daysBetween, type CompletenessCurve, type IsoDate } from '@roas/core';

/** One day of the whole account: spend in major units, purchases as reported so far. */
export type FlatlineDay = { date: IsoDate; spend: number; purchases: number };

export type FlatlineOptions = {
  /** Days before the zero run whose purchase rate is the expectation. */
  baselineDays?: number;
  /** A run shorter than this is never flagged (one quiet day is normal). */
  minRunDays?: number;
  /** The longest run looked at; the baseline is taken before it. */
  maxRunDays?: number;
  /** Flag when seeing no purchase at all is less likely than this under the baseline rate. */
  threshold?: number;
};

export type FlatlineResult = {
  isFlatline: boolean;
  /** The complete days at the end with spend and no purchase, oldest first. */
  zeroDays: IsoDate[];
  /** Spend on those days. */
  spend: number;
  /** Purchases the baseline rate expects on those days, discounted for what lag has not reported yet. */
  expected: number | null;
  /** The chance of no purchase at all on those days if tracking worked (null: no baseline to judge by). */
  probability: number | null;
  baseline: { from: IsoDate; to: IsoDate; purchases: number; spend: number } | null;
};

/**
 * Whether purchases stopped across the account while spend went on: the trailing run of complete
 * days (before `readDay`, the account's date when the data was read) that have spend and no purchase,
 * judged against the purchase rate of the `baselineDays` before it. The rate per unit of spend gets
 * a Gamma posterior from the baseline (shape = purchases, rate = spend), so the chance of zero
 * purchases on the run is the negative-binomial P(0) = (S_b / (S_b + S_t))^B: a small account with
 * few purchases needs a much longer run before that is improbable than a big one. Spend on each day
 * is discounted by the lag curve at the age it was read, so young days, whose purchases are still
 * arriving, are expected to show fewer.
 */
export function detectFlatline(
  days: readonly FlatlineDay[],
  readDay: IsoDate,
  curve: CompletenessCurve,
  options: FlatlineOptions = {},
): FlatlineResult {
  const baselineDays = options.baselineDays ?? 14;
  const minRunDays = options.minRunDays ?? 2;
  const maxRunDays = options.maxRunDays ?? 14;
  const threshold = options.threshold ?? 0.01;
  const byDate = new Map(days.map((d) => [d.date, d]));
  const day = (date: IsoDate): FlatlineDay => byDate.get(date) ?? { date, spend: 0, purchases: 0 };
  // Age as the engine counts it: a day is 0 days old on the day after it.
  const exposure = (d: FlatlineDay) => d.spend * completenessAt(curve, daysBetween(d.date, readDay) - 1);

  const zero: FlatlineDay[] = [];
  for (let date = addDays(readDay, -1); zero.length < maxRunDays; date = addDays(date, -1)) {
    const d = day(date);
    if (!(d.spend > 0) || d.purchases > 0) break;
    zero.unshift(d);
  }
  const spend = zero.reduce((sum, d) => sum + d.spend, 0);
  const result: FlatlineResult = {
    isFlatline: false,
    zeroDays: zero.map((d) => d.date),
    spend,
    expected: null,
    probability: null,
    baseline: null,
  };
  const firstZero = zero[0]?.date ?? readDay;
  const to = addDays(firstZero, -1);
  const from = addDays(to, -(baselineDays - 1));
  let purchases = 0;
  let baselineSpend = 0;
  let baselineExposure = 0;
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const d = day(date);
    purchases += d.purchases;
    baselineSpend += d.spend;
    baselineExposure += exposure(d);
  }
  result.baseline = { from, to, purchases, spend: baselineSpend };
  if (zero.length === 0 || purchases === 0 || baselineExposure <= 0) return result;
  const runExposure = zero.reduce((sum, d) => sum + exposure(d), 0);
  result.expected = (purchases * runExposure) / baselineExposure;
  result.probability = Math.pow(baselineExposure / (baselineExposure + runExposure), purchases);
  result.isFlatline = zero.length >= minRunDays && result.probability < threshold;
  return result;
}
