import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../metrics/totals.ts';
import { addDays } from '../metrics/window.ts';
import { parseMicros } from '../money/money.ts';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import { BUCKETS, TRENDS } from '../rules/primitives.ts';
import { priorFromMean } from '../stats/gamma-poisson.ts';
import { DEFAULT_COMPLETENESS } from '../stats/lag.ts';
import { orderValuePriorFromAccount, roasPosterior } from '../stats/roas-posterior.ts';
import { classifyBucket, classifyTrend, confidenceOf, matrixCell } from './classify.ts';
import { computeFeatures, type DailyRow } from './features.ts';

// An account at ROAS 2.4 (CPA 25, AOV 60), break-even 1.67.
const account = { accountRoas: 2.4, breakEvenRoas: 1 / 0.6 };
const rate = priorFromMean(1 / 25, 0.65);
const aov = orderValuePriorFromAccount(60);
const posterior = (purchases: number, spend: number, revenue: number) =>
  roasPosterior({ purchases, exposure: spend, revenue }, rate, aov);
const rules = DEFAULT_RULES;

describe('classifyBucket', () => {
  it.each([
    ['a clear winner', posterior(120, 1500, 6300), 'winner'],
    ['an average ad set', posterior(60, 1500, 3600), 'average'],
    ['a clear loser', posterior(30, 1500, 1500), 'loser'],
    ['one lucky sale is not a winner', posterior(1, 20, 120), 'average'],
  ] as const)('%s', (_label, p, expected) => {
    expect(classifyBucket(p, account, rules.buckets).bucket).toBe(expected);
  });

  it('does not call the best of a losing account a Winner', () => {
    // Account ROAS 1.2 with break-even 1.67: an ad set at 1.6 beats the account but still loses money.
    const result = classifyBucket(
      posterior(100, 2000, 3200),
      { accountRoas: 1.2, breakEvenRoas: 1 / 0.6 },
      rules.buckets,
    );
    expect(result.probabilities.winner).toBeGreaterThan(0.5);
    expect(result.bucket).not.toBe('winner');
    expect(result.reasons.find((r) => r.ruleId === 'bucket.breakEven')?.passed).toBe(false);
  });

  it('lowers the line for broad audiences (modifier 0.9)', () => {
    const borderline = posterior(95, 1500, 4050);
    expect(classifyBucket(borderline, account, rules.buckets).bucket).toBe('average');
    expect(classifyBucket(borderline, { ...account, thresholdMultiplier: 0.9 }, rules.buckets).bucket).toBe(
      'winner',
    );
  });

  it('keeps every check as a reason, passed or not', () => {
    const { reasons } = classifyBucket(posterior(60, 1500, 3600), account, rules.buckets);
    expect(reasons.map((r) => [r.ruleId, r.passed])).toEqual([
      ['bucket.winner', false],
      ['bucket.average', true],
      ['bucket.breakEven', true],
    ]);
  });
});

describe('confidenceOf', () => {
  it.each([
    [0.95, 'HIGH'],
    [0.9, 'HIGH'],
    [0.8, 'MEDIUM'],
    [0.6, 'LOW'],
  ] as const)('%f is %s', (p, expected) => expect(confidenceOf(p, rules.buckets.confidence)).toBe(expected));
});

const ASOF = '2026-06-15';
function days(
  values: readonly [spend: number, revenue: number, purchases: number][],
  lagged = false,
): DailyRow[] {
  return values.map(([spend, revenue, purchases], i) => {
    const age = values.length - 1 - i;
    const share = lagged ? (DEFAULT_COMPLETENESS[age] ?? 1) : 1;
    return {
      date: addDays(ASOF, -(values.length - i)),
      totals: {
        ...emptyTotals(),
        spend: parseMicros(String(spend)),
        revenue: parseMicros((revenue * share).toFixed(2)),
        purchases: Math.round(purchases * share),
      },
    };
  });
}
const flat = [1, 1, 1, 1, 1, 1, 1, 1];
const trendOf = (rows: DailyRow[], curve: readonly number[] = DEFAULT_COMPLETENESS) =>
  classifyTrend(computeFeatures(rows, ASOF, curve, rules.trend.windowDays), rules.trend).trend;

describe('classifyTrend', () => {
  it.each([
    [
      'steady',
      days(Array.from({ length: 7 }, () => [100, 300, 5] as [number, number, number])),
      flat,
      'stable',
    ],
    [
      'rising',
      days(Array.from({ length: 7 }, (_, i) => [100, 200 + 30 * i, 5] as [number, number, number])),
      flat,
      'improving',
    ],
    [
      'falling',
      days(Array.from({ length: 7 }, (_, i) => [100, 400 - 30 * i, 5] as [number, number, number])),
      flat,
      'declining',
    ],
    [
      'erratic CPA',
      days([
        [100, 300, 1],
        [100, 300, 8],
        [100, 300, 2],
        [100, 300, 9],
        [100, 300, 1],
        [100, 300, 7],
        [100, 300, 2],
      ]),
      flat,
      'volatile',
    ],
    [
      'spend surge',
      days([
        [50, 150, 3],
        [50, 150, 3],
        [50, 150, 3],
        [50, 150, 3],
        [120, 360, 6],
        [120, 360, 6],
        [120, 360, 6],
      ]),
      flat,
      'volatile',
    ],
    [
      'too young to say',
      days([
        [100, 300, 5],
        [100, 300, 5],
      ]),
      flat,
      'stable',
    ],
  ] as const)('%s', (_label, rows, curve, expected) => {
    expect(trendOf(rows, curve)).toBe(expected);
  });

  it('reads a winner whose last days are only immature as stable, not declining', () => {
    const rows = days(
      Array.from({ length: 7 }, () => [100, 300, 5] as [number, number, number]),
      true,
    );
    expect(trendOf(rows, flat)).toBe('declining');
    expect(trendOf(rows)).toBe('stable');
  });
});

describe('matrixCell', () => {
  it('covers every bucket and trend, and routes low-spend losers to their own row', () => {
    for (const bucket of BUCKETS)
      for (const trend of TRENDS)
        expect(matrixCell(rules.matrix, bucket, trend, true).rationale).not.toBe('');
    expect(matrixCell(rules.matrix, 'winner', 'stable', true)).toMatchObject({
      action: 'SCALE',
      scalePercent: 20,
    });
    expect(matrixCell(rules.matrix, 'winner', 'volatile', true).action).toBe('HOLD');
    expect(matrixCell(rules.matrix, 'loser', 'stable', true).action).toBe('PAUSE');
    expect(matrixCell(rules.matrix, 'loser', 'stable', false).action).toBe('HOLD');
  });
});
