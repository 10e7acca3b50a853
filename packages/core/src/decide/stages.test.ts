import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../metrics/totals.ts';
import { addDays } from '../metrics/window.ts';
import { parseMicros } from '../money/money.ts';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import type { EngineRules } from '../rules/engine-rules.ts';
import type { Stage } from '../rules/primitives.ts';
import { DEFAULT_COMPLETENESS, type CompletenessCurve } from '../stats/lag.ts';
import type { DailyRow } from './features.ts';
import { evaluateStage, type StageBasis, type StageVerdict } from './stages.ts';

const ASOF = '2026-06-15';
// Every day already complete, so tests of a rule are not also tests of the lag curve.
const MATURE: CompletenessCurve = [1];
const STAGES = DEFAULT_RULES.stages;

/** Break-even 1/0.6 (the default margin), target CPA 25, account CPM 10 and ROAS 2. */
const BASIS: StageBasis = {
  targetCpa: 25,
  breakEvenRoas: 1 / 0.6,
  targetRoas: 1 / 0.6,
  accountCpm: 10,
  accountRoas: 2,
};

type DayFigures = {
  spend?: number;
  revenue?: number;
  purchases?: number;
  impressions?: number;
  clicks?: number;
  carts?: number;
};

/** A day `ago` days before ASOF (1 = the last complete day); a harmless 1% CTR at CPM 5 by default. */
function day(ago: number, f: DayFigures = {}): DailyRow {
  const spend = f.spend ?? 10;
  const impressions = f.impressions ?? Math.round(spend * 200);
  return {
    date: addDays(ASOF, -ago),
    totals: {
      ...emptyTotals(),
      spend: parseMicros(spend.toFixed(6)),
      revenue: parseMicros((f.revenue ?? 0).toFixed(6)),
      purchases: f.purchases ?? 0,
      impressions,
      reach: Math.round(impressions / 1.5),
      linkClicks: f.clicks ?? Math.round(impressions * 0.01),
      addsToCart: f.carts ?? 0,
    },
  };
}

/** Consecutive days ending on the last complete day, oldest first. */
const days = (figures: readonly DayFigures[]) => figures.map((f, i) => day(figures.length - i, f));

function evaluate(
  stage: Stage,
  rows: readonly DailyRow[],
  options: {
    basis?: Partial<StageBasis>;
    hoursInStage?: number | null;
    curve?: CompletenessCurve;
    immatureBelow?: number;
    stages?: EngineRules['stages'];
  } = {},
): StageVerdict {
  return evaluateStage(
    {
      stage,
      rows,
      asOf: ASOF,
      curve: options.curve ?? MATURE,
      immatureBelow: options.immatureBelow ?? DEFAULT_RULES.trend.immature.completenessBelow,
      hoursInStage: options.hoursInStage === undefined ? 1000 : options.hoursInStage,
    },
    options.stages ?? STAGES,
    { ...BASIS, ...options.basis },
  );
}

const reason = (verdict: StageVerdict, ruleId: string, metric?: string) => {
  const found = verdict.reasons.find(
    (r) => r.ruleId === ruleId && (metric === undefined || r.metric === metric),
  );
  if (!found) throw new Error(`no reason ${ruleId} ${metric ?? ''}`);
  return found;
};
// A rule fires when every check it made held (a purchases rule or a conditions rule makes several).
const fires = (verdict: StageVerdict, ruleId: string) =>
  reason(verdict, ruleId) && verdict.reasons.filter((r) => r.ruleId === ruleId).every((r) => r.passed);

