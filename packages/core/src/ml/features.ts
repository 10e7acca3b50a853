import { computeFeatures, type DailyRow, type EntityFeatures } from '../decide/features.ts';
import { addDays, dayNumber, isIsoDate, type IsoDate } from '../metrics/window.ts';
import type { AudienceType } from '../rules/primitives.ts';
import { MICROS_PER_UNIT } from '../money/money.ts';
import { fitPurchaseRatePrior } from '../stats/gamma-poisson.ts';
import { DEFAULT_COMPLETENESS, type CompletenessCurve } from '../stats/lag.ts';
import { ctrOver, daySeries, peakCtr, sumDays, type DaySeries } from './day-series.ts';

/**
 * The models' inputs, version 1. Money enters only as ratios (ROAS, shares, multiples of the account's
 * order value), so a model trained on simulated accounts in one currency transfers to another. ROAS
 * windows are lag-corrected (core's windows) unless named "Reported". Missing is NaN, never Infinity.
 */
export const FEATURE_SET_VERSION = 1;

export const FEATURE_NAMES = [
  'ageDays',
  'audienceType',
  'stage',
  'isActive',
  'learningStage',
  'daysSinceBudgetChange',
  'budgetToSpend3d',
  'budgetShare',
  'budgetInAov',
  'spendShare7d',
  'spend7dInAov',
  'spend1dToSpend7d',
  'spendAcceleration',
  'activeDays7d',
  'daysSinceDelivery',
  'roas1d',
  'roas3d',
  'roas7d',
  'roas14d',
  'roas30d',
  'roasLifetime',
  'roas7dReported',
  'roas7dShrunk',
  'roas14dShrunk',
  'roas30dShrunk',
  'roas7dToAccount',
  'roas30dToAccount',
  'accountRoas7d',
  'accountRoas30d',
  'purchases3d',
  'purchases7d',
  'purchases14d',
  'purchases30d',
  'completeness7d',
  'roasSlope',
  'trendRoasToAccount',
  'trendDays',
  'cpaVolatility',
  'dayOverDayRoasChange',
  'ctr3d',
  'ctr7d',
  'ctr14d',
  'ctr3dToCtr14d',
  'ctrDropFromPeak',
  'daysSinceCtrPeak',
  'cpm3dToCpm14d',
  'cpm7dToAccount',
  'frequency3d',
  'frequency7d',
  'cvr7d',
  'cvr30d',
  'addToCartRate7d',
  'purchasesPerAddToCart30d',
  'aovToAccount',
  'weekday',
  'accountActiveAdSets',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Column of each feature in a row. */
export const FEATURE_INDEX = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, i])) as Record<
  FeatureName,
  number
>;

/** What the product knows about one ad set when it runs on `asOf`. */
export type AdSetSnapshot = {
  /** Daily rows as reported on `asOf` (the newest days still filling in); rows on or after `asOf` are ignored. */
  rows: readonly DailyRow[];
  audienceType: AudienceType;
  stage: 'testing' | 'validation' | 'scaling' | null;
  /** Whether it delivers now; null when unknown. */
  status: 'active' | 'paused' | null;
  /** Daily budget in minor units; null when unknown or owned by the campaign. */
  dailyBudgetMinor: bigint | null;
  /** Meta's learning stage (LEARNING, LEARNING_LIMITED / FAIL, ACTIVE / SUCCESS); null when unknown. */
  learningStage: string | null;
  /** Hours since the last applied budget change; null when there was none or it is unknown. */
  hoursSinceBudgetChange: number | null;
};

/** One account on one day: its ad sets and the lag curve its numbers are read with. */
export type AccountSnapshot = {
  asOf: IsoDate;
  /** Minor-unit digits of the account's currency (2 for USD). */
  minorDigits: number;
  curve?: CompletenessCurve;
  adSets: readonly AdSetSnapshot[];
};

/** A row-major matrix of feature rows, tagged with the feature set it was built with. */
export type FeatureMatrix = {
  featureSetVersion: number;
  featureNames: readonly string[];
  rows: number;
  x: Float64Array;
};

