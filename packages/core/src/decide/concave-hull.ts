/** A budget and the expected profit it earns. */
export type BudgetPoint = { budget: number; profit: number };

/**
 * Upper concave hull of points sorted by budget, starting at the first point: the steepest-first
 * increments water-filling funds (exact for concave profit curves, the LP bound for S-shaped ones).
 */
export function concaveHull(points: readonly BudgetPoint[]): BudgetPoint[] {
  const hull: BudgetPoint[] = [];
  for (const p of points) {
    while (hull.length >= 2) {
      const a = hull[hull.length - 2] as BudgetPoint;
      const b = hull[hull.length - 1] as BudgetPoint;
      // Drop b when it lies on or under the chord from a to p.
      if ((b.profit - a.profit) * (p.budget - a.budget) <= (p.profit - a.profit) * (b.budget - a.budget))
        hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}
