import { z } from 'zod';
import { type IsoDate } from '../metrics/window.ts';
import { trainBooster, type BoosterParamsInput } from './booster.ts';
import { ModelFormatError, parseBoosterModel, predictBooster, type BoosterModel } from './booster-model.ts';
import { selectRows, type ModelDataset } from './dataset.ts';
import { FEATURE_NAMES, FEATURE_SET_VERSION, type FeatureMatrix } from './features.ts';
import { MODEL_KINDS, type ModelKind } from './labels.ts';
import { evaluationRows, labelledRows, mean, scorePredictions, type ModelEvaluation } from './evaluation.ts';

export const MODEL_FORMAT = 'roas-pilot.model';
export const MODEL_FORMAT_VERSION = 1;

/** How the ROAS target is fitted: as is, or as log(1 + ROAS) (a typical week, less pulled by whale orders). */
export const TARGET_TRANSFORMS = ['identity', 'log1p'] as const;
export type TargetTransform = (typeof TARGET_TRANSFORMS)[number];
/** Row weights in training: none, or next-7-day spend (every unit of money counts the same). */
export const TARGET_WEIGHTINGS = ['none', 'spend'] as const;
export type TargetWeighting = (typeof TARGET_WEIGHTINGS)[number];

export type ModelTarget = { transform: TargetTransform; weighting: TargetWeighting };

/** Each kind's loss and target as trained by default. */
export const DEFAULT_TARGETS: Record<ModelKind, ModelTarget> = {
  roas_forecast: { transform: 'log1p', weighting: 'spend' },
  purchase_probability: { transform: 'identity', weighting: 'none' },
  fatigue_onset: { transform: 'identity', weighting: 'none' },
};

/** Booster settings chosen on simulated accounts (seeds 200000-200049, disjoint from training and the benchmark). */
export const DEFAULT_MODEL_PARAMS: Omit<BoosterParamsInput, 'objective'> = {
  rounds: 400,
  learningRate: 0.1,
  maxDepth: 6,
  maxLeaves: 31,
  minChildSamples: 40,
  minChildWeight: 1e-3,
  lambda: 5,
  rowSubsample: 0.7,
  featureSubsample: 0.8,
  earlyStoppingRounds: 30,
};

/** A trained model as stored: the booster plus what it predicts, from which features, trained on what. */
export type TrainedModel = {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_FORMAT_VERSION;
  kind: ModelKind;
  featureSetVersion: number;
  target: ModelTarget;
  booster: BoosterModel;
  training: {
    rows: number;
    /** Rows held out (the latest days) to choose the number of trees. */
    validationRows: number;
    from: IsoDate;
    to: IsoDate;
    /** Share of positive labels in training (probability kinds): the base-rate baseline. */
    baseRate: number | null;
    trees: number;
    seed: number;
  };
};

const targetSchema = z.object({ transform: z.enum(TARGET_TRANSFORMS), weighting: z.enum(TARGET_WEIGHTINGS) });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a YYYY-MM-DD date');

const modelSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_FORMAT_VERSION),
  kind: z.enum(MODEL_KINDS),
  featureSetVersion: z.number().int().min(1),
  target: targetSchema,
  booster: z.unknown(),
  training: z.object({
    rows: z.number().int().min(0),
    validationRows: z.number().int().min(0),
    from: isoDate,
    to: isoDate,
    baseRate: z.number().min(0).max(1).nullable(),
    trees: z.number().int().min(0),
    seed: z.number().int(),
  }),
});

/**
 * Validates a stored model (format, version, kind, target, training record and booster); throws
 * `ModelFormatError` naming each problem. A model from another feature set parses, and is refused by
 * `predictModel` with a reason.
 */
