import { toFixed } from '../metrics/fixed.ts';
import { addDays, dayNumber, type IsoDate } from '../metrics/window.ts';
import { MICROS_PER_UNIT } from '../money/money.ts';
import type { AudienceModifier, FatigueRules } from '../rules/engine-rules.ts';
import type { Reason } from './classify.ts';
import type { DailyRow } from './features.ts';

/** One entity's delivery as read on `asOf`; rows on or after `asOf` are still running and ignored. */
export type FatigueInput = {
  rows: readonly DailyRow[];
  asOf: IsoDate;
  /**
   * People reached over the whole look-back window (the last `cpmInflation.baselineDays +
   * ctrDropFromPeak.days` complete days), deduplicated, when the caller has it; null falls back to
   * daily reach summed, which overcounts people and so gives a lower bound on frequency.
   */
  windowReach: number | null;
};

/** Account figures the audience modifier needs. */
export type FatigueContext = {
  /** The account's median entity spend over the same look-back window (major units); null when unknown. */
  medianEntitySpend: number | null;
};

/** One part of the index: what was seen, the line it is judged against, its 0..1 score and its weight. */
export type FatigueComponent = { observed: number | null; threshold: number; score: number; weight: number };

/** The fatigue index in [0, 1], its level and why; `risk` is plain English whenever the level is not none. */
export type FatigueResult = {
  index: number;
  components: {
    frequency: FatigueComponent;
    ctrDropFromPeak: FatigueComponent;
    cpmInflation: FatigueComponent;
  };
  reasons: Reason[];
} & ({ level: 'none'; risk: null } | { level: 'risk' | 'refresh'; risk: string });

/** Weights of the index, summing to 1. */
export const FATIGUE_WEIGHTS = { ctrDropFromPeak: 0.6, frequency: 0.2, cpmInflation: 0.2 } as const;

// A CTR peak on fewer clicks is mostly Poisson noise (20 clicks: +-22%), about the size of the drops judged.
const MIN_PEAK_CLICKS = 20;

type Sums = { spend: number; impressions: number; reach: number; linkClicks: number };

const clip = (value: number) => Math.min(1, Math.max(0, value));
const pct = (value: number) => `${Math.round(value * 100)}%`;

// Reused from call to call (grown when needed): the index runs for every entity of every run.
let backColumn = new Float64Array(64);
let windowRows = new Int32Array(64);

/** Each row's day counted back from the last complete day (0 = the last complete day), read once. */
function daysBack(rows: readonly DailyRow[], lastDay: IsoDate): Float64Array {
  if (backColumn.length < rows.length) backColumn = new Float64Array(2 * rows.length);
  const last = dayNumber(lastDay);
  for (let i = 0; i < rows.length; i++) backColumn[i] = last - dayNumber((rows[i] as DailyRow).date);
  return backColumn;
}

/** Indices of the rows `0..windowFrom` days back, in row order, and how many there are. */
function rowsInWindow(back: Float64Array, count: number, windowFrom: number): number {
  if (windowRows.length < count) windowRows = new Int32Array(2 * count);
  let inWindow = 0;
  for (let i = 0; i < count; i++) {
    const b = back[i] ?? Number.NaN;
    if (b >= 0 && b <= windowFrom) windowRows[inWindow++] = i;
  }
  return inWindow;
}

/** The look-back window's sums and its two parts, the recent stretch and the baseline before it. */
type Stretches = { window: Sums; recent: Sums; baseline: Sums };

// The running sums of sumStretches side by side, four per stretch (spend, impressions, reach, link
// clicks): numbers kept in an object's fields would be boxed on every addition.
const WINDOW = 0;
const RECENT = 4;
const BASELINE = 8;
const running = new Float64Array(12);

/**
 * Sums of the rows `0..windowFrom` days back (the window), `0..recentFrom` (recent) and the rest of
 * the window (baseline), each in row order as if summed on its own, converting each spend once.
 */
function sumStretches(
  rows: readonly DailyRow[],
  back: Float64Array,
  inWindow: number,
  recentFrom: number,
): Stretches {
  running.fill(0);
  for (let k = 0; k < inWindow; k++) {
    const i = windowRows[k] ?? 0;
    const { totals } = rows[i] as DailyRow;
    const spend = Number(totals.spend) / Number(MICROS_PER_UNIT);
    addAt(WINDOW, spend, totals);
    addAt((back[i] ?? Number.NaN) <= recentFrom ? RECENT : BASELINE, spend, totals);
  }
  return { window: sumsAt(WINDOW), recent: sumsAt(RECENT), baseline: sumsAt(BASELINE) };
}

function addAt(at: number, spend: number, totals: DailyRow['totals']): void {
  running[at] = (running[at] ?? 0) + spend;
  running[at + 1] = (running[at + 1] ?? 0) + totals.impressions;
  running[at + 2] = (running[at + 2] ?? 0) + totals.reach;
  running[at + 3] = (running[at + 3] ?? 0) + totals.linkClicks;
}

