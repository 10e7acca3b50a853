// Seeded synthetic account histories for the model tests only (the simulator lives in @roas/sim,
// which depends on core, so core's tests build their own small accounts).
import type { DailyRow } from '../decide/features.ts';
import { addDays, type IsoDate } from '../metrics/window.ts';
import type { AccountHistory, AdSetHistory } from './dataset.ts';
import { seededRandom } from './random.ts';

const MICROS = 1_000_000;

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function poisson(random: () => number, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

/** One day's totals from major-unit money and counts. */
export function dailyRow(
  date: IsoDate,
  values: {
    spend: number;
    revenue?: number;
    purchases?: number;
    impressions?: number;
    clicks?: number;
    reach?: number;
    addsToCart?: number;
  },
): DailyRow {
  const impressions = values.impressions ?? Math.round(values.spend * 100);
  return {
    date,
    totals: {
      spend: BigInt(Math.round(values.spend * MICROS)),
      revenue: BigInt(Math.round((values.revenue ?? 0) * MICROS)),
      purchases: values.purchases ?? 0,
      impressions,
      reach: values.reach ?? Math.round(impressions / 1.3),
      linkClicks: values.clicks ?? Math.round(impressions * 0.01),
      addsToCart: values.addsToCart ?? 3 * (values.purchases ?? 0),
      checkoutsInitiated: 2 * (values.purchases ?? 0),
    },
  };
}

/**
 * An account whose ad sets each have a steady ROAS (lognormal across ad sets), Poisson purchases and
 * lognormal order values, with final numbers for `days` days before `asOf`.
 */
export function syntheticHistory(seed: number, asOf: IsoDate, days = 70, adSetCount = 8): AccountHistory {
  const random = seededRandom(seed);
  const adSets: AdSetHistory[] = Array.from({ length: adSetCount }, () => {
    const roas = 2.5 * Math.exp(0.5 * normal(random));
    const budget = 15 + Math.floor(random() * 45);
    const aov = 60 * Math.exp(0.3 * normal(random));
    const rows: DailyRow[] = [];
    const states = [];
    for (let d = days; d >= 1; d--) {
      const date = addDays(asOf, -d);
      const spend = Math.round(budget * (0.85 + 0.3 * random()) * 100) / 100;
      const purchases = poisson(random, (spend * roas) / aov);
      let revenue = 0;
      for (let p = 0; p < purchases; p++) revenue += aov * Math.exp(0.5 * normal(random) - 0.125);
      const impressions = Math.round(spend * 100);
      rows.push(
        dailyRow(date, {
          spend,
          revenue: Math.round(revenue * 100) / 100,
          purchases,
          impressions,
          clicks: poisson(random, impressions * 0.012),
        }),
      );
      states.push({
        date,
        status: 'active' as const,
        dailyBudgetMinor: BigInt(budget * 100),
        learningStage: 'ACTIVE',
      });
    }
    return { audienceType: random() < 0.5 ? 'broad' : 'interest', stage: null, rows, states };
  });
  return { asOf, minorDigits: 2, adSets };
}