export function parseTrainedModel(json: unknown): TrainedModel {
  const parsed = modelSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(model)'}: ${i.message}`);
    throw new ModelFormatError(`not a valid model: ${problems.join('; ')}`);
  }
  const booster = parseBoosterModel(parsed.data.booster);
  const expected = parsed.data.kind === 'roas_forecast' ? 'squared' : 'logloss';
  if (booster.objective !== expected)
    throw new ModelFormatError(
      `not a valid model: a ${parsed.data.kind} model needs a ${expected} booster, not ${booster.objective}`,
    );
  return { ...parsed.data, booster };
}

function objectiveOf(kind: ModelKind): 'squared' | 'logloss' {
  return kind === 'roas_forecast' ? 'squared' : 'logloss';
}

function toTarget(value: number, target: ModelTarget): number {
  return target.transform === 'log1p' ? Math.log1p(Math.max(0, value)) : value;
}

function fromMargin(value: number, target: ModelTarget): number {
  return target.transform === 'log1p' ? Math.max(0, Math.expm1(value)) : value;
}

const dateOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** Predictions for every row of a feature matrix: next-7-day ROAS, or a probability in [0, 1]. */
export function predictModel(
  model: TrainedModel,
  features: Pick<FeatureMatrix, 'featureSetVersion' | 'featureNames' | 'x' | 'rows'>,
): Float64Array {
  if (features.featureSetVersion !== model.featureSetVersion)
    throw new RangeError(
      `the model reads feature set v${model.featureSetVersion}, the rows are v${features.featureSetVersion}: retrain it`,
    );
  if (features.featureNames.join('|') !== model.booster.featureNames.join('|'))
    throw new RangeError('the rows name other features than the model was trained on');
  const cols = features.featureNames.length;
  if (features.x.length !== features.rows * cols)
    throw new RangeError(`x has ${features.x.length} values for ${features.rows} x ${cols}`);
  const raw = predictBooster(model.booster, features.x, cols);
  if (model.kind === 'roas_forecast')
    for (let i = 0; i < raw.length; i++) raw[i] = fromMargin(raw[i] ?? 0, model.target);
  return raw;
}

export type ModelTrainingOptions = {
  /** Booster settings over `DEFAULT_MODEL_PARAMS`. */
  params?: Omit<BoosterParamsInput, 'objective'>;
  target?: ModelTarget;
  /** Share of the latest days held out to pick the number of trees (default 0.2); 0 trains on all. */
  validationShare?: number;
  /** Retrain on every row with the chosen number of trees (default true). */
  refit?: boolean;
  /** Continue from a model of the same kind (a cold-start model refined on the account's history). */
  init?: TrainedModel | null;
};

export type ModelFit = { model: TrainedModel; holdout: ModelEvaluation | null };

function boosterData(kind: ModelKind, data: ModelDataset, target: ModelTarget) {
  const y = new Float64Array(data.rows);
  for (let i = 0; i < data.rows; i++) y[i] = toTarget(data.labels[kind][i] ?? 0, target);
  const weight =
    target.weighting === 'spend' ? Float64Array.from(data.futureSpend, (s) => Math.max(0, s)) : null;
  return { x: data.x, rows: data.rows, cols: data.featureNames.length, y, weight };
}

/**
 * Trains one model on the rows of `data` labelled for `kind`. The latest days (`validationShare`) are
 * held out to choose the number of trees and to measure the model against the naive baselines (the
 * returned holdout); then, by default, it is refitted on every row with that many trees.
 */
