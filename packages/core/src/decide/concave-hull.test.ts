import { describe, expect, it } from 'vitest';
import { concaveHull } from './concave-hull.ts';

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
