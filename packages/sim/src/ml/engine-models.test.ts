import {
  concatDatasets,
  DEFAULT_MODEL_RULES,
  DEFAULT_RULES,
  evidenceModelOf,
  MODEL_KINDS,
  trainModel,
  type EngineRules,
  type EvidenceModels,
  type ModelRules,
} from '@roas/core';
import { describe, expect, it } from 'vitest';
import { createPolicy } from '../policies/registry.ts';
import { runBenchmark } from '../runner/benchmark.ts';
import { policyContext, runPolicy, simulate } from '../runner/simulate.ts';
import { loadScenario } from '../scenarios/load.ts';
import { parseEvidenceModels } from './engine-models.ts';
import { simulateModelData } from './model-data.ts';

const SMALL = loadScenario({ extends: 'fatigue', adSets: 5, horizonDays: 40 });

// Small models trained on two small simulated accounts: enough to give varied predictions quickly.
const data = concatDatasets(
  [11, 12].map(
    (seed, i) => simulateModelData({ scenario: SMALL, policy: 'equal', seed, accountIndex: i }).dataset,
  ),
);
const models: EvidenceModels = {};
for (const kind of MODEL_KINDS) {
  const fit = trainModel(kind, data, { params: { rounds: 15, minChildSamples: 5 } });
  if (!fit.holdout) throw new Error(`no holdout for ${kind}`);
  // Errors chosen so every model counts (skill 0.5) whatever this tiny holdout measured.
  models[kind] = evidenceModelOf(
    fit.model,
    { ...fit.holdout.holdout, model: 0.5, baselines: { [fit.holdout.holdout.gate]: 1 } },
    `test-${kind}`,
  );
}

const withAllocation = (allocation: ModelRules['allocation']): EngineRules => ({
  ...DEFAULT_RULES,
  models: { ...DEFAULT_MODEL_RULES, allocation },
});
const active = withAllocation({ forecastWeight: 5, forecastLevel: 'absolute', fatigueDiscount: 0.5 });
const inactive = withAllocation({ forecastWeight: 0, forecastLevel: 'relative', fatigueDiscount: 0 });

describe('the engine+ml policy', () => {
  it('runs with models, deterministically, and stays inside the account rules', () => {
    const first = simulate(SMALL, 'engine+ml', 3, undefined, active, models);
    expect(first.policy).toBe('engine+ml');
    expect(simulate(SMALL, 'engine+ml', 3, undefined, active, models)).toEqual(first);
    const { market } = runPolicy(SMALL, 'engine+ml', 3, undefined, active, models);
    expect(market.correctedDecisions).toBe(0);
  });

  it('decides as the engine does when the allocation reads no model, and differently when it does', () => {
    for (const seed of [3, 4]) {
      const engine = simulate(SMALL, 'engine', seed, undefined, inactive);
      const off = simulate(SMALL, 'engine+ml', seed, undefined, inactive, models);
      expect({ ...off, policy: 'engine' }).toEqual(engine);
    }
    const moved = [3, 4, 5].some(
      (seed) =>
        simulate(SMALL, 'engine+ml', seed, undefined, active, models).trueProfit !==
        simulate(SMALL, 'engine', seed, undefined, active).trueProfit,
    );
    expect(moved).toBe(true);
  });

  it('refuses to run without models', async () => {
    expect(() => createPolicy('engine+ml', policyContext(SMALL))).toThrow(/needs trained models/);
    await expect(
      runBenchmark({ scenario: SMALL, policies: ['engine+ml'], seeds: [1], workers: 0 }),
    ).rejects.toThrow(/needs trained models/);
  });

  it('sends the models to worker threads as JSON with the same results as in-thread', async () => {
    const options = {
      scenario: SMALL,
      policies: ['engine+ml'],
      seeds: [3],
      engineRules: active,
      engineModels: models,
      includeRuns: true,
    };
    const inThread = await runBenchmark({ ...options, workers: 0 });
    const inWorker = await runBenchmark({ ...options, workers: 1 });
    expect(inWorker.runs?.find((r) => r.policy === 'engine+ml')).toEqual(
      inThread.runs?.find((r) => r.policy === 'engine+ml'),
    );
  }, 30_000);
});

describe('model files and transport', () => {
  it('round-trips the models through JSON', () => {
    const parsed = parseEvidenceModels(JSON.parse(JSON.stringify(models)));
    expect(parsed).toEqual(models);
  });

  it('names the kind and the problem of a bad model', () => {
    expect(() => parseEvidenceModels({ churn: {} })).toThrow(/unknown kind "churn"/);
    const roas = models.roas_forecast;
    expect(() => parseEvidenceModels({ fatigue_onset: roas })).toThrow(
      /fatigue_onset holds a roas_forecast model/,
    );
    expect(() => parseEvidenceModels({ roas_forecast: { ...roas, error: -1 } })).toThrow(
      /roas_forecast: error/,
    );
  });
});
