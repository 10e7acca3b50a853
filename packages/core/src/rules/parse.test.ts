import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from './defaults.ts';
import type { EngineRules } from './engine-rules.ts';
import { formatRulePath, parseEngineRules, parseEngineRulesOrThrow, RuleError } from './parse.ts';

/** A mutable deep copy of the defaults. */
function defaults(): EngineRules {
  return structuredClone(DEFAULT_RULES);
}

type Container = Record<string, unknown>;

/** The object at a dotted path (`stages.testing.kill.1`), for breaking the rules on purpose. */
function containerAt(root: unknown, keys: readonly string[]): Container {
  let node = root;
  for (const key of keys) node = (node as Container)[key];
  if (typeof node !== 'object' || node === null) throw new Error(`no object at ${keys.join('.')}`);
  return node as Container;
}

/** A mutator that sets the value at a dotted path, whatever its type. */
function set(path: string, value: unknown) {
  return (rules: unknown): unknown => {
    const keys = path.split('.');
    containerAt(rules, keys.slice(0, -1))[keys.at(-1) ?? ''] = value;
    return rules;
  };
}

/** A mutator that removes the key at a dotted path. */
function unset(path: string) {
  return (rules: unknown): unknown => {
    const keys = path.split('.');
    delete containerAt(rules, keys.slice(0, -1))[keys.at(-1) ?? ''];
    return rules;
  };
}

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = parseEngineRules(input);
  if (result.ok) throw new Error('expected the rules to be refused');
  return result.issues.map(({ path, message }) => ({ path, message }));
}

describe('DEFAULT_RULES', () => {
  it('validates', () => {
    const result = parseEngineRules(DEFAULT_RULES);
    expect(result).toEqual({ ok: true, rules: DEFAULT_RULES });
  });

  it('is frozen all the way down', () => {
    expect(Object.isFrozen(DEFAULT_RULES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RULES.matrix.winner.stable)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RULES.stages.testing.tiers[0]?.spendAllowance)).toBe(true);
  });

  it('fills every matrix cell and keeps the seed cells', () => {
    const m = DEFAULT_RULES.matrix;
    expect(m.winner.stable.action).toBe('SCALE');
    expect(m.winner.volatile.action).toBe('HOLD');
    expect(m.average.improving.action).toBe('HOLD');
    expect(m.average.declining.action).toBe('PAUSE');
    for (const cell of Object.values(m.loserLowSpend)) expect(cell.action).toBe('HOLD');
    for (const trend of ['stable', 'declining', 'volatile'] as const)
      expect(m.loser[trend].action).toBe('PAUSE');
  });

  it('has the seven testing tiers of the seed, in account currency', () => {
    expect(
      DEFAULT_RULES.stages.testing.tiers.map((t) => [
        t.signal,
        t.spendAllowance.unit,
        t.spendAllowance.value,
      ]),
    ).toEqual([
      [{ kind: 'addsToCart', atLeast: 3 }, 'currency', 500],
      [{ kind: 'addsToCart', atLeast: 2 }, 'currency', 400],
      [{ kind: 'addsToCart', atLeast: 1 }, 'currency', 300],
      [{ kind: 'ctr', above: 0.02 }, 'currency', 250],
      [{ kind: 'ctr', above: 0.015 }, 'currency', 200],
      [{ kind: 'ctr', above: 0.01 }, 'currency', 160],
      [{ kind: 'none' }, 'currency', 90],
    ]);
  });
});

describe('round trip', () => {
  it('survives JSON and a second parse unchanged', () => {
    const once = parseEngineRulesOrThrow(JSON.parse(JSON.stringify(DEFAULT_RULES)));
    const twice = parseEngineRulesOrThrow(once);
    expect(once).toEqual(DEFAULT_RULES);
    expect(twice).toEqual(once);
  });

  it('keeps a customised file exactly as given', () => {
    const custom = defaults();
    custom.targets.targetCpa = { source: 'fixed', amount: 1200 };
    custom.guardrails.maxScalePerAction.percent = 30;
    custom.matrix.average.volatile = { action: 'RETEST', rationale: 'Try again with fresh creative.' };
    custom.stages.scaling.kill.push({
      id: 'scaling.kill.frequency',
      kind: 'conditions',
      all: [{ metric: 'frequency', op: 'gt', value: 6, days: 7, eachDay: false }],
    });
    expect(parseEngineRulesOrThrow(custom)).toEqual(custom);
  });
});

type Case = [name: string, breakIt: (rules: EngineRules) => unknown, path: string, message: string | RegExp];