function sumsAt(at: number): Sums {
  return {
    spend: running[at] ?? 0,
    impressions: running[at + 1] ?? 0,
    reach: running[at + 2] ?? 0,
    linkClicks: running[at + 3] ?? 0,
  };
}

const ctrOf = (s: Sums) => (s.impressions > 0 ? s.linkClicks / s.impressions : null);
const cpmOf = (s: Sums) => (s.impressions > 0 ? (s.spend * 1000) / s.impressions : null);

/**
 * The best CTR of any `days`-day stretch ending `from - days + 1` to `to` back, with enough clicks to
 * trust, from the window's rows (every stretch lies inside the window).
 */
function peakCtr(
  rows: readonly DailyRow[],
  back: Float64Array,
  inWindow: number,
  from: number,
  to: number,
  days: number,
): number | null {
  let peak: number | null = null;
  for (let end = from - (days - 1); end >= to; end--) {
    let impressions = 0;
    let linkClicks = 0;
    for (let k = 0; k < inWindow; k++) {
      const i = windowRows[k] ?? 0;
      const b = back[i] ?? Number.NaN;
      if (!(b >= end && b <= end + (days - 1))) continue;
      impressions += (rows[i] as DailyRow).totals.impressions;
      linkClicks += (rows[i] as DailyRow).totals.linkClicks;
    }
    const ctr = impressions > 0 ? linkClicks / impressions : null;
    if (ctr !== null && linkClicks >= MIN_PEAK_CLICKS && (peak === null || ctr > peak)) peak = ctr;
  }
  return peak;
}

/** 0 at the signal's absence, 0.5 at the `min` line, 1 at the `strong` line and beyond. */
function dropScore(drop: number, min: number, strong: number): number {
  if (drop <= min) return clip((0.5 * drop) / min);
  return clip(0.5 + (0.5 * (drop - min)) / (strong - min));
}

/**
 * The fatigue index of one entity (product.md item 10): a weighted mean of three clipped scores.
 * The CTR drop from its peak weighs most (0.6) because it is the symptom itself; frequency over the
 * audience's band (the cause, and only a lower bound from daily reach) and CPM inflation (a second
 * symptom) weigh 0.2 each, so frequency at the band with CTR down `min` reaches `riskAt` (0.5), and a
 * `strong` CTR drop with CPM inflation reaches `refreshAt` (0.8). A component without data scores 0:
 * missing evidence is never read as fatigue. Looks back `baselineDays + days` complete days: the
 * last `days` are the current reading, the `baselineDays` before them the CPM baseline.
 */
