import { describe, expect, it } from 'vitest';
import type { AdSetObservation, Observation, ReportedRow } from '../market/types.ts';
import { loadScenario } from '../scenarios/load.ts';
import { policyContext, runPolicy } from '../runner/simulate.ts';
import { createEqualPolicy } from './equal.ts';
import { createGreedyPolicy } from './greedy.ts';
import { createPolicy, DEFAULT_POLICIES, POLICY_FACTORIES } from './registry.ts';
import { createRulesPolicy } from './rules.ts';
import type { Policy } from './types.ts';

const scenario = loadScenario('default');
const context = policyContext(scenario);
// engine+ml needs trained models: ml/engine-models.test.ts runs it with some.
const SELF_CONTAINED = Object.keys(POLICY_FACTORIES).filter((name) => name !== 'engine+ml');

/** A row of `spend` dollars and `value` dollars of purchases. */
function row(day: number, spend: number, value: number, purchases = value > 0 ? 1 : 0): ReportedRow {
  return {
    day,
    date: `2026-01-${String(day + 1).padStart(2, '0')}`,
    spendCents: spend * 100,
    impressions: spend * 100,
    reach: spend * 50,
    linkClicks: spend,
    addsToCart: purchases * 4,
    checkoutsInitiated: purchases * 2,
    purchases,
    purchaseValueCents: value * 100,
  };
}

function adSet(
  index: number,
  rows: ReportedRow[],
  budgetCents = 10_000,
  status: 'ACTIVE' | 'PAUSED' = 'ACTIVE',
): AdSetObservation {
  return {
    id: `as${index}`,
    name: `Ad set ${index}`,
    audienceType: 'broad',
    status,
    dailyBudgetCents: budgetCents,
    learning: { stage: 'LEARNING_LIMITED', conversions: 0, lastSignificantEditDay: 0 },
    rows,
    ads: [],
  };
}

function observation(day: number, adSets: AdSetObservation[]): Observation {
  return {
    day,
    date: '2026-01-20',
    currency: 'USD',
    totalDailyBudgetCents: context.totalDailyBudgetCents,
    minDailyBudgetCents: context.minDailyBudgetCents,
    adSets,
  };
}

/** `days` days of steady delivery at `roas`. */
function steady(day: number, days: number, spend: number, roas: number): ReportedRow[] {
  return Array.from({ length: days }, (_, k) => row(day - days + k, spend, spend * roas));
}

describe('equal', () => {
  it('splits the budget equally and never pauses', () => {
    const decisions = createEqualPolicy(context).decide(
      observation(5, [adSet(0, []), adSet(1, [], 1, 'PAUSED'), adSet(2, [])]),
    );
    expect(decisions.map((d) => [d.status, d.dailyBudgetCents])).toEqual([
      ['ACTIVE', 40_000],
      ['ACTIVE', 40_000],
      ['ACTIVE', 40_000],
    ]);
  });
});

describe('rules (Meta Automated Rules clone)', () => {
  const decide = (policy: Policy, obs: Observation) => new Map(policy.decide(obs).map((d) => [d.adSetId, d]));

  it('R1 pauses after 2 target CPAs of lifetime spend with no purchase', () => {
    const x = (2 * context.targetCpaCents) / 100;
    const decisions = decide(
      createRulesPolicy(context),
      observation(5, [adSet(0, [row(4, Math.ceil(x), 0)]), adSet(1, [row(4, Math.floor(x) - 1, 0)])]),
    );
    expect(decisions.get('as0')?.status).toBe('PAUSED');
    expect(decisions.get('as1')?.status).toBe('ACTIVE');
  });

  it('R2 pauses on 7-day ROAS below 1 once spend reaches X', () => {
    const decisions = decide(
      createRulesPolicy(context),
      observation(10, [adSet(0, steady(10, 7, 100, 0.8))]),
    );
    expect(decisions.get('as0')?.status).toBe('PAUSED');
  });

  it('R3 raises by at most 20% (never a learning reset), at most once per 72 h, capped at 3x', () => {
    const policy = createRulesPolicy(context);
    const good = (day: number, budget: number) =>
      observation(day, [adSet(0, steady(day, 7, 100, 3), budget)]);
    // Leave headroom in the account: the other ad sets are paused.
    const withRoom = (obs: Observation) => ({
      ...obs,
      adSets: [...obs.adSets, adSet(9, [], 10_000, 'PAUSED')],
    });
    const first = decide(policy, withRoom(good(10, 10_000))).get('as0');
    expect(first?.dailyBudgetCents).toBe(12_000);
    expect(decide(policy, withRoom(good(11, 12_000))).get('as0')?.dailyBudgetCents).toBe(12_000);
    expect(decide(policy, withRoom(good(13, 12_000))).get('as0')?.dailyBudgetCents).toBe(14_400);
    expect(decide(policy, withRoom(good(40, 29_000))).get('as0')?.dailyBudgetCents).toBe(30_000);
  });

  it('R4 lowers by 20% on 7-day ROAS below 1.5 and never resumes what it paused', () => {
    const policy = createRulesPolicy(context);
    const decisions = decide(
      policy,
      observation(10, [adSet(0, steady(10, 7, 100, 1.2)), adSet(1, steady(10, 7, 100, 4), 10_000, 'PAUSED')]),
    );
    expect(decisions.get('as0')?.dailyBudgetCents).toBe(8_000);
    expect(decisions.get('as1')?.status).toBe('PAUSED');
  });

  it('keeps the account total, and variant (b) hands freed budget on', () => {
    const many = Array.from({ length: 12 }, (_, i) => adSet(i, steady(10, 7, 100, i < 6 ? 3 : 1.2)));
    const total = (decisions: readonly { status: string; dailyBudgetCents: number }[]) =>
      decisions.filter((d) => d.status === 'ACTIVE').reduce((s, d) => s + d.dailyBudgetCents, 0);
    expect(total(createRulesPolicy(context).decide(observation(10, many)))).toBeLessThanOrEqual(
      context.totalDailyBudgetCents,
    );
    const rebalanced = createRulesPolicy(context, { rebalance: true }).decide(observation(10, many));
    expect(total(rebalanced)).toBeLessThanOrEqual(context.totalDailyBudgetCents);
    expect(total(rebalanced)).toBeGreaterThan(context.totalDailyBudgetCents - 12);
  });
});

