import type { DailyRow } from '../decide/features.ts';
import type { MetricTotals } from '../metrics/totals.ts';
import { addDays, dayNumber, isIsoDate, type IsoDate } from '../metrics/window.ts';
import { completenessAt, DEFAULT_COMPLETENESS, type CompletenessCurve } from '../stats/lag.ts';
import { daySeries, type DaySeries } from './day-series.ts';
import {
  extractFeatures,
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  type AccountSnapshot,
  type AdSetSnapshot,
} from './features.ts';
import { labelsAt, MODEL_KINDS, type ModelKind } from './labels.ts';
import { seededRandom } from './random.ts';

/**
 * Training and backtest rows: one per (ad set, day it was judged on), its features as the product saw
 * them that day and the labels of what followed. Labels are NaN where undefined for that model.
 */
export type ModelDataset = {
  featureSetVersion: number;
  featureNames: readonly string[];
  rows: number;
  /** Row-major, rows x featureNames.length. */
  x: Float64Array;
  labels: Record<ModelKind, Float64Array>;
  /** Spend over the next 7 days (major units): the ROAS forecast's weight. */
  futureSpend: Float64Array;
  /** Day number (days since 1970-01-01) of each row's `asOf`: time-based splits read it. */
  day: Int32Array;
  /** The caller's account index of each row. */
  account: Int32Array;
};

function emptyLabels(rows: number): Record<ModelKind, Float64Array> {
  return {
    roas_forecast: new Float64Array(rows),
    purchase_probability: new Float64Array(rows),
    fatigue_onset: new Float64Array(rows),
  };
}

/**
 * The rows of one account snapshot: features from what was reported on `asOf`, labels from each ad
 * set's matured columns (`matured[i]` for `snapshot.adSets[i]`), final through day number `knownThrough`.
 */
export function snapshotDataset(
  snapshot: AccountSnapshot,
  matured: readonly DaySeries[],
  knownThrough: number,
  accountIndex = 0,
): ModelDataset {
  if (matured.length !== snapshot.adSets.length)
    throw new RangeError(`${matured.length} matured series for ${snapshot.adSets.length} ad sets`);
  const features = extractFeatures(snapshot);
  const rows = features.rows;
  const labels = emptyLabels(rows);
  const futureSpend = new Float64Array(rows);
  const asOf = dayNumber(snapshot.asOf);
  matured.forEach((series, i) => {
    const l = labelsAt(series, asOf, knownThrough);
    labels.roas_forecast[i] = l.roasForecast;
    labels.purchase_probability[i] = l.purchaseProbability;
    labels.fatigue_onset[i] = l.fatigueOnset;
    futureSpend[i] = l.futureSpend;
  });
  return {
    featureSetVersion: features.featureSetVersion,
    featureNames: features.featureNames,
    rows,
    x: features.x,
    labels,
    futureSpend,
    day: new Int32Array(rows).fill(asOf),
    account: new Int32Array(rows).fill(accountIndex),
  };
}

/** Rows of several data sets one after another (same feature set). */
export function concatDatasets(parts: readonly ModelDataset[]): ModelDataset {
  const first = parts[0];
  const names = first?.featureNames ?? FEATURE_NAMES;
  for (const part of parts) {
    if (
      part.featureNames.join('|') !== names.join('|') ||
      part.featureSetVersion !== (first?.featureSetVersion ?? FEATURE_SET_VERSION)
    )
      throw new RangeError('data sets built with different feature sets cannot be joined');
  }
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  const cols = names.length;
  const out: ModelDataset = {
    featureSetVersion: first?.featureSetVersion ?? FEATURE_SET_VERSION,
    featureNames: names,
    rows,
    x: new Float64Array(rows * cols),
    labels: emptyLabels(rows),
    futureSpend: new Float64Array(rows),
    day: new Int32Array(rows),
    account: new Int32Array(rows),
  };
  let at = 0;
  for (const part of parts) {
    out.x.set(part.x, at * cols);
    for (const kind of MODEL_KINDS) out.labels[kind].set(part.labels[kind], at);
    out.futureSpend.set(part.futureSpend, at);
    out.day.set(part.day, at);
    out.account.set(part.account, at);
    at += part.rows;
  }
  return out;
}

/** The rows for which `keep(i)` holds, in order. */
export function selectRows(data: ModelDataset, keep: (row: number) => boolean): ModelDataset {
  const picked: number[] = [];
  for (let i = 0; i < data.rows; i++) if (keep(i)) picked.push(i);
  const cols = data.featureNames.length;
  const out: ModelDataset = {
    featureSetVersion: data.featureSetVersion,
    featureNames: data.featureNames,
    rows: picked.length,
    x: new Float64Array(picked.length * cols),
    labels: emptyLabels(picked.length),
    futureSpend: new Float64Array(picked.length),
    day: new Int32Array(picked.length),
    account: new Int32Array(picked.length),
  };
  picked.forEach((row, i) => {
    out.x.set(data.x.subarray(row * cols, (row + 1) * cols), i * cols);
    for (const kind of MODEL_KINDS) out.labels[kind][i] = data.labels[kind][row] ?? Number.NaN;
    out.futureSpend[i] = data.futureSpend[row] ?? Number.NaN;
    out.day[i] = data.day[row] ?? 0;
    out.account[i] = data.account[row] ?? 0;
  });
  return out;
}

/** What was in force for an ad set on one date (the budget and status it ran with, its learning stage). */
export type AdSetDayState = {
  date: IsoDate;
  status: 'active' | 'paused' | null;
  dailyBudgetMinor: bigint | null;
  learningStage: string | null;
};

