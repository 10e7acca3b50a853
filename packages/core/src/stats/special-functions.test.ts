import { describe, expect, it } from 'vitest';
import {
  gammaPrefactor,
  gammaTailFrom,
  gaussHermite,
  logGamma,
  normalCdf,
  regularizedGammaP,
  regularizedGammaQ,
} from './special-functions.ts';

describe('special functions', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 8);
  });

  it('the incomplete gamma gives the exponential and Poisson CDFs', () => {
    // Gamma(1) is Exponential(1): P(1, x) = 1 - e^{-x}.
    for (const x of [0.01, 0.5, 2, 10]) expect(regularizedGammaP(1, x)).toBeCloseTo(1 - Math.exp(-x), 12);
    // Q(k+1, λ) is the Poisson CDF P(N ≤ k) with mean λ.
    const poissonCdf = (k: number, lambda: number) => {
      let term = Math.exp(-lambda);
      let sum = term;
      for (let i = 1; i <= k; i++) {
        term *= lambda / i;
        sum += term;
      }
      return sum;
    };
    for (const [k, lambda] of [
      [0, 0.3],
      [3, 2.5],
      [10, 12],
      [40, 35],
    ] as const) {
      expect(regularizedGammaQ(k + 1, lambda)).toBeCloseTo(poissonCdf(k, lambda), 10);
    }
    expect(regularizedGammaP(3, 0)).toBe(0);
    expect(regularizedGammaQ(3, Number.POSITIVE_INFINITY)).toBe(0);
    expect(() => regularizedGammaP(0, 1)).toThrow(RangeError);
  });

  it('Q from its prefactor is regularizedGammaQ, exactly, and settles the ends of the range', () => {
    for (const a of [0.4, 1, 2.5, 7, 40, 300]) {
      for (const x of [1e-3, 0.3, 1, 2, 6, 39, 41, 120, 900]) {
        const front = gammaPrefactor(a, x, Math.log(x), logGamma(a));
        expect(gammaTailFrom(a, x, front)).toBe(regularizedGammaQ(a, x));
      }
    }
    expect(gammaPrefactor(3, 0, Number.NEGATIVE_INFINITY, logGamma(3))).toBe(0);
    expect(gammaTailFrom(3, 0, 0)).toBe(1);
    expect(gammaPrefactor(3, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, logGamma(3))).toBe(0);
    expect(gammaTailFrom(3, Number.POSITIVE_INFINITY, 0)).toBe(0);
  });

  it('normalCdf has the textbook values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
  });

  it('Gauss-Hermite integrates polynomials exactly and the normal density to 1', () => {
    const { nodes, weights } = gaussHermite(20);
    const integrate = (f: (x: number) => number) =>
      nodes.reduce((sum, x, i) => sum + (weights[i] ?? 0) * f(x), 0);
    expect(integrate(() => 1)).toBeCloseTo(Math.sqrt(Math.PI), 10);
    expect(integrate((x) => x * x)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 10);
    expect(integrate((x) => x ** 4)).toBeCloseTo((3 * Math.sqrt(Math.PI)) / 4, 10);
  });
});
