import { toFixed } from '../metrics/fixed.ts';
import type { Reason } from '../decide/classify.ts';
import { explainDecision, type Decision } from '../decide/decide-entity.ts';
import {
  applyGuardrails,
  type GuardedDecision,
  type GuardrailMoney,
  type GuardrailState,
} from '../decide/guardrails.ts';
import type { GuardrailRules } from '../rules/engine-rules.ts';
import type { Confidence, DecisionAction } from '../rules/primitives.ts';
import type { AnalystReview } from './analyst-review.ts';

/** What the guardrails need to run again on a reviewed decision: the entity's state, the rules, the money. */
export type GuardrailContext = { state: GuardrailState; rules: GuardrailRules; money: GuardrailMoney };

/**
 * The outcome of applying a review: `merged` (the decision as the review leaves it, after the
 * guardrails ran again; `recheck` is that re-run) or `refused` (the review wanted something bolder
 * than the engine; the engine's decision stands unchanged).
 */
export type MergedReview =
  | { kind: 'merged'; decision: Decision; changed: boolean; recheck: GuardedDecision }
  | { kind: 'refused'; decision: Decision; refusal: string };

const CONFIDENCE_RANK: Record<Confidence, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };

/**
 * Whether the analyst may turn the engine's action into `proposed`: keep it, hold it (Scale, Pause or
 * Promote to Hold), or mark it for a Retest. Nothing else: a Hold never becomes a Scale or a Pause,
 * and an engine Retest stays a Retest.
 */
export function isAllowedAnalystAction(engine: DecisionAction, proposed: DecisionAction): boolean {
  if (proposed === engine || proposed === 'RETEST') return true;
  return proposed === 'HOLD' && engine !== 'RETEST';
}

const signed = (percent: number) => `${percent >= 0 ? '+' : ''}${toFixed(percent, 2)}%`;

