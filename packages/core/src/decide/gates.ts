import { toFixed } from '../metrics/fixed.ts';
import type { HysteresisRules, NoiseGateRules } from '../rules/engine-rules.ts';
import type { Confidence, DecisionAction } from '../rules/primitives.ts';
import { resolveMoneyThreshold } from '../rules/thresholds.ts';
import type { Reason } from './classify.ts';

export type GateResult =
  /** Enough data: the buckets, trend and matrix decide. */
  | { kind: 'judge'; reasons: Reason[] }
  /** Too little data: Hold (or Retest) with "insufficient data". */
  | { kind: 'insufficient'; action: 'HOLD' | 'RETEST'; reasons: Reason[] }
  /** Spent k target CPAs with no purchase at all: Pause, however little else is known. */
  | { kind: 'zeroConversionPause'; maxConfidence: Confidence; reasons: Reason[] };

/**
 * The noise gate (product.md item 4): minimum spend (in target-CPA multiples, so it works in every
 * currency), minimum purchases and minimum age. Below it the answer is Hold or Retest, except the
 * spend-gated zero-conversion path: k target CPAs spent and not one purchase is a Pause.
 */
export function noiseGate(
  evidence: { spend: number; purchases: number; ageDays: number },
  targetCpa: number,
  rules: NoiseGateRules,
): GateResult {
  const minSpend = resolveMoneyThreshold(rules.minSpend, targetCpa);
  const zeroSpend = rules.zeroConversion.spendMultiple * targetCpa;
  const reasons: Reason[] = [
    {
      ruleId: 'gate.minSpend',
      metric: 'spend',
      observed: evidence.spend,
      threshold: minSpend,
      passed: evidence.spend >= minSpend,
      text: `spent ${toFixed(evidence.spend, 2)} of the ${toFixed(minSpend, 2)} needed to judge`,
    },
    {
      ruleId: 'gate.minPurchases',
      metric: 'purchases',
      observed: evidence.purchases,
      threshold: rules.minPurchases,
      passed: evidence.purchases >= rules.minPurchases,
      text: `${evidence.purchases} purchase(s) of the ${rules.minPurchases} needed`,
    },
    {
      ruleId: 'gate.minAge',
      metric: 'days live',
      observed: evidence.ageDays,
      threshold: rules.minAgeDays,
      passed: evidence.ageDays >= rules.minAgeDays,
      text: `${evidence.ageDays} day(s) live of the ${rules.minAgeDays} needed`,
    },
  ];
  if (rules.zeroConversion.enabled) {
    const fires = evidence.purchases === 0 && evidence.spend >= zeroSpend;
    reasons.push({
      ruleId: 'gate.zeroConversion',
      metric: 'spend with no purchase',
      observed: evidence.purchases === 0 ? evidence.spend : null,
      threshold: zeroSpend,
      passed: fires,
      text:
        evidence.purchases > 0
          ? 'has purchases: the zero-conversion path does not apply'
          : `spent ${toFixed(evidence.spend, 2)} with no purchase; ${toFixed(zeroSpend, 2)} (${rules.zeroConversion.spendMultiple}x target CPA) triggers a pause`,
    });
    if (fires)
      return { kind: 'zeroConversionPause', maxConfidence: rules.zeroConversion.maxConfidence, reasons };
  }
  const passed = reasons.slice(0, 3).every((r) => r.passed);
  return passed
    ? { kind: 'judge', reasons }
    : { kind: 'insufficient', action: rules.belowGateAction, reasons };
}

/**
 * Hysteresis (Dean's consecutive ticks): a Scale or Pause must be what the last N runs concluded too,
 * unless the evidence is overwhelming. `previous` is the actions of the earlier runs, newest first.
 */
export function applyHysteresis(
  action: DecisionAction,
  previous: readonly DecisionAction[],
  evidence: { probability: number; zeroConversionSpend: number | null; targetCpa: number },
  rules: HysteresisRules,
): { action: DecisionAction; reason: Reason } {
  if (!(rules.actions as readonly DecisionAction[]).includes(action)) {
    return {
      action,
      reason: {
        ruleId: 'hysteresis',
        metric: 'runs in a row',
        observed: null,
        threshold: null,
        passed: true,
        text: `${action} needs no confirmation`,
      },
    };
  }
  const streak = 1 + previous.findIndex((earlier) => earlier !== action);
  const runs = streak === 0 ? previous.length + 1 : streak;
  const overwhelming =
    evidence.probability >= rules.overwhelming.probability ||
    (action === 'PAUSE' &&
      evidence.zeroConversionSpend !== null &&
      evidence.zeroConversionSpend >= rules.overwhelming.zeroConversionSpendMultiple * evidence.targetCpa);
  const confirmed = runs >= rules.consecutiveRuns || overwhelming;
  return {
    action: confirmed ? action : 'HOLD',
    reason: {
      ruleId: 'hysteresis',
      metric: 'runs in a row',
      observed: runs,
      threshold: rules.consecutiveRuns,
      passed: confirmed,
      text: confirmed
        ? overwhelming && runs < rules.consecutiveRuns
          ? `${action} at once: the evidence is overwhelming`
          : `${action} concluded ${runs} run(s) in a row`
        : `${action} is the first of ${rules.consecutiveRuns} runs needed in a row: Hold for now`,
    },
  };
}