/** One ad set's stored history: daily rows as they read now and, when known, its state per day. */
export type AdSetHistory = {
  audienceType: AdSetSnapshot['audienceType'];
  stage: AdSetSnapshot['stage'];
  /** Daily rows as stored on the history's `asOf` (days older than the lag are final). */
  rows: readonly DailyRow[];
  states?: readonly AdSetDayState[];
};

/** An account's stored history read on `asOf`. */
export type AccountHistory = {
  asOf: IsoDate;
  minorDigits: number;
  curve?: CompletenessCurve;
  adSets: readonly AdSetHistory[];
};

export type HistoryDatasetOptions = {
  /** First day judged (default: the third day with data). */
  from?: IsoDate;
  /** Seed of the lag thinning. */
  seed?: number;
  accountIndex?: number;
};

/** Days from the end of a curve at which a day's numbers are final (7 for the default curve). */
function matureAge(curve: CompletenessCurve): number {
  const index = curve.findIndex((c) => c >= 1);
  return index < 0 ? curve.length : index;
}

/** Binomial(n, p) draw: Bernoulli trials for small n, the normal approximation beyond. */
function binomial(n: number, p: number, random: () => number): number {
  if (p >= 1 || n <= 0) return n;
  if (n <= 200) {
    let kept = 0;
    for (let i = 0; i < n; i++) if (random() < p) kept++;
    return kept;
  }
  const u = 1 - random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return Math.min(n, Math.max(0, Math.round(n * p + z * Math.sqrt(n * p * (1 - p)))));
}

/** A final row as it would have read `ageDays` after its day: purchases thinned by the lag curve. */
function asReportedAt(totals: MetricTotals, completeness: number, random: () => number): MetricTotals {
  if (completeness >= 1) return totals;
  const purchases = Math.round(totals.purchases);
  const kept = binomial(purchases, completeness, random);
  return {
    ...totals,
    purchases: kept,
    // Each purchase carries its order's value: the revenue reported so far is the kept share.
    revenue: purchases > 0 ? (totals.revenue * BigInt(kept)) / BigInt(purchases) : 0n,
    addsToCart: binomial(Math.round(totals.addsToCart), completeness, random),
    checkoutsInitiated: binomial(Math.round(totals.checkoutsInitiated), completeness, random),
  };
}

/**
 * Training rows from an account's own stored history (per-account models). For each past day whose
 * labels have matured by `history.asOf`, the ad sets are read as the product would have read them
 * then: rows before that day, the newest purchases thinned by the lag curve (seeded binomial draws:
 * stored rows hold only the final numbers), and the state in force the day before. Deterministic.
 */
export function datasetFromHistory(
  history: AccountHistory,
  options: HistoryDatasetOptions = {},
): ModelDataset {
  if (!isIsoDate(history.asOf))
    throw new RangeError(`history asOf "${String(history.asOf)}" is not a YYYY-MM-DD date`);
  if (options.from !== undefined && !isIsoDate(options.from))
    throw new RangeError(`from "${String(options.from)}" is not a YYYY-MM-DD date`);
  const curve = history.curve ?? DEFAULT_COMPLETENESS;
  const random = seededRandom(options.seed ?? 1);
  const asOf = dayNumber(history.asOf);
  const knownThrough = asOf - 1 - matureAge(curve);
  const series = history.adSets.map((adSet) =>
    daySeries(adSet.rows.filter((row) => dayNumber(row.date) <= knownThrough)),
  );
  const firstData = Math.min(...series.filter((s) => s.length > 0).map((s) => s.first));
  if (!Number.isFinite(firstData)) return concatDatasets([]);
  const from = options.from === undefined ? firstData + 2 : dayNumber(options.from);
  const states = history.adSets.map(
    (adSet) => new Map((adSet.states ?? []).map((s) => [dayNumber(s.date), s])),
  );
  const sorted = history.adSets.map((adSet) => [...adSet.rows].sort((a, b) => a.date.localeCompare(b.date)));
  const parts: ModelDataset[] = [];
  // The last day whose 7-day ROAS label is known: later days would teach the model from partial outcomes.
  for (let day = from; day + 6 <= knownThrough; day++) {
    const date = addDays(history.asOf, day - asOf);
    const adSets: AdSetSnapshot[] = history.adSets.map((adSet, i) => {
      const rows: DailyRow[] = [];
      for (const row of sorted[i] ?? []) {
        const rowDay = dayNumber(row.date);
        if (rowDay >= day) break;
        const completeness = completenessAt(curve, day - 1 - rowDay);
        rows.push(
          completeness >= 1
            ? row
            : { date: row.date, totals: asReportedAt(row.totals, completeness, random) },
        );
      }
      const state = states[i]?.get(day - 1) ?? null;
      return {
        rows,
        audienceType: adSet.audienceType,
        stage: adSet.stage,
        status: state?.status ?? null,
        dailyBudgetMinor: state?.dailyBudgetMinor ?? null,
        learningStage: state?.learningStage ?? null,
        hoursSinceBudgetChange: hoursSinceBudgetChange(states[i], day),
      };
    });
    const snapshot: AccountSnapshot = { asOf: date, minorDigits: history.minorDigits, curve, adSets };
    parts.push(snapshotDataset(snapshot, series, knownThrough, options.accountIndex ?? 0));
  }
  return concatDatasets(parts);
}

/** Hours from the last budget change (a day whose budget differs from the day before's) to the run on `day`. */
function hoursSinceBudgetChange(
  states: ReadonlyMap<number, AdSetDayState> | undefined,
  day: number,
): number | null {
  if (!states) return null;
  for (let d = day - 1; states.has(d - 1); d--) {
    const now = states.get(d)?.dailyBudgetMinor ?? null;
    const before = states.get(d - 1)?.dailyBudgetMinor ?? null;
    if (now !== null && before !== null && now !== before) return (day - d) * 24;
  }
  return null;
}
