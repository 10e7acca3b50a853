import { describe, expect, it } from 'vitest';
import { hashName, rngFor, STREAMS, type Rng } from './prng.ts';

function draws(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.next());
}

describe('rngFor', () => {
  it('gives the same numbers for the same key, whatever was drawn elsewhere', () => {
    const first = draws(rngFor(7, STREAMS.clicks, 3, 1, 42), 5);
    draws(rngFor(7, STREAMS.clicks, 2, 1, 42), 1000);
    expect(draws(rngFor(7, STREAMS.clicks, 3, 1, 42), 5)).toEqual(first);
  });

  it('gives different streams for different seeds, components and indices', () => {
    const base = draws(rngFor(7, STREAMS.clicks, 3, 1, 42), 4);
    for (const other of [
      rngFor(8, STREAMS.clicks, 3, 1, 42),
      rngFor(7, STREAMS.orders, 3, 1, 42),
      rngFor(7, STREAMS.clicks, 4, 1, 42),
      rngFor(7, STREAMS.clicks, 3, 2, 42),
      rngFor(7, STREAMS.clicks, 3, 1, 43),
      rngFor(7, STREAMS.clicks, 1, 3, 42),
    ]) {
      expect(draws(other, 4)).not.toEqual(base);
    }
  });

  it('draws uniforms strictly inside (0, 1) with the right moments', () => {
    const values = draws(rngFor(1, STREAMS.latent), 50_000);
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('decorrelates neighbouring days of one stream', () => {
    const firsts = Array.from({ length: 5_000 }, (_, day) => rngFor(1, STREAMS.cpm, 0, 0, day).next());
    let lagProduct = 0;
    for (let d = 1; d < firsts.length; d++)
      lagProduct += ((firsts[d] ?? 0) - 0.5) * ((firsts[d - 1] ?? 0) - 0.5);
    expect(Math.abs(lagProduct / (firsts.length - 1) / (1 / 12))).toBeLessThan(0.05);
  });

  it('hashes component names stably and distinctly', () => {
    expect(hashName('clicks')).toBe(hashName('clicks'));
    expect(new Set(Object.values(STREAMS)).size).toBe(Object.keys(STREAMS).length);
  });
});