const AUDIENCE_CODES: Record<AudienceType, number> = {
  broad: 0,
  interest: 1,
  lookalike: 2,
  retargeting: 3,
  unknown: Number.NaN,
};
const STAGE_CODES = { testing: 0, validation: 1, scaling: 2 } as const;

/** Learning stages as Meta's two spellings give them: 0 learning, 1 limited, 2 out of learning. */
function learningCode(stage: string | null): number {
  switch (stage?.toUpperCase()) {
    case 'LEARNING':
      return 0;
    case 'LEARNING_LIMITED':
    case 'FAIL':
      return 1;
    case 'ACTIVE':
    case 'SUCCESS':
      return 2;
    default:
      return Number.NaN;
  }
}

/** a / b when both are finite and b is not 0, else NaN: features are never infinite. */
function ratio(a: number | null, b: number | null): number {
  if (a === null || b === null || b === 0) return Number.NaN;
  const value = a / b;
  return Number.isFinite(value) ? value : Number.NaN;
}

const orNaN = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? Number.NaN : value;

/** One ad set's numbers read on `asOf`: core's windows plus the columns the extra features read. */
type Reading = { snapshot: AdSetSnapshot; core: EntityFeatures; days: DaySeries; last: number };

/** Account-wide figures each ad set is compared with. */
type AccountFigures = {
  roas7d: number;
  roas30d: number;
  spend7d: number;
  aov30d: number;
  cpm7d: number;
  budgets: number;
  activeAdSets: number;
  prior: { alpha: number; beta: number } | null;
};

const MICROS = Number(MICROS_PER_UNIT);
const MINOR_TO_MAJOR = (minor: bigint, digits: number) => Number(minor) / 10 ** digits;

function accountFigures(readings: readonly Reading[], snapshot: AccountSnapshot): AccountFigures {
  let revenue7 = 0;
  let exposure7 = 0;
  let spend7 = 0;
  let revenue30 = 0;
  let exposure30 = 0;
  let purchases30 = 0;
  let impressions7 = 0;
  let budgets = 0;
  let active = 0;
  for (const { core, snapshot: adSet } of readings) {
    const w7 = core.windows['7d'];
    const w30 = core.windows['30d'];
    revenue7 += Number(w7.totals.revenue) / MICROS;
    exposure7 += w7.exposure;
    spend7 += Number(w7.totals.spend) / MICROS;
    impressions7 += w7.totals.impressions;
    revenue30 += Number(w30.totals.revenue) / MICROS;
    exposure30 += w30.exposure;
    purchases30 += w30.totals.purchases;
    if (adSet.status !== 'paused' && adSet.dailyBudgetMinor !== null)
      budgets += MINOR_TO_MAJOR(adSet.dailyBudgetMinor, snapshot.minorDigits);
    if (adSet.status === 'active' || (adSet.status === null && w7.activeDays > 0)) active++;
  }
  const entities = readings.map(({ core }) => ({
    spend: core.windows['30d'].exposure,
    purchases: core.windows['30d'].totals.purchases,
  }));
  // Without a purchase in 30 days there is no rate to shrink toward: the shrunk features go missing.
  const prior =
    purchases30 > 0 && exposure30 > 0 ? fitPurchaseRatePrior(entities, purchases30 / exposure30) : null;
  return {
    roas7d: ratio(revenue7, exposure7),
    roas30d: ratio(revenue30, exposure30),
    spend7d: spend7,
    aov30d: ratio(revenue30, purchases30),
    cpm7d: ratio(spend7 * 1000, impressions7),
    budgets,
    activeAdSets: active,
    prior,
  };
}

/** Posterior-mean ROAS: the purchase rate shrunk toward the account's, times the order value shrunk too. */
function shrunkRoas(
  purchases: number,
  exposure: number,
  revenue30: number,
  purchases30: number,
  account: AccountFigures,
): number {
  if (!account.prior || !Number.isFinite(account.aov30d)) return Number.NaN;
  const rate = (purchases + account.prior.alpha) / (exposure + account.prior.beta);
  // Two orders' worth of the account's order value: a single whale order does not set the ad set's.
  const aov = (revenue30 + 2 * account.aov30d) / (purchases30 + 2);
  return orNaN(rate * aov);
}

