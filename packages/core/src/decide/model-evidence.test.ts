import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../metrics/totals.ts';
import { addDays } from '../metrics/window.ts';
import { parseMicros } from '../money/money.ts';
import { DEFAULT_MODEL_RULES, DEFAULT_RULES } from '../rules/defaults.ts';
import type { EngineRules, ModelRules } from '../rules/engine-rules.ts';
import { priorFromMean } from '../stats/gamma-poisson.ts';
import { orderValuePriorFromAccount } from '../stats/roas-posterior.ts';
import { decideAccount, type AccountInput } from './decide-account.ts';
import { decideEntity, type AccountContext, type EntityFacts } from './decide-entity.ts';
import type { DailyRow } from './features.ts';
import {
  allocationModelFactors,
  applyModelEvidence,
  modelSkill,
  usableEvidence,
  type ModelEvidence,
  type ModelStepInput,
} from './model-evidence.ts';

// The accuracies measured by bench:models: ROAS MAE 0.757 vs 1.081, Brier 0.026 vs 0.097 and 0.12 vs 0.17.
const forecast = (
  value: number,
  modelMae = 0.757,
  baselineMae = 1.081,
): NonNullable<ModelEvidence['roasForecast']> => ({
  value,
  modelMae,
  baselineMae,
  version: 'roas_forecast v3',
});
const purchase = (probability: number): NonNullable<ModelEvidence['purchaseProbability']> => ({
  probability,
  brier: 0.026,
  baseRateBrier: 0.097,
  version: 'purchase_probability v2',
});
const fatigue = (probability: number, brier = 0.12): NonNullable<ModelEvidence['fatigueOnset']> => ({
  probability,
  brier,
  baseRateBrier: 0.17,
  version: 'fatigue_onset v1',
});

const scale: ModelStepInput = {
  action: 'SCALE',
  scalePercent: 20,
  confidence: 'MEDIUM',
  zeroConversion: false,
  targetRoas: 1.6,
  breakEvenRoas: 1.25,
};
const step = (evidence: ModelEvidence, input: Partial<ModelStepInput> = {}, rules = DEFAULT_MODEL_RULES) =>
  applyModelEvidence(evidence, { ...scale, ...input }, rules);

describe('modelSkill', () => {
  it('is 1 - error / baseline error, and null when either is unmeasured', () => {
    expect(modelSkill(0.757, 1.081)).toBeCloseTo(0.2997, 4);
    expect(modelSkill(0.12, 0.17)).toBeCloseTo(0.2941, 4);
    expect(modelSkill(1.2, 1)).toBeCloseTo(-0.2, 9);
    expect(modelSkill(0.5, 0)).toBeNull();
    expect(modelSkill(Number.NaN, 1)).toBeNull();
    expect(modelSkill(-0.1, 1)).toBeNull();
  });
});

describe('usableEvidence', () => {
  it('keeps skilled models and says why the others are ignored', () => {
    const usable = usableEvidence(
      {
        roasForecast: forecast(2, 1.1, 1.081),
        purchaseProbability: purchase(0.9),
        fatigueOnset: { ...fatigue(0.7), probability: 1.4 },
      },
      DEFAULT_MODEL_RULES,
    );
    expect(usable.roasForecast).toBeNull();
    expect(usable.fatigueOnset).toBeNull();
    expect(usable.purchaseProbability?.skill).toBeCloseTo(1 - 0.026 / 0.097, 9);
    expect(usable.ignored.map((r) => r.text)).toEqual([
      'ROAS forecast ignored: it is not enough better than last-7-day ROAS (skill -2%, at least 5% needed)',
      'fatigue-onset probability ignored: its prediction is not a valid number',
    ]);
    expect(usable.ignored.every((r) => !r.passed)).toBe(true);
  });

  it('ignores a model below minSkill even when it beats its baseline', () => {
    const rules: ModelRules = { ...DEFAULT_MODEL_RULES, minSkill: 0.35 };
    expect(usableEvidence({ roasForecast: forecast(2) }, rules).roasForecast).toBeNull();
    expect(
      usableEvidence({ roasForecast: forecast(2) }, DEFAULT_MODEL_RULES).roasForecast?.skill,
    ).toBeCloseTo(0.2997, 4);
  });
});