const refusals: Case[] = [
  ['an unknown key at the root', set('extra', 1), 'extra', 'unknown key "extra"'],
  [
    'an unknown key inside a rule',
    set('stages.testing.kill.1.ctrFloor', 0.01),
    'stages.testing.kill[1].ctrFloor',
    'unknown key "ctrFloor"',
  ],
  [
    'an unknown key in an extended (lookalike) modifier',
    set('audiences.lookalike.percent', 1),
    'audiences.lookalike.percent',
    'unknown key "percent"',
  ],
  [
    'a string where a number belongs',
    set('guardrails.cooldownHours', '48'),
    'guardrails.cooldownHours',
    /expected number, received string/,
  ],
  ['a fractional count', set('noiseGate.minPurchases', 1.5), 'noiseGate.minPurchases', /expected int/],
  [
    'a max scale above the 20-30 range',
    set('guardrails.maxScalePerAction.percent', 40),
    'guardrails.maxScalePerAction.percent',
    /<=30/,
  ],
  [
    'a max scale below the 20-30 range',
    set('guardrails.maxScalePerAction.percent', 15),
    'guardrails.maxScalePerAction.percent',
    />=20/,
  ],
  [
    "more budget changes per hour than Meta's limit",
    set('guardrails.maxBudgetChangesPerHour', 5),
    'guardrails.maxBudgetChangesPerHour',
    /<=4/,
  ],
  [
    'a zero-conversion confidence of HIGH',
    set('noiseGate.zeroConversion.maxConfidence', 'HIGH'),
    'noiseGate.zeroConversion.maxConfidence',
    /LOW|MEDIUM/,
  ],
  [
    'unordered buckets',
    set('buckets.averageAtLeast', 1.3),
    'buckets.averageAtLeast',
    'must be below buckets.winnerAtLeast (1.2) so the buckets are ordered',
  ],
  [
    'confidence thresholds out of order',
    set('buckets.confidence.medium', 0.95),
    'buckets.confidence.medium',
    /below buckets.confidence.high/,
  ],
  [
    'a matrix missing a cell',
    unset('matrix.average.volatile'),
    'matrix.average.volatile',
    'is required (object)',
  ],
  ['a matrix missing a row', unset('matrix.loserLowSpend'), 'matrix.loserLowSpend', /is required/],
  [
    'a SCALE cell without a percent',
    set('matrix.winner.stable', { action: 'SCALE', rationale: 'more' }),
    'matrix.winner.stable.scalePercent',
    /is required/,
  ],
  [
    'a HOLD cell with a percent',
    set('matrix.average.stable.scalePercent', 10),
    'matrix.average.stable.scalePercent',
    'unknown key "scalePercent"',
  ],
  [
    'an action outside the set',
    set('matrix.loser.stable.action', 'KILL'),
    'matrix.loser.stable.action',
    /SCALE.*HOLD.*PAUSE.*RETEST/,
  ],
  [
    'a two-line rationale',
    set('matrix.loser.stable.rationale', 'one\ntwo'),
    'matrix.loser.stable.rationale',
    'must be a single line',
  ],
  [
    'a matrix scale above the guardrail',
    set('matrix.winner.stable.scalePercent', 28),
    'matrix.winner.stable.scalePercent',
    /must not exceed guardrails.maxScalePerAction.percent \(25\)/,
  ],
  [
    'tiers whose spend does not decrease',
    set('stages.testing.tiers.4.spendAllowance.value', 260),
    'stages.testing.tiers[4].spendAllowance.value',
    /must be below the previous tier's \(250\)/,
  ],
  [
    'tiers in mixed units',
    set('stages.testing.tiers.2.spendAllowance', { unit: 'targetCpa', value: 5 }),
    'stages.testing.tiers[2].spendAllowance.unit',
    /must be currency like the first tier/,
  ],
  [
    'a catch-all tier that is not last',
    (r) => (r.stages.testing.tiers.reverse(), r),
    'stages.testing.tiers[0].signal.kind',
    'the catch-all tier (none) must be the last',
  ],
  [
    'an add-to-cart tier after a CTR tier',
    (r) => {
      const [cart, ctr] = [r.stages.testing.tiers[2], r.stages.testing.tiers[3]];
      if (cart && ctr) [cart.signal, ctr.signal] = [ctr.signal, cart.signal];
      return r;
    },
    'stages.testing.tiers[3].signal.kind',
    /add-to-cart tiers must come before CTR tiers/,
  ],
  [
    'an unknown kill rule kind',
    set('stages.scaling.kill.0.kind', 'cpaAboveMax'),
    'stages.scaling.kill[0].kind',
    /Invalid discriminator value/,
  ],
  [
    'a rule id that is not a slug',
    set('stages.scaling.kill.0.id', 'Scaling Kill'),
    'stages.scaling.kill[0].id',
    /lower-case words/,
  ],
  [
    'a duplicate rule id',
    set('stages.validation.kill.1.id', 'testing.kill.ctr-floor'),
    'stages.validation.kill[1].id',
    'duplicate rule id "testing.kill.ctr-floor" (first used at stages.testing.kill.1)',
  ],
  [
    'a tier-allowance kill outside testing',
    (r) => (r.stages.validation.kill.push({ id: 'validation.kill.tiers', kind: 'tierAllowance' }), r),
    'stages.validation.kill[3].kind',
    /only valid in the testing stage/,
  ],
  [
    'an advance rule in the last stage',
    (r) => (r.stages.scaling.advance.push(...r.stages.validation.advance), r),
    'stages.scaling.advance',
    'must be empty: scaling is the last stage',
  ],
  [
    'a scale-up that cuts',
    set('stages.scaling.scaleUp.1.changePercent', -5),
    'stages.scaling.scaleUp[1].changePercent',
    'must be positive in a scale-up rule',
  ],
  [
    'a scale-down beyond the decrease guardrail',
    set('stages.scaling.scaleDown.0.changePercent', -50),
    'stages.scaling.scaleDown[0].changePercent',
    /must not cut more than guardrails.maxDecreasePerAction.percent \(30\)/,
  ],
  [
    'a condition with a wrong threshold type for its metric',
    set('stages.scaling.scaleUp.0.all.1.value', 3),
    'stages.scaling.scaleUp[0].all[1].value',
    /expected object/,
  ],
  [
    'an operator spelt as a symbol',
    set('stages.scaling.scaleUp.0.all.0.op', '<='),
    'stages.scaling.scaleUp[0].all[0].op',
    /gt.*gte.*lt.*lte/,
  ],
  [
    'a day span out of range',
    set('stages.scaling.scaleUp.0.all.0.days', 0),
    'stages.scaling.scaleUp[0].all[0].days',
    /expected number to be >=1/,
  ],
  [
    'a day span that is neither a number nor lifetime',
    set('stages.scaling.scaleUp.0.all.0.days', 'forever'),
    'stages.scaling.scaleUp[0].all[0].days',
    'must be a whole number of days from 1 to 90, or lifetime',
  ],
  [
    'eachDay over a lifetime',
    set('stages.scaling.scaleDown.0.all.0.days', 'lifetime'),
    'stages.scaling.scaleDown[0].all[0].eachDay',
    /cannot be true with days: lifetime/,
  ],
  [
    'a money threshold in an unknown unit',
    set('noiseGate.minSpend', { unit: 'usd', value: 30 }),
    'noiseGate.minSpend.unit',
    /Invalid discriminator value/,
  ],
  [
    'a zero-conversion pause the guardrail would always block',
    set('noiseGate.zeroConversion.spendMultiple', 2),
    'noiseGate.zeroConversion.spendMultiple',
    /below guardrails.noPauseBelowMinSpend.minSpend \(3 x target CPA\)/,
  ],
  [
    'an audience cap above the guardrail',
    set('audiences.retargeting.maxScalePercent', 40),
    'audiences.retargeting.maxScalePercent',
    /would never apply/,
  ],
  [
    'overwhelming evidence weaker than HIGH',
    set('hysteresis.overwhelming.probability', 0.8),
    'hysteresis.overwhelming.probability',
    /at least buckets.confidence.high/,
  ],
  [
    'a hysteresis action listed twice',
    set('hysteresis.actions', ['PAUSE', 'PAUSE']),
    'hysteresis.actions',
    'lists an action twice',
  ],
  [
    'allocation steps beyond the guardrail',
    set('allocation.maxIncreasePercent', 26),
    'allocation.maxIncreasePercent',
    /must not exceed guardrails.maxScalePerAction.percent/,
  ],
  [
    'fatigue thresholds out of order',
    set('fatigue.ctrDropFromPeak.min', 0.5),
    'fatigue.ctrDropFromPeak.min',
    /must be below fatigue.ctrDropFromPeak.strong/,
  ],
  ['a trend needing more days than its window', set('trend.minDays', 8), 'trend.minDays', /windowDays/],
  ['another format version', set('version', 2), 'version', /expected 1/],
  ['a list where an object belongs', () => [], '', /expected object, received array/],
  ['nothing at all', () => null, '', /expected object, received null/],
];

