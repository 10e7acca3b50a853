import { describe, expect, it } from 'vitest';
import { runPolicy } from '../runner/simulate.ts';
import { loadScenario } from '../scenarios/load.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/** Account figures under the equal split, read the way a buyer would: from the settled Graph API report. */
function headline(preset: string) {
  const scenario = loadScenario(preset);
  let impressions = 0;
  let clicks = 0;
  let spendCents = 0;
  let purchases = 0;
  let accountDays = 0;
  let zeroDays = 0;
  const accountRoas: number[] = [];
  const adSetLogRoas: number[] = [];
  for (const seed of SEEDS) {
    const { market } = runPolicy(scenario, 'equal', seed);
    const report = market.report(market.day + 8);
    const perDay = new Array<number>(market.day).fill(0);
    let seedSpend = 0;
    let seedValue = 0;
    for (const adSet of report.adSets) {
      let adSetSpend = 0;
      let adSetValue = 0;
      for (const row of adSet.rows) {
        impressions += row.impressions;
        clicks += row.linkClicks;
        spendCents += row.spendCents;
        purchases += row.purchases;
        perDay[row.day] = (perDay[row.day] ?? 0) + row.purchases;
        adSetSpend += row.spendCents;
        adSetValue += row.purchaseValueCents;
      }
      seedSpend += adSetSpend;
      seedValue += adSetValue;
      if (adSetValue > 0) adSetLogRoas.push(Math.log(adSetValue / adSetSpend));
    }
    accountRoas.push(seedValue / seedSpend);
    accountDays += perDay.length;
    zeroDays += perDay.filter((p) => p === 0).length;
  }
  const sorted = [...accountRoas].sort((a, b) => a - b);
  const mean = adSetLogRoas.reduce((s, v) => s + v, 0) / adSetLogRoas.length;
  const logSd = Math.sqrt(adSetLogRoas.reduce((s, v) => s + (v - mean) ** 2, 0) / (adSetLogRoas.length - 1));
  return {
    ctr: clicks / impressions,
    cpm: (spendCents / 100 / impressions) * 1000,
    cpc: spendCents / 100 / clicks,
    cvr: purchases / clicks,
    medianRoas: sorted[Math.floor(sorted.length / 2)] ?? 0,
    adSetRoasLogSd: logSd,
    zeroPurchaseDayShare: zeroDays / accountDays,
  };
}

describe('calibration against decision-quality.md 1.8', () => {
  it('default: CTR, CPM, CPC, CVR, account ROAS and ROAS spread in the documented ranges', () => {
    const figures = headline('default');
    expect(figures.ctr).toBeGreaterThanOrEqual(0.005);
    expect(figures.ctr).toBeLessThanOrEqual(0.025);
    expect(figures.cpm).toBeGreaterThanOrEqual(6);
    expect(figures.cpm).toBeLessThanOrEqual(20);
    expect(figures.cpc).toBeGreaterThanOrEqual(0.6);
    expect(figures.cpc).toBeLessThanOrEqual(1.7);
    expect(figures.cvr).toBeGreaterThanOrEqual(0.004);
    expect(figures.cvr).toBeLessThanOrEqual(0.05);
    expect(figures.medianRoas).toBeGreaterThanOrEqual(2);
    expect(figures.medianRoas).toBeLessThanOrEqual(4);
    // Between-ad-set spread of efficiency: lognormal sigma 0.6, range 0.3 (hard) to 0.8 (easy).
    expect(figures.adSetRoasLogSd).toBeGreaterThanOrEqual(0.3);
    expect(figures.adSetRoasLogSd).toBeLessThanOrEqual(0.8);
  });

  it('low-volume: most account-days have no purchase (about 0.65)', () => {
    const { zeroPurchaseDayShare } = headline('low-volume');
    expect(zeroPurchaseDayShare).toBeGreaterThanOrEqual(0.55);
    expect(zeroPurchaseDayShare).toBeLessThanOrEqual(0.75);
  });
});