export function trainModel(
  kind: ModelKind,
  data: ModelDataset,
  options: ModelTrainingOptions = {},
): ModelFit {
  if (!MODEL_KINDS.includes(kind))
    throw new RangeError(`unknown model kind "${String(kind)}" (known: ${MODEL_KINDS.join(', ')})`);
  if (
    data.featureSetVersion !== FEATURE_SET_VERSION ||
    data.featureNames.join('|') !== FEATURE_NAMES.join('|')
  )
    throw new RangeError(
      `the data set was built with feature set v${data.featureSetVersion}; this version trains on v${FEATURE_SET_VERSION}`,
    );
  const target = kind === 'roas_forecast' ? (options.target ?? DEFAULT_TARGETS[kind]) : DEFAULT_TARGETS[kind];
  const labelled = labelledRows(kind, data);
  if (labelled.rows === 0) throw new RangeError(`no rows are labelled for ${kind}`);
  const share = options.validationShare ?? 0.2;
  if (!(share >= 0 && share < 1)) throw new RangeError(`validationShare must be in [0, 1) (${share})`);
  const days = [...new Set(labelled.day)].sort((a, b) => a - b);
  const cut = days[Math.min(days.length - 1, Math.floor(days.length * (1 - share)))] ?? Infinity;
  const fitRows =
    share > 0 && days.length >= 5 ? selectRows(labelled, (i) => (labelled.day[i] ?? 0) < cut) : labelled;
  const holdRows = fitRows === labelled ? null : selectRows(labelled, (i) => (labelled.day[i] ?? 0) >= cut);
  const params = { ...DEFAULT_MODEL_PARAMS, ...options.params, objective: objectiveOf(kind) };
  const init = options.init ?? null;
  if (init && (init.kind !== kind || init.featureSetVersion !== FEATURE_SET_VERSION))
    throw new RangeError(`init model is a ${init.kind} model on feature set v${init.featureSetVersion}`);
  if (init && init.target.transform !== target.transform)
    throw new RangeError(`init model fits ${init.target.transform}, this training ${target.transform}`);
  const record = (booster: BoosterModel, rows: ModelDataset, validationRows: number): TrainedModel => ({
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    kind,
    featureSetVersion: FEATURE_SET_VERSION,
    target,
    booster,
    training: {
      rows: rows.rows,
      validationRows,
      from: dateOf(rows.day.reduce((a, b) => Math.min(a, b), Infinity)),
      to: dateOf(rows.day.reduce((a, b) => Math.max(a, b), -Infinity)),
      // Of the rows trained on only: the held-out model's baseline must not know the holdout.
      baseRate: kind === 'roas_forecast' ? null : mean(rows.labels[kind]),
      trees: booster.trees.length - (init?.booster.trees.length ?? 0),
      seed: params.seed ?? 1,
    },
  });

  if (!holdRows || holdRows.rows === 0 || fitRows.rows === 0) {
    const fit = trainBooster(
      boosterData(kind, labelled, target),
      { ...params, earlyStoppingRounds: null },
      {
        featureNames: FEATURE_NAMES,
        init: init?.booster ?? null,
      },
    );
    return { model: record(fit.model, labelled, 0), holdout: null };
  }
  const fit = trainBooster(boosterData(kind, fitRows, target), params, {
    featureNames: FEATURE_NAMES,
    validation: boosterData(kind, holdRows, target),
    init: init?.booster ?? null,
  });
  const heldOut = record(fit.model, fitRows, holdRows.rows);
  const holdout = evaluationRows(kind, holdRows).rows > 0 ? evaluateModel(heldOut, holdRows) : null;
  if (options.refit === false) return { model: heldOut, holdout };
  const refit = trainBooster(
    boosterData(kind, labelled, target),
    { ...params, rounds: Math.max(1, fit.bestRounds), earlyStoppingRounds: null },
    { featureNames: FEATURE_NAMES, init: init?.booster ?? null },
  );
  // Zero new trees was best: keep the starting point as it was.
  const booster = fit.bestRounds === 0 && init ? init.booster : refit.model;
  return { model: record(booster, labelled, holdRows.rows), holdout };
}

/** Measures a model on `data` against the naive baselines (see `evaluationRows` and `scorePredictions`). */
export function evaluateModel(model: TrainedModel, data: ModelDataset): ModelEvaluation {
  const rows = evaluationRows(model.kind, data);
  if (rows.rows === 0) throw new RangeError(`no rows to evaluate the ${model.kind} model on`);
  return scorePredictions(model.kind, predictModel(model, rows), rows, model.training.baseRate ?? 0);
}