describe('parseEngineRules refuses', () => {
  it.each(refusals)('%s', (_name, breakIt, path, message) => {
    const issues = issuesOf(breakIt(defaults()));
    const match = issues.find((issue) => issue.path === path);
    expect(match, `no issue at ${path}: ${JSON.stringify(issues)}`).toBeDefined();
    if (typeof message === 'string') expect(match?.message).toBe(message);
    else expect(match?.message).toMatch(message);
  });

  it('reports every shape problem at once, each with its own path', () => {
    const rules = defaults();
    set('extra', true)(rules);
    rules.trend.slope.threshold = -1;
    unset('matrix.winner.improving')(rules);
    expect(issuesOf(rules).map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['extra', 'trend.slope.threshold', 'matrix.winner.improving']),
    );
  });

  it('reports several cross-field problems at once', () => {
    const rules = defaults();
    rules.buckets.averageAtLeast = 2;
    rules.trend.minDays = 9;
    expect(issuesOf(rules).map((issue) => issue.path)).toEqual(['buckets.averageAtLeast', 'trend.minDays']);
  });
});

describe('parseEngineRulesOrThrow', () => {
  it('returns the typed rules', () => {
    const rules: EngineRules = parseEngineRulesOrThrow(defaults());
    expect(rules.guardrails.cooldownHours).toBe(48);
  });

  it('throws a RuleError with the code, every issue and a readable message', () => {
    const rules = defaults();
    rules.guardrails.maxScalePerAction.percent = 50;
    set('oops', 1)(rules);
    let caught: unknown;
    try {
      parseEngineRulesOrThrow(rules);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RuleError);
    const error = caught as RuleError;
    expect(error.code).toBe('INVALID_RULES');
    expect(error.issues.map((issue) => issue.path)).toEqual(['guardrails.maxScalePerAction.percent', 'oops']);
    expect(error.message).toContain(
      '  - guardrails.maxScalePerAction.percent: Too big: expected number to be <=30',
    );
    expect(error.message).toContain('  - oops: unknown key "oops"');
  });
});

