import type { EngineRules, EvidenceModels } from '@roas/core';
import type { MarketTruthView } from '../market/market.ts';
import type { AdSetDecision, Observation } from '../market/types.ts';

/** What a policy is told once, at the start of a run: the account's settings, never the market's latents. */
export type PolicyContext = {
  currency: string;
  totalDailyBudgetCents: number;
  minDailyBudgetCents: number;
  /** m in profit = m * revenue - spend. */
  margin: number;
  /** 1 / m. */
  breakEvenRoas: number;
  /** The CPA at which a purchase breaks even (m x the account's mean order value): business knowledge. */
  targetCpaCents: number;
  horizonDays: number;
  /** The engine's rules for this account (its settings); the engine policy uses the defaults without them. */
  engineRules?: EngineRules;
  /** Trained models for the `engine+ml` policy: their predictions enter its decisions as evidence. */
  engineModels?: EvidenceModels;
};

/**
 * A budget policy that sees only what the Graph API reports (`Observation`): lagged daily rows,
 * budgets, statuses and learning stages. Called once per simulated day, before the day runs; it may
 * keep state between calls. Return one decision per ad set (omitted ad sets keep their settings).
 */
export interface Policy {
  readonly kind: 'observation';
  readonly name: string;
  decide(observation: Observation): readonly AdSetDecision[];
}

/**
 * A privileged reference policy: also reads the market's latent parameters and state. Only the oracle
 * is allowed this; the runner hands it the truth view.
 */
export interface OraclePolicy {
  readonly kind: 'oracle';
  readonly name: string;
  decide(observation: Observation, truth: MarketTruthView): readonly AdSetDecision[];
}

/** Either kind of policy; the runner hands the truth view only to `kind: 'oracle'`. */
export type AnyPolicy = Policy | OraclePolicy;

/** Builds a fresh policy for one run (policies may keep per-run state). */
export type PolicyFactory = (context: PolicyContext) => AnyPolicy;
