import { describe, expect, it } from 'vitest';
import { POLICY_FACTORIES, type PolicyName } from '../policies/registry.ts';
import { loadScenario, PRESET_NAMES } from '../scenarios/load.ts';
import { simulate } from './simulate.ts';

const SEEDS = [1, 2, 3];
// engine+ml needs trained models (ml/engine-models.test.ts runs it).
const OTHERS = (Object.keys(POLICY_FACTORIES) as PolicyName[]).filter(
  (name) => !name.startsWith('oracle') && name !== 'engine+ml',
);

describe('the oracle is an upper bound', () => {
  it.each(PRESET_NAMES)(
    'beats every policy on true profit on %s, on average and on every seed',
    (preset) => {
      const scenario = loadScenario(preset);
      const oracle = SEEDS.map((seed) => simulate(scenario, 'oracle', seed).trueProfit);
      const oracleMean = oracle.reduce((s, v) => s + v, 0) / SEEDS.length;
      for (const name of OTHERS) {
        const profits = SEEDS.map((seed) => simulate(scenario, name, seed).trueProfit);
        expect(oracleMean, name).toBeGreaterThan(profits.reduce((s, v) => s + v, 0) / SEEDS.length);
        profits.forEach((profit, s) =>
          expect(oracle[s], `${name} on seed ${SEEDS[s]}`).toBeGreaterThan(profit),
        );
      }
      // Five policies x three seeds x 90 days, the engine deciding daily: seconds, not milliseconds.
    },
    120_000,
  );
});
