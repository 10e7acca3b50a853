import { describe, expect, it } from 'vitest';
import { addDays } from '../metrics/window.ts';
import {
  extractFeatures,
  FEATURE_INDEX,
  FEATURE_NAMES,
  type AccountSnapshot,
  type AdSetSnapshot,
  type FeatureName,
} from './features.ts';
import { dailyRow } from './test-accounts.ts';

const AS_OF = '2026-03-11'; // a Wednesday
const COMPLETE = [1]; // every day fully reported: exact arithmetic in the checks

/** `days` days before AS_OF with the same numbers each day. */
function steady(days: number, values: Parameters<typeof dailyRow>[1]) {
  return Array.from({ length: days }, (_, i) => dailyRow(addDays(AS_OF, i - days), values));
}

function adSet(overrides: Partial<AdSetSnapshot> = {}): AdSetSnapshot {
  return {
    rows: steady(20, {
      spend: 100,
      revenue: 300,
      purchases: 5,
      impressions: 10_000,
      clicks: 150,
      reach: 8_000,
    }),
    audienceType: 'broad',
    stage: null,
    status: 'active',
    dailyBudgetMinor: 10_000n,
    learningStage: 'ACTIVE',
    hoursSinceBudgetChange: null,
    ...overrides,
  };
}

function account(adSets: AdSetSnapshot[], overrides: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return { asOf: AS_OF, minorDigits: 2, curve: COMPLETE, adSets, ...overrides };
}

function feature(snapshot: AccountSnapshot, row: number, name: FeatureName): number {
  const { x, featureNames } = extractFeatures(snapshot);
  return x[row * featureNames.length + FEATURE_INDEX[name]] ?? Number.NaN;
}

