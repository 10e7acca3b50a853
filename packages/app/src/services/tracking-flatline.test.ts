import { addDays, DEFAULT_COMPLETENESS, completenessAt, daysBetween, seededRandom } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { detectFlatline, type FlatlineDay } from './tracking-flatline.ts';

const READ_DAY = '2026-03-31';

/** A seeded generator (mulberry32), so each "account" is reproducible. */
const rng = seededRandom;

function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

/**
 * 30 days read on READ_DAY: `perDay` purchases a day on average at `spend` a day, each day showing
 * only the share the lag curve says has been reported at its age (young days show fewer).
 */
function account(perDay: number, seed: number, spend = 100): FlatlineDay[] {
  const random = rng(seed);
  return Array.from({ length: 30 }, (_, i) => {
    const date = addDays(READ_DAY, -(30 - i));
    const reported = completenessAt(DEFAULT_COMPLETENESS, daysBetween(date, READ_DAY) - 1);
    return { date, spend, purchases: poisson(perDay * reported, random) };
  });
}

function zeroLast(days: FlatlineDay[], n: number): FlatlineDay[] {
  return days.map((d, i) => (i >= days.length - n ? { ...d, purchases: 0 } : d));
}

describe('detectFlatline', () => {
  it('flags purchases stopping across an account while spend goes on', () => {
    const result = detectFlatline(zeroLast(account(20, 1), 2), READ_DAY, DEFAULT_COMPLETENESS);
    expect(result.isFlatline).toBe(true);
    expect(result.zeroDays).toEqual(['2026-03-29', '2026-03-30']);
    expect(result.spend).toBe(200);
    // 20 a day, discounted for lag on two young days (0.7 + 0.55 of a day's purchases reported).
    expect(result.expected).toBeGreaterThan(20);
    expect(result.expected).toBeLessThan(30);
    expect(result.probability).toBeLessThan(1e-6);
    expect(result.baseline).toMatchObject({ from: '2026-03-15', to: '2026-03-28' });
  });

  it('needs a longer run before a small account’s quiet days are improbable', () => {
    // About one purchase a day: two or four empty days happen; ten in a row do not.
    const small = account(1, 2);
    expect(detectFlatline(zeroLast(small, 2), READ_DAY, DEFAULT_COMPLETENESS).isFlatline).toBe(false);
    expect(detectFlatline(zeroLast(small, 4), READ_DAY, DEFAULT_COMPLETENESS).isFlatline).toBe(false);
    expect(detectFlatline(zeroLast(small, 10), READ_DAY, DEFAULT_COMPLETENESS).isFlatline).toBe(true);
  });

  it('rarely flags a normal low-volume account (under 1% of simulated accounts)', () => {
    let flagged = 0;
    const accounts = 2000;
    for (let seed = 0; seed < accounts; seed++) {
      // 0.5 to 3 purchases a day: the accounts where chance quiet spells are common.
      const perDay = 0.5 + (seed % 6) * 0.5;
      if (detectFlatline(account(perDay, 1000 + seed), READ_DAY, DEFAULT_COMPLETENESS).isFlatline) flagged++;
    }
    expect(flagged / accounts).toBeLessThan(0.01);
  });

  it('does not flag young days for having fewer purchases yet, nor one empty day', () => {
    // Yesterday shows half its purchases (lag) and the day before none: one zero day is no run.
    const days = account(20, 3).map((d) =>
      d.date === '2026-03-30' ? { ...d, purchases: 5 } : d.date === '2026-03-29' ? { ...d, purchases: 0 } : d,
    );
    const result = detectFlatline(days, READ_DAY, DEFAULT_COMPLETENESS);
    expect(result.zeroDays).toEqual([]);
    expect(result.isFlatline).toBe(false);
  });

  it('does not flag an account that stopped spending, or one with no purchases to compare with', () => {
    const stopped = zeroLast(account(20, 4), 3).map((d) => (d.date >= '2026-03-29' ? { ...d, spend: 0 } : d));
    const result = detectFlatline(stopped, READ_DAY, DEFAULT_COMPLETENESS);
    expect(result.isFlatline).toBe(false);
    // The run is counted back from yesterday, which had no spend: nothing to judge.
    expect(result.zeroDays).toEqual([]);

    const never = account(0, 5);
    const none = detectFlatline(never, READ_DAY, DEFAULT_COMPLETENESS);
    expect(none.isFlatline).toBe(false);
    expect(none.probability).toBeNull();
  });

  it('ignores the day being read (it is not complete) and days with no rows count as no spend', () => {
    const days = zeroLast(account(20, 6), 2).concat([{ date: READ_DAY, spend: 50, purchases: 0 }]);
    expect(detectFlatline(days, READ_DAY, DEFAULT_COMPLETENESS).zeroDays).toEqual([
      '2026-03-29',
      '2026-03-30',
    ]);
    const gap = days.filter((d) => d.date !== '2026-03-30');
    expect(detectFlatline(gap, READ_DAY, DEFAULT_COMPLETENESS).zeroDays).toEqual([]);
  });
});
