import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.ts';
import { Market } from './market.ts';
import {
  endDay,
  enterDay,
  INITIAL_LEARNING,
  learningEntry,
  learningMultiplier,
  toGraphLearningStatus,
  type LearningParams,
  type LearningState,
} from './learning.ts';
import type { AdSetDecision } from './types.ts';

const params: LearningParams = { ...loadScenario('default').learning, isEnabled: true };

function launched(day = 0, budgetCents = 10_000): LearningState {
  return enterDay(INITIAL_LEARNING, day, budgetCents, params).state;
}

describe('learning state machine', () => {
  it('enters learning at launch, which is not counted as a reset', () => {
    const { state, entry } = enterDay(INITIAL_LEARNING, 3, 10_000, params);
    expect(entry).toBe('launch');
    expect(state).toMatchObject({
      stage: 'LEARNING',
      resetDay: 3,
      lastActiveDay: 3,
      lastActiveBudgetCents: 10_000,
    });
  });

  it('resets on budget edits over 20% either way, not at exactly 20%', () => {
    const state = { ...launched(), stage: 'ACTIVE' as const };
    expect(learningEntry(state, 1, 12_000, params)).toBeNull();
    expect(learningEntry(state, 1, 8_000, params)).toBeNull();
    expect(learningEntry(state, 1, 12_001, params)).toBe('budget-edit');
    expect(learningEntry(state, 1, 7_999, params)).toBe('budget-edit');
    expect(enterDay(state, 1, 13_000, params).state).toMatchObject({ stage: 'LEARNING', resetDay: 1 });
  });

  it('resets on resume after more than 7 paused days only', () => {
    const state = { ...launched(0), stage: 'ACTIVE' as const };
    expect(learningEntry(state, 8, 10_000, params)).toBeNull(); // paused days 1..7
    expect(learningEntry(state, 9, 10_000, params)).toBe('resume'); // paused days 1..8
  });

  it('leaves learning after 50 conversions within 7 days, else becomes learning-limited', () => {
    const start = launched(0);
    expect(endDay(start, 3, () => 50, params).stage).toBe('ACTIVE');
    expect(endDay(start, 5, () => 49, params).stage).toBe('LEARNING');
    expect(endDay(start, 6, () => 49, params).stage).toBe('LEARNING_LIMITED');
    const limited = { ...start, stage: 'LEARNING_LIMITED' as const };
    expect(endDay(limited, 20, (from) => (from === 14 ? 50 : 0), params).stage).toBe('ACTIVE');
    expect(endDay(limited, 20, () => 49, params).stage).toBe('LEARNING_LIMITED');
  });

  it('never resets or penalises when the effect is off', () => {
    const off = { ...params, isEnabled: false };
    const state = enterDay(INITIAL_LEARNING, 0, 10_000, off).state;
    expect(state.stage).toBe('ACTIVE');
    expect(learningEntry(state, 30, 90_000, off)).toBeNull();
  });

  it('penalises CVR by the full penalty while learning and half while limited', () => {
    expect(learningMultiplier('LEARNING', 0.15)).toBeCloseTo(0.85, 12);
    expect(learningMultiplier('LEARNING_LIMITED', 0.15)).toBeCloseTo(0.925, 12);
    expect(learningMultiplier('ACTIVE', 0.15)).toBe(1);
    expect(
      ['LEARNING', 'LEARNING_LIMITED', 'ACTIVE'].map((s) => toGraphLearningStatus(s as 'ACTIVE')),
    ).toEqual(['LEARNING', 'FAIL', 'SUCCESS']);
  });
});

