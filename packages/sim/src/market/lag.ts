import { LAG_DAYS, type LagProfile } from '../scenarios/schema.ts';

/** Delay bucket for purchases that land after the 7-day click window: caused, never attributed. */
export const OUTSIDE_WINDOW = LAG_DAYS;

/**
 * Cumulative distribution over delay buckets 0..7 plus OUTSIDE_WINDOW, for drawing each event's delay.
 * With lag switched off every event is attributed on its own day.
 */
export function delayCdf(profile: LagProfile, isLagOn: boolean): Float64Array {
  const cdf = new Float64Array(LAG_DAYS + 1);
  if (!isLagOn) return cdf.fill(1);
  const inside = 1 - profile.outsideWindow;
  let total = 0;
  for (let d = 0; d < LAG_DAYS; d++) {
    total += (profile.pmf[d] ?? 0) * inside;
    cdf[d] = total;
  }
  cdf[OUTSIDE_WINDOW] = 1;
  return cdf;
}

/**
 * Share of a day's eventually attributed purchases already visible `elapsedDays` after it
 * (0 = same day): the completeness curve a lag-aware policy divides by.
 */
export function lagCompleteness(profile: LagProfile, elapsedDays: number): number {
  if (elapsedDays < 0) return 0;
  let total = 0;
  for (let d = 0; d <= Math.min(elapsedDays, LAG_DAYS - 1); d++) total += profile.pmf[d] ?? 0;
  return Math.min(1, total);
}
