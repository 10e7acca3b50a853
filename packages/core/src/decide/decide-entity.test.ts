import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../metrics/totals.ts';
import { addDays } from '../metrics/window.ts';
import { parseMicros } from '../money/money.ts';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import { priorFromMean } from '../stats/gamma-poisson.ts';
import { orderValuePriorFromAccount } from '../stats/roas-posterior.ts';
import { decideEntity, type AccountContext, type EntityFacts } from './decide-entity.ts';
import type { DailyRow } from './features.ts';

const ASOF = '2026-06-15';
// Target CPA 25, AOV 60, break-even ROAS 1.67, account ROAS 2.4; no lag, so the arithmetic is plain.
const account: AccountContext = {
  asOf: ASOF,
  curve: [1, 1, 1, 1, 1, 1, 1, 1],
  accountRoas: 2.4,
  breakEvenRoas: 1 / 0.6,
  targetRoas: 1 / 0.6,
  targetCpa: 25,
  accountCpm: 12,
  medianEntitySpend: null,
  ratePrior: priorFromMean(1 / 25, 0.65),
  aovPrior: orderValuePriorFromAccount(60),
  money: { maxDailyIncrease: 125, noPauseBelowSpend: 75, minDailyBudget: 12.5, minorDigits: 2 },
};

function rows(days: number, spend: number, revenue: number, purchases: number): DailyRow[] {
  return Array.from({ length: days }, (_, i) => ({
    date: addDays(ASOF, -(days - i)),
    totals: {
      ...emptyTotals(),
      spend: parseMicros(String(spend)),
      revenue: parseMicros(String(revenue)),
      purchases,
      impressions: 5000,
      linkClicks: 80,
    },
  }));
}

const facts = (overrides: Partial<EntityFacts>): EntityFacts => ({
  entityId: '1',
  level: 'adset',
  name: 'Broad 25-54',
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

describe('decideEntity', () => {
  it('scales a steady winner the second run in a row, with its evidence and a new budget', () => {
    const decision = decideEntity(facts({}), account, DEFAULT_RULES);
    expect(decision).toMatchObject({
      action: 'SCALE',
      bucket: 'winner',
      trend: 'stable',
      scalePercent: 20,
      newDailyBudgetMinor: 24_000n,
    });
    expect(decision.confidence).not.toBe('LOW');
    expect(decision.roas.mean).toBeGreaterThan(3.5);
    expect(decision.reasons.map((r) => r.ruleId)).toEqual(
      expect.arrayContaining([
        'gate.minSpend',
        'bucket.winner',
        'trend.slope',
        'matrix.winner.stable',
        'hysteresis',
      ]),
    );
    expect(decision.explanation).toMatch(/^Scale Broad 25-54 by \+20\.0%/);
  });

  it('holds the first run of a likely Scale (hysteresis), but not an overwhelming one', () => {
    const likely = facts({ rows: rows(14, 200, 700, 11), previousActions: [] });
    const first = decideEntity(likely, account, DEFAULT_RULES);
    expect(first.bucket).toBe('winner');
    expect(first.action).toBe('HOLD');
    expect(first.reasons.find((r) => r.ruleId === 'hysteresis')?.passed).toBe(false);
    expect(decideEntity({ ...likely, previousActions: ['SCALE'] }, account, DEFAULT_RULES).action).toBe(
      'SCALE',
    );
    // ROAS 6 on 140 purchases: no need to wait for a second run.
    expect(
      decideEntity(facts({ rows: rows(14, 200, 1200, 20), previousActions: [] }), account, DEFAULT_RULES)
        .action,
    ).toBe('SCALE');
  });

  it('gives lookalikes their extra points, up to the cap', () => {
    const decision = decideEntity(
      facts({ audience: { type: 'lookalike', lookalikePercent: 1 } }),
      account,
      DEFAULT_RULES,
    );
    expect(decision.scalePercent).toBe(25);
  });

  it('holds a loser on tiny spend instead of pausing it', () => {
    const decision = decideEntity(
      facts({ rows: rows(3, 5, 0, 0), previousActions: ['PAUSE'] }),
      account,
      DEFAULT_RULES,
    );
    expect(decision).toMatchObject({ action: 'HOLD', confidence: 'LOW', bucket: null });
    expect(decision.explanation).toMatch(/Not enough data yet/);
  });

  it('pauses on spend with no purchase at all, at most at medium confidence', () => {
    const decision = decideEntity(
      facts({ rows: rows(4, 25, 0, 0), previousActions: ['PAUSE'] }),
      account,
      DEFAULT_RULES,
    );
    expect(decision.action).toBe('PAUSE');
    expect(decision.confidence).not.toBe('HIGH');
  });

  it('says so when the budget is unknown (CSV data) rather than guessing one', () => {
    const decision = decideEntity(
      facts({ state: { ...facts({}).state, dailyBudgetMinor: null } }),
      account,
      DEFAULT_RULES,
    );
    expect(decision).toMatchObject({ action: 'SCALE', scalePercent: 20, newDailyBudgetMinor: null });
  });

  it('runs the guardrails last: a winner in learning is held, with the reason', () => {
    const decision = decideEntity(
      facts({ state: { ...facts({}).state, learningStage: 'LEARNING' } }),
      account,
      DEFAULT_RULES,
    );
    expect(decision.action).toBe('HOLD');
    expect(decision.explanation).toMatch(/learning phase/);
  });
});