describe('applyModelEvidence', () => {
  it('a forecast below the target by more than its error lowers a Scale one level and says so', () => {
    const result = step({ roasForecast: forecast(0.8) });
    expect(result.confidence).toBe('LOW');
    expect(result.risks).toEqual([
      'forecast next-7-day ROAS 0.80 is below the 1.60 target (model MAE 0.76 vs 1.08 for last-7-day ROAS, skill 30%)',
    ]);
    expect(result.reasons.find((r) => r.ruleId === 'model.roasForecast')).toMatchObject({
      observed: 0.8,
      threshold: 1.6,
      passed: false,
    });
    expect(result.reasons.find((r) => r.ruleId === 'model.confidence')?.text).toBe(
      'the ROAS forecast disagrees: confidence medium to low',
    );
  });

  it('a forecast within its error of the target neither lowers nor raises confidence', () => {
    const result = step({ roasForecast: forecast(1.2) });
    expect(result.confidence).toBe('MEDIUM');
    expect(result.risks).toEqual([]);
    expect(result.reasons.find((r) => r.ruleId === 'model.roasForecast')?.passed).toBe(true);
  });

  it('adds the fatigue risk with its probability and accuracy, and lowers a Scale', () => {
    const result = step({ fatigueOnset: fatigue(0.64) });
    expect(result.risks).toEqual([
      'fatigue expected within 7 days: model p = 0.64 (Brier 0.12 vs 0.17 base rate)',
    ]);
    expect(result.confidence).toBe('LOW');
    // On a Hold the same risk is added, and confidence (of a claim the model does not judge) stays.
    const hold = step({ fatigueOnset: fatigue(0.64) }, { action: 'HOLD', scalePercent: null });
    expect(hold.risks).toHaveLength(1);
    expect(hold.confidence).toBe('MEDIUM');
  });

  it('moves confidence at most one level however many models disagree', () => {
    const result = step(
      { roasForecast: forecast(0.5), purchaseProbability: purchase(0.2), fatigueOnset: fatigue(0.9) },
      { confidence: 'HIGH' },
    );
    expect(result.confidence).toBe('MEDIUM');
    expect(result.risks).toHaveLength(3);
    expect(result.risks[1]).toBe(
      'a purchase in the next 3 days is unlikely: model p = 0.20 (Brier 0.03 vs 0.10 base rate)',
    );
    expect(step({ roasForecast: forecast(0.5) }, { confidence: 'LOW' }).confidence).toBe('LOW');
  });

  it('raises confidence one level only when a skilled model agrees by twice its error', () => {
    // 1.6 + 2 x 0.757 = 3.11: a forecast of 3.2 agrees strongly; 2.5 only agrees.
    expect(step({ roasForecast: forecast(3.2) }).confidence).toBe('HIGH');
    expect(step({ roasForecast: forecast(2.5) }).confidence).toBe('MEDIUM');
    expect(step({ roasForecast: forecast(3.2) }, { confidence: 'LOW' }).confidence).toBe('MEDIUM');
    expect(step({ roasForecast: forecast(3.2) }, { confidence: 'HIGH' }).confidence).toBe('HIGH');
    // Skill 0.2 (MAE 0.8 vs 1.0) is used, but is below strongAgreementSkill 0.25: no rise.
    expect(step({ roasForecast: forecast(3.8, 0.8, 1.0) }).confidence).toBe('MEDIUM');
    // Agreement is outweighed by any disagreement.
    expect(step({ roasForecast: forecast(3.2), fatigueOnset: fatigue(0.7) }).confidence).toBe('LOW');
  });

  it('ignores a model with no skill entirely: no risk, no confidence move', () => {
    const result = step({ roasForecast: forecast(0.3, 1.2, 1.081), fatigueOnset: fatigue(0.9, 0.2) });
    expect(result.confidence).toBe('MEDIUM');
    expect(result.risks).toEqual([]);
    expect(result.reasons.map((r) => r.ruleId)).toEqual([
      'model.roasForecast.skill',
      'model.fatigueOnset.skill',
    ]);
  });

  it('judges a Pause against break-even, and a zero-conversion Pause against the purchase probability', () => {
    const pause = { action: 'PAUSE' as const, scalePercent: null };
    const kept = step({ roasForecast: forecast(2.4) }, pause);
    expect(kept.confidence).toBe('LOW');
    expect(kept.risks[0]).toMatch(
      /^forecast next-7-day ROAS 2\.40 is above break-even 1\.25: it may still make money/,
    );
    // 0.2 + 2 x 0.757 = 1.71: agrees, but strongly only with break-even above that.
    expect(step({ roasForecast: forecast(0.2) }, { ...pause, confidence: 'LOW' }).confidence).toBe('LOW');
    expect(
      step({ roasForecast: forecast(0.2) }, { ...pause, confidence: 'LOW', breakEvenRoas: 2 }).confidence,
    ).toBe('MEDIUM');
    const zero = step({ purchaseProbability: purchase(0.8) }, { ...pause, zeroConversion: true });
    expect(zero.risks).toEqual([
      'a purchase is expected within 3 days: model p = 0.80 (Brier 0.03 vs 0.10 base rate)',
    ]);
    expect(zero.confidence).toBe('LOW');
    // An ordinary Pause is not a claim about purchases.
    expect(step({ purchaseProbability: purchase(0.8) }, pause).risks).toEqual([]);
  });

  it('flags a Hold forecast to lose money, without moving its confidence', () => {
    const result = step({ roasForecast: forecast(0.3) }, { action: 'HOLD', scalePercent: null });
    expect(result.confidence).toBe('MEDIUM');
    expect(result.risks[0]).toMatch(/^forecast next-7-day ROAS 0\.30 is below break-even 1\.25/);
  });
});

