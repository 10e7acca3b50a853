import { createEnginePolicy } from './engine.ts';
import { createEqualPolicy } from './equal.ts';
import { createGreedyPolicy } from './greedy.ts';
import { createOraclePolicy } from './oracle.ts';
import { createRulesPolicy } from './rules.ts';
import type { AnyPolicy, PolicyContext, PolicyFactory } from './types.ts';

/** Every policy the runner can build by name (names cross worker-thread boundaries; functions do not). */
export const POLICY_FACTORIES = {
  equal: createEqualPolicy,
  rules: (context) => createRulesPolicy(context),
  'rules-rebalance': (context) => createRulesPolicy(context, { rebalance: true }),
  greedy: (context) => createGreedyPolicy(context),
  oracle: (context) => createOraclePolicy(context),
  'oracle-reported': (context) => createOraclePolicy(context, { track: 'reported' }),
  engine: (context) => createEnginePolicy(context, context.engineRules),
  'engine+ml': (context) => {
    if (!context.engineModels || Object.keys(context.engineModels).length === 0)
      throw new RangeError('the engine+ml policy needs trained models (engineModels), and none were given');
    return createEnginePolicy(context, context.engineRules, {
      models: context.engineModels,
      name: 'engine+ml',
    });
  },
} as const satisfies Record<string, PolicyFactory>;

/** A policy the runner can build by name. */
export type PolicyName = keyof typeof POLICY_FACTORIES;

/** The policies of the benchmark's headline table: the baselines, the oracle and the product's engine. */
export const DEFAULT_POLICIES = [
  'equal',
  'rules',
  'greedy',
  'oracle',
  'engine',
] as const satisfies readonly PolicyName[];

/** True for a registered policy name. */
export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(POLICY_FACTORIES, name);
}

/** Builds a registered policy for one run; throws on an unknown name, listing the known ones. */
export function createPolicy(name: string, context: PolicyContext): AnyPolicy {
  if (!isPolicyName(name)) {
    throw new RangeError(`unknown policy "${name}" (known: ${Object.keys(POLICY_FACTORIES).join(', ')})`);
  }
  return POLICY_FACTORIES[name](context);
}
