import { describe, expect, it } from 'vitest';
import { ModelFormatError } from './booster-model.ts';
import { concatDatasets, datasetFromHistory, type ModelDataset } from './dataset.ts';
import { evaluationRows, scorePredictions } from './evaluation.ts';
import { evaluateModel, parseTrainedModel, predictModel, trainModel, type TrainedModel } from './models.ts';
import { syntheticHistory } from './test-accounts.ts';

const AS_OF = '2026-06-01';

function accounts(firstSeed: number, count: number): ModelDataset {
  return concatDatasets(
    Array.from({ length: count }, (_, i) =>
      datasetFromHistory(syntheticHistory(firstSeed + i, AS_OF, 60, 8), { seed: i, accountIndex: i }),
    ),
  );
}

const train = accounts(100, 12);
const test = accounts(500, 6);
const roas = trainModel('roas_forecast', train);

describe('trainModel: ROAS forecast', () => {
  it('beats last-7-day ROAS on accounts it never saw when ad sets have a steady ROAS', () => {
    const evaluation = evaluateModel(roas.model, test);
    expect(evaluation.type).toBe('roas');
    if (evaluation.type !== 'roas') return;
    const { mae } = evaluation.accuracy;
    expect(mae.model).toBeLessThan(0.85 * (mae.last7Roas ?? 0));
    expect(mae.model).toBeLessThan(0.85 * (mae.last7RoasReported ?? 0));
    expect(evaluation.accuracy.spendWeightedMae.model).toBeLessThan(
      evaluation.accuracy.spendWeightedMae.last7Roas ?? 0,
    );
    expect(evaluation.holdout).toMatchObject({
      metric: 'mae',
      gate: 'last7Roas',
      rows: evaluation.accuracy.rows,
    });
    expect(evaluation.holdout.baselines).toEqual({
      last7Roas: mae.last7Roas,
      last7RoasReported: mae.last7RoasReported,
      accountRoas: mae.accountRoas,
    });
  });

  it('measures itself on the latest days it held out, and records what it was trained on', () => {
    expect(roas.holdout?.holdout.rows).toBeGreaterThan(0);
    expect(roas.model.training.rows).toBe(evaluationRows('roas_forecast', train).rows);
    expect(roas.model.training.validationRows).toBeGreaterThan(0);
    expect(roas.model.training.from < roas.model.training.to).toBe(true);
    expect(roas.model.target).toEqual({ transform: 'log1p', weighting: 'spend' });
    expect(roas.model.training.baseRate).toBeNull();
    for (const p of predictModel(roas.model, test)) expect(p).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(trainModel('roas_forecast', train).model)).toBe(JSON.stringify(roas.model));
  });

  it('continues from a cold-start model on an account of its own', () => {
    const own = datasetFromHistory(syntheticHistory(900, AS_OF, 60, 8));
    const warm = trainModel('roas_forecast', own, {
      init: roas.model,
      params: { earlyStoppingRounds: null, rounds: 5 },
      validationShare: 0,
    });
    expect(warm.model.booster.trees.slice(0, roas.model.booster.trees.length)).toEqual(
      roas.model.booster.trees,
    );
    expect(warm.model.training.trees).toBe(5);
    expect(() => trainModel('purchase_probability', own, { init: roas.model })).toThrow(
      /init model is a roas_forecast model/,
    );
  });
});

describe('trainModel: probabilities', () => {
  it('gives probabilities in [0, 1] judged against the base rate', () => {
    const fit = trainModel('purchase_probability', train);
    const evaluation = evaluateModel(fit.model, test);
    expect(evaluation.type).toBe('probability');
    if (evaluation.type !== 'probability') return;
    const rate = fit.model.training.baseRate ?? -1;
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThanOrEqual(1);
    for (const p of predictModel(fit.model, test)) expect(p >= 0 && p <= 1).toBe(true);
    expect(evaluation.holdout).toMatchObject({ metric: 'brier', gate: 'baseRate' });
    expect(evaluation.accuracy.brier.model).toBeLessThanOrEqual(
      (evaluation.accuracy.brier.baseRate ?? 0) + 1e-3,
    );
  });

  it('scores against one base rate per row when given (each account its own)', () => {
    const rows = evaluationRows('purchase_probability', test);
    const predicted = new Float64Array(rows.rows).fill(0.5);
    const perRow = Float64Array.from(rows.labels.purchase_probability);
    const scored = scorePredictions('purchase_probability', predicted, rows, perRow);
    expect(scored.holdout.baselines.baseRate).toBe(0);
    expect(scored.holdout.model).toBeCloseTo(0.25, 12);
    expect(() => scorePredictions('purchase_probability', predicted, rows, perRow.subarray(1))).toThrow(
      /base rates for/,
    );
    expect(() => scorePredictions('roas_forecast', predicted.subarray(1), rows)).toThrow(/predictions for/);
  });
});

describe('stored models', () => {
  it('round-trip through JSON and predict the same', () => {
    const loaded = parseTrainedModel(JSON.parse(JSON.stringify(roas.model)));
    expect(loaded).toEqual(roas.model);
    expect(predictModel(loaded, test)).toEqual(predictModel(roas.model, test));
  });

  it('refuse a malformed model with the path and reason', () => {
    const json = JSON.parse(JSON.stringify(roas.model)) as TrainedModel;
    expect(() => parseTrainedModel({ ...json, kind: 'churn' })).toThrow(/kind/);
    expect(() => parseTrainedModel({ ...json, version: 2 })).toThrow(/version/);
    expect(() => parseTrainedModel({ ...json, target: { transform: 'sqrt', weighting: 'none' } })).toThrow(
      /target\.transform/,
    );
    expect(() => parseTrainedModel({ ...json, training: { ...json.training, from: 'May' } })).toThrow(
      /training\.from/,
    );
    expect(() => parseTrainedModel({ ...json, booster: { ...json.booster, trees: 'none' } })).toThrow(
      ModelFormatError,
    );
    expect(() => parseTrainedModel({ ...json, kind: 'fatigue_onset' })).toThrow(
      /needs a logloss booster, not squared/,
    );
  });

  it('refuse rows from another feature set', () => {
    expect(() => predictModel(roas.model, { ...test, featureSetVersion: 2 })).toThrow(
      /feature set v1, the rows are v2: retrain it/,
    );
    expect(() =>
      predictModel(roas.model, { ...test, featureNames: [...test.featureNames].reverse() }),
    ).toThrow(/other features/);
  });
});

describe('trainModel: bad input', () => {
  it('names what is wrong', () => {
    expect(() => trainModel('churn' as never, train)).toThrow(/unknown model kind "churn"/);
    expect(() => trainModel('roas_forecast', train, { validationShare: 1 })).toThrow(
      /validationShare must be in \[0, 1\)/,
    );
    expect(() => trainModel('roas_forecast', { ...train, featureSetVersion: 0 })).toThrow(/feature set v0/);
    const unlabelled = {
      ...train,
      labels: { ...train.labels, roas_forecast: new Float64Array(train.rows).fill(Number.NaN) },
    };
    expect(() => trainModel('roas_forecast', unlabelled)).toThrow(/no rows are labelled for roas_forecast/);
  });
});
