import { ctrOver, MIN_PEAK_CLICKS, peakCtr, sumDays, type DaySeries } from './day-series.ts';

/** The three models, named as the model registry stores them. */
export const MODEL_KINDS = ['roas_forecast', 'purchase_probability', 'fatigue_onset'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The definitions behind the labels, in one place so the documentation can quote them. */
export const LABEL_RULES = {
  /** ROAS forecast: revenue over spend of the `asOf` day and the 6 after it. */
  roasHorizonDays: 7,
  /** Purchase probability: at least one purchase on the `asOf` day or the 2 after it. */
  purchaseHorizonDays: 3,
  /** Fatigue onset: a CTR reading down this much from its peak on one of the next 7 runs. */
  fatigueHorizonDays: 7,
  fatigueDrop: 0.2,
} as const;

/**
 * What happened after `asOf`, read from matured rows (every purchase attributed, as the account sees
 * them once the 7-day attribution window has closed). NaN where the label is undefined: no delivery in
 * the horizon, the horizon not yet known, or (fatigue) no trusted CTR peak or already fatigued.
 */
export type SnapshotLabels = {
  /** Attributed revenue / spend over the next 7 days. */
  roasForecast: number;
  /** Spend over the next 7 days (major units): the ROAS forecast's weight. */
  futureSpend: number;
  purchaseProbability: number;
  fatigueOnset: number;
};

/** A CTR stretch reading the fatigue label may judge: enough impressions to expect 20 clicks at the peak. */
function trustedDrop(days: DaySeries, end: number): { drop: number } | null {
  const peak = peakCtr(days, end);
  const reading = ctrOver(days, end);
  if (!peak || !reading || reading.impressions * peak.ctr < MIN_PEAK_CLICKS) return null;
  return { drop: 1 - reading.ctr / peak.ctr };
}

/**
 * Labels of one ad set on day number `asOf` from its matured daily columns, known through day number
 * `knownThrough` (the last day whose numbers are final).
 *
 * - ROAS forecast: attributed revenue / spend over days asOf..asOf+6, when it spent.
 * - Purchase probability: 1 when days asOf..asOf+2 had a purchase, 0 when they had delivery and none.
 * - Fatigue onset: the CTR of a 3-day stretch against the best stretch of the 8 before (at least 20
 *   clicks), the reading the fatigue index makes each run. 1 when a reading on one of the next 7 runs
 *   (stretches ending asOf..asOf+6) is down 20% or more; 0 when trusted readings exist and none is;
 *   undefined when the ad set is down 20% already on `asOf` or has no trusted peak.
 */
export function labelsAt(days: DaySeries, asOf: number, knownThrough: number): SnapshotLabels {
  const labels: SnapshotLabels = {
    roasForecast: Number.NaN,
    futureSpend: Number.NaN,
    purchaseProbability: Number.NaN,
    fatigueOnset: Number.NaN,
  };
  const roasEnd = asOf + LABEL_RULES.roasHorizonDays - 1;
  if (roasEnd <= knownThrough) {
    const spend = sumDays(days, days.spend, asOf, roasEnd);
    labels.futureSpend = spend;
    if (spend > 0) labels.roasForecast = sumDays(days, days.revenue, asOf, roasEnd) / spend;
  }
  const purchaseEnd = asOf + LABEL_RULES.purchaseHorizonDays - 1;
  if (purchaseEnd <= knownThrough && sumDays(days, days.spend, asOf, purchaseEnd) > 0)
    labels.purchaseProbability = sumDays(days, days.purchases, asOf, purchaseEnd) > 0 ? 1 : 0;
  const fatigueEnd = asOf + LABEL_RULES.fatigueHorizonDays - 1;
  const now = trustedDrop(days, asOf - 1);
  if (fatigueEnd <= knownThrough && now && now.drop < LABEL_RULES.fatigueDrop) {
    let judged = false;
    for (let end = asOf; end <= fatigueEnd; end++) {
      const later = trustedDrop(days, end);
      if (!later) continue;
      judged = true;
      if (later.drop >= LABEL_RULES.fatigueDrop) {
        labels.fatigueOnset = 1;
        break;
      }
    }
    if (judged && Number.isNaN(labels.fatigueOnset)) labels.fatigueOnset = 0;
  }
  return labels;
}
