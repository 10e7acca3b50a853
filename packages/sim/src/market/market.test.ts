import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.ts';
import { runPolicy } from '../runner/simulate.ts';
import { Market, splitCents } from './market.ts';
import type { AdSetDecision, Observation, ReportedRow } from './types.ts';

const scenario = loadScenario({ extends: 'default', horizonDays: 30 });

function equalSplit(
  market: Market,
  override?: (decision: AdSetDecision, index: number) => AdSetDecision,
): AdSetDecision[] {
  const share = Math.floor((scenario.dailyBudget * 100) / scenario.adSets);
  return market.latent.map((adSet, i) => {
    const decision: AdSetDecision = { adSetId: adSet.id, status: 'ACTIVE', dailyBudgetCents: share };
    return override ? override(decision, i) : decision;
  });
}

function run(
  seed: number,
  days: number,
  override?: (decision: AdSetDecision, index: number, day: number) => AdSetDecision,
) {
  const market = new Market(scenario, seed);
  for (let day = 0; day < days; day++)
    market.step(equalSplit(market, override && ((d, i) => override(d, i, day))));
  return market;
}

function rowKey(rows: readonly ReportedRow[]): string {
  return JSON.stringify(rows);
}

describe('Market determinism', () => {
  it('is a pure function of (scenario, seed, decisions)', () => {
    const a = run(11, 20);
    const b = run(11, 20);
    expect(a.truth).toEqual(b.truth);
    expect(a.latent).toEqual(b.latent);
    expect(JSON.stringify(a.observe())).toEqual(JSON.stringify(b.observe()));
  });

  it('gives another market for another seed', () => {
    expect(run(11, 5).truth).not.toEqual(run(12, 5).truth);
    expect(new Market(scenario, 11).latent).not.toEqual(new Market(scenario, 12).latent);
  });

  it('is deterministic through a whole policy run', () => {
    const first = runPolicy(scenario, 'greedy', 5).market;
    const second = runPolicy(scenario, 'greedy', 5).market;
    expect(first.truth).toEqual(second.truth);
  });
});

describe('common random numbers', () => {
  it('leaves every other ad set untouched when one ad set gets a different action', () => {
    const base = run(3, 25);
    const changed = run(3, 25, (decision, i, day) =>
      // Stays under the equal share, so the account total never forces the others down.
      i === 0
        ? {
            ...decision,
            status: day % 4 === 0 ? 'PAUSED' : 'ACTIVE',
            dailyBudgetCents: 2_000 + 300 * (day % 20),
          }
        : decision,
    );
    expect(changed.truth[0]).not.toEqual(base.truth[0]);
    for (let i = 1; i < scenario.adSets; i++) {
      expect(changed.truth[i]).toEqual(base.truth[i]);
      expect(rowKey(changed.observe().adSets[i]?.rows ?? [])).toBe(
        rowKey(base.observe().adSets[i]?.rows ?? []),
      );
    }
  });

  it('gives an ad set the same market noise when only its own budget changes', () => {
    const base = run(4, 10);
    const doubled = run(4, 10, (decision, i) =>
      i === 2 ? { ...decision, dailyBudgetCents: decision.dailyBudgetCents + 1 } : decision,
    );
    // A one-cent change moves spend by at most a cent or two; the draws behind it are the same.
    const spendA = base.truth[2]?.map((t) => t.spend) ?? [];
    const spendB = doubled.truth[2]?.map((t) => t.spend) ?? [];
    spendA.forEach((spend, d) => expect(Math.abs(spend - (spendB[d] ?? 0))).toBeLessThanOrEqual(0.02));
  });
});

