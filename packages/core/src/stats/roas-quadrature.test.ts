import { describe, expect, it } from 'vitest';
import { prepareQuadrature, quadratureFor, tailAbove, type Quadrature } from './roas-quadrature.ts';
import type { RoasPosterior } from './roas-posterior.ts';
import { gammaPrefactor, gammaTailFrom } from './special-functions.ts';
import { mulberry32 } from './test-random.ts';

/** Σ w_i Q(alpha, x_i) / √π over every node, no node left out: what tailAbove must equal bit for bit. */
function plainTail(quadrature: Quadrature, target: number): number {
  const { posterior, weights, scales, logScales, logGammaAlpha } = quadrature;
  const rate = posterior.beta * target;
  const logRate = Math.log(rate);
  let total = 0;
  for (let i = 0; i < scales.length; i++) {
    const x = rate * (scales[i] ?? 0);
    const front = gammaPrefactor(posterior.alpha, x, logRate + (logScales[i] ?? 0), logGammaAlpha);
    total += (weights[i] ?? 0) * gammaTailFrom(posterior.alpha, x, front);
  }
  return Math.min(1, Math.max(0, total / Math.sqrt(Math.PI)));
}

/** Posteriors from no data to thousands of purchases, with narrow and wide order-value terms. */
function posteriors(count: number): RoasPosterior[] {
  const random = mulberry32(3);
  return Array.from({ length: count }, () => {
    const purchases = Math.floor(Math.exp(random() * 8)) - 1;
    const alpha = 0.3 + random() * 10 + purchases;
    return {
      alpha,
      beta: (alpha / (0.01 + random() * 0.2)) * (0.5 + random()),
      aovLogMean: 3 + random() * 2,
      aovLogSd: 0.01 + random() * 0.6,
    };
  });
}

describe('tailAbove', () => {
  it('equals the plain sum over every node, bit for bit, though it skips the negligible ones', () => {
    const targets = [0.05, 0.5, 1, 2, 3, 5, 10, 40];
    for (const posterior of posteriors(400)) {
      const quadrature = prepareQuadrature(posterior, 24);
      for (const target of targets) expect(tailAbove(quadrature, target)).toBe(plainTail(quadrature, target));
    }
  });

  it('gives the same tails from the shared quadrature, refilled in place, as from a fresh one', () => {
    const list = posteriors(50);
    for (const [k, posterior] of list.entries()) {
      // Interleave another posterior so every call refills the shared one.
      const other = list[(k + 1) % list.length] as RoasPosterior;
      expect(tailAbove(quadratureFor(other, 24), 2)).toBe(tailAbove(prepareQuadrature(other, 24), 2));
      expect(tailAbove(quadratureFor(posterior, 24), 3)).toBe(tailAbove(prepareQuadrature(posterior, 24), 3));
      expect(quadratureFor(posterior, 10).logGammaAlpha).toBe(prepareQuadrature(posterior, 10).logGammaAlpha);
    }
  });

  it('refuses a shape that is not positive, fresh or refilled', () => {
    const bad = { alpha: 0, beta: 1, aovLogMean: 0, aovLogSd: 0.1 };
    expect(() => prepareQuadrature(bad, 24)).toThrow(RangeError);
    expect(() => quadratureFor(bad, 24)).toThrow(RangeError);
  });
});
