import type { ModelDataset } from './dataset.ts';
import { selectRows } from './dataset.ts';
import { FEATURE_INDEX } from './features.ts';
import type { ModelKind } from './labels.ts';
import {
  brierScore,
  calibrationTable,
  logLoss,
  meanAbsoluteError,
  rocAuc,
  spearman,
  type CalibrationBin,
} from './metrics.ts';

/** Rows of `data` with a label for `kind`. */
export function labelledRows(kind: ModelKind, data: ModelDataset): ModelDataset {
  const labels = data.labels[kind];
  return selectRows(data, (i) => !Number.isNaN(labels[i] ?? Number.NaN));
}

export function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * A model's accuracy on some rows beside the naive baselines, shaped for the model registry: the
 * headline metric (MAE for the ROAS forecast, Brier score for probabilities), the baselines by name,
 * which baseline gates the model's use, and the rank correlation of prediction and outcome.
 */
export type Holdout = {
  metric: 'mae' | 'brier';
  model: number;
  baselines: Record<string, number>;
  gate: string;
  rows: number;
  rankCorrelation: number | null;
};

export type RoasAccuracy = {
  rows: number;
  /** Mean |forecast - outcome| per ad set-week, every row counting the same. */
  mae: Record<string, number>;
  /** The same weighted by next-7-day spend: every unit of money counts the same. */
  spendWeightedMae: Record<string, number>;
  spearman: Record<string, number | null>;
  /** Mean forecast minus mean outcome. */
  bias: Record<string, number>;
};

export type ProbabilityAccuracy = {
  rows: number;
  positiveRate: number;
  brier: Record<string, number>;
  logLoss: Record<string, number>;
  auc: number | null;
  spearman: number | null;
  calibration: CalibrationBin[];
};

export type ModelEvaluation = { kind: ModelKind; holdout: Holdout } & (
  { type: 'roas'; accuracy: RoasAccuracy } | { type: 'probability'; accuracy: ProbabilityAccuracy }
);

/** The naive ROAS forecasts: the product's 7-day ROAS (lag-corrected), as Ads Manager reports it, and the account's 30-day ROAS. */
export const ROAS_BASELINES = {
  last7Roas: 'roas7d',
  last7RoasReported: 'roas7dReported',
  accountRoas: 'accountRoas30d',
} as const;

/**
 * The rows a model is judged on: the ROAS forecast on rows that spent in the last 7 days (so every
 * naive baseline exists) and in the next 7; probabilities on every labelled row.
 */
export function evaluationRows(kind: ModelKind, data: ModelDataset): ModelDataset {
  const rows = labelledRows(kind, data);
  if (kind !== 'roas_forecast') return rows;
  const cols = rows.featureNames.length;
  return selectRows(
    rows,
    (i) => !Number.isNaN(rows.x[i * cols + FEATURE_INDEX.roas7dReported] ?? Number.NaN),
  );
}

/**
 * Scores predictions for `rows` (from `evaluationRows`) beside the naive baselines: for the ROAS
 * forecast the last 7 days' ROAS (lag-corrected and as reported) and the account's 30-day ROAS; for
 * probabilities a constant base rate (one for all rows, or one per row, e.g. each account's own).
 */
export function scorePredictions(
  kind: ModelKind,
  predicted: Float64Array,
  rows: ModelDataset,
  baseRate: number | Float64Array = 0,
): ModelEvaluation {
  if (predicted.length !== rows.rows)
    throw new RangeError(`${predicted.length} predictions for ${rows.rows} rows`);
  if (rows.rows === 0) throw new RangeError(`no rows to score the ${kind} predictions on`);
  const cols = rows.featureNames.length;
  const actual = rows.labels[kind];
  if (kind !== 'roas_forecast') {
    const constant = typeof baseRate === 'number' ? new Float64Array(rows.rows).fill(baseRate) : baseRate;
    if (constant.length !== rows.rows)
      throw new RangeError(`${constant.length} base rates for ${rows.rows} rows`);
    const accuracy: ProbabilityAccuracy = {
      rows: rows.rows,
      positiveRate: mean(actual),
      brier: { model: brierScore(predicted, actual), baseRate: brierScore(constant, actual) },
      logLoss: { model: logLoss(predicted, actual), baseRate: logLoss(constant, actual) },
      auc: rocAuc(predicted, actual),
      spearman: spearman(predicted, actual),
      calibration: calibrationTable(predicted, actual),
    };
    return {
      kind,
      type: 'probability',
      holdout: {
        metric: 'brier',
        model: accuracy.brier.model ?? 0,
        baselines: { baseRate: accuracy.brier.baseRate ?? 0 },
        gate: 'baseRate',
        rows: rows.rows,
        rankCorrelation: accuracy.spearman,
      },
      accuracy,
    };
  }
  const forecasts: Record<string, Float64Array> = { model: predicted };
  for (const [name, feature] of Object.entries(ROAS_BASELINES)) {
    // The account's ROAS is missing only without any account spend in 30 days: 0 then.
    forecasts[name] = Float64Array.from({ length: rows.rows }, (_, i) => {
      const value = rows.x[i * cols + FEATURE_INDEX[feature]] ?? Number.NaN;
      return Number.isNaN(value) ? 0 : value;
    });
  }
  const accuracy: RoasAccuracy = { rows: rows.rows, mae: {}, spendWeightedMae: {}, spearman: {}, bias: {} };
  const actualMean = mean(actual);
  for (const [name, values] of Object.entries(forecasts)) {
    accuracy.mae[name] = meanAbsoluteError(values, actual);
    accuracy.spendWeightedMae[name] = meanAbsoluteError(values, actual, rows.futureSpend);
    accuracy.spearman[name] = spearman(values, actual);
    accuracy.bias[name] = mean(values) - actualMean;
  }
  const { model: modelMae, ...baselines } = accuracy.mae;
  return {
    kind,
    type: 'roas',
    holdout: {
      metric: 'mae',
      model: modelMae ?? 0,
      baselines,
      gate: 'last7Roas',
      rows: rows.rows,
      rankCorrelation: accuracy.spearman.model ?? null,
    },
    accuracy,
  };
}