describe('allocationModelFactors', () => {
  const rules = (allocation: Partial<ModelRules['allocation']>): ModelRules => ({
    ...DEFAULT_MODEL_RULES,
    allocation: { ...DEFAULT_MODEL_RULES.allocation, ...allocation },
  });
  const items = [
    { evidence: { roasForecast: forecast(3) }, averageRoas: 2, budget: 100 },
    { evidence: { roasForecast: forecast(1) }, averageRoas: 2, budget: 100 },
    { evidence: undefined, averageRoas: 2, budget: 100 },
  ];
  const skill = 1 - 0.757 / 1.081;

  it('is 1 everywhere when switched off', () => {
    expect(
      allocationModelFactors(items, rules({ forecastWeight: 0, fatigueDiscount: 0 })).map((f) => f.factor),
    ).toEqual([1, 1, 1]);
  });

  it('moves the ROAS reading toward the forecast by weight x skill, in log terms', () => {
    const absolute = allocationModelFactors(items, rules({ forecastWeight: 1, forecastLevel: 'absolute' }));
    expect(absolute[0]?.factor).toBeCloseTo(1.5 ** skill, 9);
    expect(absolute[1]?.factor).toBeCloseTo(0.5 ** skill, 9);
    expect(absolute[2]).toEqual({ factor: 1, reason: null });
    expect(absolute[0]?.reason?.text).toMatch(/forecast next-7-day ROAS 3\.00 against 2\.00/);
    // Relative: ratios against their budget-weighted mean (here sqrt(1.5 x 0.5)); only the order moves.
    const relative = allocationModelFactors(items, rules({ forecastWeight: 2, forecastLevel: 'relative' }));
    const level = Math.sqrt(1.5 * 0.5);
    expect(relative[0]?.factor).toBeCloseTo((1.5 / level) ** (2 * skill), 9);
    expect(relative[1]?.factor).toBeCloseTo((0.5 / level) ** (2 * skill), 9);
    // Weight x skill never passes 1: at most all the way to the forecast.
    const all = allocationModelFactors(items, rules({ forecastWeight: 5, forecastLevel: 'absolute' }));
    expect(all[0]?.factor).toBeCloseTo(1.5, 9);
  });

  it('discounts by fatigueDiscount x the fatigue probability, and ignores unskilled models', () => {
    const factors = allocationModelFactors(
      [
        { evidence: { fatigueOnset: fatigue(0.5) }, averageRoas: 2, budget: 100 },
        { evidence: { fatigueOnset: fatigue(0.9, 0.2) }, averageRoas: 2, budget: 100 },
        { evidence: { roasForecast: forecast(9, 2, 1) }, averageRoas: 2, budget: 100 },
      ],
      rules({ forecastWeight: 1, forecastLevel: 'absolute', fatigueDiscount: 0.2 }),
    );
    expect(factors.map((f) => f.factor)).toEqual([0.9, 1, 1]);
  });
});

