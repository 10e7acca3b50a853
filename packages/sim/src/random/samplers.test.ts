import { describe, expect, it } from 'vitest';
import { rngFor, STREAMS } from './prng.ts';
import {
  normalQuantile,
  sampleFromCdf,
  sampleGamma,
  sampleLognormal,
  sampleNegativeBinomial,
  sampleNormal,
  sampleOrderValue,
  samplePoisson,
} from './samplers.ts';

const N = 40_000;

function moments(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { mean, variance: values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) };
}

function sample(draw: (rng: ReturnType<typeof rngFor>) => number, key = 1): number[] {
  const rng = rngFor(key, STREAMS.latent);
  return Array.from({ length: N }, () => draw(rng));
}

describe('samplers', () => {
  it('inverts the normal CDF accurately', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalQuantile(0.3)).toBeCloseTo(-normalQuantile(0.7), 9);
  });

  it('draws normals and lognormals with the asked parameters', () => {
    const normal = moments(sample((rng) => sampleNormal(rng, 2, 3)));
    expect(normal.mean).toBeCloseTo(2, 1);
    expect(Math.sqrt(normal.variance)).toBeCloseTo(3, 1);
    const logs = sample((rng) => Math.log(sampleLognormal(rng, Math.log(60), 0.7)));
    expect(Math.exp(moments(logs).mean)).toBeCloseTo(60, -1);
  });

  it.each([0.5, 2, 20])('draws Gamma(shape %d) with mean k*theta and variance k*theta^2', (shape) => {
    const { mean, variance } = moments(sample((rng) => sampleGamma(rng, shape, 1.5)));
    expect(mean / (shape * 1.5)).toBeCloseTo(1, 1);
    expect(variance / (shape * 1.5 * 1.5)).toBeGreaterThan(0.9);
    expect(variance / (shape * 1.5 * 1.5)).toBeLessThan(1.1);
  });

  it.each([0.3, 4, 30, 500])('draws Poisson(%d) with equal mean and variance', (lambda) => {
    const { mean, variance } = moments(sample((rng) => samplePoisson(rng, lambda)));
    expect(mean / lambda).toBeGreaterThan(0.97);
    expect(mean / lambda).toBeLessThan(1.03);
    expect(variance / lambda).toBeGreaterThan(0.93);
    expect(variance / lambda).toBeLessThan(1.07);
  });

  it('keeps small Poisson draws monotone in the mean for a fixed stream (common random numbers)', () => {
    for (let key = 0; key < 200; key++) {
      const low = samplePoisson(rngFor(key, STREAMS.purchases), 2);
      const high = samplePoisson(rngFor(key, STREAMS.purchases), 3);
      expect(high).toBeGreaterThanOrEqual(low);
    }
  });

  it('overdisperses the negative binomial: variance = mean + mean^2 / k', () => {
    const { mean, variance } = moments(sample((rng) => sampleNegativeBinomial(rng, 10, 5)));
    expect(mean).toBeCloseTo(10, 0);
    expect(variance / (10 + 100 / 5)).toBeGreaterThan(0.9);
    expect(variance / (10 + 100 / 5)).toBeLessThan(1.1);
  });

  it('draws heavy-tailed order values with the asked mean', () => {
    const plain = sample((rng) => sampleOrderValue(rng, 76, 0.7));
    expect(moments(plain).mean / 76).toBeCloseTo(1, 1);
    const sorted = [...plain].sort((a, b) => a - b);
    expect((sorted[Math.floor(N * 0.99)] ?? 0) / (sorted[Math.floor(N / 2)] ?? 1)).toBeGreaterThan(4);
    const whales = sample((rng) => sampleOrderValue(rng, 76, 0.7, { share: 0.01, paretoAlpha: 2.5 }));
    expect(moments(whales).mean).toBeGreaterThan(moments(plain).mean);
  });

  it('draws indices from a cumulative distribution', () => {
    const counts = [0, 0, 0];
    for (const index of sample((rng) => sampleFromCdf(rng, [0.2, 0.7, 1])))
      counts[index] = (counts[index] ?? 0) + 1;
    expect((counts[0] ?? 0) / N).toBeCloseTo(0.2, 1);
    expect((counts[1] ?? 0) / N).toBeCloseTo(0.5, 1);
    expect((counts[2] ?? 0) / N).toBeCloseTo(0.3, 1);
  });
});
