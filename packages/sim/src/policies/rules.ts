import type { AdSetDecision, AdSetStatus, Observation } from '../market/types.ts';
import { lastDays, sumRows, windowRoas } from './windows.ts';
import type { Policy, PolicyContext } from './types.ts';

/** Settings of the Automated-Rules clone; defaults follow decision-quality.md 2.5.2. */
export type RulesOptions = {
  /** R1/R2 spend threshold X, in target-CPA multiples. */
  pauseSpendCpaMultiple: number;
  /** R3 spend threshold Y over 3 days, in target-CPA multiples. */
  scaleSpendCpaMultiple: number;
  /** R2: pause when 7-day ROAS is below this. */
  pauseRoas: number;
  /** R3: raise when 3-day ROAS is above this. */
  scaleRoas: number;
  /** R4: lower when 7-day ROAS is below this. */
  reduceRoas: number;
  /** R3 and R4 change the budget by this fraction (0.2 stays inside the 20% learning threshold). */
  step: number;
  /** R3 never raises a budget past this multiple of its initial value. */
  capMultiple: number;
  /** R3 fires at most once per this many days per ad set. */
  scaleCooldownDays: number;
  /** Variant (b): hand freed budget to the remaining ad sets pro rata; variant (a), the default, leaves it unspent. */
  rebalance: boolean;
};

/** Variant (a): freed budget stays unspent, as Meta's rules leave it. */
export const DEFAULT_RULES_OPTIONS: RulesOptions = {
  pauseSpendCpaMultiple: 2,
  scaleSpendCpaMultiple: 1,
  pauseRoas: 1,
  scaleRoas: 2,
  reduceRoas: 1.5,
  step: 0.2,
  capMultiple: 3,
  scaleCooldownDays: 3,
  rebalance: false,
};

/**
 * A clone of Meta's Automated Rules as a buyer would set them up (decision-quality.md 2.5.2), evaluated
 * once a day on the lagged report:
 * R1 lifetime spend >= X with no purchase -> pause; R2 7-day spend >= X and ROAS < 1 -> pause;
 * R3 3-day ROAS > 2 with spend >= Y -> budget +20% (cap 3x initial, once per 72 h); R4 7-day ROAS < 1.5
 * -> budget -20%. Like Meta's rules it never resumes what it paused. Meta's rules know no account
 * total, but the benchmark does, so raises are clipped to the unallocated budget.
 */
export function createRulesPolicy(context: PolicyContext, overrides: Partial<RulesOptions> = {}): Policy {
  const options = { ...DEFAULT_RULES_OPTIONS, ...overrides };
  const initialBudget = new Map<string, number>();
  const lastRaise = new Map<string, number>();
  const pauseSpend = options.pauseSpendCpaMultiple * context.targetCpaCents;
  const scaleSpend = options.scaleSpendCpaMultiple * context.targetCpaCents;
  return {
    kind: 'observation',
    name: options.rebalance ? 'rules-rebalance' : 'rules',
    decide(observation: Observation): AdSetDecision[] {
      const { day } = observation;
      const decisions = observation.adSets.map((adSet) => {
        if (!initialBudget.has(adSet.id)) initialBudget.set(adSet.id, adSet.dailyBudgetCents);
        const current: { status: AdSetStatus; budget: number; raise: number } = {
          status: adSet.status,
          budget: adSet.dailyBudgetCents,
          raise: 0,
        };
        if (adSet.status !== 'ACTIVE') return { id: adSet.id, ...current };
        const lifetime = sumRows(adSet.rows, 0, day - 1);
        const week = lastDays(adSet.rows, day, 7);
        const threeDays = lastDays(adSet.rows, day, 3);
        const roas7 = windowRoas(week);
        const roas3 = windowRoas(threeDays);
        if (lifetime.spendCents >= pauseSpend && lifetime.purchases === 0)
          return { id: adSet.id, ...current, status: 'PAUSED' as const };
        if (week.spendCents >= pauseSpend && roas7 !== null && roas7 < options.pauseRoas) {
          return { id: adSet.id, ...current, status: 'PAUSED' as const };
        }
        let budget = adSet.dailyBudgetCents;
        const cap = options.capMultiple * (initialBudget.get(adSet.id) ?? budget);
        const cooledDown = day - (lastRaise.get(adSet.id) ?? -Infinity) >= options.scaleCooldownDays;
        if (
          roas3 !== null &&
          roas3 > options.scaleRoas &&
          threeDays.spendCents >= scaleSpend &&
          cooledDown &&
          budget < cap
        ) {
          // Floor and ceil keep the edit at or inside 20%, so a rule never trips the learning reset itself.
          const raised = Math.min(cap, Math.floor(budget * (1 + options.step)));
          current.raise = raised - budget;
          budget = raised;
        }
        if (roas7 !== null && roas7 < options.reduceRoas) {
          budget = Math.ceil(budget * (1 - options.step));
          current.raise = Math.max(0, budget - adSet.dailyBudgetCents);
        }
        return { id: adSet.id, ...current, budget };
      });
      fitRaises(decisions, context.totalDailyBudgetCents, lastRaise, day);
      if (options.rebalance) rebalance(decisions, context.totalDailyBudgetCents);
      return decisions.map((d) => ({
        adSetId: d.id,
        status: d.status,
        dailyBudgetCents: Math.max(d.status === 'ACTIVE' ? context.minDailyBudgetCents : 0, d.budget),
      }));
    },
  };
}

type Draft = { id: string; status: AdSetStatus; budget: number; raise: number };

/** Grants raises in ad set order while the account total allows, recording when each was granted. */
function fitRaises(drafts: Draft[], totalCents: number, lastRaise: Map<string, number>, day: number): void {
  let committed = drafts.reduce((sum, d) => sum + (d.status === 'ACTIVE' ? d.budget - d.raise : 0), 0);
  for (const draft of drafts) {
    if (draft.status !== 'ACTIVE' || draft.raise <= 0) continue;
    const granted = Math.max(0, Math.min(draft.raise, totalCents - committed));
    draft.budget -= draft.raise - granted;
    committed += granted;
    if (granted > 0) lastRaise.set(draft.id, day);
  }
}

/** Variant (b): spreads the unallocated budget over active ad sets in proportion to their budgets. */
function rebalance(drafts: Draft[], totalCents: number): void {
  const active = drafts.filter((d) => d.status === 'ACTIVE');
  const sum = active.reduce((total, d) => total + d.budget, 0);
  if (sum <= 0 || sum >= totalCents) return;
  const factor = totalCents / sum;
  for (const draft of active) draft.budget = Math.floor(draft.budget * factor);
}
