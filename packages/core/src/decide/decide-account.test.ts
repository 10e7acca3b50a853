import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../metrics/totals.ts';
import { addDays } from '../metrics/window.ts';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import type { EngineRules } from '../rules/engine-rules.ts';
import { decideAccount, type AccountInput } from './decide-account.ts';
import type { EntityFacts } from './decide-entity.ts';

const AS_OF = '2026-06-30';
const NO_LAG = [1, 1, 1, 1, 1, 1, 1, 1];

/** An ad set with `days` identical days: spend and revenue in major units, AOV 50. */
function adSet(
  id: string,
  daily: { spend: number; roas: number },
  overrides: Partial<EntityFacts> = {},
  days = 28,
): EntityFacts {
  const purchases = Math.round((daily.spend * daily.roas) / 50);
  return {
    entityId: id,
    level: 'adset',
    name: `Ad set ${id}`,
    rows: Array.from({ length: days }, (_, i) => ({
      date: addDays(AS_OF, i - days),
      totals: {
        ...emptyTotals(),
        spend: BigInt(Math.round(daily.spend * 1e6)),
        revenue: BigInt(purchases * 50 * 1e6),
        purchases,
        impressions: Math.round(daily.spend * 100),
        reach: Math.round(daily.spend * 60),
        linkClicks: Math.round(daily.spend * 1.5),
      },
    })),
    audience: { type: 'interest', lookalikePercent: null },
    stage: null,
    status: 'active',
    state: {
      dailyBudgetMinor: BigInt(Math.round(daily.spend * 100)),
      budgetOwner: 'adset',
      learningStage: 'ACTIVE',
      hoursSinceBudgetChange: null,
      budgetChangesLastHour: 0,
      increasedTodayMinor: 0n,
      spend: daily.spend * days,
      account: null,
      killSwitch: { tripped: false, reason: null },
    },
    previousActions: [],
    ...overrides,
  };
}

function account(entities: EntityFacts[], overrides: Partial<AccountInput> = {}): AccountInput {
  return {
    asOf: AS_OF,
    minorDigits: 2,
    curve: NO_LAG,
    totalDailyBudgetMinor: null,
    metaMinDailyBudgetMinor: 100n,
    entities,
    ...overrides,
  };
}

const byId = (result: ReturnType<typeof decideAccount>, id: string) => {
  const decision = result.decisions.find((d) => d.entityId === id);
  if (!decision) throw new Error(`no decision for ${id}`);
  return decision;
};

const sumOfBudgets = (result: ReturnType<typeof decideAccount>, input: AccountInput) =>
  input.entities.reduce((sum, e) => {
    const d = byId(result, e.entityId);
    if (d.action === 'PAUSE') return sum;
    return sum + (d.newDailyBudgetMinor ?? e.state.dailyBudgetMinor ?? 0n);
  }, 0n);

