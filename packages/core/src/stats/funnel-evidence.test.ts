import { describe, expect, it } from 'vitest';
import { priorFromMean } from './gamma-poisson.ts';
import {
  fitFunnelRatio,
  funnelAssisted,
  funnelRoasPosterior,
  NO_FUNNEL,
  type FunnelEvidence,
} from './funnel-evidence.ts';
import { orderValuePriorFromAccount, roasPosterior } from './roas-posterior.ts';

const adSet = (purchases: number, funnelEvents: number, exposure = 100): FunnelEvidence => ({
  purchases,
  funnelEvents,
  exposure,
});

describe('fitFunnelRatio', () => {
  it('reads carts per purchase and trusts them fully when every ad set converts carts alike', () => {
    const ratio = fitFunnelRatio([adSet(5, 20), adSet(10, 40), adSet(3, 12)], 1);
    expect(ratio.eventsPerPurchase).toBe(4);
    expect(ratio.weight).toBe(1);
  });

  it('gives carts less weight when ad sets convert them differently than chance allows', () => {
    const scattered = fitFunnelRatio([adSet(30, 40), adSet(2, 80), adSet(20, 40), adSet(1, 60)], 1);
    expect(scattered.weight).toBeGreaterThan(0);
    expect(scattered.weight).toBeLessThan(0.2);
  });

  it('is off with too few purchases, no extra events, or a zero weight', () => {
    expect(fitFunnelRatio([adSet(2, 20), adSet(2, 20)], 1).weight).toBe(0);
    expect(fitFunnelRatio([adSet(5, 5), adSet(6, 6)], 1).weight).toBe(0);
    expect(fitFunnelRatio([adSet(5, 20), adSet(10, 40)], 0).weight).toBe(0);
  });

  it('never exceeds the configured weight', () => {
    expect(fitFunnelRatio([adSet(5, 20), adSet(10, 40), adSet(3, 12)], 0.6).weight).toBe(0.6);
  });
});

describe('funnelAssisted', () => {
  it('at full weight counts carts against ρ times the exposure: the same rate, ρ times the evidence', () => {
    const assisted = funnelAssisted(adSet(1, 12, 50), { eventsPerPurchase: 4, weight: 1 });
    expect(assisted).toEqual({ purchases: 12, exposure: 200 });
    expect(assisted.purchases / assisted.exposure).toBeCloseTo(12 / 4 / 50);
  });

  it('at zero weight is the purchases alone', () => {
    expect(funnelAssisted(adSet(3, 12, 50), { eventsPerPurchase: 4, weight: 0 })).toEqual({
      purchases: 3,
      exposure: 50,
    });
  });

  it('blends part way at a partial weight', () => {
    expect(funnelAssisted(adSet(2, 10, 40), { eventsPerPurchase: 4, weight: 0.5 })).toEqual({
      purchases: 6,
      exposure: 100,
    });
  });
});

describe('funnelRoasPosterior', () => {
  const prior = priorFromMean(1 / 25, 0.65);
  const orderValue = orderValuePriorFromAccount(50);
  const evidence = { purchases: 2, exposure: 100, revenue: 100, funnelEvents: 20 };

  it('is the purchases-only posterior without funnel weight', () => {
    expect(funnelRoasPosterior(evidence, NO_FUNNEL, prior, orderValue)).toEqual(
      roasPosterior(evidence, prior, orderValue),
    );
  });

  it('reads the rate from the carts and keeps the order value from the purchases', () => {
    const plain = roasPosterior(evidence, prior, orderValue);
    const assisted = funnelRoasPosterior(evidence, { eventsPerPurchase: 4, weight: 1 }, prior, orderValue);
    expect(assisted.alpha).toBe(prior.alpha + 20);
    expect(assisted.beta).toBe(prior.beta + 400);
    expect(assisted.aovLogMean).toBe(plain.aovLogMean);
    expect(assisted.aovLogSd).toBe(plain.aovLogSd);
  });
});