describe('testing tiers', () => {
  it.each([
    ['3 add-to-carts', { carts: 3 }, 'testing.tier.1', 500],
    ['2 add-to-carts', { carts: 2 }, 'testing.tier.2', 400],
    ['1 add-to-cart', { carts: 1 }, 'testing.tier.3', 300],
    ['CTR 2.1%', { impressions: 10_000, clicks: 210 }, 'testing.tier.4', 250],
    ['CTR exactly 2% (above is strict)', { impressions: 10_000, clicks: 200 }, 'testing.tier.5', 200],
    ['CTR 1.6%', { impressions: 10_000, clicks: 160 }, 'testing.tier.5', 200],
    ['CTR 1.1%', { impressions: 10_000, clicks: 110 }, 'testing.tier.6', 160],
    ['CTR 0.5%', { impressions: 10_000, clicks: 50 }, 'testing.tier.7', 90],
    ['a cart outranks a great CTR', { carts: 1, impressions: 10_000, clicks: 500 }, 'testing.tier.3', 300],
  ] as const)('%s earns %s', (_label, figures, id, allowance) => {
    const verdict = evaluate('testing', [day(1, { spend: 20, ...figures })]);
    expect(verdict.tier).toEqual({ id, spendAllowance: allowance });
    expect(reason(verdict, id).passed).toBe(true);
  });

  it.each([
    ['tier 1 just under', { carts: 3 }, 500, false],
    ['tier 1 just over', { carts: 3 }, 500.01, true],
    ['tier 3 just under', { carts: 1 }, 300, false],
    ['tier 3 just over', { carts: 1 }, 300.01, true],
    ['tier 6 just under', { impressions: 20_000, clicks: 220 }, 160, false],
    ['tier 6 just over', { impressions: 20_000, clicks: 220 }, 160.01, true],
    ['catch-all just under', {}, 90, false],
    ['catch-all just over', {}, 90.01, true],
    ['catch-all over, but with a purchase', { purchases: 1 }, 200, false],
  ] as const)('allowance kill: %s', (_label, figures, spend, killed) => {
    const verdict = evaluate('testing', [
      day(2, { spend: spend / 2, ...figures }),
      day(1, { spend: spend / 2 }),
    ]);
    expect(fires(verdict, 'testing.kill.tier-allowance')).toBe(killed);
    if (killed) expect(verdict).toMatchObject({ outcome: 'kill', ruleId: 'testing.kill.tier-allowance' });
  });

  it('has no tier outside testing', () => {
    expect(evaluate('validation', [day(1)]).tier).toBeNull();
  });
});

describe('kill rules around their thresholds', () => {
  // Target CPA 25: 1x = 25 of spend before CTR and CPM are judged; CPM ceiling 3 x 10 = 30.
  it.each([
    ['CTR under the 0.1% floor after 25', { spend: 30, impressions: 10_000, clicks: 9 }, true],
    ['CTR at the floor', { spend: 30, impressions: 10_000, clicks: 10 }, false],
    ['CTR under the floor before 25', { spend: 24.99, impressions: 10_000, clicks: 5 }, false],
  ] as const)('testing.kill.ctr-floor: %s', (_label, figures, killed) => {
    expect(fires(evaluate('testing', [day(1, figures)]), 'testing.kill.ctr-floor')).toBe(killed);
  });

  it.each([
    ['CPM just over 30', { spend: 30.03, impressions: 1000 }, true],
    ['CPM at 30', { spend: 30, impressions: 1000 }, false],
    ['CPM over 30 before 25 of spend', { spend: 24, impressions: 500 }, false],
  ] as const)('testing.kill.cpm-ceiling: %s', (_label, figures, killed) => {
    expect(fires(evaluate('testing', [day(1, figures)]), 'testing.kill.cpm-ceiling')).toBe(killed);
  });

  it('does not judge a relative CPM ceiling while the account CPM is unknown', () => {
    const verdict = evaluate('testing', [day(1, { spend: 80, impressions: 1000, purchases: 1 })], {
      basis: { accountCpm: null },
    });
    expect(reason(verdict, 'testing.kill.cpm-ceiling')).toMatchObject({
      passed: false,
      threshold: null,
      observed: 80,
    });
    expect(reason(verdict, 'testing.kill.cpm-ceiling').text).toMatch(/unknown/);
    expect(verdict.outcome).not.toBe('kill');
  });

  it.each([
    ['3x target CPA with no purchase', [{ spend: 40 }, { spend: 35 }], true],
    ['a cent under', [{ spend: 40 }, { spend: 34.99 }], false],
    ['far over with one purchase', [{ spend: 100 }, { spend: 100, purchases: 1, revenue: 50 }], false],
  ] as const)('validation.kill.spend-no-purchase: %s', (_label, figures, killed) => {
    expect(fires(evaluate('validation', days(figures)), 'validation.kill.spend-no-purchase')).toBe(killed);
  });

  it.each([
    ['2 carts, the first 3 days ago', [{ carts: 1 }, {}, {}, { carts: 1 }], true],
    ['2 carts, the first 2 days ago', [{ carts: 1 }, {}, { carts: 1 }], false],
    ['1 cart, 5 days ago', [{ carts: 1 }, {}, {}, {}, {}], false],
    ['2 carts 3 days ago and a purchase', [{ carts: 2 }, {}, {}, { purchases: 1, revenue: 40 }], false],
  ] as const)('validation.kill.carts-no-purchase: %s', (_label, figures, killed) => {
    expect(fires(evaluate('validation', days(figures)), 'validation.kill.carts-no-purchase')).toBe(killed);
  });

  // 1.5 x 25 = 37.5 on each of 3 consecutive days.
  const cpa = (value: number) => ({ spend: value * 2, purchases: 2, revenue: 60 });
  it.each([
    ['3 days above', [cpa(38), cpa(38), cpa(38)], true],
    ['one day at the line', [cpa(38), cpa(37.5), cpa(38)], false],
    ['only 2 days of data', [cpa(38), cpa(38)], false],
    ['a day with spend and no purchase is an unbounded CPA', [cpa(38), { spend: 20 }, cpa(38)], true],
    [
      'a day without delivery breaks the run',
      [cpa(38), { spend: 0, impressions: 0 }, cpa(38), cpa(38)],
      false,
    ],
    ['older bad days do not count', [cpa(38), cpa(38), cpa(38), cpa(20)], false],
  ] as const)('validation.kill.cpa-above: %s', (_label, figures, killed) => {
    expect(fires(evaluate('validation', days(figures)), 'validation.kill.cpa-above')).toBe(killed);
  });

  // 0.75 x break-even (1/0.6) = 1.25 on each of 3 days.
  const roas = (value: number) => ({ spend: 100, purchases: 4, revenue: value * 100 });
  it.each([
    ['3 days below 1.25', [roas(1.24), roas(1.2), roas(1)], true],
    ['one day at 1.25', [roas(1.24), roas(1.25), roas(1)], false],
  ] as const)('scaling.kill.roas-below: %s', (_label, figures, killed) => {
    expect(fires(evaluate('scaling', days(figures)), 'scaling.kill.roas-below')).toBe(killed);
  });

  it('ignores rows of the running day', () => {
    const verdict = evaluate('validation', [day(1, { spend: 10 }), day(0, { spend: 500 })]);
    expect(reason(verdict, 'validation.kill.spend-no-purchase').observed).toBe(10);
    expect(verdict.outcome).toBe('none');
  });
});

