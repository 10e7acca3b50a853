import { describe, expect, it } from 'vitest';
import { concaveHull, HullBuilder } from './concave-hull.ts';

describe('concaveHull', () => {
  it.each([
    ['a concave curve is its own hull', [0, 5, 8, 9], [0, 5, 8, 9]],
    ['an S-shaped start is bridged by a chord', [0, -1, 6, 8], [0, 6, 8]],
    ['points under a chord are dropped', [0, 2, 2, 6], [0, 6]],
  ])('%s', (_, profits, kept) => {
    const points = profits.map((profit, budget) => ({ budget, profit }));
    expect(concaveHull(points).map((p) => p.profit)).toEqual(kept);
  });
});

describe('HullBuilder', () => {
  it('grows past its capacity and starts again after a reset', () => {
    const hull = new HullBuilder(2);
    for (const [budget, profit] of [
      [0, 0],
      [1, 5],
      [2, 8],
      [3, 9],
      [4, 9.5],
    ] as const)
      hull.push(budget, profit);
    expect(Array.from(hull.profits.subarray(0, hull.size))).toEqual([0, 5, 8, 9, 9.5]);
    hull.reset();
    hull.push(0, 0);
    hull.push(1, -1);
    hull.push(2, 6);
    expect(Array.from(hull.budgets.subarray(0, hull.size))).toEqual([0, 2]);
  });
});
