import { DEFAULT_COMPLETENESS, type CompletenessCurve } from './lag.ts';

/** One reading of one entity-day: purchases seen `ageDays` after the day, and the day's final count. */
export type LagObservation = { ageDays: number; observed: number; final: number };

export type LearnedCurve = {
  curve: CompletenessCurve;
  /** 'default' until the account has enough matured purchases to say anything of its own. */
  source: 'learned' | 'default';
  /** Final purchases behind the estimate at each age (how much data each point rests on). */
  support: number[];
};

export type LagLearningOptions = {
  /** Matured purchases an age needs before its own estimate counts at all. */
  minPurchases?: number;
  /** Purchases at which the account's estimate and the default weigh the same (shrinkage strength). */
  priorWeight?: number;
  fallback?: CompletenessCurve;
};

/**
 * Learns the share of a day's purchases reported by each age (0 = the same day) from re-read history:
 * sum of purchases seen at age k over the final purchases of the same entity-days, shrunk toward the
 * default curve by how many purchases back it, then made non-decreasing and capped at 1.
 */
export function learnCompletenessCurve(
  observations: readonly LagObservation[],
  options: LagLearningOptions = {},
): LearnedCurve {
  const fallback = options.fallback ?? DEFAULT_COMPLETENESS;
  const minPurchases = options.minPurchases ?? 30;
  const priorWeight = options.priorWeight ?? 50;
  const ages = fallback.length;
  const observed = new Array<number>(ages).fill(0);
  const final = new Array<number>(ages).fill(0);
  for (const o of observations) {
    const age = Math.floor(o.ageDays);
    if (age < 0 || age >= ages || o.final <= 0) continue;
    observed[age] = (observed[age] ?? 0) + Math.min(o.observed, o.final);
    final[age] = (final[age] ?? 0) + o.final;
  }
  let anyLearned = false;
  let previous = 0;
  const curve = fallback.map((prior, age) => {
    const support = final[age] ?? 0;
    let value = prior;
    if (age < ages - 1 && support >= minPurchases) {
      const own = (observed[age] ?? 0) / support;
      value = (own * support + prior * priorWeight) / (support + priorWeight);
      anyLearned = true;
    }
    // Later ages cannot have seen fewer purchases; the last age is complete by definition.
    previous = age === ages - 1 ? 1 : Math.min(1, Math.max(previous, value));
    return previous;
  });
  return { curve: anyLearned ? curve : fallback, source: anyLearned ? 'learned' : 'default', support: final };
}
