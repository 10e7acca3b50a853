import { DEFAULT_COMPLETENESS } from '@roas/core';
import { describe, expect, it } from 'vitest';
import {
  baselineWindow,
  dailyDispersion,
  horizonWindow,
  sumWindow,
  windowEvidence,
  type DayReading,
} from './window-evidence.ts';

const day = (date: string, spend: number, purchases: number, ageAtRead: number): DayReading => ({
  date,
  spendMicros: BigInt(spend) * 1_000_000n,
  revenueMicros: BigInt(purchases * 50) * 1_000_000n,
  purchases,
  ageAtRead,
});

describe('outcome windows', () => {
  it('start on the decision day and run for the horizon; the baseline is the week before', () => {
    expect(horizonWindow('2026-03-01', 3)).toEqual({ from: '2026-03-01', to: '2026-03-03' });
    expect(horizonWindow('2026-02-27', 7)).toEqual({ from: '2026-02-27', to: '2026-03-05' });
    expect(baselineWindow('2026-03-01')).toEqual({ from: '2026-02-22', to: '2026-02-28' });
  });

  it('sum only the days inside, money exact', () => {
    const rows = [day('2026-02-28', 10, 1, 9), day('2026-03-01', 20, 2, 9), day('2026-03-03', 30, 0, 9)];
    const sums = sumWindow(rows, horizonWindow('2026-03-01', 3));
    expect(sums).toMatchObject({ days: 3, spendMicros: 50_000_000n, purchases: 2, activeDays: 2 });
    expect(sums.revenueMicros).toBe(100_000_000n);
  });

  it('discount spend by how complete each day was when read, and are final only when every day was', () => {
    const window = horizonWindow('2026-03-01', 3);
    const young = windowEvidence(
      [day('2026-03-01', 100, 4, 2), day('2026-03-02', 100, 3, 1), day('2026-03-03', 100, 2, 0)],
      window,
      DEFAULT_COMPLETENESS,
    );
    expect(young.exposure).toBeCloseTo(100 * (0.78 + 0.7 + 0.55), 9);
    expect(young.completeness).toBeCloseTo((0.78 + 0.7 + 0.55) / 3, 9);
    expect(young.isFinal).toBe(false);
    const old = windowEvidence(
      [day('2026-03-01', 100, 4, 9), day('2026-03-02', 100, 3, 8), day('2026-03-03', 100, 2, 7)],
      window,
      DEFAULT_COMPLETENESS,
    );
    expect(old).toMatchObject({ exposure: 300, completeness: 1, isFinal: true });
    // A window with no delivery is complete: nothing can arrive late for it.
    expect(windowEvidence([], window, DEFAULT_COMPLETENESS)).toMatchObject({
      exposure: 0,
      completeness: 1,
      isFinal: true,
    });
  });
});

describe('dailyDispersion', () => {
  const window = { from: '2026-03-01', to: '2026-03-10' };
  /** Ten days at 100 a day, purchases cycling through `counts`. */
  const entity = (counts: number[]) =>
    Array.from({ length: 10 }, (_, i) =>
      day(`2026-03-${String(i + 1).padStart(2, '0')}`, 100, counts[i % counts.length] ?? 0, 9),
    );

  it('is 1 when days vary no more than Poisson, and more when they swing', () => {
    expect(dailyDispersion([entity([10]), entity([10]), entity([10])], window)).toBe(1);
    // Days of 5 and 15 around a mean of 10: chi-square 2.5 a day, 25 over 9 degrees of freedom each.
    expect(dailyDispersion([entity([5, 15]), entity([5, 15]), entity([5, 15])], window)).toBeCloseTo(
      25 / 9,
      9,
    );
    expect(dailyDispersion([entity([0, 20]), entity([0, 20]), entity([0, 20])], window)).toBe(5);
  });

  it('says 1 with too few days to tell, or days outside the window', () => {
    expect(dailyDispersion([entity([0, 20])], window)).toBe(1);
    expect(
      dailyDispersion([entity([0, 20]), entity([0, 20]), entity([0, 20])], {
        from: '2026-04-01',
        to: '2026-04-30',
      }),
    ).toBe(1);
  });
});
