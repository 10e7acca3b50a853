import { deriveMetricsOfMicros, type DerivedMetrics } from '../metrics/derive.ts';
import { addTotals, emptyTotals, type MetricTotals } from '../metrics/totals.ts';
import { addDays, dayNumber, WINDOW_DAYS, WINDOWS, type IsoDate, type Window } from '../metrics/window.ts';
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

const MICROS = Number(MICROS_PER_UNIT);

/**
 * Age of a day's numbers when read on `asOf`: whole days since the day ended, so the day before
 * `asOf` is age 0 and `asOf` itself (still running) is -1, which the curve weighs at nothing.
 */
export function ageOn(date: IsoDate, asOf: IsoDate): number {
  return asOfNumber(asOf) - dayNumber(date) - 1;
}

// Every row of a run is aged against the same asOf: its day number is kept (one entry, bounded).
let lastAsOf: IsoDate | null = null;
let lastAsOfNumber = 0;

function asOfNumber(asOf: IsoDate): number {
  if (asOf !== lastAsOf) {
    lastAsOfNumber = dayNumber(asOf);
    lastAsOf = asOf;
  }
  return lastAsOfNumber;
}

/**
 * The complete days of one entity, oldest first, one row per date, and per day (same index) the
 * numbers the windows read more than once, in columns reused from call to call: converting a BigInt
 * costs more than summing, and an object per day was most of the engine's garbage.
 */
type Days = {
  rows: readonly DailyRow[];
  /** Days before the last complete day (0 = the last complete day). */
  back: Float64Array;
  spendMicros: Float64Array;
  revenueMicros: Float64Array;
  /** Spend discounted by how much of its purchases can have been reported yet (major units). */
  exposure: Float64Array;
  /** Scratch for the trend fit: its points (x, relative ROAS, weight) and daily CPAs. */
  pointX: Float64Array;
  pointY: Float64Array;
  pointWeight: Float64Array;
  cpa: Float64Array;
};

let columns: Days = emptyColumns(64);

function emptyColumns(capacity: number): Days {
  return {
    rows: [],
    back: new Float64Array(capacity),
    spendMicros: new Float64Array(capacity),
    revenueMicros: new Float64Array(capacity),
    exposure: new Float64Array(capacity),
    pointX: new Float64Array(capacity),
    pointY: new Float64Array(capacity),
    pointWeight: new Float64Array(capacity),
    cpa: new Float64Array(capacity),
  };
}

/** The complete days (through the last complete day) in the reused columns. */
function readDays(rows: readonly DailyRow[], lastDay: IsoDate, curve: CompletenessCurve): Days {
  const lastNumber = dayNumber(lastDay);
  if (columns.back.length < rows.length) columns = emptyColumns(2 * rows.length);
  const days = columns;
  let count = 0;
  let previous = Infinity;
  for (const row of rows) {
    const back = lastNumber - dayNumber(row.date);
    // Out of order, a repeated date or an unreadable one: the general path sums by date and sorts.
    if (!(back < previous)) return readSummedDays(rows, lastDay, curve);
    previous = back;
    if (back >= 0) fillDay(days, count++, back, row.totals, curve);
  }
  days.rows = count === rows.length ? rows : rows.slice(0, count);
  return days;
}

function readSummedDays(rows: readonly DailyRow[], lastDay: IsoDate, curve: CompletenessCurve): Days {
  const lastNumber = dayNumber(lastDay);
  const byDate = new Map<IsoDate, MetricTotals>();
  for (const row of rows) {
    if (row.date <= lastDay)
      byDate.set(row.date, addTotals(byDate.get(row.date) ?? emptyTotals(), row.totals));
  }
  const summed = [...byDate.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([date, totals]) => ({ date, totals }));
  const days = columns;
  summed.forEach((row, i) => fillDay(days, i, lastNumber - dayNumber(row.date), row.totals, curve));
  days.rows = summed;
  return days;
}

function fillDay(days: Days, i: number, back: number, totals: MetricTotals, curve: CompletenessCurve): void {
  const spendMicros = Number(totals.spend);
  days.back[i] = back;
  days.spendMicros[i] = spendMicros;
  days.revenueMicros[i] = Number(totals.revenue);
  // The day's age on asOf is `back`: the last complete day is age 0.
  days.exposure[i] = (spendMicros / MICROS) * completenessAt(curve, back);
}

/**
 * Weighted least-squares slope of y on x over the first `count` points; null when the weights or x
 * values leave it undefined. Each sum is taken in point order, from 0.
 */
