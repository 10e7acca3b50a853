import { describe, expect, it } from 'vitest';
import { decideAccount, type AccountInput } from './decide-account.ts';
import type { EntityFacts } from './decide-entity.ts';
import { applyGuardrails } from './guardrails.ts';
import { emptyTotals } from '../metrics/totals.ts';
import { addDays } from '../metrics/window.ts';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import { guardrailMoneyFor } from './guardrail-money.ts';
import { mergeAnalystReview } from '../analyst/merge-review.ts';

const AS_OF = '2026-06-30';

function adSet(id: string, spend: number, roas: number, budgetMinor: bigint): EntityFacts {
  const purchases = Math.round((spend * roas) / 50);
  return {
    entityId: id,
    level: 'adset',
    name: `Ad set ${id}`,
    rows: Array.from({ length: 28 }, (_, i) => ({
      date: addDays(AS_OF, i - 28),
      totals: {
        ...emptyTotals(),
        spend: BigInt(Math.round(spend * 1e6)),
        revenue: BigInt(purchases * 50 * 1e6),
        purchases,
        impressions: Math.round(spend * 100),
        reach: Math.round(spend * 60),
        linkClicks: Math.round(spend * 1.5),
      },
    })),
    audience: { type: 'broad', lookalikePercent: null },
    stage: null,
    status: 'active',
    state: {
      dailyBudgetMinor: budgetMinor,
      budgetOwner: 'adset',
      learningStage: 'ACTIVE',
      hoursSinceBudgetChange: null,
      budgetChangesLastHour: 0,
      increasedTodayMinor: 0n,
      spend: spend * 28,
      account: { dailyBudgetMinor: 90_000_000n, increasedTodayMinor: 0n },
      killSwitch: { tripped: false, reason: null },
    },
    previousActions: ['SCALE', 'SCALE', 'PAUSE', 'PAUSE'],
  };
}

describe('guardrailMoneyFor', () => {
  it('resolves the same money decideAccount guards with: re-guarding every decision reproduces it', () => {
    const input: AccountInput = {
      asOf: AS_OF,
      minorDigits: 2,
      curve: [1, 1, 1, 1, 1, 1, 1, 1],
      totalDailyBudgetMinor: null,
      metaMinDailyBudgetMinor: 133n,
      entities: [
        adSet('a', 300, 6, 3_333_337n),
        adSet('b', 200, 5, 2_001_100n),
        adSet('c', 150, 2.5, 15_000n),
        adSet('d', 250, 0.4, 25_003n),
        adSet('e', 100, 3, 10_007n),
      ],
    };
    let capped = 0;
    for (const rules of [
      DEFAULT_RULES,
      { ...DEFAULT_RULES, allocation: { ...DEFAULT_RULES.allocation, enabled: false } },
    ]) {
      const result = decideAccount(input, rules);
      const targetCpa = result.targets.targetCpa;
      if (targetCpa === null) throw new Error('no target CPA');
      const money = guardrailMoneyFor(rules, { targetCpa, metaMinDailyBudgetMinor: 133n, minorDigits: 2 });
      const actions = result.decisions.map((d) => d.action);
      expect(actions).toContain('SCALE');
      for (const decision of result.decisions) {
        const state = input.entities.find((e) => e.entityId === decision.entityId)?.state;
        if (!state) throw new Error('no state');
        const merged = mergeAnalystReview(
          decision,
          {
            validation: 'agree',
            action: decision.action,
            scalePercent: null,
            reasons: ['a', 'b'],
            riskFlags: [],
            confidence: 'HIGH',
          },
          { state, rules: rules.guardrails, money },
        );
        expect(merged.decision).toEqual(decision);
        const cap = decision.guardrails.find((g) => g.changed && g.id === 'guardrail.maxDailyIncrease');
        if (cap) {
          // The clamp in the merge hides a looser cap; asking for the most shows the cap itself.
          const most = applyGuardrails(
            { action: 'SCALE', scalePercent: rules.guardrails.maxScalePerAction.percent, isKill: false },
            state,
            rules.guardrails,
            money,
          );
          expect(most.newDailyBudgetMinor).toBe(decision.newDailyBudgetMinor);
          expect(most.guardrails).toContainEqual(cap);
          capped++;
        }
      }
    }
    // A money cap bound at least once, so the money really was compared.
    expect(capped).toBeGreaterThan(0);
  });
});