describe('formatRulePath', () => {
  it.each([
    [[], ''],
    [['guardrails', 'cooldownHours'], 'guardrails.cooldownHours'],
    [['stages', 'testing', 'kill', 2, 'ctr'], 'stages.testing.kill[2].ctr'],
    [[0, 'a'], '[0].a'],
  ] as const)('%j -> %s', (segments, expected) => {
    expect(formatRulePath(segments)).toBe(expected);
  });
});

describe('every key', () => {
  /** Paths to every value in the defaults, containers included. */
  function allPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (typeof value !== 'object' || value === null) return [prefix];
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    return [prefix, ...entries.flatMap(([key, inner]) => allPaths(inner, [...prefix, key]))];
  }
  const paths = allPaths(DEFAULT_RULES).filter((p) => p.length > 0);

  const dotted = (path: readonly (string | number)[]): string => path.join('.');
  const OPTIONAL_PATHS = ['models', 'funnelEvidence', 'allocation.cutBeforePauseAt'];

  it('is required: removing any object key is refused at its path', () => {
    for (const path of paths) {
      if (typeof path.at(-1) === 'number') continue;
      // Optional because saved rules predate them: models (then DEFAULT_MODEL_RULES), funnel evidence and
      // the cut-before-pause check (then off, so an older settings version decides as it did).
      if (OPTIONAL_PATHS.some((optional) => dotted(path).startsWith(optional))) continue;
      const issues = issuesOf(unset(dotted(path))(defaults()));
      expect(issues.map((i) => i.path)).toContain(formatRulePath(path));
    }
  });

  it('takes rules without the sections and keys that came later', () => {
    for (const optional of OPTIONAL_PATHS) {
      const older = unset(optional)(defaults());
      expect(parseEngineRules(older)).toEqual({ ok: true, rules: older });
    }
  });

  it('is checked: a wrong type or a negative number anywhere is refused, never thrown', () => {
    const accepted: string[] = [];
    for (const path of paths) {
      for (const bad of [{ nope: true }, -1, 'x']) {
        const result = parseEngineRules(set(dotted(path), bad)(defaults()));
        if (result.ok) accepted.push(`${formatRulePath(path)} = ${JSON.stringify(bad)}`);
      }
    }
    // Only free text, ids and signed changes may take these values; everything else must refuse.
    const expected = /\.(rationale|id) = "x"$|\.(scalePercent|changePercent|scalePointsDelta) = -1$/;
    expect(accepted.filter((entry) => !expected.test(entry))).toEqual([]);
    expect(accepted).toContain('stages.scaling.scaleDown[0].changePercent = -1');
  });
});
