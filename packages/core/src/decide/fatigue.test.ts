import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../metrics/totals.ts';
import { addDays } from '../metrics/window.ts';
import { parseMicros } from '../money/money.ts';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import type { DailyRow } from './features.ts';
import { fatigueIndex, type FatigueResult } from './fatigue.ts';

const ASOF = '2026-06-15';
const RULES = DEFAULT_RULES.fatigue;
const { broad, retargeting, lookalike } = DEFAULT_RULES.audiences;

type DayFigures = { spend?: number; impressions?: number; reach?: number; ctr?: number; cpm?: number };

/**
 * Ten complete days ending yesterday (the default look-back: 7 baseline + 3 recent), oldest first;
 * `early` for the first seven, `late` for the last three. Defaults: 10,000 impressions, CTR 2%, CPM 10,
 * daily frequency 1.25.
 */
function history(early: DayFigures = {}, late: DayFigures = early): DailyRow[] {
  return Array.from({ length: 10 }, (_, i) => {
    const f = i < 7 ? early : late;
    const impressions = f.impressions ?? 10_000;
    const spend = f.spend ?? ((f.cpm ?? 10) * impressions) / 1000;
    return {
      date: addDays(ASOF, -(10 - i)),
      totals: {
        ...emptyTotals(),
        spend: parseMicros(spend.toFixed(6)),
        impressions,
        reach: f.reach ?? Math.round(impressions / 1.25),
        linkClicks: Math.round(impressions * (f.ctr ?? 0.02)),
      },
    };
  });
}

const run = (
  rows: readonly DailyRow[],
  options: {
    windowReach?: number | null;
    modifier?: typeof broad.fatigue;
    median?: number | null;
  } = {},
): FatigueResult =>
  fatigueIndex(
    { rows, asOf: ASOF, windowReach: options.windowReach ?? null },
    RULES,
    options.modifier ?? broad.fatigue,
    { medianEntitySpend: options.median === undefined ? null : options.median },
  );

const reason = (result: FatigueResult, ruleId: string) => {
  const found = result.reasons.find((r) => r.ruleId === ruleId);
  if (!found) throw new Error(`no reason ${ruleId}`);
  return found;
};

// 100,000 impressions over the ten days; reach 28,000 people makes frequency 3.57 (over cold 3).
const FREQUENT = { windowReach: 28_000 };

