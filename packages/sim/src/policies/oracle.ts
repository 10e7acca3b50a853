import { concaveHull, type BudgetPoint } from '@roas/core';
import type { MarketTruthView } from '../market/market.ts';
import type { AdSetDecision, Observation } from '../market/types.ts';
import type { OraclePolicy, PolicyContext } from './types.ts';

/** Settings of the oracle. */
export type OracleOptions = {
  /** Optimise true (incremental) profit, or profit on reported revenue. */
  track: 'true' | 'reported';
  /** Budget grid per ad set: the account total divided by (N x this). */
  levelsPerShare: number;
  /** Price learning resets by the penalty they cause over the coming days, not only today. */
  isResetAware: boolean;
};

/** The benchmark's oracle: true track, 8 grid levels per equal share, reset-aware. */
export const DEFAULT_ORACLE_OPTIONS: OracleOptions = { track: 'true', levelsPerShare: 8, isResetAware: true };

type Segment = { adSet: number; slope: number; from: number; to: number };

/**
 * The myopic oracle (decision-quality.md 2.4, O1). It knows every latent parameter and the current
 * state (fatigue, learning, CPM deviation, drift) but not the coming day's noise, and each day solves
 * max sum_i [m * w_i * E rev_i(b_i) - E spend_i(b_i)] s.t. sum b_i <= B: water-filling on the upper
 * concave hull of each ad set's expected profit over a budget grid (exact for concave curves, the LP
 * bound of the multiple-choice knapsack for S-shaped ones). w_i is the incrementality on the true track.
 * Unprofitable money is left unspent. One step beyond myopia: a budget that would reset learning is
 * charged the penalty it causes over the rest of the learning window.
 */
export function createOraclePolicy(
  context: PolicyContext,
  overrides: Partial<OracleOptions> = {},
): OraclePolicy {
  const options = { ...DEFAULT_ORACLE_OPTIONS, ...overrides };
  return {
    kind: 'oracle',
    name: options.track === 'true' ? 'oracle' : 'oracle-reported',
    decide(observation: Observation, truth: MarketTruthView): AdSetDecision[] {
      const { scenario } = truth;
      const total = context.totalDailyBudgetCents;
      const minBudget = context.minDailyBudgetCents;
      const n = observation.adSets.length;
      const step = Math.max(minBudget, Math.floor(total / (n * options.levelsPerShare)));
      const remainingDays = Math.max(1, scenario.horizonDays - truth.day);
      const { penalty, windowDays } = scenario.learning;
      const segments: Segment[] = [];

      observation.adSets.forEach((adSet, i) => {
        const value = (budget: number): number => {
          const expected = truth.expectedDay(i, budget);
          const revenue = options.track === 'true' ? expected.trueRevenue : expected.attributedRevenue;
          let profit = context.margin * revenue - expected.spend;
          if (options.isResetAware && expected.resets && scenario.effects.learning && penalty > 0) {
            const stage = truth.stageOf(i);
            const extraDays = Math.min(windowDays, remainingDays) - 1;
            // Out of learning, a reset costs the penalty gap for the window; inside it, the progress made so far.
            const gap = stage === 'ACTIVE' ? penalty : penalty / 2;
            const days = stage === 'LEARNING' ? Math.min(extraDays, truth.daysSinceReset(i) ?? 0) : extraDays;
            profit -= (context.margin * revenue * gap * days) / (1 - penalty);
          }
          return profit;
        };
        const capacityCents = Math.floor(truth.expectedCapacity(i) * 100);
        const maxBudget = Math.min(total, Math.max(minBudget, capacityCents));
        // Past K the Hill curve is concave, so once profit falls there it keeps falling: stop the scan.
        const concaveFrom = (truth.latent[i]?.k ?? 0) * 100;
        const profits = new Map<number, number>([[0, 0]]);
        let last = 0;
        for (let b = minBudget; ; b = Math.min(maxBudget, b + step)) {
          const profit = value(b);
          profits.set(b, profit);
          if (b >= maxBudget || (b > concaveFrom && profit < last)) break;
          last = profit;
        }
        const previous = adSet.dailyBudgetCents;
        const threshold = scenario.learning.budgetChangeThreshold;
        // The largest edits that stay inside the learning threshold are always candidates.
        for (const b of [
          previous,
          Math.floor(previous * (1 + threshold)),
          Math.ceil(previous * (1 - threshold)),
        ]) {
          if (b >= minBudget && b <= maxBudget && !profits.has(b)) profits.set(b, value(b));
        }
        const points = [...profits]
          .map(([budget, profit]) => ({ budget, profit }))
          .sort((a, b) => a.budget - b.budget);
        const hull = concaveHull(points);
        for (let h = 1; h < hull.length; h++) {
          const a = hull[h - 1] as BudgetPoint;
          const b = hull[h] as BudgetPoint;
          segments.push({
            adSet: i,
            slope: (b.profit - a.profit) / (b.budget - a.budget),
            from: a.budget,
            to: b.budget,
          });
        }
      });

      segments.sort((a, b) => b.slope - a.slope || a.adSet - b.adSet || a.from - b.from);
      const allocation = new Array<number>(n).fill(0);
      let left = total;
      for (const segment of segments) {
        if (segment.slope <= 0 || left <= 0) break;
        if ((allocation[segment.adSet] ?? 0) !== segment.from) continue;
        const size = segment.to - segment.from;
        const granted = Math.min(size, left);
        allocation[segment.adSet] = segment.from + granted;
        left -= granted;
      }
      return observation.adSets.map((adSet, i): AdSetDecision => {
        const budget = allocation[i] ?? 0;
        if (budget < minBudget)
          return { adSetId: adSet.id, status: 'PAUSED', dailyBudgetCents: adSet.dailyBudgetCents };
        return { adSetId: adSet.id, status: 'ACTIVE', dailyBudgetCents: budget };
      });
    },
  };
}