describe('greedy', () => {
  it('funds the top half by ROAS^2, keeps the middle at the minimum, pauses the bottom quartile', () => {
    const roas = [4, 3, 2, 1, 0.5, 0.2, 5, 6];
    const decisions = createGreedyPolicy(context).decide(
      observation(
        10,
        roas.map((r, i) => adSet(i, steady(10, 7, 30, r))),
      ),
    );
    const byId = new Map(decisions.map((d) => [d.adSetId, d]));
    expect(['as4', 'as5'].map((id) => byId.get(id)?.status)).toEqual(['PAUSED', 'PAUSED']);
    expect(['as2', 'as3'].map((id) => byId.get(id)?.dailyBudgetCents)).toEqual([500, 500]);
    const top = ['as7', 'as6', 'as0', 'as1'].map((id) => byId.get(id)?.dailyBudgetCents ?? 0);
    expect(top[0]).toBeGreaterThan(top[1] ?? 0);
    expect((top[0] ?? 0) / (top[3] ?? 1)).toBeCloseTo(36 / 9, 1);
    const active = decisions.filter((d) => d.status === 'ACTIVE').reduce((s, d) => s + d.dailyBudgetCents, 0);
    expect(active).toBeLessThanOrEqual(context.totalDailyBudgetCents);
  });

  it('splits equally before any data, and scores thin ad sets with the account ROAS', () => {
    const empty = createGreedyPolicy(context).decide(observation(0, [adSet(0, []), adSet(1, [])]));
    expect(empty.map((d) => d.dailyBudgetCents)).toEqual([60_000, 60_000]);
  });
});

describe('registry', () => {
  it('builds every registered policy and refuses unknown names', () => {
    for (const name of SELF_CONTAINED) expect(createPolicy(name, context).name).toBe(name);
    expect(() => createPolicy('engine+ml', context)).toThrow(/needs trained models/);
    expect(() => createPolicy('thompson', context)).toThrow(/unknown policy "thompson"/);
    expect(DEFAULT_POLICIES).toEqual(['equal', 'rules', 'greedy', 'oracle', 'engine']);
  });

  it.each(SELF_CONTAINED)('%s keeps every decision inside the account rules', (name) => {
    const short = loadScenario({ extends: 'default', horizonDays: 30 });
    const { market } = runPolicy(short, name as keyof typeof POLICY_FACTORIES, 9);
    expect(market.correctedDecisions).toBe(0);
  });
});

describe('oracle', () => {
  it('leaves the budget unspent when nothing pays back', () => {
    const hopeless = loadScenario({ extends: 'default', horizonDays: 10, roas: { median: 0.6, sigma: 0.1 } });
    const { market } = runPolicy(hopeless, 'oracle', 1);
    expect(market.truth.flat().reduce((s, t) => s + t.spend, 0)).toBe(0);
  });

  it('funds the best ad sets and leaves unprofitable money unspent', () => {
    const short = loadScenario({ extends: 'default', horizonDays: 20 });
    const { market } = runPolicy(short, 'oracle', 2);
    const spendBy = market.truth.map((days) => days.reduce((s, t) => s + t.spend, 0));
    const value = market.latent.map((a) => a.incrementality * a.r0);
    const best = value.indexOf(Math.max(...value));
    const worst = value.indexOf(Math.min(...value));
    expect(spendBy[best]).toBeGreaterThan(spendBy[worst] ?? 0);
  });
});

describe('engine policy', () => {
  it('is the product engine deciding daily: beats the equal split on true profit and keeps to the total', () => {
    let engineProfit = 0;
    let equalProfit = 0;
    for (const seed of [11, 12, 13]) {
      const engine = runPolicy(scenario, 'engine', seed, 45).market;
      const equal = runPolicy(scenario, 'equal', seed, 45).market;
      const total = (m: typeof engine) =>
        m.truth.flat().reduce((sum, d) => sum + scenario.margin * d.trueRevenue - d.spend, 0);
      engineProfit += total(engine);
      equalProfit += total(equal);
      for (let day = 0; day < 45; day++) {
        const budgets = engine.truth.reduce(
          (sum, days) => sum + (days[day]?.status === 'ACTIVE' ? (days[day]?.budgetCents ?? 0) : 0),
          0,
        );
        expect(budgets).toBeLessThanOrEqual(context.totalDailyBudgetCents);
      }
    }
    expect(engineProfit).toBeGreaterThan(equalProfit);
  });

  it('is deterministic: the same seed gives the same budgets', () => {
    const budgets = () =>
      runPolicy(scenario, 'engine', 21, 20).market.truth.map((days) => days.map((d) => d.budgetCents));
    expect(budgets()).toEqual(budgets());
  });
});
