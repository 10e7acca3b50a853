import { describe, expect, it } from 'vitest';
import type { AccountInput } from '../decide/decide-account.ts';
import type { EntityFacts } from '../decide/decide-entity.ts';
import { addDays } from '../metrics/window.ts';
import { datasetFromHistory } from './dataset.ts';
import { evidenceModelOf, predictModelEvidence, snapshotFromAccountInput } from './evidence.ts';
import { extractFeatures, type AccountSnapshot } from './features.ts';
import { predictModel, trainModel } from './models.ts';
import { dailyRow, syntheticHistory } from './test-accounts.ts';

const ASOF = '2026-05-01';
const data = datasetFromHistory(syntheticHistory(7, ASOF, 60, 6), { seed: 7 });
const fast = { params: { rounds: 20 } };
const fits = {
  roas_forecast: trainModel('roas_forecast', data, fast),
  purchase_probability: trainModel('purchase_probability', data, fast),
  fatigue_onset: trainModel('fatigue_onset', data, fast),
};
const holdout = (kind: keyof typeof fits) => {
  const h = fits[kind].holdout?.holdout;
  if (!h) throw new Error(`no holdout for ${kind}`);
  return h;
};
const models = {
  roas_forecast: evidenceModelOf(fits.roas_forecast.model, holdout('roas_forecast'), 'r1'),
  purchase_probability: evidenceModelOf(
    fits.purchase_probability.model,
    holdout('purchase_probability'),
    'p1',
  ),
  fatigue_onset: evidenceModelOf(fits.fatigue_onset.model, holdout('fatigue_onset'), 'f1'),
};

/** An ad set with a steady week, a CTR that peaked earlier (down 10%), or one that stopped spending. */
function adSet(kind: 'steady' | 'idle' | 'fatigued', status: 'active' | 'paused' = 'active') {
  const rows = Array.from({ length: 20 }, (_, i) => {
    const age = 20 - i;
    const idle = kind === 'idle' && age <= 9;
    const clicks = kind === 'fatigued' && age <= 3 ? 60 : kind === 'steady' && age <= 3 ? 90 : 100;
    return dailyRow(addDays(ASOF, -age), {
      spend: idle ? 0 : 50,
      revenue: idle ? 0 : 150,
      purchases: idle ? 0 : 2,
      impressions: idle ? 0 : 5000,
      clicks: idle ? 0 : clicks,
    });
  });
  return {
    rows,
    audienceType: 'broad' as const,
    stage: null,
    status,
    dailyBudgetMinor: 5000n,
    learningStage: 'ACTIVE',
    hoursSinceBudgetChange: null,
  };
}

describe('evidenceModelOf', () => {
  it('weighs a model by its holdout and the baseline it was gated on', () => {
    const h = holdout('fatigue_onset');
    const model = evidenceModelOf(fits.fatigue_onset.model, h, 'f1');
    expect(model).toMatchObject({ error: h.model, baselineError: h.baselines.baseRate, version: 'f1' });
    expect(() => evidenceModelOf(fits.fatigue_onset.model, { ...h, gate: 'accountRoas' }, 'f1')).toThrow(
      /no "accountRoas" baseline/,
    );
    expect(() => evidenceModelOf(fits.roas_forecast.model, h, 'r1')).toThrow(/scored by mae, not brier/);
  });
});

describe('predictModelEvidence', () => {
  const snapshot: AccountSnapshot = {
    asOf: ASOF,
    minorDigits: 2,
    adSets: [adSet('steady'), adSet('idle', 'paused'), adSet('fatigued')],
  };

  it('gives each ad set the predictions of the models, with their accuracy and version', () => {
    const evidence = predictModelEvidence(snapshot, models);
    const features = extractFeatures(snapshot);
    const roas = predictModel(fits.roas_forecast.model, features);
    expect(evidence[0]?.roasForecast).toEqual({
      value: roas[0],
      modelMae: models.roas_forecast.error,
      baselineMae: models.roas_forecast.baselineError,
      version: 'r1',
    });
    expect(evidence[0]?.purchaseProbability?.version).toBe('p1');
    expect(evidence[0]?.fatigueOnset?.brier).toBe(models.fatigue_onset.error);
  });

  it('predicts only where the model was judged: spend in 7 days, not paused, not already fatigued', () => {
    const [steady, idle, fatigued] = predictModelEvidence(snapshot, models);
    expect(Object.keys(steady ?? {}).sort()).toEqual(['fatigueOnset', 'purchaseProbability', 'roasForecast']);
    // No spend in the last 7 days and paused: no forecast, no purchase probability (and no CTR peak).
    expect(idle).toEqual({});
    // CTR down 40% from its peak already: fatigue is here, not ahead.
    expect(fatigued?.fatigueOnset).toBeUndefined();
    expect(fatigued?.roasForecast).toBeDefined();
  });

  it('returns empty evidence without models', () => {
    expect(predictModelEvidence(snapshot, {})).toEqual([{}, {}, {}]);
  });
});

describe('snapshotFromAccountInput', () => {
  it("is the engine's input as the models read it: ad sets only, with the input's lag curve", () => {
    const base = adSet('steady');
    const facts = (level: 'adset' | 'ad', id: string): EntityFacts => ({
      entityId: id,
      level,
      name: id,
      rows: base.rows,
      audience: { type: 'broad', lookalikePercent: null },
      stage: 'scaling',
      status: 'active',
      state: {
        dailyBudgetMinor: 5000n,
        budgetOwner: 'adset',
        learningStage: 'ACTIVE',
        hoursSinceBudgetChange: 30,
        budgetChangesLastHour: 0,
        increasedTodayMinor: 0n,
        spend: 1000,
        account: null,
        killSwitch: { tripped: false, reason: null },
      },
      previousActions: [],
    });
    const input: AccountInput = {
      asOf: ASOF,
      minorDigits: 2,
      curve: [0.5, 0.8, 1],
      totalDailyBudgetMinor: null,
      metaMinDailyBudgetMinor: null,
      entities: [facts('adset', 'a'), facts('ad', 'x')],
    };
    expect(snapshotFromAccountInput(input)).toEqual({
      asOf: ASOF,
      minorDigits: 2,
      curve: [0.5, 0.8, 1],
      adSets: [
        {
          rows: base.rows,
          audienceType: 'broad',
          stage: 'scaling',
          status: 'active',
          dailyBudgetMinor: 5000n,
          learningStage: 'ACTIVE',
          hoursSinceBudgetChange: 30,
        },
      ],
    });
  });
});