describe('reports', () => {
  const market = run(21, 30);
  const observation: Observation = market.observe();

  it('reports integer cents and consistent funnels', () => {
    for (const adSet of observation.adSets) {
      for (const row of adSet.rows) {
        for (const value of [
          row.spendCents,
          row.purchaseValueCents,
          row.impressions,
          row.linkClicks,
          row.purchases,
        ]) {
          expect(Number.isInteger(value)).toBe(true);
        }
        expect(row.spendCents).toBeGreaterThan(0);
        expect(row.reach).toBeLessThanOrEqual(row.impressions);
        expect(row.linkClicks).toBeLessThanOrEqual(row.impressions);
        expect(row.purchases).toBeLessThanOrEqual(row.checkoutsInitiated);
        expect(row.checkoutsInitiated).toBeLessThanOrEqual(row.addsToCart);
      }
    }
  });

  it('adds ad rows up to their ad set row (reach is deduplicated, so only bounded)', () => {
    for (const adSet of observation.adSets) {
      for (const row of adSet.rows) {
        const adRows = adSet.ads
          .map((ad) => ad.rows.find((r) => r.day === row.day))
          .filter((r) => r !== undefined);
        const sum = (key: keyof ReportedRow) => adRows.reduce((total, r) => total + (r[key] as number), 0);
        expect(sum('spendCents')).toBe(row.spendCents);
        expect(sum('impressions')).toBe(row.impressions);
        expect(sum('linkClicks')).toBe(row.linkClicks);
        expect(sum('purchases')).toBe(row.purchases);
        expect(sum('purchaseValueCents')).toBe(row.purchaseValueCents);
        expect(row.reach).toBeLessThanOrEqual(sum('reach'));
      }
    }
  });

  it('ties reported revenue to the ground truth once the lag has resolved', () => {
    const final = market.report(market.day + 8);
    market.latent.forEach((_, i) => {
      const rows = final.adSets[i]?.rows ?? [];
      const truth = market.truth[i] ?? [];
      for (const row of rows) {
        expect(row.purchaseValueCents / 100).toBeCloseTo(truth[row.day]?.attributedRevenue ?? -1, 6);
        expect(row.purchases).toBe(truth[row.day]?.attributedPurchases);
        expect(row.spendCents / 100).toBeCloseTo(truth[row.day]?.spend ?? -1, 6);
      }
    });
  });

  it('exposes no latent parameter to policies', () => {
    const text = JSON.stringify(observation);
    for (const secret of [
      'r0',
      'incrementality',
      'alpha',
      'fatigueBeta',
      'quality',
      'audienceSize',
      'trueRevenue',
      'cvr',
    ]) {
      expect(text).not.toContain(`"${secret}"`);
    }
  });

  it('keeps budgets within the account: raises to the minimum, scales down an overspend', () => {
    const m = new Market(scenario, 1);
    m.step(m.latent.map((adSet) => ({ adSetId: adSet.id, status: 'ACTIVE', dailyBudgetCents: 50_000 })));
    const budgets = m.observe().adSets.map((a) => a.dailyBudgetCents);
    expect(budgets.reduce((s, b) => s + b, 0)).toBeLessThanOrEqual(scenario.dailyBudget * 100);
    m.step([{ adSetId: m.latent[0]?.id ?? '', status: 'ACTIVE', dailyBudgetCents: 1 }]);
    expect(m.observe().adSets[0]?.dailyBudgetCents).toBe(scenario.minDailyBudget * 100);
    expect(m.correctedDecisions).toBe(2);
    expect(() => m.step([{ adSetId: 'nope', status: 'ACTIVE', dailyBudgetCents: 100 }])).toThrow(
      /unknown ad set/,
    );
    expect(() =>
      m.step([{ adSetId: m.latent[0]?.id ?? '', status: 'ACTIVE', dailyBudgetCents: Number.NaN }]),
    ).toThrow(/budget/);
  });

  it('splits cents exactly', () => {
    expect(splitCents(1001, [1 / 3, 1 / 3, 1 / 3])).toEqual([334, 334, 333]);
    expect(splitCents(7, [1])).toEqual([7]);
  });
});

describe('attribution lag', () => {
  it('revises past days upward only, and completes by 7 days', () => {
    const market = run(8, 30);
    const horizon = market.day;
    const byAsOf = Array.from({ length: horizon + 10 }, (_, asOf) => market.report(asOf));
    let revisedSomething = false;
    for (let asOf = 1; asOf < byAsOf.length; asOf++) {
      const now = byAsOf[asOf] as Observation;
      const before = byAsOf[asOf - 1] as Observation;
      now.adSets.forEach((adSet, i) => {
        for (const row of adSet.rows) {
          const previous = before.adSets[i]?.rows.find((r) => r.day === row.day);
          if (!previous) continue;
          for (const key of [
            'purchases',
            'purchaseValueCents',
            'addsToCart',
            'checkoutsInitiated',
          ] as const) {
            expect(row[key]).toBeGreaterThanOrEqual(previous[key]);
            if (row[key] > previous[key]) {
              revisedSomething = true;
              // Data for day d keeps arriving until the report of day d + 8 (7 days after it).
              expect(asOf - row.day).toBeLessThanOrEqual(8);
            }
          }
          expect(row.spendCents).toBe(previous.spendCents);
        }
      });
    }
    expect(revisedSomething).toBe(true);
  });

  it('shows the default profile: about 55% of a day on its own day, everything after 7 days', () => {
    let sameDay = 0;
    let final = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const market = run(seed, 20);
      const next = market.report(11);
      const done = market.report(20);
      for (const [i, adSet] of next.adSets.entries()) {
        if (market.latent[i]?.lagProfile !== 'default') continue;
        sameDay += adSet.rows.find((r) => r.day === 10)?.purchases ?? 0;
        final += done.adSets[i]?.rows.find((r) => r.day === 10)?.purchases ?? 0;
      }
    }
    expect(sameDay / final).toBeGreaterThan(0.45);
    expect(sameDay / final).toBeLessThan(0.65);
  });
});