function weightedSlope(x: Float64Array, y: Float64Array, w: Float64Array, count: number): number | null {
  let weight = 0;
  for (let i = 0; i < count; i++) weight += w[i] ?? 0;
  if (count < 3 || weight <= 0) return null;
  let sumX = 0;
  let sumY = 0;
  for (let i = 0; i < count; i++) sumX += (w[i] ?? 0) * (x[i] ?? 0);
  for (let i = 0; i < count; i++) sumY += (w[i] ?? 0) * (y[i] ?? 0);
  const mx = sumX / weight;
  const my = sumY / weight;
  let sxx = 0;
  for (let i = 0; i < count; i++) sxx += (w[i] ?? 0) * ((x[i] ?? 0) - mx) ** 2;
  if (sxx <= 0) return null;
  let sxy = 0;
  for (let i = 0; i < count; i++) sxy += (w[i] ?? 0) * ((x[i] ?? 0) - mx) * ((y[i] ?? 0) - my);
  return sxy / sxx;
}

/** Mean of the first `count` values, summed in order from 0. */
function mean(values: Float64Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i] ?? 0;
  return sum / count;
}

/** Index of the first day no more than `span - 1` days before the last complete day; null span = all. */
function firstInSpan(days: Days, span: number | null): number {
  let first = days.rows.length;
  if (span === null) return 0;
  while (first > 0 && (days.back[first - 1] ?? Infinity) <= span - 1) first--;
  return first;
}

/** Whether every window's money sums stay exact as numbers (all partial sums below 2^53 micros). */
function isSafeToSum(days: Days): boolean {
  let spend = 0;
  let revenue = 0;
  for (let i = 0; i < days.rows.length; i++) {
    spend += Math.abs(days.spendMicros[i] ?? 0);
    revenue += Math.abs(days.revenueMicros[i] ?? 0);
  }
  return spend <= Number.MAX_SAFE_INTEGER && revenue <= Number.MAX_SAFE_INTEGER;
}

/** Whether the day at `i` had any delivery. */
function isActive(days: Days, i: number): boolean {
  return (days.spendMicros[i] ?? 0) > 0 || (days.rows[i] as DailyRow).totals.impressions > 0;
}

/** A window's features; its derived metrics are worked out on first read (the decisions never read them). */
class WindowReading implements WindowFeatures {
  readonly #spendMicros: number;
  readonly #revenueMicros: number;
  #metrics: DerivedMetrics | null = null;

  constructor(
    readonly totals: MetricTotals,
    readonly exposure: number,
    readonly lagCorrectedRoas: number | null,
    readonly activeDays: number,
    spendMicros: number,
    revenueMicros: number,
  ) {
    this.#spendMicros = spendMicros;
    this.#revenueMicros = revenueMicros;
  }

  get metrics(): DerivedMetrics {
    this.#metrics ??= deriveMetricsOfMicros(this.totals, this.#spendMicros, this.#revenueMicros);
    return this.#metrics;
  }
}

/** A window's sums in date order, as `addTotals` would give them, and what derives from them. */
function windowFeatures(days: Days, from: number, isSafe: boolean): WindowFeatures {
  let spendMicros = 0;
  let revenueMicros = 0;
  let purchases = 0;
  let impressions = 0;
  let reach = 0;
  let linkClicks = 0;
  let addsToCart = 0;
  let checkoutsInitiated = 0;
  let exposure = 0;
  let activeDays = 0;
  for (let i = from; i < days.rows.length; i++) {
    const { totals } = days.rows[i] as DailyRow;
    // Numbers while exact (every partial sum below 2^53 micros); else BigInt below.
    spendMicros += days.spendMicros[i] ?? 0;
    revenueMicros += days.revenueMicros[i] ?? 0;
    purchases += totals.purchases;
    impressions += totals.impressions;
    reach += totals.reach;
    linkClicks += totals.linkClicks;
    addsToCart += totals.addsToCart;
    checkoutsInitiated += totals.checkoutsInitiated;
    exposure += days.exposure[i] ?? 0;
    if (isActive(days, i)) activeDays++;
  }
  let spend = 0n;
  let revenue = 0n;
  if (isSafe) {
    spend = BigInt(spendMicros);
    revenue = BigInt(revenueMicros);
  } else {
    for (let i = from; i < days.rows.length; i++) {
      spend += (days.rows[i] as DailyRow).totals.spend;
      revenue += (days.rows[i] as DailyRow).totals.revenue;
    }
    spendMicros = Number(spend);
    revenueMicros = Number(revenue);
  }
  const totals: MetricTotals = {
    spend,
    revenue,
    purchases,
    impressions,
    reach,
    linkClicks,
    addsToCart,
    checkoutsInitiated,
  };
  const lagCorrectedRoas = exposure > 0 ? revenueMicros / MICROS / exposure : null;
  return new WindowReading(totals, exposure, lagCorrectedRoas, activeDays, spendMicros, revenueMicros);
}