// decideEntity and decideAccount with models: the decision and guardrails stay the engine's.
const ASOF = '2026-06-15';
const account: AccountContext = {
  asOf: ASOF,
  curve: [1, 1, 1, 1, 1, 1, 1, 1],
  accountRoas: 2.4,
  breakEvenRoas: 1 / 0.6,
  targetRoas: 1.25 / 0.6,
  targetCpa: 25,
  accountCpm: 12,
  medianEntitySpend: null,
  ratePrior: priorFromMean(1 / 25, 0.65),
  aovPrior: orderValuePriorFromAccount(60),
  money: { maxDailyIncrease: 125, noPauseBelowSpend: 75, minDailyBudget: 12.5, minorDigits: 2 },
};

function rows(days: number, spend: number, revenue: number, purchases: number, asOf = ASOF): DailyRow[] {
  return Array.from({ length: days }, (_, i) => ({
    date: addDays(asOf, -(days - i)),
    totals: {
      ...emptyTotals(),
      spend: parseMicros(String(spend)),
      revenue: parseMicros(String(revenue)),
      purchases,
      impressions: Math.round(spend * 25),
      reach: Math.round(spend * 15),
      linkClicks: Math.round(spend * 0.4),
    },
  }));
}

const winner = (overrides: Partial<EntityFacts> = {}): EntityFacts => ({
  entityId: 'w',
  level: 'adset',
  name: 'Winner',
  rows: rows(14, 200, 800, 13),
  audience: { type: 'interest', lookalikePercent: null },
  stage: null,
  status: 'active',
  state: {
    dailyBudgetMinor: 20_000n,
    budgetOwner: 'adset',
    learningStage: 'ACTIVE',
    hoursSinceBudgetChange: null,
    budgetChangesLastHour: 0,
    increasedTodayMinor: 0n,
    spend: 2800,
    account: null,
    killSwitch: { tripped: false, reason: null },
  },
  previousActions: ['SCALE'],
  ...overrides,
});

describe('decideEntity with model evidence', () => {
  const doubtful: ModelEvidence = { roasForecast: forecast(0.6), fatigueOnset: fatigue(0.8) };

  it('changes confidence, risks and reasons only, and reads them before hysteresis and guardrails', () => {
    const without = decideEntity(winner(), account, DEFAULT_RULES);
    const withModels = decideEntity(winner({ models: doubtful }), account, DEFAULT_RULES);
    expect(without.action).toBe('SCALE');
    for (const key of [
      'action',
      'concludedAction',
      'scalePercent',
      'newDailyBudgetMinor',
      'guardrails',
    ] as const)
      expect(withModels[key]).toEqual(without[key]);
    expect(withModels.confidence).not.toBe(without.confidence);
    expect(withModels.risks).toContain(
      'fatigue expected within 7 days: model p = 0.80 (Brier 0.12 vs 0.17 base rate)',
    );
    expect(withModels.explanation).toMatch(
      /Risks: .*forecast next-7-day ROAS 0\.60 is below the 2\.08 target/,
    );
    const ids = withModels.reasons.map((r) => r.ruleId);
    expect(ids.indexOf('model.roasForecast')).toBeGreaterThan(ids.indexOf('matrix.winner.stable'));
    expect(ids.indexOf('model.confidence')).toBeLessThan(ids.indexOf('hysteresis'));
    expect(ids.indexOf('hysteresis')).toBe(ids.length - 1);
  });

  it('cannot push a Scale past a guardrail: cooldown and learning still hold it', () => {
    const glowing: ModelEvidence = { roasForecast: forecast(9), purchaseProbability: purchase(1) };
    const cooling = winner({ models: glowing, state: { ...winner().state, hoursSinceBudgetChange: 10 } });
    const held = decideEntity(cooling, account, DEFAULT_RULES);
    expect(held).toMatchObject({ action: 'HOLD', scalePercent: null, newDailyBudgetMinor: null });
    expect(held.guardrails.find((g) => g.id === 'guardrail.cooldown')?.passed).toBe(false);
    const learning = winner({ models: glowing, state: { ...winner().state, learningStage: 'LEARNING' } });
    expect(decideEntity(learning, account, DEFAULT_RULES).action).toBe('HOLD');
  });

  it('leaves a decision exactly as it was when no model has skill', () => {
    const useless: ModelEvidence = { roasForecast: forecast(0.2, 1.5, 1.081) };
    const withModels = decideEntity(winner({ models: useless }), account, DEFAULT_RULES);
    const without = decideEntity(winner(), account, DEFAULT_RULES);
    expect(withModels.confidence).toBe(without.confidence);
    expect(withModels.risks).toEqual(without.risks);
    expect(withModels.reasons.filter((r) => r.ruleId.startsWith('model.')).map((r) => r.passed)).toEqual([
      false,
    ]);
  });
});

