import type { GuardrailMoney } from './guardrails.ts';
import type { EngineRules } from '../rules/engine-rules.ts';
import { resolveMoneyThreshold } from '../rules/thresholds.ts';

/**
 * The guardrails' money thresholds for an account, from its target CPA, Meta's minimum budget and the
 * currency's digits: `decideAccount` guards with them, and a reviewed decision is guarded again with
 * the same figures.
 */
export function guardrailMoneyFor(
  rules: EngineRules,
  account: { targetCpa: number; metaMinDailyBudgetMinor: bigint | null; minorDigits: number },
): GuardrailMoney {
  const { targetCpa, metaMinDailyBudgetMinor, minorDigits } = account;
  return {
    maxDailyIncrease: resolveMoneyThreshold(rules.guardrails.maxDailyIncrease.adSetAmount, targetCpa),
    noPauseBelowSpend: resolveMoneyThreshold(rules.guardrails.noPauseBelowMinSpend.minSpend, targetCpa),
    minDailyBudget: Math.max(
      resolveMoneyThreshold(rules.guardrails.minDailyBudget, targetCpa),
      metaMinDailyBudgetMinor === null ? 0 : Number(metaMinDailyBudgetMinor) / 10 ** minorDigits,
    ),
    minorDigits,
  };
}
