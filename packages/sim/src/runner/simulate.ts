import type { EngineRules, EvidenceModels } from '@roas/core';
import { accountMeanOrderValue } from '../market/latent.ts';
import { Market } from '../market/market.ts';
import { createPolicy, type PolicyName } from '../policies/registry.ts';
import type { AnyPolicy, PolicyContext, PolicyFactory } from '../policies/types.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { computeRunMetrics, type RunMetrics } from './metrics.ts';

/** The account settings a policy is given for a scenario (never the market's latents). */
export function policyContext(
  scenario: Scenario,
  engineRules?: EngineRules,
  engineModels?: EvidenceModels,
): PolicyContext {
  return {
    ...(engineRules ? { engineRules } : {}),
    ...(engineModels ? { engineModels } : {}),
    currency: scenario.currency,
    totalDailyBudgetCents: Math.round(scenario.dailyBudget * 100),
    minDailyBudgetCents: Math.round(scenario.minDailyBudget * 100),
    margin: scenario.margin,
    breakEvenRoas: 1 / scenario.margin,
    targetCpaCents: Math.round(scenario.margin * accountMeanOrderValue(scenario) * 100),
    horizonDays: scenario.horizonDays,
  };
}

function buildPolicy(
  scenario: Scenario,
  policy: PolicyName | PolicyFactory,
  engineRules?: EngineRules,
  engineModels?: EvidenceModels,
): AnyPolicy {
  const context = policyContext(scenario, engineRules, engineModels);
  return typeof policy === 'function' ? policy(context) : createPolicy(policy, context);
}

/**
 * Runs one policy on one seed for `days` (default: the scenario's horizon) and returns the market, so
 * tests and the fake Graph API can read its reports and ground truth.
 */
export function runPolicy(
  scenario: Scenario,
  policy: PolicyName | PolicyFactory,
  seed: number,
  days = scenario.horizonDays,
  engineRules?: EngineRules,
  engineModels?: EvidenceModels,
): { market: Market; policy: AnyPolicy } {
  const market = new Market(scenario, seed);
  const instance = buildPolicy(scenario, policy, engineRules, engineModels);
  for (let day = 0; day < days; day++) {
    const observation = market.observe();
    const decisions =
      instance.kind === 'oracle' ? instance.decide(observation, market) : instance.decide(observation);
    market.step(decisions);
  }
  return { market, policy: instance };
}

/**
 * Simulates one policy (a registered name or a factory) on one seed and scores it against ground truth.
 * Deterministic: the same (scenario, policy, seed, days) always gives the same metrics.
 */
export function simulate(
  scenario: Scenario,
  policy: PolicyName | PolicyFactory,
  seed: number,
  days = scenario.horizonDays,
  engineRules?: EngineRules,
  engineModels?: EvidenceModels,
): RunMetrics {
  const { market, policy: instance } = runPolicy(scenario, policy, seed, days, engineRules, engineModels);
  return computeRunMetrics(market, instance.name, days);
}
