import type { RunMetrics } from './metrics.ts';

/** A ratio estimate with its 95% confidence interval. */
export type Interval = { mean: number; lo: number; hi: number };

/** One policy's scores averaged over seeds (money in major units). */
export type PolicySummary = {
  runs: number;
  /** Mean over seeds of margin x attributed revenue - spend. */
  profit: number;
  trueProfit: number;
  trueProfitMedian: number;
  /** 5th percentile over seeds: the bad-luck case. */
  trueProfitP5: number;
  spend: number;
  roas: number | null;
  trueRoas: number | null;
  /** Oracle gap closed on true profit: 0 = equal split, 1 = oracle; paired 95% CI across seeds. */
  gapClosed: Interval | null;
  /** The same on reported (attributed) profit, with the same oracle. */
  gapClosedReported: Interval | null;
  wastedSpend: number;
  marginalWastedSpend: number;
  timeToFindWinners: number;
  learningResets: number;
  learningDayShare: number;
  budgetChurn: number;
  unspentShare: number;
};

/** Two-sided 97.5% Student-t quantiles for 1..30 degrees of freedom; 1.96 beyond. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

function tQuantile(df: number): number {
  return T_975[df - 1] ?? 1.96;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] ?? 0;
  const b = sorted[upper] ?? a;
  return a + (b - a) * (position - lower);
}

/**
 * Oracle gap closed as a ratio of paired mean differences, R = mean(P - E) / mean(O - E) over the same
 * seeds, with a delta-method 95% interval: se = sd(D - R G) / (sqrt(n) |mean G|). A ratio of means,
 * because per-seed ratios explode on seeds where the oracle barely beats the equal split.
 */
export function gapClosedInterval(
  policy: readonly number[],
  equal: readonly number[],
  oracle: readonly number[],
): Interval | null {
  const n = Math.min(policy.length, equal.length, oracle.length);
  if (n === 0) return null;
  const d = Array.from({ length: n }, (_, s) => (policy[s] ?? 0) - (equal[s] ?? 0));
  const g = Array.from({ length: n }, (_, s) => (oracle[s] ?? 0) - (equal[s] ?? 0));
  const gMean = mean(g);
  if (gMean === 0) return null;
  const ratio = mean(d) / gMean;
  if (n < 2) return { mean: ratio, lo: ratio, hi: ratio };
  const residuals = d.map((value, s) => value - ratio * (g[s] ?? 0));
  const residualMean = mean(residuals);
  const variance = residuals.reduce((sum, r) => sum + (r - residualMean) ** 2, 0) / (n - 1);
  const halfWidth = (tQuantile(n - 1) * Math.sqrt(variance / n)) / Math.abs(gMean);
  return { mean: ratio, lo: ratio - halfWidth, hi: ratio + halfWidth };
}

function meanOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : mean(present);
}

/**
 * Summarises every policy's runs. Runs are paired by seed; the gap needs `equal` and `oracle` runs on
 * the same seeds (null otherwise).
 */
export function summarise(
  runsByPolicy: ReadonlyMap<string, readonly RunMetrics[]>,
): Record<string, PolicySummary> {
  const bySeed = (runs: readonly RunMetrics[] | undefined) =>
    [...(runs ?? [])].sort((a, b) => a.seed - b.seed);
  const equal = bySeed(runsByPolicy.get('equal'));
  const oracle = bySeed(runsByPolicy.get('oracle'));
  const summaries: Record<string, PolicySummary> = {};
  for (const [name, unsorted] of runsByPolicy) {
    const runs = bySeed(unsorted);
    const pick = (key: 'profit' | 'trueProfit') => runs.map((r) => r[key]);
    const seeds = runs.map((r) => r.seed).join(',');
    const paired =
      equal.map((r) => r.seed).join(',') === seeds && oracle.map((r) => r.seed).join(',') === seeds;
    summaries[name] = {
      runs: runs.length,
      profit: mean(pick('profit')),
      trueProfit: mean(pick('trueProfit')),
      trueProfitMedian: quantile(pick('trueProfit'), 0.5),
      trueProfitP5: quantile(pick('trueProfit'), 0.05),
      spend: mean(runs.map((r) => r.spend)),
      roas: meanOrNull(runs.map((r) => r.roas)),
      trueRoas: meanOrNull(runs.map((r) => r.trueRoas)),
      gapClosed: paired
        ? gapClosedInterval(
            pick('trueProfit'),
            equal.map((r) => r.trueProfit),
            oracle.map((r) => r.trueProfit),
          )
        : null,
      gapClosedReported: paired
        ? gapClosedInterval(
            pick('profit'),
            equal.map((r) => r.profit),
            oracle.map((r) => r.profit),
          )
        : null,
      wastedSpend: mean(runs.map((r) => r.wastedSpend)),
      marginalWastedSpend: mean(runs.map((r) => r.marginalWastedSpend)),
      timeToFindWinners: mean(runs.map((r) => r.timeToFindWinners)),
      learningResets: mean(runs.map((r) => r.learningResets)),
      learningDayShare: mean(runs.map((r) => r.learningDayShare)),
      budgetChurn: mean(runs.map((r) => r.budgetChurn)),
      unspentShare: mean(runs.map((r) => r.unspentShare)),
    };
  }
  return summaries;
}