describe('fatigueIndex', () => {
  it.each([
    ['a fresh entity', history(), {}, 'none', 0],
    ['high frequency alone', history(), FREQUENT, 'none', 0.2],
    ['CTR down 20% alone', history({}, { ctr: 0.016 }), {}, 'none', 0.3],
    ['high frequency and CTR down 30% over 3 days', history({}, { ctr: 0.014 }), FREQUENT, 'risk', 0.65],
    ['high frequency and CTR down 20% (the min line)', history({}, { ctr: 0.016 }), FREQUENT, 'risk', 0.5],
    ['a strong CTR drop (45%) alone', history({}, { ctr: 0.011 }), {}, 'risk', 0.6],
    ['a strong CTR drop and CPM up 30%', history({}, { ctr: 0.011, cpm: 13 }), {}, 'refresh', 0.8],
    ['everything at once', history({}, { ctr: 0.01, cpm: 13 }), FREQUENT, 'refresh', 1],
    ['CPM up 30% alone', history({}, { cpm: 13 }), {}, 'none', 0.2],
  ] as const)('%s -> %s', (_label, rows, options, level, index) => {
    const result = run(rows, options);
    expect(result.level).toBe(level);
    expect(result.index).toBeCloseTo(index, 6);
    expect(result.risk === null).toBe(level === 'none');
  });

  it('explains the components and the risk in plain English', () => {
    const result = run(history({}, { ctr: 0.014 }), FREQUENT);
    expect(result.components.frequency).toMatchObject({ threshold: 3, score: 1, weight: 0.2 });
    expect(result.components.frequency.observed).toBeCloseTo(100_000 / 28_000, 6);
    expect(result.components.ctrDropFromPeak).toMatchObject({ threshold: 0.2, score: 0.75, weight: 0.6 });
    expect(result.components.ctrDropFromPeak.observed).toBeCloseTo(0.3, 6);
    expect(result.components.cpmInflation).toMatchObject({ observed: 0, score: 0 });
    expect(result.risk).toBe(
      'Fatigue risk: frequency 3.6 (cold band 3.0), CTR 30% below its peak. Watch it and prepare a new creative.',
    );
    expect(result.reasons.map((r) => r.ruleId)).toEqual([
      'fatigue.frequency',
      'fatigue.ctrDropFromPeak',
      'fatigue.cpmInflation',
      'fatigue.index',
    ]);
  });

  it('reads frequency from summed daily reach as a lower bound when window reach is unknown', () => {
    // Daily frequency 3.2: summed reach gives 3.2, already over the cold band.
    const result = run(history({ reach: 3125 }, { reach: 3125, ctr: 0.014 }));
    expect(result.components.frequency.observed).toBeCloseTo(3.2, 6);
    expect(reason(result, 'fatigue.frequency').text).toMatch(/at least: daily reach summed/);
    expect(result.level).toBe('risk');
  });

  it.each([
    ['cold band (broad)', broad.fatigue, 3, 'risk'],
    ['warm band for retargeting (6 x 0.85)', retargeting.fatigue, 5.1, 'none'],
  ] as const)('judges frequency 3.5 with CTR down 20% on the %s', (_label, modifier, band, level) => {
    // 100,000 impressions reaching 28,571 people: frequency 3.5.
    const result = run(history({}, { ctr: 0.016 }), { windowReach: 28_571, modifier });
    expect(result.components.frequency.threshold).toBeCloseTo(band, 10);
    expect(result.level).toBe(level);
  });

  describe('the lookalike median-spend gate (2x the median entity spend)', () => {
    // Spend over the window: 10 days x 100 = 1,000.
    const rows = history({}, { ctr: 0.014 });
    it.each([
      ['median 400: 1,000 is past 800', 400, 'risk', true],
      ['median 500: exactly 2x', 500, 'risk', true],
      ['median 600: 1,000 is under 1,200', 600, 'none', false],
      ['median unknown', null, 'none', false],
    ] as const)('%s', (_label, median, level, passed) => {
      const result = run(rows, { ...FREQUENT, modifier: lookalike.fatigue, median });
      expect(result.level).toBe(level);
      expect(result.index).toBeCloseTo(0.65, 6);
      expect(reason(result, 'fatigue.spendGate')).toMatchObject({ passed, observed: 1000 });
    });

    it('does not apply to audiences without it', () => {
      expect(run(rows, FREQUENT).reasons.some((r) => r.ruleId === 'fatigue.spendGate')).toBe(false);
    });
  });

  it('does not take a CTR peak from a stretch with too few clicks', () => {
    // The first week shows a 5% CTR on 100 impressions a day (15 clicks a stretch): noise, not a peak.
    const result = run(history({ impressions: 100, ctr: 0.05 }, { ctr: 0.014 }));
    expect(result.components.ctrDropFromPeak.observed).toBeLessThan(0.1);
    expect(result.level).toBe('none');
  });

  it('ignores the running day and days before the look-back window', () => {
    const rows = [
      ...history({}, { ctr: 0.02 }),
      { date: ASOF, totals: { ...emptyTotals(), impressions: 50_000, linkClicks: 10, reach: 1 } },
      {
        date: addDays(ASOF, -11),
        totals: { ...emptyTotals(), impressions: 50_000, linkClicks: 5000, reach: 1 },
      },
    ];
    expect(run(rows)).toMatchObject({ index: 0, level: 'none' });
  });

  it.each([
    ['no rows at all', []],
    [
      'spend without impressions or reach',
      history().map((row) => ({
        ...row,
        totals: { ...row.totals, impressions: 0, reach: 0, linkClicks: 0 },
      })),
    ],
  ] as const)('scores 0 with reasons on %s', (_label, rows) => {
    const result = run(rows);
    expect(result).toMatchObject({ index: 0, level: 'none', risk: null });
    expect(result.components.frequency.observed).toBeNull();
    expect(result.components.ctrDropFromPeak.observed).toBeNull();
    expect(result.components.cpmInflation.observed).toBeNull();
    expect(reason(result, 'fatigue.frequency').text).toMatch(/not evaluated/);
    expect(reason(result, 'fatigue.ctrDropFromPeak').text).toMatch(/not evaluated/);
    expect(reason(result, 'fatigue.cpmInflation').text).toMatch(/not evaluated/);
  });
});