/** Mean spend (major units) over the days `from` to `to` back from the last complete day; missing days spent 0. */
function meanSpend(days: Days, from: number, to: number): number {
  let sum = 0;
  for (let k = from; k <= to; k++) {
    let spend = 0;
    for (let i = days.rows.length - 1; i >= 0 && (days.back[i] ?? Infinity) <= k; i--) {
      if (days.back[i] === k) spend = (days.spendMicros[i] ?? 0) / MICROS;
    }
    sum += spend;
  }
  return sum / (to - from + 1);
}

type TrendReadings = Pick<
  EntityFeatures,
  'roasSlope' | 'trendRoas' | 'trendDays' | 'cpaVolatility' | 'dayOverDayRoasChange'
>;

/**
 * The trend window's readings from day `from` on: the slope and mean of lag-corrected daily ROAS
 * (days with exposure), CPA volatility (days with purchases) and the last day's ROAS change.
 */
function trendOf(days: Days, from: number, curve: CompletenessCurve): TrendReadings {
  const firstBack = days.back[from] ?? 0;
  let points = 0;
  let cpas = 0;
  let weightedRoas = 0;
  let weight = 0;
  let lastRoas: number | null = null;
  let previousRoas: number | null = null;
  for (let i = from; i < days.rows.length; i++) {
    const back = days.back[i] ?? 0;
    const exposure = days.exposure[i] ?? 0;
    const roas = exposure > 0 ? (days.revenueMicros[i] ?? 0) / MICROS / exposure : null;
    if (back === 0) lastRoas = roas;
    if (back === 1) previousRoas = roas;
    if (roas !== null) {
      weightedRoas += roas * exposure;
      weight += exposure;
      days.pointX[points] = firstBack - back;
      days.pointY[points] = roas;
      days.pointWeight[points] = exposure;
      points++;
    }
    const completeness = completenessAt(curve, back);
    const purchases = (days.rows[i] as DailyRow).totals.purchases;
    if (purchases > 0 && completeness > 0)
      days.cpa[cpas++] = (days.spendMicros[i] ?? 0) / MICROS / (purchases / completeness);
  }
  const meanRoas = weightedRoas / Math.max(1e-9, weight);
  // The slope is fitted to ROAS relative to its mean: -0.05 is 5% lower each day.
  for (let k = 0; k < points; k++) days.pointY[k] = (days.pointY[k] ?? 0) / meanRoas;
  const roasSlope = meanRoas > 0 ? weightedSlope(days.pointX, days.pointY, days.pointWeight, points) : null;
  const cpaMean = cpas >= 3 ? mean(days.cpa, cpas) : 0;
  let cpaVolatility: number | null = null;
  if (cpas >= 3 && cpaMean > 0) {
    for (let k = 0; k < cpas; k++) days.cpa[k] = ((days.cpa[k] ?? 0) - cpaMean) ** 2;
    cpaVolatility = Math.sqrt(mean(days.cpa, cpas)) / cpaMean;
  }
  return {
    roasSlope,
    trendRoas: points > 0 && meanRoas > 0 ? meanRoas : null,
    trendDays: points,
    cpaVolatility,
    dayOverDayRoasChange:
      lastRoas !== null && previousRoas !== null && previousRoas > 0 ? lastRoas / previousRoas - 1 : null,
  };
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
  const days = readDays(rows, lastDay, curve);
  const isSafe = isSafeToSum(days);
  const windows = {} as Record<Window, WindowFeatures>;
  for (const window of WINDOWS) {
    windows[window] = windowFeatures(days, firstInSpan(days, WINDOW_DAYS[window]), isSafe);
  }
  const trend = trendOf(days, firstInSpan(days, trendDays), curve);
  const before = meanSpend(days, 3, 6);
  const spendAcceleration = before > 0 ? meanSpend(days, 0, 2) / before - 1 : null;
  let first = 0;
  while (first < days.rows.length && !isActive(days, first)) first++;
  const result: EntityFeatures = {
    lastDay,
    ageDays: first < days.rows.length ? (days.back[first] ?? 0) + 1 : 0,
    windows,
    roasSlope: trend.roasSlope,
    trendRoas: trend.trendRoas,
    trendDays: trend.trendDays,
    cpaVolatility: trend.cpaVolatility,
    spendAcceleration,
    dayOverDayRoasChange: trend.dayOverDayRoasChange,
  };
  // The columns are reused: let go of this entity's rows.
  days.rows = [];
  return result;
}
