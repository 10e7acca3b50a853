import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from './defaults.ts';
import type { TargetsRules } from './engine-rules.ts';
import {
  resolveCpmThreshold,
  resolveMoneyThreshold,
  resolveRoasThreshold,
  resolveTargets,
} from './thresholds.ts';

describe('resolveTargets', () => {
  it.each<
    [
      string,
      TargetsRules,
      number | null,
      { breakEvenRoas: number | null; targetRoas: number | null; targetCpa: number | null },
    ]
  >([
    [
      'defaults: margin 0.6, target 1.25x break-even, CPA derived from AOV (INR)',
      DEFAULT_RULES.targets,
      3000,
      { breakEvenRoas: 1 / 0.6, targetRoas: 1.25 / 0.6, targetCpa: 1440 },
    ],
    [
      'COGS as a share of revenue, target 20% above break-even',
      {
        breakEven: { from: 'cogsShare', cogsShare: 0.5 },
        targetRoas: { source: 'breakEven', multiple: 1.2 },
        targetCpa: { source: 'derived' },
      },
      60,
      { breakEvenRoas: 2, targetRoas: 2.4, targetCpa: 25 },
    ],
    [
      'COGS per purchase (Dean: 15 on a 55 AOV)',
      {
        breakEven: { from: 'cogsPerPurchase', amount: 15 },
        targetRoas: { source: 'fixed', roas: 2 },
        targetCpa: { source: 'fixed', amount: 27.5 },
      },
      55,
      { breakEvenRoas: 55 / 40, targetRoas: 2, targetCpa: 27.5 },
    ],
    [
      'COGS per purchase with no AOV yet',
      {
        breakEven: { from: 'cogsPerPurchase', amount: 15 },
        targetRoas: { source: 'breakEven', multiple: 1 },
        targetCpa: { source: 'derived' },
      },
      null,
      { breakEvenRoas: null, targetRoas: null, targetCpa: null },
    ],
    [
      'COGS above the AOV: nothing breaks even',
      {
        breakEven: { from: 'cogsPerPurchase', amount: 80 },
        targetRoas: { source: 'fixed', roas: 3 },
        targetCpa: { source: 'derived' },
      },
      50,
      { breakEvenRoas: null, targetRoas: 3, targetCpa: 50 / 3 },
    ],
    [
      'break-even given directly',
      {
        breakEven: { from: 'roas', roas: 1.5 },
        targetRoas: { source: 'breakEven', multiple: 2 },
        targetCpa: { source: 'derived' },
      },
      0,
      { breakEvenRoas: 1.5, targetRoas: 3, targetCpa: null },
    ],
  ])('%s', (_name, targets, aov, expected) => {
    const resolved = resolveTargets(targets, { aov });
    for (const key of ['breakEvenRoas', 'targetRoas', 'targetCpa'] as const) {
      if (expected[key] === null) expect(resolved[key]).toBeNull();
      else expect(resolved[key]).toBeCloseTo(expected[key], 10);
    }
  });
});

describe('threshold units', () => {
  it('money: target-CPA multiples scale with the account, currency amounts do not', () => {
    expect(resolveMoneyThreshold({ unit: 'targetCpa', value: 3 }, 1800)).toBe(5400);
    expect(resolveMoneyThreshold({ unit: 'targetCpa', value: 3 }, 27.5)).toBe(82.5);
    expect(resolveMoneyThreshold({ unit: 'currency', value: 500 }, 1800)).toBe(500);
  });

  it('ROAS: absolute, or relative to break-even or target', () => {
    const basis = { breakEvenRoas: 1.6, targetRoas: 2 };
    expect(resolveRoasThreshold({ unit: 'roas', value: 1.2 }, basis)).toBe(1.2);
    expect(resolveRoasThreshold({ unit: 'breakEven', value: 0.75 }, basis)).toBeCloseTo(1.2, 12);
    expect(resolveRoasThreshold({ unit: 'targetRoas', value: 1.5 }, basis)).toBe(3);
  });

  it('CPM: currency, or a multiple of the account CPM when known', () => {
    expect(resolveCpmThreshold({ unit: 'currency', value: 40 }, null)).toBe(40);
    expect(resolveCpmThreshold({ unit: 'accountCpm', value: 3 }, 12)).toBe(36);
    expect(resolveCpmThreshold({ unit: 'accountCpm', value: 3 }, null)).toBeNull();
  });
});
