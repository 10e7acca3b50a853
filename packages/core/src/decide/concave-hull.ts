/** A budget and the expected profit it earns. */
export type BudgetPoint = { budget: number; profit: number };

/**
 * Upper concave hull of points sorted by budget, starting at the first point: the steepest-first
 * increments water-filling funds (exact for concave profit curves, the LP bound for S-shaped ones).
 */
export function concaveHull(points: readonly BudgetPoint[]): BudgetPoint[] {
  const hull = new HullBuilder(points.length);
  for (const p of points) hull.push(p.budget, p.profit);
  return Array.from({ length: hull.size }, (_, i) => ({
    budget: hull.budgets[i] as number,
    profit: hull.profits[i] as number,
  }));
}

/**
 * The same hull built point by point into typed arrays, for the allocation's hot loop (no object per
 * grid point). Points must come in budget order; `reset` reuses the arrays for the next curve.
 */
export class HullBuilder {
  budgets: Float64Array;
  profits: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.budgets = new Float64Array(Math.max(2, capacity));
    this.profits = new Float64Array(Math.max(2, capacity));
  }

  reset(): void {
    this.size = 0;
  }

  push(budget: number, profit: number): void {
    while (this.size >= 2) {
      const ab = this.budgets[this.size - 2] as number;
      const ap = this.profits[this.size - 2] as number;
      const bb = this.budgets[this.size - 1] as number;
      const bp = this.profits[this.size - 1] as number;
      // Drop the last point when it lies on or under the chord from the one before it to this one.
      if ((bp - ap) * (budget - ab) <= (profit - ap) * (bb - ab)) this.size--;
      else break;
    }
    if (this.size === this.budgets.length) this.grow();
    this.budgets[this.size] = budget;
    this.profits[this.size] = profit;
    this.size++;
  }

  private grow(): void {
    const budgets = new Float64Array(this.budgets.length * 2);
    const profits = new Float64Array(this.profits.length * 2);
    budgets.set(this.budgets);
    profits.set(this.profits);
    this.budgets = budgets;
    this.profits = profits;
  }
}
