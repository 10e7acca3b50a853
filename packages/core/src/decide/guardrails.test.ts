import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import { applyGuardrails, type GuardrailMoney, type GuardrailState, type Proposal } from './guardrails.ts';

const rules = DEFAULT_RULES.guardrails;
// Target CPA 25: daily increase cap 125, no pause below 75 spent, minimum budget 12.50 (USD, cents).
const usd: GuardrailMoney = {
  maxDailyIncrease: 125,
  noPauseBelowSpend: 75,
  minDailyBudget: 12.5,
  minorDigits: 2,
};
const base: GuardrailState = {
  dailyBudgetMinor: 10_000n,
  budgetOwner: 'adset',
  learningStage: 'ACTIVE',
  hoursSinceBudgetChange: null,
  budgetChangesLastHour: 0,
  increasedTodayMinor: 0n,
  spend: 500,
  account: null,
  killSwitch: { tripped: false, reason: null },
};
const scale = (scalePercent: number): Proposal => ({ action: 'SCALE', scalePercent, isKill: false });
const pause: Proposal = { action: 'PAUSE', scalePercent: null, isKill: true };
const run = (proposal: Proposal, state: Partial<GuardrailState> = {}, money = usd) =>
  applyGuardrails(proposal, { ...base, ...state }, rules, money);
const changedBy = (result: ReturnType<typeof run>) =>
  result.guardrails.filter((g) => g.changed).map((g) => g.id);

describe('applyGuardrails', () => {
  it('lets a modest scale through unchanged, with every check listed', () => {
    const result = run(scale(20));
    expect(result).toMatchObject({
      action: 'SCALE',
      scalePercent: 20,
      newDailyBudgetMinor: 12_000n,
      appliesTo: 'adset',
    });
    expect(changedBy(result)).toEqual([]);
    expect(result.guardrails.map((g) => g.id)).toEqual(
      expect.arrayContaining([
        'guardrail.killSwitch',
        'guardrail.cooldown',
        'guardrail.maxScalePerAction',
        'guardrail.maxDailyIncrease',
      ]),
    );
  });

  it.each([
    ['the per-action cap', scale(40), {}, usd, 25, 12_500n, 'guardrail.maxScalePerAction'],
    [
      'the daily ad set percent (20% already added today)',
      scale(20),
      { dailyBudgetMinor: 12_000n, increasedTodayMinor: 2_000n },
      usd,
      4.16,
      12_500n,
      'guardrail.maxDailyIncrease',
    ],
    [
      'the daily amount (a small target CPA)',
      scale(25),
      { dailyBudgetMinor: 100_000n },
      usd,
      12.5,
      112_500n,
      'guardrail.maxDailyIncrease',
    ],
    [
      'the account-wide daily percent',
      scale(25),
      { account: { dailyBudgetMinor: 100_000n, increasedTodayMinor: 19_000n } },
      usd,
      10,
      11_000n,
      'guardrail.maxDailyIncrease',
    ],
    ['the per-action cut limit', scale(-50), {}, usd, -30, 7_000n, 'guardrail.maxScalePerAction'],
    [
      'the minimum budget',
      scale(-30),
      { dailyBudgetMinor: 1_500n },
      usd,
      -16.66,
      1_250n,
      'guardrail.minDailyBudget',
    ],
  ] as const)('caps a scale by %s', (_label, proposal, state, money, percent, budget, id) => {
    const result = run(proposal, state, money);
    expect(result.action).toBe('SCALE');
    expect(result.newDailyBudgetMinor).toBe(budget);
    expect(result.scalePercent).toBeCloseTo(percent, 2);
    expect(changedBy(result)).toContain(id);
  });

  it('holds within the cooldown of a real budget change, but not after a recommendation nobody applied', () => {
    expect(run(scale(20), { hoursSinceBudgetChange: 10 })).toMatchObject({
      action: 'HOLD',
      newDailyBudgetMinor: null,
    });
    expect(changedBy(run(scale(20), { hoursSinceBudgetChange: 10 }))).toEqual(['guardrail.cooldown']);
    expect(run(scale(20), { hoursSinceBudgetChange: 49 }).action).toBe('SCALE');
    expect(run(scale(20), { hoursSinceBudgetChange: null }).action).toBe('SCALE');
  });

  it('routes a CBO ad set to its campaign', () => {
    const result = run(scale(20), { budgetOwner: 'campaign', dailyBudgetMinor: null });
    expect(result).toMatchObject({
      action: 'SCALE',
      appliesTo: 'campaign',
      newDailyBudgetMinor: null,
      scalePercent: 20,
    });
    const skipping = applyGuardrails(
      scale(20),
      { ...base, budgetOwner: 'campaign' },
      { ...rules, campaignBudget: { routeTo: 'skip' } },
      usd,
    );
    expect(skipping.action).toBe('HOLD');
  });

  it('locks budgets during the learning phase but lets a kill through', () => {
    expect(run(scale(20), { learningStage: 'LEARNING' }).action).toBe('HOLD');
    expect(run(pause, { learningStage: 'LEARNING' }).action).toBe('PAUSE');
    expect(run({ ...pause, isKill: false }, { learningStage: 'LEARNING' }).action).toBe('HOLD');
  });

  it("respects Meta's 4 budget changes per hour", () => {
    expect(run(scale(10), { budgetChangesLastHour: 4 }).action).toBe('HOLD');
    expect(run(scale(10), { budgetChangesLastHour: 3 }).action).toBe('SCALE');
  });

  it('never pauses below the minimum spend', () => {
    expect(run(pause, { spend: 40 }).action).toBe('HOLD');
    expect(run(pause, { spend: 80 }).action).toBe('PAUSE');
  });

  it('freezes scaling when the account kill switch is on, and lets kills through', () => {
    const tripped = { killSwitch: { tripped: true, reason: 'daily loss over 250.00' } };
    expect(run(scale(20), tripped).action).toBe('HOLD');
    expect(run(pause, tripped).action).toBe('PAUSE');
    const holdAll = applyGuardrails(
      pause,
      { ...base, ...tripped },
      { ...rules, killSwitch: { ...rules.killSwitch, onTrip: 'holdAll' } },
      usd,
    );
    expect(holdAll.action).toBe('HOLD');
  });

  it('works in whole units for a currency without minor units (JPY)', () => {
    const jpy: GuardrailMoney = {
      maxDailyIncrease: 20_000,
      noPauseBelowSpend: 12_000,
      minDailyBudget: 2_000,
      minorDigits: 0,
    };
    const result = run(scale(20), { dailyBudgetMinor: 5_000n }, jpy);
    expect(result).toMatchObject({ action: 'SCALE', newDailyBudgetMinor: 6_000n, scalePercent: 20 });
  });

  it('says so, rather than guessing, when no budget is known (CSV imports)', () => {
    const result = run(scale(20), { dailyBudgetMinor: null });
    expect(result).toMatchObject({ action: 'SCALE', scalePercent: 20, newDailyBudgetMinor: null });
    expect(result.guardrails.find((g) => g.id === 'guardrail.budgetKnown')?.text).toMatch(/percent only/);
  });
});