function featureRow(
  reading: Reading,
  account: AccountFigures,
  snapshot: AccountSnapshot,
  out: Float64Array,
  at: number,
): void {
  const { core, days, last, snapshot: adSet } = reading;
  const w = core.windows;
  const set = (name: FeatureName, value: number) => {
    out[at + FEATURE_INDEX[name]] = Number.isFinite(value) ? value : Number.NaN;
  };
  const spendOver = (n: number) => sumDays(days, days.spend, last - n + 1, last);
  const budget =
    adSet.dailyBudgetMinor === null
      ? Number.NaN
      : MINOR_TO_MAJOR(adSet.dailyBudgetMinor, snapshot.minorDigits);
  const money = (window: '7d' | '30d') => ({
    spend: Number(w[window].totals.spend) / MICROS,
    revenue: Number(w[window].totals.revenue) / MICROS,
  });
  const m7 = money('7d');
  const m30 = money('30d');
  let lastDelivery = -1;
  for (let d = Math.min(days.length - 1, last - days.first); d >= 0; d--) {
    if ((days.spend[d] ?? 0) > 0 || (days.impressions[d] ?? 0) > 0) {
      lastDelivery = d + days.first;
      break;
    }
  }
  const ctr3 = ctrOver(days, last);
  const peak = peakCtr(days, last);
  const impressions = (n: number) => sumDays(days, days.impressions, last - n + 1, last);
  const reach = (n: number) => sumDays(days, days.reach, last - n + 1, last);
  const cpm = (n: number) => ratio(spendOver(n) * 1000, impressions(n));

  set('ageDays', core.ageDays);
  set('audienceType', AUDIENCE_CODES[adSet.audienceType]);
  set('stage', adSet.stage === null ? Number.NaN : STAGE_CODES[adSet.stage]);
  set('isActive', adSet.status === null ? Number.NaN : adSet.status === 'active' ? 1 : 0);
  set('learningStage', learningCode(adSet.learningStage));
  set(
    'daysSinceBudgetChange',
    adSet.hoursSinceBudgetChange === null ? Number.NaN : adSet.hoursSinceBudgetChange / 24,
  );
  set('budgetToSpend3d', ratio(budget, spendOver(3) / 3));
  set('budgetShare', ratio(budget, account.budgets));
  set('budgetInAov', ratio(budget, account.aov30d));
  set('spendShare7d', ratio(m7.spend, account.spend7d));
  set('spend7dInAov', ratio(m7.spend, account.aov30d));
  set('spend1dToSpend7d', ratio(spendOver(1), m7.spend / 7));
  set('spendAcceleration', orNaN(core.spendAcceleration));
  set('activeDays7d', w['7d'].activeDays);
  set('daysSinceDelivery', lastDelivery < 0 ? Number.NaN : last - lastDelivery);
  set('roas1d', orNaN(w['1d'].lagCorrectedRoas));
  set('roas3d', orNaN(w['3d'].lagCorrectedRoas));
  set('roas7d', orNaN(w['7d'].lagCorrectedRoas));
  set('roas14d', orNaN(w['14d'].lagCorrectedRoas));
  set('roas30d', orNaN(w['30d'].lagCorrectedRoas));
  set('roasLifetime', orNaN(w.lifetime.lagCorrectedRoas));
  set('roas7dReported', ratio(m7.revenue, m7.spend));
  for (const [name, window] of [
    ['roas7dShrunk', '7d'],
    ['roas14dShrunk', '14d'],
    ['roas30dShrunk', '30d'],
  ] as const) {
    set(
      name,
      shrunkRoas(
        w[window].totals.purchases,
        w[window].exposure,
        m30.revenue,
        w['30d'].totals.purchases,
        account,
      ),
    );
  }
  set('roas7dToAccount', ratio(orNaN(w['7d'].lagCorrectedRoas), account.roas7d));
  set('roas30dToAccount', ratio(orNaN(w['30d'].lagCorrectedRoas), account.roas30d));
  set('accountRoas7d', account.roas7d);
  set('accountRoas30d', account.roas30d);
  set('purchases3d', w['3d'].totals.purchases);
  set('purchases7d', w['7d'].totals.purchases);
  set('purchases14d', w['14d'].totals.purchases);
  set('purchases30d', w['30d'].totals.purchases);
  set('completeness7d', ratio(w['7d'].exposure, m7.spend));
  set('roasSlope', orNaN(core.roasSlope));
  set('trendRoasToAccount', ratio(core.trendRoas, account.roas7d));
  set('trendDays', core.trendDays);
  set('cpaVolatility', orNaN(core.cpaVolatility));
  set('dayOverDayRoasChange', orNaN(core.dayOverDayRoasChange));
  set('ctr3d', orNaN(w['3d'].metrics.ctr));
  set('ctr7d', orNaN(w['7d'].metrics.ctr));
  set('ctr14d', orNaN(w['14d'].metrics.ctr));
  set('ctr3dToCtr14d', ratio(w['3d'].metrics.ctr, w['14d'].metrics.ctr));
  set('ctrDropFromPeak', ctr3 && peak ? Math.max(0, 1 - ctr3.ctr / peak.ctr) : Number.NaN);
  set('daysSinceCtrPeak', peak ? last - peak.end : Number.NaN);
  set('cpm3dToCpm14d', ratio(cpm(3), cpm(14)));
  set('cpm7dToAccount', ratio(cpm(7), account.cpm7d));
  set('frequency3d', ratio(impressions(3), reach(3)));
  set('frequency7d', ratio(impressions(7), reach(7)));
  set('cvr7d', orNaN(w['7d'].metrics.cvr));
  set('cvr30d', orNaN(w['30d'].metrics.cvr));
  set('addToCartRate7d', orNaN(w['7d'].metrics.addToCartRate));
  set('purchasesPerAddToCart30d', ratio(w['30d'].totals.purchases, w['30d'].totals.addsToCart));
  set('aovToAccount', ratio(w['30d'].metrics.aov, account.aov30d));
  // 1970-01-01 was a Thursday: 0 = Sunday.
  set('weekday', (((dayNumber(snapshot.asOf) + 4) % 7) + 7) % 7);
  set('accountActiveAdSets', account.activeAdSets);
}