describe('advancing', () => {
  it.each([
    [
      'a purchase at CPA 30 (at most 32.5)',
      { spend: 30, purchases: 1, revenue: 50 },
      'testing.advance.purchase',
    ],
    ['3 carts after 25 of spend', { spend: 30, carts: 3 }, 'testing.advance.carts'],
    ['CTR 3% after 25 of spend', { spend: 30, impressions: 6000, clicks: 180 }, 'testing.advance.ctr'],
  ] as const)('advances on any one rule: %s', (_label, figures, ruleId) => {
    expect(evaluate('testing', [day(1, figures)])).toMatchObject({ outcome: 'advance', ruleId });
  });

  it.each([
    ['a purchase at CPA 40', { spend: 40, purchases: 1, revenue: 50 }],
    ['3 carts before 25 of spend', { spend: 20, carts: 3 }],
    ['CTR 2.9%', { spend: 30, impressions: 6000, clicks: 174 }],
  ] as const)('does not advance on %s, and says why for every rule', (_label, figures) => {
    const verdict = evaluate('testing', [day(1, figures)]);
    expect(verdict.outcome).toBe('none');
    for (const id of ['testing.advance.purchase', 'testing.advance.carts', 'testing.advance.ctr'])
      expect(fires(verdict, id)).toBe(false);
  });

  // Validation: 2 purchases at CPA <= 25 and ROAS >= break-even, after 24 h in the stage.
  const good = [
    day(2, { spend: 20, purchases: 1, revenue: 50 }),
    day(1, { spend: 20, purchases: 1, revenue: 50 }),
  ];
  it.each([
    [23, 'none', false],
    [24, 'advance', true],
    [null, 'none', false],
  ] as const)('waits minHoursBeforeAdvance: %s h in the stage -> %s', (hours, outcome, waited) => {
    const verdict = evaluate('validation', good, { hoursInStage: hours });
    expect(verdict.outcome).toBe(outcome);
    expect(reason(verdict, 'validation.minHoursBeforeAdvance').passed).toBe(waited);
    expect(fires(verdict, 'validation.advance.purchases')).toBe(true);
  });

  it('keeps each part of a purchases rule as its own reason', () => {
    const verdict = evaluate('validation', [day(1, { spend: 60, purchases: 2, revenue: 90 })]);
    expect(reason(verdict, 'validation.advance.purchases', 'purchases').passed).toBe(true);
    expect(reason(verdict, 'validation.advance.purchases', 'cpa')).toMatchObject({
      observed: 30,
      passed: false,
    });
    expect(reason(verdict, 'validation.advance.purchases', 'roas')).toMatchObject({
      observed: 1.5,
      passed: false,
    });
    expect(verdict.outcome).toBe('none');
  });
});

