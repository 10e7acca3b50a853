import { daysBetween, type IsoDate } from '@roas/core';
import type { Market } from '@roas/sim';
import type { DateWindow } from './window-evidence.ts';

/**
 * What really happened to an entity, when something knows it (the simulator does; Meta does not):
 * consulted only when the entity's own data over a window are too thin to judge, typically because a
 * Pause was applied and it stopped delivering.
 */
export type OutcomeTruth = {
  /** Names the source in stored outcomes (`simulator`). */
  readonly source: string;
  /**
   * The entity's true ROAS over the window, on the reported (attributed) basis the targets use; null
   * when unknown.
   */
  roas(
    entity: { accountId: string; level: 'campaign' | 'adset' | 'ad'; entityId: string },
    window: DateWindow,
  ): number | null | Promise<number | null>;
};

/** Hill saturation as the market applies it: the share of the low-spend ROAS left at a daily spend. */
function saturationAt(alpha: number, k: number, spend: number): number {
  if (spend <= 0) return 1;
  return Math.min(1, (k * Math.pow(spend, alpha - 1)) / (Math.pow(spend, alpha) + Math.pow(k, alpha)));
}

/**
 * The simulator's truth: an ad set's expected attributed ROAS over the window, from its latent
 * parameters and state, with no daily noise. A day it delivered counts its expected attributed revenue
 * at the spend it ran at; a day it was paused counts what its budget would have earned (its r0 in force
 * after saturation at that budget; fatigue recovers while paused, so it is left out). Null for ads,
 * campaigns, unknown ad sets and windows the market has not simulated yet.
 */
export function marketOutcomeTruth(market: Market): OutcomeTruth {
  const start = market.dateOf(0);
  const indexOf = new Map(market.latent.map((adSet, i) => [adSet.id, i]));
  const { scenario } = market;
  return {
    source: 'simulator',
    roas(entity, window) {
      if (entity.level !== 'adset') return null;
      const i = indexOf.get(entity.entityId);
      const latent = i === undefined ? undefined : market.latent[i];
      const days = i === undefined ? undefined : market.truth[i];
      if (i === undefined || !latent || !days) return null;
      const first = daysBetween(start, window.from);
      const last = daysBetween(start, window.to);
      if (first < 0 || last >= market.day) return null;
      const outside = scenario.effects.lag ? scenario.lag[latent.lagProfile].outsideWindow : 0;
      let spend = 0;
      let revenue = 0;
      for (let day = first; day <= last; day++) {
        const truth = days[day];
        if (!truth) return null;
        if (truth.spend > 0) {
          spend += truth.spend;
          revenue += (truth.expectedTrueRevenue * (1 - outside)) / latent.incrementality;
        } else {
          const budget = truth.budgetCents / 100;
          const share = scenario.effects.saturation ? saturationAt(latent.alpha, latent.k, budget) : 1;
          spend += budget;
          revenue += budget * truth.r0 * share;
        }
      }
      return spend > 0 ? revenue / spend : null;
    },
  };
}

/** The calendar day a market day index falls on (for tests that line truth up with stored data). */
export function marketDayOf(market: Market, date: IsoDate): number {
  return daysBetween(market.dateOf(0), date);
}
