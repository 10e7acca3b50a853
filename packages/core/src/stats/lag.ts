/**
 * Share of a day's eventual purchases already reported `age` days later (index 0 = the same day).
 * The default is decision-quality.md 1.3's default profile: 55% the same day, 70% after 1, 84% after 3,
 * all by 7. Accounts replace it with a curve learned from re-synced history.
 */
export type CompletenessCurve = readonly number[];

export const DEFAULT_COMPLETENESS: CompletenessCurve = [0.55, 0.7, 0.78, 0.84, 0.89, 0.93, 0.97, 1];

/** Completeness after `ageDays` whole days; 1 once the curve has run out. */
export function completenessAt(curve: CompletenessCurve, ageDays: number): number {
  if (ageDays < 0) return 0;
  return curve[Math.floor(ageDays)] ?? 1;
}

/**
 * Spend discounted by how much of its purchases can have been reported yet, so immature days weigh
 * less instead of reading as a decline (decision-quality.md 1.3: discount the exposure, not inflate
 * the purchases).
 */
export function lagAdjustedSpend(
  days: readonly { spend: number; ageDays: number }[],
  curve: CompletenessCurve = DEFAULT_COMPLETENESS,
): number {
  return days.reduce((sum, day) => sum + day.spend * completenessAt(curve, day.ageDays), 0);
}

/** Checks a learned curve: values in (0, 1], never decreasing, ending at 1. */
export function validateCompletenessCurve(curve: readonly number[]): string | null {
  if (curve.length === 0) return 'the curve is empty';
  for (let i = 0; i < curve.length; i++) {
    const value = curve[i] ?? Number.NaN;
    if (!(value > 0 && value <= 1)) return `day ${i}: ${value} is not in (0, 1]`;
    if (i > 0 && value < (curve[i - 1] ?? 0)) return `day ${i}: ${value} falls below day ${i - 1}`;
  }
  return curve.at(-1) === 1 ? null : 'the last value must be 1 (every purchase reported in the end)';
}