describe('decideAccount with the allocation reading the models', () => {
  const AS_OF = '2026-06-30';
  const adSet = (id: string, roas: number, overrides: Partial<EntityFacts> = {}): EntityFacts =>
    winner({
      entityId: id,
      name: id,
      rows: rows(28, 100, 100 * roas, Math.round((100 * roas) / 50), AS_OF),
      state: { ...winner().state, dailyBudgetMinor: 10_000n },
      previousActions: [],
      ...overrides,
    });
  const input = (entities: EntityFacts[]): AccountInput => ({
    asOf: AS_OF,
    minorDigits: 2,
    curve: [1, 1, 1, 1, 1, 1, 1, 1],
    totalDailyBudgetMinor: null,
    metaMinDailyBudgetMinor: 100n,
    entities,
  });
  const withAllocation: EngineRules = {
    ...DEFAULT_RULES,
    allocation: { ...DEFAULT_RULES.allocation, evidenceBand: 0 },
    models: {
      ...DEFAULT_MODEL_RULES,
      allocation: { forecastWeight: 5, forecastLevel: 'absolute', fatigueDiscount: 0.5 },
    },
  };
  const budgetOf = (result: ReturnType<typeof decideAccount>, id: string) =>
    result.decisions.find((d) => d.entityId === id)?.newDailyBudgetMinor ?? null;

  it('moves money toward the forecast, within the allocation step and the guardrail caps', () => {
    const glowing = { roasForecast: forecast(9) };
    const plain = decideAccount(input([adSet('a', 2.6), adSet('b', 2.6)]), withAllocation);
    const told = decideAccount(
      input([adSet('a', 2.6, { models: glowing }), adSet('b', 2.6)]),
      withAllocation,
    );
    expect(budgetOf(plain, 'a')).toBeNull();
    const raised = budgetOf(told, 'a');
    expect(raised).toBe(12_000n); // +20%: the allocation's step limit, however bright the forecast
    expect(told.decisions.find((d) => d.entityId === 'a')?.reasons.map((r) => r.ruleId)).toContain(
      'allocation.models',
    );
    // A tighter guardrail (at most +5 target CPAs a day, here 12 x 1.0) trims the same move.
    const tight: EngineRules = {
      ...withAllocation,
      guardrails: {
        ...withAllocation.guardrails,
        maxDailyIncrease: {
          ...withAllocation.guardrails.maxDailyIncrease,
          adSetAmount: { unit: 'currency', value: 12 },
        },
      },
    };
    const trimmed = decideAccount(input([adSet('a', 2.6, { models: glowing }), adSet('b', 2.6)]), tight);
    expect(budgetOf(trimmed, 'a')).toBe(11_200n);
    // In cooldown, nothing moves at all.
    const cooling = adSet('a', 2.6, {
      models: glowing,
      state: { ...adSet('a', 2.6).state, hoursSinceBudgetChange: 5 },
    });
    const held = decideAccount(input([cooling, adSet('b', 2.6)]), withAllocation);
    expect(held.decisions.find((d) => d.entityId === 'a')?.action).toBe('HOLD');
    expect(budgetOf(held, 'a')).toBeNull();
  });

  it('never resumes a paused ad set, however good its forecast', () => {
    const paused = adSet('p', 2.6, { status: 'paused', models: { roasForecast: forecast(9) } });
    const result = decideAccount(input([paused, adSet('b', 2.6)]), withAllocation);
    const decision = result.decisions.find((d) => d.entityId === 'p');
    expect(decision?.newDailyBudgetMinor).toBeNull();
    expect(decision?.action).not.toBe('SCALE');
    expect(result.allocation?.lines.map((l) => l.entityId)).toEqual(['b']);
  });
});
