/**
 * Accuracy measures for the models: mean absolute error, Brier score, log-loss, rank correlation
 * (Spearman), ROC AUC and a calibration table. Each takes parallel arrays and optional non-negative
 * weights, and throws a `RangeError` when the lengths differ or there is nothing to measure.
 */

type Values = ArrayLike<number>;

function check(name: string, a: Values, b: Values, weight?: Values | null): void {
  if (a.length !== b.length)
    throw new RangeError(`${name}: ${a.length} predictions for ${b.length} outcomes`);
  if (weight && weight.length !== a.length)
    throw new RangeError(`${name}: ${weight.length} weights for ${a.length} rows`);
  if (a.length === 0) throw new RangeError(`${name}: no rows`);
}

function weightedMean(
  name: string,
  values: (i: number) => number,
  n: number,
  weight?: Values | null,
): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weight ? (weight[i] ?? 0) : 1;
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`${name}: weight ${i} is ${w}`);
    sum += w * values(i);
    total += w;
  }
  if (!(total > 0)) throw new RangeError(`${name}: the weights sum to 0`);
  return sum / total;
}

/** Mean |prediction - outcome|, weighted when weights are given. */
export function meanAbsoluteError(predicted: Values, actual: Values, weight?: Values | null): number {
  check('meanAbsoluteError', predicted, actual, weight);
  return weightedMean(
    'meanAbsoluteError',
    (i) => Math.abs((predicted[i] ?? 0) - (actual[i] ?? 0)),
    predicted.length,
    weight,
  );
}

/** Mean (probability - outcome)^2 for 0/1 outcomes: 0 is perfect, a constant p scores p(1-p) at base rate p. */
export function brierScore(probability: Values, outcome: Values, weight?: Values | null): number {
  check('brierScore', probability, outcome, weight);
  return weightedMean(
    'brierScore',
    (i) => ((probability[i] ?? 0) - (outcome[i] ?? 0)) ** 2,
    probability.length,
    weight,
  );
}

/** Mean negative log-likelihood of 0/1 outcomes, probabilities clipped to [1e-15, 1 - 1e-15]. */
export function logLoss(probability: Values, outcome: Values, weight?: Values | null): number {
  check('logLoss', probability, outcome, weight);
  return weightedMean(
    'logLoss',
    (i) => {
      const p = Math.min(1 - 1e-15, Math.max(1e-15, probability[i] ?? 0));
      const y = outcome[i] ?? 0;
      return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    },
    probability.length,
    weight,
  );
}

/** 1-based ranks, ties given their average rank. */
export function averageRanks(values: Values): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort(
    (a, b) => (values[a] ?? 0) - (values[b] ?? 0),
  );
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1] ?? 0] === values[order[start] ?? 0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k] ?? 0] = rank;
    start = end + 1;
  }
  return ranks;
}

function pearson(a: Values, b: Values): number | null {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] ?? 0;
    mb += b[i] ?? 0;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** Spearman's rank correlation (Pearson on average ranks); null when either side is constant. */
export function spearman(a: Values, b: Values): number | null {
  check('spearman', a, b);
  return pearson(averageRanks(a), averageRanks(b));
}

/** ROC AUC (Mann-Whitney): the chance a random positive scores above a random negative; null without both. */
export function rocAuc(score: Values, outcome: Values): number | null {
  check('rocAuc', score, outcome);
  const ranks = averageRanks(score);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < score.length; i++) {
    if ((outcome[i] ?? 0) >= 0.5) {
      positives++;
      rankSum += ranks[i] ?? 0;
    }
  }
  const negatives = score.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export type CalibrationBin = {
  from: number;
  to: number;
  rows: number;
  meanPredicted: number;
  observedRate: number;
};

/** Predictions cut into `bins` equal-width probability bins: mean prediction beside the observed rate. */
export function calibrationTable(probability: Values, outcome: Values, bins = 10): CalibrationBin[] {
  check('calibrationTable', probability, outcome);
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`calibrationTable: bins must be a positive integer (${bins})`);
  const rows = new Float64Array(bins);
  const predicted = new Float64Array(bins);
  const observed = new Float64Array(bins);
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i] ?? 0;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    rows[b] = (rows[b] ?? 0) + 1;
    predicted[b] = (predicted[b] ?? 0) + p;
    observed[b] = (observed[b] ?? 0) + (outcome[i] ?? 0);
  }
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = rows[b] ?? 0;
    if (n === 0) continue;
    table.push({
      from: b / bins,
      to: (b + 1) / bins,
      rows: n,
      meanPredicted: (predicted[b] ?? 0) / n,
      observedRate: (observed[b] ?? 0) / n,
    });
  }
  return table;
}