describe('precedence', () => {
  it('kills before advancing', () => {
    // 3 carts qualify for validation, but 510 spent with no purchase is past tier 1's 500.
    const verdict = evaluate('testing', days([{ spend: 255, carts: 3 }, { spend: 255 }]));
    expect(fires(verdict, 'testing.advance.carts')).toBe(true);
    expect(verdict).toMatchObject({
      outcome: 'kill',
      ruleId: 'testing.kill.tier-allowance',
      changePercent: null,
    });
  });

  it('cuts before scaling up', () => {
    // The week is strong (CPA 16.7, ROAS 3.5) but the last 2 days ran at CPA 31 (over 1.2 x 25).
    const strong = { spend: 100, purchases: 7, revenue: 400 };
    const weak = { spend: 93, purchases: 3, revenue: 200 };
    const verdict = evaluate('scaling', days([strong, strong, strong, strong, strong, weak, weak]));
    expect(fires(verdict, 'scaling.up.strong')).toBe(true);
    expect(verdict).toMatchObject({ outcome: 'scaleDown', ruleId: 'scaling.down.cpa', changePercent: -20 });
  });
});

describe('scaling', () => {
  const week = (figures: { spend: number; purchases: number; revenue: number }) =>
    days(Array.from({ length: 7 }, () => figures));

  it.each([
    [
      'CPA 20, ROAS 2.6: both rules hold, the strongest wins',
      { spend: 100, purchases: 5, revenue: 260 },
      'scaling.up.strong',
      20,
    ],
    [
      'CPA 22.5, ROAS 2.2: only the good rule holds',
      { spend: 90, purchases: 4, revenue: 200 },
      'scaling.up.good',
      10,
    ],
  ] as const)('%s', (_label, figures, ruleId, change) => {
    expect(evaluate('scaling', week(figures))).toMatchObject({
      outcome: 'scaleUp',
      ruleId,
      changePercent: change,
    });
  });

  it('picks the strongest rule whatever the list order', () => {
    const reversed = {
      ...STAGES,
      scaling: { ...STAGES.scaling, scaleUp: [...STAGES.scaling.scaleUp].reverse() },
    };
    const verdict = evaluate('scaling', week({ spend: 100, purchases: 5, revenue: 260 }), {
      stages: reversed,
    });
    expect(verdict).toMatchObject({ outcome: 'scaleUp', ruleId: 'scaling.up.strong', changePercent: 20 });
  });

  it.each([
    [
      'CPA 31 on each of the last 2 days',
      [
        { spend: 93, purchases: 3, revenue: 200 },
        { spend: 93, purchases: 3, revenue: 200 },
      ],
      'scaleDown',
    ],
    [
      'CPA 31 then 30',
      [
        { spend: 93, purchases: 3, revenue: 200 },
        { spend: 90, purchases: 3, revenue: 200 },
      ],
      'none',
    ],
  ] as const)('scale-down: %s', (_label, figures, outcome) => {
    expect(evaluate('scaling', days(figures)).outcome).toBe(outcome);
  });

  it('holds with no rule firing and keeps every rule as a reason', () => {
    const verdict = evaluate('scaling', week({ spend: 100, purchases: 4, revenue: 180 }));
    expect(verdict).toMatchObject({ outcome: 'none', ruleId: null, changePercent: null, tier: null });
    const ids = new Set(verdict.reasons.map((r) => r.ruleId));
    for (const id of [
      'scaling.kill.cpa-above',
      'scaling.kill.roas-below',
      'scaling.minHoursBeforeAdvance',
      'scaling.up.strong',
      'scaling.up.good',
      'scaling.down.cpa',
    ])
      expect(ids).toContain(id);
  });
});