describe('decideAccount', () => {
  it('derives targets from the account: break-even 1/margin, target x1.25, target CPA from the AOV', () => {
    const result = decideAccount(
      account([adSet('a', { spend: 100, roas: 3 }), adSet('b', { spend: 100, roas: 2.5 })]),
      DEFAULT_RULES,
    );
    expect(result.targets.breakEvenRoas).toBeCloseTo(1 / 0.6, 9);
    expect(result.targets.targetRoas).toBeCloseTo(1.25 / 0.6, 9);
    expect(result.targets.targetCpa).toBeCloseTo(50 / (1.25 / 0.6), 6);
    expect(result.accountRoas).toBeCloseTo(2.75, 1);
  });

  it('judges nothing and says why when the account has no purchases', () => {
    const result = decideAccount(account([adSet('a', { spend: 100, roas: 0 })]), DEFAULT_RULES);
    expect(result.decisions).toEqual([]);
    expect(result.notes.join(' ')).toMatch(/no purchases/);
  });

  it('moves money from a clear loser to a clear winner, one capped step at a time, within the total', () => {
    const input = account([
      adSet('winner', { spend: 100, roas: 5 }),
      adSet('middle', { spend: 100, roas: 2.6 }),
      adSet('loser', { spend: 100, roas: 1.3 }),
    ]);
    const result = decideAccount(input, DEFAULT_RULES);
    const winner = byId(result, 'winner');
    expect(winner.action).toBe('SCALE');
    expect(winner.scalePercent).toBeGreaterThan(0);
    expect(winner.scalePercent).toBeLessThanOrEqual(DEFAULT_RULES.allocation.maxIncreasePercent);
    const loser = byId(result, 'loser');
    expect(['PAUSE', 'SCALE']).toContain(loser.action);
    if (loser.action === 'SCALE') expect(loser.scalePercent).toBeLessThan(0);
    expect(sumOfBudgets(result, input)).toBeLessThanOrEqual(30_000n);
    const reason = winner.reasons.find((r) => r.ruleId === 'allocation.waterFilling');
    expect(reason?.observed).toBeGreaterThan(reason?.threshold ?? Infinity);
    expect(result.allocation?.lines).toHaveLength(3);
    // The entity's own Scale waits for a second run; the evidence says the portfolio's move is not held.
    const held = winner.reasons.find((r) => r.ruleId === 'hysteresis');
    expect(held?.passed).toBe(false);
    expect(held?.text).toMatch(/Hold for now; the portfolio move below is not held/);
  });

  it('trims raises pro rata so the new budgets never exceed the account total', () => {
    const input = account(
      [
        adSet('a', { spend: 100, roas: 6 }),
        adSet('b', { spend: 100, roas: 6 }),
        adSet('c', { spend: 100, roas: 6 }),
      ],
      { totalDailyBudgetMinor: 33_000n },
    );
    // Without the evidence band: three identical winners all want the whole room, and more.
    const rules: EngineRules = {
      ...DEFAULT_RULES,
      allocation: { ...DEFAULT_RULES.allocation, evidenceBand: 0 },
    };
    const result = decideAccount(input, rules);
    for (const id of ['a', 'b', 'c']) expect(byId(result, id).action).toBe('SCALE');
    expect(sumOfBudgets(result, input)).toBeLessThanOrEqual(33_000n);
    expect(sumOfBudgets(result, input)).toBeGreaterThan(32_000n);
  });

  it('leaves money unspent rather than fund ad sets below the target ROAS', () => {
    const input = account([adSet('a', { spend: 100, roas: 1.5 }), adSet('b', { spend: 100, roas: 1.6 })]);
    const result = decideAccount(input, DEFAULT_RULES);
    expect(sumOfBudgets(result, input)).toBeLessThan(20_000n);
    expect(result.notes.join(' ')).toMatch(/of the 200\.00 daily budget earns the target ROAS/);
  });

  it('runs the guardrails again on an allocation move: a recent real change holds it', () => {
    const winner = adSet('winner', { spend: 100, roas: 5 });
    const cooling = adSet(
      'winner',
      { spend: 100, roas: 5 },
      {
        state: { ...winner.state, hoursSinceBudgetChange: 10 },
      },
    );
    const input = account([cooling, adSet('loser', { spend: 100, roas: 1.3 })]);
    const decision = byId(decideAccount(input, DEFAULT_RULES), 'winner');
    expect(decision.action).toBe('HOLD');
    expect(decision.guardrails.find((g) => g.id === 'guardrail.cooldown')?.passed).toBe(false);
  });

  describe('add-to-carts as purchase evidence (rules.funnelEvidence)', () => {
    /** 28 days at 25 a day, one purchase (AOV 50) every other day, and `cartsPerDay` add-to-carts. */
    const sparse = (id: string, cartsPerDay: number) => {
      const base = adSet(id, { spend: 25, roas: 0 });
      return {
        ...base,
        rows: base.rows.map((row, i) => ({
          ...row,
          totals: {
            ...row.totals,
            purchases: i % 2 === 0 ? 1 : 0,
            revenue: i % 2 === 0 ? 50_000_000n : 0n,
            addsToCart: cartsPerDay,
          },
        })),
      };
    };
    const input = account([sparse('many-carts', 4), sparse('few-carts', 2), sparse('some-carts', 3)]);
    const withoutFunnel = (() => {
      const { funnelEvidence: _, ...older } = DEFAULT_RULES;
      return older as EngineRules;
    })();

    it('ranks ad sets with equal purchases by their carts, and says so in the notes', () => {
      const result = decideAccount(input, DEFAULT_RULES);
      expect(byId(result, 'many-carts').roas.mean).toBeGreaterThan(byId(result, 'some-carts').roas.mean);
      expect(byId(result, 'some-carts').roas.mean).toBeGreaterThan(byId(result, 'few-carts').roas.mean);
      expect(result.notes.join(' ')).toMatch(/purchase rates also read add-to-carts: [\d.]+ per purchase/);
    });

    it('reads purchases only when the rules have no funnelEvidence (settings saved before it)', () => {
      const result = decideAccount(input, withoutFunnel);
      expect(byId(result, 'many-carts').roas.mean).toBeCloseTo(byId(result, 'few-carts').roas.mean, 9);
      expect(result.notes.join(' ')).not.toMatch(/add-to-carts/);
    });

    it('narrows the interval: carts are more events than purchases', () => {
      const width = (rules: EngineRules) => {
        const roas = byId(decideAccount(input, rules), 'some-carts').roas;
        return roas.hi - roas.lo;
      };
      expect(width(DEFAULT_RULES)).toBeLessThan(width(withoutFunnel));
    });
  });

  describe('cut before pause (allocation.cutBeforePauseAt)', () => {
    // Broad (pause line 0.9 x break-even 1.67 = 1.5): loses at 200 a day (ROAS 1.0); on the assumed curve
    // (half-saturation 2 x the equal share of 80) it returns about 1.4 at 100 a day: 35% likely above 1.5.
    const input = account(
      [
        adSet('saturated', { spend: 200, roas: 1 }, { audience: { type: 'broad', lookalikePercent: null } }),
        adSet('a', { spend: 40, roas: 2.5 }),
        adSet('b', { spend: 40, roas: 2 }),
        adSet('c', { spend: 40, roas: 2 }),
      ],
      { totalDailyBudgetMinor: 32_000n },
    );
    const confirmed = {
      ...input,
      entities: input.entities.map((e) => ({ ...e, previousActions: ['PAUSE' as const] })),
    };
    const off: EngineRules = {
      ...DEFAULT_RULES,
      allocation: { ...DEFAULT_RULES.allocation, cutBeforePauseAt: null },
    };

    it('pauses a confirmed loser when the check is off', () => {
      expect(byId(decideAccount(confirmed, off), 'saturated').action).toBe('PAUSE');
    });

    it('cuts it instead when it likely pays at half its budget, and says why', () => {
      const decision = byId(decideAccount(confirmed, DEFAULT_RULES), 'saturated');
      expect(decision.action).toBe('SCALE');
      expect(decision.scalePercent).toBeLessThan(0);
      const reason = decision.reasons.find((r) => r.ruleId === 'allocation.cutBeforePause');
      expect(reason?.passed).toBe(true);
      expect(reason?.text).toMatch(/likely to make money at 50% of its budget: cut it instead of pausing/);
    });

    it('still pauses a loser that loses at half its budget too', () => {
      const hopeless = account(
        [
          adSet('hopeless', { spend: 200, roas: 0.5 }, { previousActions: ['PAUSE'] }),
          adSet('a', { spend: 40, roas: 4 }),
        ],
        { totalDailyBudgetMinor: 24_000n },
      );
      expect(byId(decideAccount(hopeless, DEFAULT_RULES), 'hopeless').action).toBe('PAUSE');
    });
  });

  it('skips allocation with a note when budgets are unknown (CSV imports) or owned by campaigns', () => {
    const unknown = (f: EntityFacts): EntityFacts => ({
      ...f,
      status: null,
      state: { ...f.state, dailyBudgetMinor: null },
    });
    const csv = decideAccount(
      account([unknown(adSet('a', { spend: 100, roas: 5 })), unknown(adSet('b', { spend: 100, roas: 1.3 }))]),
      DEFAULT_RULES,
    );
    expect(csv.allocation?.skipped).toMatch(/budgets are unknown/);
    expect(csv.notes.join(' ')).toMatch(/budgets are unknown/);
    const cbo = (f: EntityFacts): EntityFacts => ({
      ...f,
      state: { ...f.state, budgetOwner: 'campaign', dailyBudgetMinor: null },
    });
    const campaign = decideAccount(account([cbo(adSet('a', { spend: 100, roas: 5 }))]), DEFAULT_RULES);
    expect(campaign.allocation?.skipped).toMatch(/campaign/);
  });

  it('holds a move the posterior does not back: the evidence band', () => {
    const input = account(
      [adSet('a', { spend: 100, roas: 3.4 }, {}, 8), adSet('b', { spend: 100, roas: 2.6 }, {}, 8)],
      { totalDailyBudgetMinor: 20_000n },
    );
    const band = (evidenceBand: number): EngineRules => ({
      ...DEFAULT_RULES,
      allocation: { ...DEFAULT_RULES.allocation, evidenceBand },
    });
    expect(byId(decideAccount(input, band(0)), 'a').action).toBe('SCALE');
    expect(byId(decideAccount(input, band(3)), 'a').action).toBe('HOLD');
  });

  it('does nothing to the portfolio when allocation is switched off', () => {
    const rules: EngineRules = {
      ...DEFAULT_RULES,
      allocation: { ...DEFAULT_RULES.allocation, enabled: false },
    };
    const result = decideAccount(
      account([adSet('a', { spend: 100, roas: 5 }), adSet('b', { spend: 100, roas: 2 })]),
      rules,
    );
    expect(result.allocation).toBeNull();
    expect(byId(result, 'a').reasons.some((r) => r.ruleId.startsWith('allocation'))).toBe(false);
  });

  it('works in whole currency units (JPY): new budgets are whole yen', () => {
    const yen = (f: EntityFacts): EntityFacts => ({
      ...f,
      rows: f.rows.map((r) => ({
        ...r,
        totals: { ...r.totals, spend: r.totals.spend * 150n, revenue: r.totals.revenue * 150n },
      })),
      state: { ...f.state, dailyBudgetMinor: 15_000n },
    });
    const input = account(
      [yen(adSet('a', { spend: 100, roas: 5 })), yen(adSet('b', { spend: 100, roas: 1.3 }))],
      {
        minorDigits: 0,
        metaMinDailyBudgetMinor: 100n,
      },
    );
    const result = decideAccount(input, DEFAULT_RULES);
    const a = byId(result, 'a');
    expect(a.action).toBe('SCALE');
    expect(a.newDailyBudgetMinor).toBeGreaterThan(15_000n);
    expect(a.newDailyBudgetMinor).toBeLessThanOrEqual(18_000n);
  });
});