/**
 * The feature rows of every ad set of an account on `asOf`, in the snapshot's order. Pure: the same
 * snapshot always gives the same matrix. Throws a `RangeError` for an invalid `asOf` or row date.
 */
export function extractFeatures(snapshot: AccountSnapshot): FeatureMatrix {
  if (!isIsoDate(snapshot.asOf))
    throw new RangeError(`asOf "${String(snapshot.asOf)}" is not a YYYY-MM-DD date`);
  if (!Number.isInteger(snapshot.minorDigits) || snapshot.minorDigits < 0 || snapshot.minorDigits > 6)
    throw new RangeError(`minorDigits must be an integer from 0 to 6 (${snapshot.minorDigits})`);
  const curve = snapshot.curve ?? DEFAULT_COMPLETENESS;
  const last = dayNumber(addDays(snapshot.asOf, -1));
  const readings: Reading[] = snapshot.adSets.map((adSet) => {
    const complete = adSet.rows.filter((row) => row.date < snapshot.asOf);
    return {
      snapshot: adSet,
      core: computeFeatures(complete, snapshot.asOf, curve),
      days: daySeries(complete),
      last,
    };
  });
  const account = accountFigures(readings, snapshot);
  const cols = FEATURE_NAMES.length;
  const x = new Float64Array(readings.length * cols);
  readings.forEach((reading, i) => featureRow(reading, account, snapshot, x, i * cols));
  return { featureSetVersion: FEATURE_SET_VERSION, featureNames: FEATURE_NAMES, rows: readings.length, x };
}
