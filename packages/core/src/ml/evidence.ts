import type { AccountInput } from '../decide/decide-account.ts';
import type { ModelEvidence } from '../decide/model-evidence.ts';
import type { Holdout } from './evaluation.ts';
import { extractFeatures, FEATURE_INDEX, FEATURE_NAMES, type AccountSnapshot } from './features.ts';
import { LABEL_RULES, type ModelKind } from './labels.ts';
import { predictModel, type TrainedModel } from './models.ts';

/** A model the engine reads, with the accuracy it measured on its holdout beside its naive baseline. */
export type EvidenceModel = {
  model: TrainedModel;
  /** MAE (ROAS forecast) or Brier score (probabilities) of the model on its holdout. */
  error: number;
  /** The same for its naive baseline: last-7-day ROAS, or the base rate. */
  baselineError: number;
  /** Names the model in every prediction (for example the registry version). */
  version: string;
};

export type EvidenceModels = Partial<Record<ModelKind, EvidenceModel>>;

/**
 * Each ad set's model evidence on `snapshot.asOf`, in the snapshot's order, predicted from the same
 * features the models were trained on. A prediction is given only where its model was judged: the
 * ROAS forecast for ad sets that spent in the last 7 days, the purchase probability for ad sets not
 * paused, fatigue onset for ad sets with a CTR peak that are not already down 20% from it.
 */
export function predictModelEvidence(snapshot: AccountSnapshot, models: EvidenceModels): ModelEvidence[] {
  const evidence: ModelEvidence[] = snapshot.adSets.map(() => ({}));
  const kinds = (Object.keys(models) as ModelKind[]).filter((kind) => models[kind] !== undefined);
  if (kinds.length === 0 || snapshot.adSets.length === 0) return evidence;
  const features = extractFeatures(snapshot);
  const cols = FEATURE_NAMES.length;
  const feature = (row: number, name: keyof typeof FEATURE_INDEX) =>
    features.x[row * cols + FEATURE_INDEX[name]] ?? Number.NaN;
  for (const kind of kinds) {
    const entry = models[kind];
    if (!entry) continue;
    const predicted = predictModel(entry.model, features);
    for (let i = 0; i < features.rows; i++) {
      const out = evidence[i];
      const value = predicted[i];
      if (!out || value === undefined) continue;
      if (kind === 'roas_forecast') {
        if (Number.isNaN(feature(i, 'roas7dReported'))) continue;
        out.roasForecast = {
          value,
          modelMae: entry.error,
          baselineMae: entry.baselineError,
          version: entry.version,
        };
      } else if (kind === 'purchase_probability') {
        if (feature(i, 'isActive') === 0) continue;
        out.purchaseProbability = {
          probability: value,
          brier: entry.error,
          baseRateBrier: entry.baselineError,
          version: entry.version,
        };
      } else {
        const drop = feature(i, 'ctrDropFromPeak');
        if (Number.isNaN(drop) || drop >= LABEL_RULES.fatigueDrop) continue;
        out.fatigueOnset = {
          probability: value,
          brier: entry.error,
          baseRateBrier: entry.baselineError,
          version: entry.version,
        };
      }
    }
  }
  return evidence;
}

/**
 * The model as the engine reads it, from its registry record: the holdout's error for the model and
 * for the baseline it was gated on. Throws a `RangeError` when the holdout lacks that baseline.
 */
export function evidenceModelOf(model: TrainedModel, holdout: Holdout, version: string): EvidenceModel {
  const baselineError = holdout.baselines[holdout.gate];
  if (baselineError === undefined)
    throw new RangeError(`the ${model.kind} holdout has no "${holdout.gate}" baseline to weigh the model by`);
  const expected = model.kind === 'roas_forecast' ? 'mae' : 'brier';
  if (holdout.metric !== expected)
    throw new RangeError(`a ${model.kind} holdout is scored by ${expected}, not ${holdout.metric}`);
  return { model, error: holdout.model, baselineError, version };
}

/**
 * The snapshot the models read, built from the engine's own input (ad sets only): the same rows,
 * lag curve, budgets and states the engine decides on.
 */
export function snapshotFromAccountInput(input: AccountInput): AccountSnapshot {
  return {
    asOf: input.asOf,
    minorDigits: input.minorDigits,
    ...(input.curve ? { curve: input.curve } : {}),
    adSets: input.entities
      .filter((e) => e.level === 'adset')
      .map((e) => ({
        rows: e.rows,
        audienceType: e.audience.type,
        stage: e.stage,
        status: e.status,
        dailyBudgetMinor: e.state.dailyBudgetMinor,
        learningStage: e.state.learningStage,
        hoursSinceBudgetChange: e.state.hoursSinceBudgetChange,
      })),
  };
}
