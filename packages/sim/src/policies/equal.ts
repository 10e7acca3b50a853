import type { Observation } from '../market/types.ts';
import type { Policy, PolicyContext } from './types.ts';

/** Equal split: B / N on every ad set, never paused (decision-quality.md 2.5.1). The zero of "gap closed". */
export function createEqualPolicy(context: PolicyContext): Policy {
  return {
    kind: 'observation',
    name: 'equal',
    decide(observation: Observation) {
      const share = Math.floor(context.totalDailyBudgetCents / Math.max(1, observation.adSets.length));
      return observation.adSets.map((adSet) => ({
        adSetId: adSet.id,
        status: 'ACTIVE',
        dailyBudgetCents: share,
      }));
    },
  };
}