describe('extractFeatures', () => {
  it('reads windows, shares and state into named columns', () => {
    const other = adSet({
      rows: steady(10, {
        spend: 300,
        revenue: 300,
        purchases: 3,
        impressions: 20_000,
        clicks: 200,
        reach: 10_000,
      }),
      dailyBudgetMinor: 30_000n,
      audienceType: 'retargeting',
      learningStage: 'LEARNING_LIMITED',
      stage: 'scaling',
      status: 'paused',
      hoursSinceBudgetChange: 36,
    });
    const snapshot = account([adSet(), other]);
    const matrix = extractFeatures(snapshot);
    expect(matrix.rows).toBe(2);
    expect(matrix.featureNames).toEqual(FEATURE_NAMES);
    expect(matrix.x).toHaveLength(2 * FEATURE_NAMES.length);
    expect(feature(snapshot, 0, 'roas7d')).toBeCloseTo(3, 12);
    expect(feature(snapshot, 0, 'roas7dReported')).toBeCloseTo(3, 12);
    expect(feature(snapshot, 1, 'roas7d')).toBeCloseTo(1, 12);
    // Account: 7 x 300 + 7 x 300 revenue over 7 x 100 + 7 x 300 spend.
    expect(feature(snapshot, 0, 'accountRoas7d')).toBeCloseTo(4200 / 2800, 12);
    expect(feature(snapshot, 0, 'roas7dToAccount')).toBeCloseTo(3 / 1.5, 12);
    expect(feature(snapshot, 0, 'spendShare7d')).toBeCloseTo(0.25, 12);
    // Only the active ad set's budget counts toward the account's.
    expect(feature(snapshot, 0, 'budgetShare')).toBeCloseTo(1, 12);
    // Account AOV over 30 days: (20 x 300 + 10 x 300) / (20 x 5 + 10 x 3).
    expect(feature(snapshot, 0, 'budgetInAov')).toBeCloseTo(100 / (9000 / 130), 12);
    expect(feature(snapshot, 0, 'budgetToSpend3d')).toBeCloseTo(1, 12);
    expect(feature(snapshot, 0, 'ageDays')).toBe(20);
    expect(feature(snapshot, 1, 'ageDays')).toBe(10);
    expect(feature(snapshot, 0, 'purchases7d')).toBe(35);
    expect(feature(snapshot, 0, 'ctr7d')).toBeCloseTo(0.015, 12);
    expect(feature(snapshot, 0, 'frequency7d')).toBeCloseTo(10_000 / 8_000, 12);
    expect(feature(snapshot, 0, 'cvr7d')).toBeCloseTo(5 / 150, 12);
    expect(feature(snapshot, 0, 'audienceType')).toBe(0);
    expect(feature(snapshot, 1, 'audienceType')).toBe(3);
    expect(feature(snapshot, 0, 'learningStage')).toBe(2);
    expect(feature(snapshot, 1, 'learningStage')).toBe(1);
    expect(feature(snapshot, 1, 'stage')).toBe(2);
    expect(feature(snapshot, 0, 'isActive')).toBe(1);
    expect(feature(snapshot, 1, 'isActive')).toBe(0);
    expect(feature(snapshot, 1, 'daysSinceBudgetChange')).toBe(1.5);
    expect(feature(snapshot, 0, 'daysSinceBudgetChange')).toBeNaN();
    expect(feature(snapshot, 0, 'weekday')).toBe(3);
    expect(feature(snapshot, 0, 'accountActiveAdSets')).toBe(1);
  });

  it('shrinks a small ad set toward the account and leaves a large one near its own ROAS', () => {
    const big = adSet({ rows: steady(30, { spend: 500, revenue: 1000, purchases: 10 }) });
    const tiny = adSet({ rows: steady(3, { spend: 10, revenue: 100, purchases: 1 }) });
    const snapshot = account([big, tiny, adSet()]);
    const shrunkTiny = feature(snapshot, 1, 'roas30dShrunk');
    expect(feature(snapshot, 1, 'roas30d')).toBeCloseTo(10, 12);
    expect(shrunkTiny).toBeLessThan(6);
    expect(shrunkTiny).toBeGreaterThan(feature(snapshot, 0, 'accountRoas30d'));
    expect(feature(snapshot, 0, 'roas30dShrunk')).toBeCloseTo(2, 0);
  });

  it('corrects the newest days for attribution lag (the lag-corrected ROAS reads above the reported)', () => {
    const snapshot = account([adSet()], { curve: undefined });
    expect(feature(snapshot, 0, 'roas7dReported')).toBeCloseTo(3, 12);
    expect(feature(snapshot, 0, 'roas7d')).toBeGreaterThan(3.3);
    expect(feature(snapshot, 0, 'completeness7d')).toBeLessThan(0.9);
  });

  it('reads a CTR drop from the best 3-day stretch', () => {
    const rows = [
      ...steady(10, { spend: 100, impressions: 10_000, clicks: 200 }).slice(0, 7),
      ...steady(3, { spend: 100, impressions: 10_000, clicks: 100 }),
    ];
    const snapshot = account([adSet({ rows })]);
    expect(feature(snapshot, 0, 'ctrDropFromPeak')).toBeCloseTo(0.5, 12);
    expect(feature(snapshot, 0, 'daysSinceCtrPeak')).toBe(3);
  });

  it('gives the same features in any currency scale: money enters only as ratios', () => {
    const scale = (snapshot: AccountSnapshot, k: number): AccountSnapshot => ({
      ...snapshot,
      adSets: snapshot.adSets.map((a) => ({
        ...a,
        dailyBudgetMinor: a.dailyBudgetMinor === null ? null : a.dailyBudgetMinor * BigInt(k),
        rows: a.rows.map((r) => ({
          ...r,
          totals: { ...r.totals, spend: r.totals.spend * BigInt(k), revenue: r.totals.revenue * BigInt(k) },
        })),
      })),
    });
    const base = account([adSet(), adSet({ rows: steady(12, { spend: 40, revenue: 90, purchases: 2 }) })], {
      curve: undefined,
    });
    const a = extractFeatures(base).x;
    const b = extractFeatures(scale(base, 1000)).x;
    a.forEach((value, i) => {
      if (Number.isNaN(value)) expect(b[i]).toBeNaN();
      else expect(b[i]).toBeCloseTo(value, 9);
    });
  });

  it('ignores rows on or after asOf (that day is still running)', () => {
    const base = adSet();
    const withToday = adSet({ rows: [...base.rows, dailyRow(AS_OF, { spend: 999, revenue: 0 })] });
    expect(extractFeatures(account([withToday])).x).toEqual(extractFeatures(account([base])).x);
  });

  it('writes NaN, never Infinity, where a ratio has nothing under it', () => {
    const silent = adSet({
      rows: [],
      dailyBudgetMinor: null,
      learningStage: null,
      status: null,
      audienceType: 'unknown',
    });
    const noSpend = adSet({ rows: steady(5, { spend: 0, impressions: 100, clicks: 0 }) });
    const snapshot = account([silent, noSpend]);
    const { x } = extractFeatures(snapshot);
    for (const value of x) expect(Number.isNaN(value) || Number.isFinite(value)).toBe(true);
    expect(feature(snapshot, 0, 'roas7d')).toBeNaN();
    expect(feature(snapshot, 0, 'audienceType')).toBeNaN();
    expect(feature(snapshot, 0, 'ageDays')).toBe(0);
    expect(feature(snapshot, 1, 'roas7dReported')).toBeNaN();
  });

  it('refuses an invalid date or currency digits', () => {
    expect(() => extractFeatures(account([adSet()], { asOf: '2026-02-30' }))).toThrow(/asOf "2026-02-30"/);
    expect(() => extractFeatures(account([adSet()], { minorDigits: 9 }))).toThrow(/minorDigits/);
  });
});
