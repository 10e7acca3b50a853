import { describe, expect, it } from 'vitest';
import { parseSeeds } from './seeds.ts';

describe('parseSeeds', () => {
  it('reads single seeds, ranges and lists', () => {
    expect(parseSeeds('7')).toEqual([7]);
    expect(parseSeeds('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds('9, 1-3,2')).toEqual([1, 2, 3, 9]);
    expect(parseSeeds('1-200')).toHaveLength(200);
  });
  it.each(['', 'a', '5-1', '1-', '-3', '1.5'])('refuses %j with a message naming the flag', (text) => {
    expect(() => parseSeeds(text)).toThrow(/--seeds/);
  });
});
