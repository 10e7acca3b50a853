import { dayNumber, extractFeatures, FEATURE_INDEX, FEATURE_NAMES, type AccountSnapshot } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { rowToMetricTotals } from '../market/report.ts';
import { runPolicy } from '../runner/simulate.ts';
import { loadScenario } from '../scenarios/load.ts';
import { simulateModelData } from './model-data.ts';
import { generateModelData } from './model-data-runner.ts';

const SMALL = '{"extends": "default", "adSets": 4, "horizonDays": 30}';
const small = loadScenario(SMALL);
const cols = FEATURE_NAMES.length;

describe('simulateModelData', () => {
  const task = { scenario: small, policy: 'engine' as const, seed: 7, accountIndex: 3, historyAt: 20 };
  const { dataset, history } = simulateModelData(task);

  it('records every ad set on every judged day, deterministically', () => {
    // Days 3 to 27 (the last with a 3-day purchase horizon), 4 ad sets each.
    expect(dataset.rows).toBe(25 * 4);
    expect([...new Set(dataset.account)]).toEqual([3]);
    expect(simulateModelData(task).dataset).toEqual(dataset);
  });

  it('computes features from the report the product would have read that day', () => {
    const { market } = runPolicy(small, 'engine', 7, 12);
    const observation = market.observe();
    const snapshot: AccountSnapshot = {
      asOf: observation.date,
      minorDigits: 2,
      adSets: observation.adSets.map((adSet) => ({
        rows: adSet.rows.map((row) => ({ date: row.date, totals: rowToMetricTotals(row) })),
        audienceType: adSet.audienceType,
        stage: null,
        status: adSet.status === 'ACTIVE' ? 'active' : 'paused',
        dailyBudgetMinor: BigInt(adSet.dailyBudgetCents),
        learningStage: adSet.learning.stage,
        hoursSinceBudgetChange: null,
      })),
    };
    const expected = extractFeatures(snapshot).x;
    const first = [...dataset.day].indexOf(dayNumber(observation.date));
    const budgetChange = FEATURE_INDEX.daysSinceBudgetChange;
    for (let i = 0; i < 4 * cols; i++) {
      // Budget-change timing comes from the policy's earlier decisions, which the bare snapshot lacks.
      if (i % cols === budgetChange) continue;
      const value = dataset.x[first * cols + i];
      if (Number.isNaN(expected[i])) expect(value).toBeNaN();
      else expect(value).toBe(expected[i]);
    }
  });

  it('labels the next 7 days from what Meta attributes in the end', () => {
    const { market } = runPolicy(small, 'engine', 7, 30);
    const day = 10;
    const row = [...dataset.day].indexOf(dayNumber(market.dateOf(day)));
    for (let i = 0; i < 4; i++) {
      const week = market.truth[i]?.slice(day, day + 7) ?? [];
      const spend = week.reduce((s, t) => s + t.spend, 0);
      const revenue = week.reduce((s, t) => s + t.attributedRevenue, 0);
      if (spend > 0) expect(dataset.labels.roas_forecast[row + i]).toBeCloseTo(revenue / spend, 9);
      else expect(dataset.labels.roas_forecast[row + i]).toBeNaN();
      const purchases =
        market.truth[i]?.slice(day, day + 3).reduce((s, t) => s + t.attributedPurchases, 0) ?? 0;
      if (dataset.futureSpend[row + i]! > 0 && purchases > 0)
        expect(dataset.labels.purchase_probability[row + i]).toBe(1);
    }
    // The last judged days have no full week after them.
    expect(dataset.labels.roas_forecast[dataset.rows - 1]).toBeNaN();
  });

  it('returns the history as stored at the cut, with the state of each earlier day', () => {
    const { market } = runPolicy(small, 'engine', 7, 20);
    const stored = market.report(20);
    expect(history?.asOf).toBe(market.dateOf(20));
    expect(history?.adSets).toHaveLength(4);
    expect(history?.adSets[0]?.rows).toEqual(
      stored.adSets[0]?.rows.map((r) => ({ date: r.date, totals: rowToMetricTotals(r) })),
    );
    expect(history?.adSets[0]?.states).toHaveLength(20);
    expect(history?.adSets[0]?.states?.at(-1)?.date).toBe(market.dateOf(19));
    expect(() => simulateModelData({ ...task, historyAt: 31 })).toThrow(
      /historyAt must be a day from 1 to 30/,
    );
  });
});

describe('generateModelData', () => {
  it('gives the same rows on worker threads as in this thread', async () => {
    const jobs = [
      { preset: SMALL, policy: 'equal', seed: 1, accountIndex: 0 },
      { preset: SMALL, policy: 'rules', seed: 2, accountIndex: 1, historyAt: 15 },
    ];
    const inThread = await generateModelData(jobs, { workers: 0 });
    const threaded = await generateModelData(jobs, { workers: 1 });
    expect(threaded.map((r) => r.dataset)).toEqual(inThread.map((r) => r.dataset));
    expect(threaded[1]?.history).toEqual(inThread[1]?.history);
    expect(inThread[0]?.history).toBeNull();
  });

  it('refuses an unknown policy or preset before simulating', async () => {
    await expect(
      generateModelData([{ preset: 'default', policy: 'magic', seed: 1, accountIndex: 0 }]),
    ).rejects.toThrow(/unknown policy "magic"/);
    await expect(
      generateModelData([{ preset: 'nowhere', policy: 'equal', seed: 1, accountIndex: 0 }]),
    ).rejects.toThrow(/nowhere/);
  });
});
