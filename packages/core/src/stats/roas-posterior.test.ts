import { describe, expect, it } from 'vitest';
import { fitPurchaseRatePrior, priorFromMean, SPREAD_PSEUDO_ENTITIES } from './gamma-poisson.ts';
import { completenessAt, DEFAULT_COMPLETENESS, lagAdjustedSpend, validateCompletenessCurve } from './lag.ts';
import {
  orderValuePriorFromAccount,
  posteriorMeanRoas,
  probabilityRoasAbove,
  roasInterval,
  roasPosterior,
  roasQuantile,
} from './roas-posterior.ts';
import { gamma, mulberry32, normal, poisson } from './test-random.ts';

// An account at CPA 25 and AOV 75: prior mean ROAS about 3.
const ratePrior = priorFromMean(1 / 25, 0.65);
const aovPrior = orderValuePriorFromAccount(75);

describe('roasPosterior', () => {
  it('is the prior when there is no data', () => {
    const posterior = roasPosterior({ purchases: 0, exposure: 0, revenue: 0 }, ratePrior, aovPrior);
    expect(posteriorMeanRoas(posterior)).toBeCloseTo((1 / 25) * 75 * Math.exp(0.5 ** 2 / 2), 10);
  });

  it('converges on the observed ROAS with lots of data, with a narrow interval', () => {
    const posterior = roasPosterior(
      { purchases: 4000, exposure: 50_000, revenue: 250_000 },
      ratePrior,
      aovPrior,
    );
    expect(posteriorMeanRoas(posterior)).toBeCloseTo(5, 1);
    const { lo, hi } = roasInterval(posterior);
    expect(lo).toBeGreaterThan(4.7);
    expect(hi).toBeLessThan(5.3);
  });

  it('shrinks a lucky small sample toward the account', () => {
    const lucky = roasPosterior({ purchases: 1, exposure: 10, revenue: 150 }, ratePrior, aovPrior);
    const mean = posteriorMeanRoas(lucky);
    expect(mean).toBeLessThan(5);
    expect(mean).toBeGreaterThan(3);
    // One sale at ROAS 15 is mostly luck: the posterior gives that level little weight.
    expect(probabilityRoasAbove(lucky, 15)).toBeLessThan(0.05);
  });

  it('gives probabilities that fall with the target and meet 0.5 at the median', () => {
    const posterior = roasPosterior({ purchases: 12, exposure: 300, revenue: 900 }, ratePrior, aovPrior);
    let previous = 1;
    for (const target of [0.5, 1, 2, 3, 4, 6, 10]) {
      const p = probabilityRoasAbove(posterior, target);
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
    expect(probabilityRoasAbove(posterior, roasQuantile(posterior, 0.5))).toBeCloseTo(0.5, 6);
    expect(probabilityRoasAbove(posterior, 0)).toBe(1);
  });

  it('agrees with Monte Carlo sampling of the same posterior', () => {
    const posterior = roasPosterior({ purchases: 5, exposure: 200, revenue: 400 }, ratePrior, aovPrior);
    const random = mulberry32(7);
    const draws = 200_000;
    let above = 0;
    for (let i = 0; i < draws; i++) {
      const lambda = gamma(random, posterior.alpha, posterior.beta);
      const aov = Math.exp(posterior.aovLogMean + posterior.aovLogSd * normal(random));
      if (lambda * aov > 2.5) above++;
    }
    expect(probabilityRoasAbove(posterior, 2.5)).toBeCloseTo(above / draws, 2);
  });

  it('is calibrated: 90% intervals hold the true ROAS about 90% of the time', () => {
    const random = mulberry32(42);
    const trials = 2000;
    let covered = 0;
    for (let i = 0; i < trials; i++) {
      // Draw a true ad set from the prior, then a week of data from it.
      const lambda = gamma(random, ratePrior.alpha, ratePrior.beta);
      const logAov = aovPrior.logMean + aovPrior.logMeanSd * normal(random);
      const spend = 50 + random() * 700;
      const purchases = poisson(random, lambda * spend);
      let revenue = 0;
      for (let k = 0; k < purchases; k++) {
        revenue += Math.exp(logAov - aovPrior.sigma ** 2 / 2 + aovPrior.sigma * normal(random));
      }
      const posterior = roasPosterior({ purchases, exposure: spend, revenue }, ratePrior, aovPrior);
      const { lo, hi } = roasInterval(posterior, 0.9);
      const truth = lambda * Math.exp(logAov);
      if (truth >= lo && truth <= hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.86);
    expect(covered / trials).toBeLessThan(0.94);
  });

  it('refuses negative evidence', () => {
    expect(() => roasPosterior({ purchases: -1, exposure: 1, revenue: 0 }, ratePrior, aovPrior)).toThrow(
      RangeError,
    );
  });
});

describe('fitPurchaseRatePrior', () => {
  it('recovers the spread of ad sets from their data', () => {
    const random = mulberry32(3);
    const entities = Array.from({ length: 400 }, () => {
      const spend = 500 + random() * 1500;
      return { spend, purchases: poisson(random, gamma(random, 2.2, 2.2 * 65) * spend) };
    });
    const prior = fitPurchaseRatePrior(entities, 1 / 50);
    expect(prior.alpha / prior.beta).toBeCloseTo(1 / 65, 3);
    expect(prior.alpha).toBeGreaterThan(1.6);
    expect(prior.alpha).toBeLessThan(3);
  });

  it("leans a few entities' spread on the default (CV 0.65), and many entities on their own", () => {
    // Four alike ad sets measure no spread at all; 24 pseudo-entities pull it most of the way to 0.65.
    const alike = Array.from({ length: 4 }, () => ({ spend: 1000, purchases: 40 }));
    const cv = (prior: { alpha: number }) => 1 / Math.sqrt(prior.alpha);
    expect(cv(fitPurchaseRatePrior(alike, 1 / 50))).toBeCloseTo(0.3, 10);
    expect(cv(fitPurchaseRatePrior(alike, 1 / 50, SPREAD_PSEUDO_ENTITIES))).toBeCloseTo(
      0.65 * Math.sqrt(24 / 28),
      10,
    );
    const random = mulberry32(4);
    const many = Array.from({ length: 4000 }, () => {
      const spend = 500 + random() * 1500;
      return { spend, purchases: poisson(random, gamma(random, 2.2, 2.2 * 65) * spend) };
    });
    expect(fitPurchaseRatePrior(many, 1 / 50, SPREAD_PSEUDO_ENTITIES).alpha).toBeCloseTo(
      fitPurchaseRatePrior(many, 1 / 50).alpha,
      0,
    );
  });

  it('falls back to the given rate when the account has too little data', () => {
    const prior = fitPurchaseRatePrior([{ spend: 10, purchases: 0 }], 1 / 40);
    expect(prior.alpha / prior.beta).toBeCloseTo(1 / 40, 10);
    expect(() => fitPurchaseRatePrior([], 0)).toThrow(RangeError);
  });
});

describe('attribution lag', () => {
  it('discounts immature spend by the completeness curve', () => {
    expect(completenessAt(DEFAULT_COMPLETENESS, 0)).toBe(0.55);
    expect(completenessAt(DEFAULT_COMPLETENESS, 30)).toBe(1);
    const exposure = lagAdjustedSpend([
      { spend: 100, ageDays: 0 },
      { spend: 100, ageDays: 1 },
      { spend: 100, ageDays: 10 },
    ]);
    expect(exposure).toBeCloseTo(55 + 70 + 100, 10);
  });

  it('validates learned curves', () => {
    expect(validateCompletenessCurve(DEFAULT_COMPLETENESS)).toBeNull();
    expect(validateCompletenessCurve([0.5, 0.4, 1])).toMatch(/day 1/);
    expect(validateCompletenessCurve([0.5, 0.9])).toMatch(/last value/);
    expect(validateCompletenessCurve([])).toMatch(/empty/);
  });
});
