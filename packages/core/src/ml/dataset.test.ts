import { describe, expect, it } from 'vitest';
import { addDays, dayNumber } from '../metrics/window.ts';
import {
  concatDatasets,
  datasetFromHistory,
  selectRows,
  snapshotDataset,
  type AccountHistory,
} from './dataset.ts';
import { daySeries } from './day-series.ts';
import { extractFeatures, FEATURE_INDEX, FEATURE_NAMES } from './features.ts';
import { dailyRow, syntheticHistory } from './test-accounts.ts';

const AS_OF = '2026-05-01';
const cols = FEATURE_NAMES.length;
const at = (data: { x: Float64Array }, row: number, name: keyof typeof FEATURE_INDEX) =>
  data.x[row * cols + FEATURE_INDEX[name]];

describe('snapshotDataset', () => {
  it('one row per ad set: features of the snapshot, labels from the matured series', () => {
    const history = syntheticHistory(1, AS_OF, 40, 3);
    const judged = addDays(AS_OF, -20);
    const snapshot = {
      asOf: judged,
      minorDigits: 2,
      adSets: history.adSets.map((a) => ({
        rows: a.rows.filter((r) => r.date < judged),
        audienceType: a.audienceType,
        stage: null,
        status: 'active' as const,
        dailyBudgetMinor: 5000n,
        learningStage: null,
        hoursSinceBudgetChange: null,
      })),
    };
    const series = history.adSets.map((a) => daySeries(a.rows));
    const data = snapshotDataset(snapshot, series, dayNumber(AS_OF) - 1, 7);
    expect(data.rows).toBe(3);
    expect(data.x).toEqual(extractFeatures(snapshot).x);
    expect([...data.day]).toEqual(new Array(3).fill(dayNumber(judged)));
    expect([...data.account]).toEqual([7, 7, 7]);
    const rows = history.adSets[0]?.rows.filter((r) => r.date >= judged && r.date < addDays(judged, 7)) ?? [];
    const revenue = rows.reduce((s, r) => s + Number(r.totals.revenue), 0);
    const spend = rows.reduce((s, r) => s + Number(r.totals.spend), 0);
    expect(data.labels.roas_forecast[0]).toBeCloseTo(revenue / spend, 12);
    expect(data.futureSpend[0]).toBeCloseTo(spend / 1e6, 9);
    expect(() => snapshotDataset(snapshot, series.slice(1), 0)).toThrow(/2 matured series for 3 ad sets/);
  });
});

describe('concatDatasets and selectRows', () => {
  it('join and filter rows with every column kept together', () => {
    const a = datasetFromHistory(syntheticHistory(2, AS_OF, 30, 2), { accountIndex: 0 });
    const b = datasetFromHistory(syntheticHistory(3, AS_OF, 30, 3), { accountIndex: 1 });
    const both = concatDatasets([a, b]);
    expect(both.rows).toBe(a.rows + b.rows);
    expect(both.x.subarray(a.rows * cols)).toEqual(b.x);
    const second = selectRows(both, (i) => both.account[i] === 1);
    expect(second.x).toEqual(b.x);
    expect(second.labels.fatigue_onset).toEqual(b.labels.fatigue_onset);
    expect(second.day).toEqual(b.day);
    expect(concatDatasets([]).rows).toBe(0);
    expect(() => concatDatasets([a, { ...b, featureNames: ['x'] }])).toThrow(/different feature sets/);
  });
});

describe('datasetFromHistory', () => {
  const history = syntheticHistory(4, AS_OF, 60, 4);

  it('judges every day whose 7-day outcome had matured, and no later one', () => {
    const data = datasetFromHistory(history);
    const days = [...new Set(data.day)].sort((x, y) => x - y);
    // Final through 8 days before asOf (7 days of lag); the last judged day needs 6 more after it.
    expect(days.at(-1)).toBe(dayNumber(AS_OF) - 8 - 6);
    expect(days[0]).toBe(dayNumber(addDays(AS_OF, -60)) + 2);
    expect(data.rows).toBe(days.length * 4);
    for (const value of data.labels.roas_forecast) expect(Number.isNaN(value)).toBe(false);
  });

  it('reads recent days as they were reported then: purchases thinned by the lag curve, older days untouched', () => {
    const data = datasetFromHistory(history, { seed: 3 });
    const stored = extractFeatures({
      asOf: addDays(AS_OF, -20),
      minorDigits: 2,
      curve: [1],
      adSets: history.adSets.map((a) => ({
        rows: a.rows,
        audienceType: a.audienceType,
        stage: null,
        status: 'active',
        dailyBudgetMinor: a.states?.[0]?.dailyBudgetMinor ?? null,
        learningStage: 'ACTIVE',
        hoursSinceBudgetChange: null,
      })),
    });
    const row = [...data.day].findIndex((d) => d === dayNumber(addDays(AS_OF, -20)));
    let thinned = 0;
    let full = 0;
    for (let i = 0; i < 4; i++) {
      thinned += at(data, row + i, 'purchases3d') ?? 0;
      full += at(stored, i, 'purchases3d') ?? 0;
      // Days 7 or more days old had matured: read exactly as stored.
      expect(at(data, row + i, 'purchases30d')! - at(data, row + i, 'purchases7d')!).toBe(
        at(stored, i, 'purchases30d')! - at(stored, i, 'purchases7d')!,
      );
    }
    expect(thinned).toBeLessThan(full);
    expect(thinned).toBeGreaterThan(0.5 * full);
  });

  it('is deterministic for a seed', () => {
    expect(datasetFromHistory(history, { seed: 9 }).x).toEqual(datasetFromHistory(history, { seed: 9 }).x);
    expect(datasetFromHistory(history, { seed: 9 }).x).not.toEqual(
      datasetFromHistory(history, { seed: 10 }).x,
    );
  });

  it('reads the state in force the day before, and budget changes from it', () => {
    const rows = Array.from({ length: 40 }, (_, i) =>
      dailyRow(addDays(AS_OF, i - 40), { spend: 50, revenue: 100, purchases: 1 }),
    );
    const states = rows.map((r, i) => ({
      date: r.date,
      status: 'active' as const,
      dailyBudgetMinor: i < 20 ? 5000n : 7000n,
      learningStage: i < 21 ? 'ACTIVE' : 'LEARNING',
    }));
    const single: AccountHistory = {
      asOf: AS_OF,
      minorDigits: 2,
      adSets: [{ audienceType: 'broad', stage: 'testing', rows, states }],
    };
    const data = datasetFromHistory(single);
    const rowOn = (i: number) => [...data.day].indexOf(dayNumber(addDays(AS_OF, i - 40)));
    // The run on day 22 saw day 21's state: budget 70 since day 20 (48 hours), learning again.
    expect(at(data, rowOn(22), 'daysSinceBudgetChange')).toBe(2);
    expect(at(data, rowOn(22), 'learningStage')).toBe(0);
    expect(at(data, rowOn(21), 'learningStage')).toBe(2);
    expect(at(data, rowOn(10), 'daysSinceBudgetChange')).toBeNaN();
    expect(at(data, rowOn(22), 'budgetToSpend3d')).toBeCloseTo(70 / 50, 12);
    expect(at(data, rowOn(22), 'stage')).toBe(0);
  });

  it('refuses an invalid date', () => {
    expect(() => datasetFromHistory({ ...history, asOf: 'soon' })).toThrow(/history asOf "soon"/);
    expect(() => datasetFromHistory(history, { from: '2026-13-01' })).toThrow(/from "2026-13-01"/);
  });
});
