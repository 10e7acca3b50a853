import type { AdSetDecision, Observation } from '../market/types.ts';
import { lastDays, windowRoas } from './windows.ts';
import type { Policy, PolicyContext } from './types.ts';

/** Settings of the greedy ranker; defaults follow decision-quality.md 2.5.3. */
export type GreedyOptions = {
  /** Days of reported ROAS the ranking reads. */
  windowDays: number;
  /** Below this 7-day spend an ad set is scored with the account's ROAS. */
  minSpendCents: number;
  /** Budget is proportional to ROAS^power over the funded ad sets. */
  power: number;
  /** Share of ad sets (best first) that get budget in proportion to ROAS. */
  fundedShare: number;
  /** Share of ad sets (worst first) that are paused. */
  pausedShare: number;
};

/** p = 2, top half funded, bottom quartile paused, $20 minimum 7-day spend. */
export const DEFAULT_GREEDY_OPTIONS: GreedyOptions = {
  windowDays: 7,
  minSpendCents: 2_000,
  power: 2,
  fundedShare: 0.5,
  pausedShare: 0.25,
};

/**
 * Greedy 7-day ROAS ranker (decision-quality.md 2.5.3): ranks ad sets by last-7-day reported ROAS
 * (account ROAS below $20 of spend), funds the top half in proportion to ROAS^2, keeps the middle at the
 * minimum budget and pauses the bottom quartile, with no cap on step size. A paused ad set's window
 * empties, it falls back to the account ROAS and comes back: the cost of chasing noise, lag bias and
 * learning resets in one policy.
 */
export function createGreedyPolicy(context: PolicyContext, overrides: Partial<GreedyOptions> = {}): Policy {
  const options = { ...DEFAULT_GREEDY_OPTIONS, ...overrides };
  return {
    kind: 'observation',
    name: 'greedy',
    decide(observation: Observation): AdSetDecision[] {
      const { day, adSets } = observation;
      const n = adSets.length;
      const windows = adSets.map((adSet) => lastDays(adSet.rows, day, options.windowDays));
      const accountSpend = windows.reduce((sum, w) => sum + w.spendCents, 0);
      if (accountSpend === 0) {
        const share = Math.floor(context.totalDailyBudgetCents / n);
        return adSets.map((adSet) => ({ adSetId: adSet.id, status: 'ACTIVE', dailyBudgetCents: share }));
      }
      const accountRoas = windows.reduce((sum, w) => sum + w.purchaseValueCents, 0) / accountSpend;
      const scored = adSets.map((adSet, i) => {
        const window = windows[i];
        const roas =
          window && window.spendCents >= options.minSpendCents
            ? (windowRoas(window) ?? accountRoas)
            : accountRoas;
        return { adSet, index: i, roas };
      });
      scored.sort((a, b) => b.roas - a.roas || a.index - b.index);
      const funded = Math.max(1, Math.ceil(n * options.fundedShare));
      const paused = Math.min(n - funded, Math.floor(n * options.pausedShare));
      const kept = n - funded - paused;
      const pool = context.totalDailyBudgetCents - kept * context.minDailyBudgetCents;
      const top = scored.slice(0, funded);
      const weights = top.map((s) => Math.pow(Math.max(0, s.roas), options.power));
      const weightSum = weights.reduce((sum, w) => sum + w, 0);
      const budgets = new Map<string, number>();
      top.forEach((s, k) => {
        const share = weightSum > 0 ? (weights[k] ?? 0) / weightSum : 1 / funded;
        budgets.set(s.adSet.id, Math.max(context.minDailyBudgetCents, Math.floor(pool * share)));
      });
      return scored.map((s, rank): AdSetDecision => {
        if (rank >= funded + kept) {
          return { adSetId: s.adSet.id, status: 'PAUSED', dailyBudgetCents: s.adSet.dailyBudgetCents };
        }
        return {
          adSetId: s.adSet.id,
          status: 'ACTIVE',
          dailyBudgetCents: budgets.get(s.adSet.id) ?? context.minDailyBudgetCents,
        };
      });
    },
  };
}