describe('learning phase in the market', () => {
  function steps(
    market: Market,
    days: number,
    budgets: (index: number, day: number) => AdSetDecision | null,
  ) {
    for (let d = 0; d < days; d++) {
      const day = market.day;
      market.step(
        market.latent.map(
          (adSet, i) => budgets(i, day) ?? { adSetId: adSet.id, status: 'ACTIVE', dailyBudgetCents: 10_000 },
        ),
      );
    }
  }

  it('launches in LEARNING and turns learning-limited after 7 days at low volume', () => {
    const market = new Market(loadScenario('default'), 1);
    expect(market.observe().adSets.every((a) => a.learning.stage === 'LEARNING')).toBe(true);
    steps(market, 7, () => null);
    const stages = market.observe().adSets.map((a) => a.learning.stage);
    // About 3 purchases a day cannot reach 50 in a week.
    expect(stages.filter((s) => s === 'LEARNING_LIMITED').length).toBeGreaterThanOrEqual(10);
    expect(market.truth.flat().some((t) => t.reset)).toBe(false);
  });

  it('exits to ACTIVE once an ad set gets 50 conversions within the week', () => {
    const scenario = loadScenario('high-volume');
    const market = new Market(scenario, 2);
    const equal = Math.floor((scenario.dailyBudget * 100) / scenario.adSets);
    for (let d = 0; d < 7; d++) {
      market.step(
        market.latent.map((adSet) => ({ adSetId: adSet.id, status: 'ACTIVE', dailyBudgetCents: equal })),
      );
    }
    const observed = market.observe().adSets;
    const exited = observed.filter((a) => a.learning.stage === 'ACTIVE');
    expect(exited.length).toBeGreaterThan(0);
    for (const adSet of observed) {
      const reported = adSet.rows.reduce((sum, r) => sum + r.purchases, 0);
      if (adSet.learning.stage === 'ACTIVE') expect(reported).toBeGreaterThanOrEqual(50);
    }
  });

  it('re-enters learning on a >20% budget edit and on resume after a long pause, and reports it', () => {
    const market = new Market(loadScenario('default'), 3);
    const id = (i: number) => market.latent[i]?.id ?? '';
    steps(market, 10, () => null);
    // Day 10: ad set 0 +20% (no reset), ad set 1 +30% (reset), ad set 2 paused for 8 days then resumed.
    steps(market, 1, (i) => {
      if (i === 0) return { adSetId: id(0), status: 'ACTIVE', dailyBudgetCents: 12_000 };
      if (i === 1) return { adSetId: id(1), status: 'ACTIVE', dailyBudgetCents: 13_000 };
      if (i === 2) return { adSetId: id(2), status: 'PAUSED', dailyBudgetCents: 10_000 };
      return null;
    });
    const afterEdit = market.observe().adSets;
    expect(afterEdit[0]?.learning.stage).not.toBe('LEARNING');
    expect(afterEdit[1]?.learning).toMatchObject({ stage: 'LEARNING', lastSignificantEditDay: 10 });
    expect(market.truth[1]?.[10]?.reset).toBe(true);
    expect(market.truth[0]?.[10]?.reset).toBe(false);
    steps(market, 8, (i) =>
      i === 2
        ? { adSetId: id(2), status: 'PAUSED', dailyBudgetCents: 10_000 }
        : i === 1
          ? { adSetId: id(1), status: 'ACTIVE', dailyBudgetCents: 13_000 }
          : null,
    );
    expect(market.truth[2]?.[18]?.spend).toBe(0);
    steps(market, 1, () => null);
    expect(market.truth[2]?.[19]).toMatchObject({ reset: true, stage: 'LEARNING' });
  });

  it('applies the conversion penalty while learning', () => {
    const quiet = loadScenario({ learning: { noiseMultiplier: 1 } });
    const off = loadScenario({ learning: { noiseMultiplier: 1 }, effects: { learning: false } });
    const learning = new Market(quiet, 4);
    const plain = new Market(off, 4);
    for (let i = 0; i < quiet.adSets; i++) {
      const a = learning.expectedDay(i, 10_000);
      const b = plain.expectedDay(i, 10_000);
      expect(a.stage).toBe('LEARNING');
      expect(b.stage).toBe('ACTIVE');
      expect(a.attributedRevenue / b.attributedRevenue).toBeCloseTo(1 - quiet.learning.penalty, 9);
    }
    // Realised purchases over many ad-set-days show the same ratio (same draws, lower rate).
    let withPenalty = 0;
    let without = 0;
    for (let seed = 1; seed <= 15; seed++) {
      const a = new Market(quiet, seed);
      const b = new Market(off, seed);
      for (let d = 0; d < 3; d++) {
        a.step([]);
        b.step([]);
      }
      withPenalty += a.truth.flat().reduce((s, t) => s + t.purchases, 0);
      without += b.truth.flat().reduce((s, t) => s + t.purchases, 0);
    }
    expect(withPenalty / without).toBeGreaterThan(0.8);
    expect(withPenalty / without).toBeLessThan(0.9);
  });
});
