import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../stats/test-random.ts';
import { toFixed } from './fixed.ts';

describe('toFixed', () => {
  it('gives exactly what Number.prototype.toFixed gives', () => {
    const random = mulberry32(11);
    const values = [0, -0, 0.005, 1.005, 1.045, 2.675, -1.005, 0.125, -0.001, 0.5, 1.5, 2.5, 1e-7, 99.995];
    values.push(999_999_999.995, 1e9, 1e21, -1e21, Number.NaN, Infinity, -Infinity, 123.456e6);
    for (let i = 0; i < 50_000; i++) {
      const magnitude = 10 ** (random() * 14 - 5);
      values.push((random() < 0.2 ? -1 : 1) * magnitude);
      // Near ties at every scale: k/2000 and its neighbours.
      const tie = Math.floor(random() * 2_000_000) / 2000;
      values.push(tie, tie + Number.EPSILON * tie, tie - Number.EPSILON * tie);
    }
    const mismatches: string[] = [];
    for (const value of values) {
      for (const digits of [0, 1, 2, 3, 4]) {
        const expected = value.toFixed(digits);
        if (toFixed(value, digits) !== expected) mismatches.push(`${value} (${digits}): ${expected}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