describe('other currencies through target-CPA multiples', () => {
  it.each([
    ['INR, target CPA 2,000: 5,999.99 spent', 2000, 5999.99, false],
    ['INR, target CPA 2,000: 6,000 spent', 2000, 6000, true],
    ['JPY, target CPA 4,000: 11,999 spent', 4000, 11_999, false],
    ['JPY, target CPA 4,000: 12,000 spent', 4000, 12_000, true],
  ] as const)('validation spend-no-purchase kill in %s', (_label, targetCpa, spend, killed) => {
    const verdict = evaluate('validation', [day(1, { spend })], { basis: { targetCpa } });
    expect(fires(verdict, 'validation.kill.spend-no-purchase')).toBe(killed);
  });

  it.each([
    ['CPA 6,001 two days running', 6001, true],
    ['CPA 5,999 two days running', 5999, false],
  ] as const)('scaling CPA kill in JPY (1.5 x 4,000): %s', (_label, cpa, killed) => {
    const figures = { spend: cpa * 3, purchases: 3, revenue: cpa * 6 };
    const verdict = evaluate('scaling', days([figures, figures]), {
      basis: { targetCpa: 4000, accountCpm: 1500 },
    });
    expect(fires(verdict, 'scaling.kill.cpa-above')).toBe(killed);
  });
});

describe('attribution lag on consecutive-day rules', () => {
  // Scaling kill: CPA above 37.5 on each of 2 days. Default curve: 55% reported the same day, 70% after 1.
  const lagged = { curve: DEFAULT_COMPLETENESS, immatureBelow: 0.8 };

  it('reads young days lag-corrected, not as raw bad days', () => {
    // Raw CPA 50 on both days; corrected 100 x 0.7 / 2 = 35 and 100 x 0.55 / 2 = 27.5.
    const rows = days([
      { spend: 100, purchases: 2, revenue: 150 },
      { spend: 100, purchases: 2, revenue: 150 },
    ]);
    expect(fires(evaluate('scaling', rows), 'scaling.kill.cpa-above')).toBe(true);
    expect(fires(evaluate('scaling', rows, lagged), 'scaling.kill.cpa-above')).toBe(false);
  });

  it('does not count a young day with no purchase yet as a bad day', () => {
    const rows = days([{ spend: 100, purchases: 1, revenue: 40 }, { spend: 100 }]);
    const verdict = evaluate('scaling', rows, lagged);
    expect(fires(verdict, 'scaling.kill.cpa-above')).toBe(false);
    expect(reason(verdict, 'scaling.kill.cpa-above').text).toMatch(/1 judged/);
    // Once the curve says the day is mature enough, its zero is an unbounded CPA.
    expect(
      fires(evaluate('scaling', rows, { ...lagged, immatureBelow: 0.5 }), 'scaling.kill.cpa-above'),
    ).toBe(true);
  });

  it('judges the run behind a pending day', () => {
    // Corrected CPA 78 and 70 on the two days before a fresh zero day.
    const rows = days([
      { spend: 100, purchases: 1, revenue: 40 },
      { spend: 100, purchases: 1, revenue: 40 },
      { spend: 100 },
    ]);
    expect(evaluate('scaling', rows, lagged)).toMatchObject({
      outcome: 'kill',
      ruleId: 'scaling.kill.cpa-above',
    });
  });
});

describe('generic conditions', () => {
  it('leaves a normalized-ROAS condition unevaluated without the account ROAS', () => {
    const stages: EngineRules['stages'] = {
      ...STAGES,
      scaling: {
        ...STAGES.scaling,
        kill: [
          {
            id: 'scaling.kill.relative',
            kind: 'conditions',
            all: [{ metric: 'normalizedRoas', op: 'lt', value: 0.5, days: 3, eachDay: false }],
          },
        ],
      },
    };
    const rows = days([{ spend: 100, purchases: 1, revenue: 50 }]);
    expect(fires(evaluate('scaling', rows, { stages }), 'scaling.kill.relative')).toBe(true);
    const unknown = evaluate('scaling', rows, { stages, basis: { accountRoas: null } });
    expect(reason(unknown, 'scaling.kill.relative')).toMatchObject({ passed: false, threshold: null });
    expect(unknown.outcome).not.toBe('kill');
  });
});