/** Why a Scale's percent from the analyst is refused, or null when it may stand. */
function percentRefusal(engine: number | null, proposed: number | null): string | null {
  if (proposed === null || engine === null)
    return proposed === null ? null : 'a percent for an unsized Scale';
  if (engine > 0) {
    if (proposed > engine) return `raises the increase from ${signed(engine)} to ${signed(proposed)}`;
    if (proposed <= 0) return `turns an increase of ${signed(engine)} into ${signed(proposed)}`;
    return null;
  }
  // A cut is kept as the engine sized it (or held): a different cut is no more cautious in a way we can rank.
  return Math.abs(proposed - engine) < 1e-9
    ? null
    : `changes the cut of ${signed(engine)} to ${signed(proposed)}`;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/**
 * The percent (in hundredths, as the guardrails read it) that lands exactly on `target` from `current`
 * in the guardrails' arithmetic, so re-running them on an unchanged decision reproduces its budget.
 */
export function percentReaching(current: bigint, target: bigint): number {
  const diff = target - current;
  const hundredths = diff >= 0n ? ceilDiv(diff * 10_000n, current) : -ceilDiv(-diff * 10_000n, current);
  return Number(hundredths) / 100;
}

const distance = (a: bigint, b: bigint) => (a > b ? a - b : b - a);

/**
 * Keeps a re-guarded Scale from moving the budget further than the engine's decision did: whatever
 * the re-run says, the result is the smaller move in the same direction, or a Hold.
 */
function noFurtherThan(
  engine: Decision,
  guarded: GuardedDecision,
  current: bigint | null,
): Pick<Decision, 'action' | 'scalePercent' | 'newDailyBudgetMinor'> {
  const hold = { action: 'HOLD' as const, scalePercent: null, newDailyBudgetMinor: null };
  const enginePercent = engine.scalePercent ?? 0;
  const percent = guarded.scalePercent ?? 0;
  if (engine.action !== 'SCALE') return hold;
  const engineBudget = engine.newDailyBudgetMinor;
  const budget = guarded.newDailyBudgetMinor;
  // With budgets known the budgets decide (a change under 0.01% still shows as +0%).
  if (current !== null && engineBudget !== null) {
    if (budget === null || budget === current || engineBudget === current) return hold;
    if (budget > current !== engineBudget > current) return hold;
    return distance(budget, current) <= distance(engineBudget, current)
      ? { action: 'SCALE', scalePercent: percent, newDailyBudgetMinor: budget }
      : { action: 'SCALE', scalePercent: enginePercent, newDailyBudgetMinor: engineBudget };
  }
  // Percent-only advice (budget unknown or owned by the campaign): never a larger percent, never a budget.
  if (enginePercent === 0 || Math.sign(percent) !== Math.sign(enginePercent)) return hold;
  return {
    action: 'SCALE',
    scalePercent: Math.abs(percent) <= Math.abs(enginePercent) ? percent : enginePercent,
    newDailyBudgetMinor: null,
  };
}

const VERB: Record<DecisionAction, string> = {
  SCALE: 'Scale',
  HOLD: 'Hold',
  PAUSE: 'Pause',
  RETEST: 'Retest',
  PROMOTE: 'Promote',
};

function describeMove(action: DecisionAction, percent: number | null): string {
  return action === 'SCALE' && percent !== null ? `${VERB[action]} ${signed(percent)}` : VERB[action];
}

/**
 * Applies an analyst's review to an engine decision, and only ever makes it more cautious: the action
 * may be kept, held or marked for a Retest (`isAllowedAnalystAction`), a Scale's increase may only
 * shrink, and confidence may only fall. A review that asks for anything bolder is refused whole and
 * the engine's decision stands. Otherwise the guardrails run again on the result (here, so no caller
 * can merge without them) with the entity's state, and the budget never ends further from the current
 * one than the engine's decision put it.
 */
export function mergeAnalystReview(
  engine: Decision,
  review: AnalystReview,
  guard: GuardrailContext,
): MergedReview {
  if (!isAllowedAnalystAction(engine.action, review.action)) {
    return {
      kind: 'refused',
      decision: engine,
      refusal: `the analyst proposed ${describeMove(review.action, review.scalePercent)} where the engine decided ${describeMove(engine.action, engine.scalePercent)}: only Hold or Retest may replace it`,
    };
  }
  const keepsScale = review.action === 'SCALE';
  const refusal = keepsScale ? percentRefusal(engine.scalePercent, review.scalePercent) : null;
  if (refusal !== null) {
    return { kind: 'refused', decision: engine, refusal: `the analyst's Scale ${refusal}: refused` };
  }

  const current = guard.state.dailyBudgetMinor;
  let proposedPercent: number | null = null;
  if (keepsScale) {
    const sameSize = review.scalePercent === null || review.scalePercent === engine.scalePercent;
    proposedPercent =
      sameSize && current !== null && current > 0n && engine.newDailyBudgetMinor !== null
        ? percentReaching(current, engine.newDailyBudgetMinor)
        : (review.scalePercent ?? engine.scalePercent);
  }
  const recheck = applyGuardrails(
    { action: review.action, scalePercent: proposedPercent, isKill: review.action === 'PAUSE' },
    guard.state,
    guard.rules,
    guard.money,
  );
  const sized =
    recheck.action === 'SCALE'
      ? noFurtherThan(engine, recheck, current)
      : { action: recheck.action, scalePercent: null, newDailyBudgetMinor: null };
  const confidence =
    CONFIDENCE_RANK[review.confidence] < CONFIDENCE_RANK[engine.confidence]
      ? review.confidence
      : engine.confidence;
  const sameMove =
    sized.action === engine.action &&
    sized.scalePercent === engine.scalePercent &&
    sized.newDailyBudgetMinor === engine.newDailyBudgetMinor;
  const reasons: Reason[] = sameMove
    ? engine.reasons
    : [
        ...engine.reasons,
        {
          ruleId: 'analyst.caution',
          metric: 'analyst review',
          observed: null,
          threshold: null,
          passed: true,
          text: `made more cautious after the analyst's review and the guardrails run again: ${describeMove(engine.action, engine.scalePercent)} became ${describeMove(sized.action, sized.scalePercent)}`,
        },
      ];
  const merged: Omit<Decision, 'explanation'> = {
    ...engine,
    ...sized,
    appliesTo: sameMove ? engine.appliesTo : recheck.appliesTo,
    confidence,
    reasons,
    guardrails: sameMove ? engine.guardrails : recheck.guardrails,
  };
  return {
    kind: 'merged',
    decision: { ...merged, explanation: explainDecision(merged) },
    changed: !sameMove || confidence !== engine.confidence,
    recheck,
  };
}
