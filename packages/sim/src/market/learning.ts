import type { Scenario } from '../scenarios/schema.ts';
import type { LearningStage } from './types.ts';

/** An ad set's learning-phase bookkeeping (decision-quality.md 1.5). */
export type LearningState = {
  /** Null until the ad set first delivers (launch). */
  stage: LearningStage | null;
  /** Day of launch or of the last reset. */
  resetDay: number | null;
  lastActiveDay: number | null;
  lastActiveBudgetCents: number;
};

/** The scenario's learning settings plus whether the effect is on. */
export type LearningParams = Scenario['learning'] & { isEnabled: boolean };

/** Before launch. */
export const INITIAL_LEARNING: LearningState = {
  stage: null,
  resetDay: null,
  lastActiveDay: null,
  lastActiveBudgetCents: 0,
};

/** Why the phase restarted on a day; launch is not counted as a reset. */
export type LearningEntry = 'launch' | 'budget-edit' | 'resume' | null;

/** What `enterDay` would do for a budget, without committing it (the oracle prices resets with this). */
export function learningEntry(
  state: LearningState,
  day: number,
  budgetCents: number,
  params: LearningParams,
): LearningEntry {
  if (state.lastActiveDay === null) return 'launch';
  if (!params.isEnabled) return null;
  const pausedDays = day - state.lastActiveDay - 1;
  if (pausedDays > params.resumeAfterDays) return 'resume';
  const previous = state.lastActiveBudgetCents;
  if (previous > 0 && Math.abs(budgetCents - previous) / previous > params.budgetChangeThreshold) {
    return 'budget-edit';
  }
  return null;
}

/** Start of a day on which the ad set delivers with `budgetCents`: launch, resets, bookkeeping. */
export function enterDay(
  state: LearningState,
  day: number,
  budgetCents: number,
  params: LearningParams,
): { state: LearningState; entry: LearningEntry } {
  const entry = learningEntry(state, day, budgetCents, params);
  const base = { ...state, lastActiveDay: day, lastActiveBudgetCents: budgetCents };
  if (entry === null) return { state: base, entry };
  return { state: { ...base, stage: params.isEnabled ? 'LEARNING' : 'ACTIVE', resetDay: day }, entry };
}

/**
 * End of day `day`: leave learning after `events` attributed conversions within `windowDays` of the
 * reset, else become LEARNING_LIMITED; a limited ad set recovers on a rolling window.
 * `conversionsSince(from)` counts conversions credited to days from..day as attributed by the end of `day`.
 */
export function endDay(
  state: LearningState,
  day: number,
  conversionsSince: (fromDay: number) => number,
  params: LearningParams,
): LearningState {
  if (state.stage === null || state.resetDay === null || !params.isEnabled) return state;
  if (state.stage === 'LEARNING') {
    if (conversionsSince(state.resetDay) >= params.events) return { ...state, stage: 'ACTIVE' };
    if (day - state.resetDay + 1 >= params.windowDays) return { ...state, stage: 'LEARNING_LIMITED' };
    return state;
  }
  if (state.stage === 'LEARNING_LIMITED') {
    if (conversionsSince(Math.max(0, day - params.windowDays + 1)) >= params.events) {
      return { ...state, stage: 'ACTIVE' };
    }
  }
  return state;
}

/** CVR multiplier of a stage: the full penalty while learning, half while learning-limited. */
export function learningMultiplier(stage: LearningStage | null, penalty: number): number {
  if (stage === 'LEARNING') return 1 - penalty;
  if (stage === 'LEARNING_LIMITED') return 1 - penalty / 2;
  return 1;
}

/** Graph API spelling of a stage for `learning_stage_info.status`. */
export function toGraphLearningStatus(stage: LearningStage): 'LEARNING' | 'FAIL' | 'SUCCESS' {
  if (stage === 'LEARNING') return 'LEARNING';
  if (stage === 'LEARNING_LIMITED') return 'FAIL';
  return 'SUCCESS';
}
