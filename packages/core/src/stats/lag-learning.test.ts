import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPLETENESS } from './lag.ts';
import { learnCompletenessCurve, type LagObservation } from './lag-learning.ts';
import { mulberry32, poisson } from './test-random.ts';

/** Readings of many entity-days whose purchases arrive by `truth` (a cumulative curve). */
function readings(truth: readonly number[], days: number, seed: number): LagObservation[] {
  const random = mulberry32(seed);
  const out: LagObservation[] = [];
  for (let d = 0; d < days; d++) {
    const final = poisson(random, 4);
    // Each purchase lands at the first age whose cumulative share covers a uniform draw.
    const arrival = Array.from({ length: final }, () => {
      const u = random();
      const age = truth.findIndex((share) => u <= share);
      return age === -1 ? truth.length - 1 : age;
    });
    for (let age = 0; age < truth.length; age++) {
      out.push({ ageDays: age, observed: arrival.filter((a) => a <= age).length, final });
    }
  }
  return out;
}

describe('learnCompletenessCurve', () => {
  it('keeps the default until there is enough data', () => {
    expect(learnCompletenessCurve([])).toEqual({
      curve: DEFAULT_COMPLETENESS,
      source: 'default',
      support: expect.any(Array) as number[],
    });
    const few = readings([0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1], 3, 1);
    expect(learnCompletenessCurve(few).source).toBe('default');
  });

  it('recovers a slow account curve from its history', () => {
    const slow = [0.35, 0.5, 0.6, 0.7, 0.78, 0.86, 0.93, 1];
    const learned = learnCompletenessCurve(readings(slow, 2000, 2));
    expect(learned.source).toBe('learned');
    learned.curve.forEach((value, age) => expect(value).toBeCloseTo(slow[age] ?? 1, 1));
    expect(learned.curve[0]).toBeLessThan(DEFAULT_COMPLETENESS[0] ?? 1);
  });

  it('is non-decreasing, capped at 1 and complete at the last age, whatever the data', () => {
    const noisy: LagObservation[] = [
      { ageDays: 0, observed: 90, final: 100 },
      { ageDays: 1, observed: 40, final: 100 },
      { ageDays: 2, observed: 120, final: 100 },
    ];
    const { curve } = learnCompletenessCurve(noisy, { minPurchases: 10 });
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThanOrEqual(curve[i - 1] ?? 0);
    expect(Math.max(...curve)).toBeLessThanOrEqual(1);
    expect(curve.at(-1)).toBe(1);
  });

  it('shrinks a thin estimate toward the default', () => {
    const thin = [{ ageDays: 0, observed: 0, final: 40 }];
    const { curve } = learnCompletenessCurve(thin, { minPurchases: 30, priorWeight: 40 });
    expect(curve[0]).toBeCloseTo((DEFAULT_COMPLETENESS[0] ?? 0) / 2, 10);
  });
});