export function fatigueIndex(
  input: FatigueInput,
  rules: FatigueRules,
  modifier: AudienceModifier['fatigue'],
  context: FatigueContext,
): FatigueResult {
  const recentDays = rules.ctrDropFromPeak.days;
  // Days counted back from the last complete day: the recent stretch, then the CPM baseline before it.
  const back = daysBack(input.rows, addDays(input.asOf, -1));
  const recentFrom = recentDays - 1;
  const windowFrom = recentFrom + rules.cpmInflation.baselineDays;
  const inWindow = rowsInWindow(back, input.rows.length, windowFrom);
  const { window, recent, baseline } = sumStretches(input.rows, back, inWindow, recentFrom);

  const band = rules.frequency[modifier.frequencyBand] * modifier.frequencyMultiplier;
  const reach = input.windowReach ?? window.reach;
  const frequency = reach > 0 ? window.impressions / reach : null;
  // Half the band scores 0 and the band itself 1: frequency builds before it bites.
  const frequencyScore = frequency === null ? 0 : clip((frequency / band - 0.5) / 0.5);

  const current = ctrOf(recent);
  const peak = peakCtr(input.rows, back, inWindow, windowFrom, 0, recentDays);
  const drop = current !== null && peak !== null ? Math.max(0, 1 - current / peak) : null;
  const { min, strong } = rules.ctrDropFromPeak;
  const dropScoreValue = drop === null ? 0 : dropScore(drop, min, strong);

  const recentCpm = cpmOf(recent);
  const baselineCpm = cpmOf(baseline);
  const rise =
    recentCpm !== null && baselineCpm !== null && baselineCpm > 0 ? recentCpm / baselineCpm - 1 : null;
  const riseScore = rise === null ? 0 : clip(rise / rules.cpmInflation.rise);

  const components = {
    frequency: {
      observed: frequency,
      threshold: band,
      score: frequencyScore,
      weight: FATIGUE_WEIGHTS.frequency,
    },
    ctrDropFromPeak: {
      observed: drop,
      threshold: min,
      score: dropScoreValue,
      weight: FATIGUE_WEIGHTS.ctrDropFromPeak,
    },
    cpmInflation: {
      observed: rise,
      threshold: rules.cpmInflation.rise,
      score: riseScore,
      weight: FATIGUE_WEIGHTS.cpmInflation,
    },
  };
  // Rounded so a sum landing a hair under a line (0.7999...) does not miss it.
  const index =
    Math.round(
      (frequencyScore * FATIGUE_WEIGHTS.frequency +
        dropScoreValue * FATIGUE_WEIGHTS.ctrDropFromPeak +
        riseScore * FATIGUE_WEIGHTS.cpmInflation) *
        1e6,
    ) / 1e6;

  const bandName = `${modifier.frequencyBand} band${modifier.frequencyMultiplier === 1 ? '' : ` x${modifier.frequencyMultiplier}`}`;
  const reasons: Reason[] = [
    {
      ruleId: 'fatigue.frequency',
      metric: 'frequency',
      observed: frequency,
      threshold: band,
      passed: frequency !== null && frequency >= band,
      text:
        frequency === null
          ? 'no reach reported: frequency not evaluated'
          : `frequency ${toFixed(frequency, 2)}${input.windowReach === null ? ' (at least: daily reach summed)' : ''} against the ${bandName}'s ${toFixed(band, 2)}`,
    },
    {
      ruleId: 'fatigue.ctrDropFromPeak',
      metric: 'CTR drop from peak',
      observed: drop,
      threshold: min,
      passed: drop !== null && drop >= min,
      text:
        current === null
          ? `no impressions in the last ${recentDays} day(s): CTR drop not evaluated`
          : peak === null
            ? `no ${recentDays}-day stretch with ${MIN_PEAK_CLICKS}+ clicks to take a CTR peak from: not evaluated`
            : `CTR over the last ${recentDays} day(s) is ${toFixed(current * 100, 2)}%, ${pct(drop ?? 0)} below its ${recentDays}-day peak of ${toFixed(peak * 100, 2)}% (${pct(min)} is a signal, ${pct(strong)} strong)`,
    },
    {
      ruleId: 'fatigue.cpmInflation',
      metric: 'CPM rise',
      observed: rise,
      threshold: rules.cpmInflation.rise,
      passed: rise !== null && rise >= rules.cpmInflation.rise,
      text:
        rise === null
          ? `no impressions in the last ${recentDays} day(s) or the ${rules.cpmInflation.baselineDays} before: CPM inflation not evaluated`
          : `CPM ${toFixed(recentCpm ?? 0, 2)} over the last ${recentDays} day(s) is ${rise >= 0 ? '+' : ''}${pct(rise)} on its ${rules.cpmInflation.baselineDays}-day baseline of ${toFixed(baselineCpm ?? 0, 2)}`,
    },
    {
      ruleId: 'fatigue.index',
      metric: 'fatigue index',
      observed: index,
      threshold: rules.index.riskAt,
      passed: index >= rules.index.riskAt,
      text: `fatigue index ${toFixed(index, 2)}: risk at ${rules.index.riskAt}, refresh at ${rules.index.refreshAt}`,
    },
  ];

  let isGated = false;
  if (modifier.spendMultipleOfMedian !== null) {
    // Lookalike 1%: its audience is large, so fatigue only matters once it spends well above the account.
    const needed =
      context.medianEntitySpend === null ? null : modifier.spendMultipleOfMedian * context.medianEntitySpend;
    isGated = needed === null || window.spend < needed;
    reasons.push({
      ruleId: 'fatigue.spendGate',
      metric: 'spend',
      observed: window.spend,
      threshold: needed,
      passed: !isGated,
      text:
        needed === null
          ? `fatigue is only flagged at ${modifier.spendMultipleOfMedian}x the median entity spend, which is unknown`
          : `spent ${toFixed(window.spend, 2)}; fatigue is flagged from ${modifier.spendMultipleOfMedian}x the median entity spend (${toFixed(needed, 2)})`,
    });
  }

  if (isGated || index < rules.index.riskAt) return { index, components, reasons, level: 'none', risk: null };
  const isRefresh = index >= rules.index.refreshAt;
  const signs = [
    frequencyScore > 0 && frequency !== null
      ? `frequency ${toFixed(frequency, 1)} (${bandName} ${toFixed(band, 1)})`
      : null,
    dropScoreValue > 0 && drop !== null ? `CTR ${pct(drop)} below its peak` : null,
    riseScore > 0 && rise !== null ? `CPM up ${pct(rise)}` : null,
  ].filter((sign) => sign !== null);
  const risk = isRefresh
    ? `Creative fatigue: ${signs.join(', ')}. Refresh the creative before performance falls further.`
    : `Fatigue risk: ${signs.join(', ')}. Watch it and prepare a new creative.`;
  return { index, components, reasons, level: isRefresh ? 'refresh' : 'risk', risk };
}
