import { rngFor, samplePoisson, sampleLognormal } from '@roas/sim';
import { describe, expect, it } from 'vitest';
import { claimOf, scoreOutcome, verdictFrom, type ScoreInput, type Verdict } from './scoring.ts';

// Default rules: break-even 1/0.6, target 1.25 x break-even; AOV 60 makes the target CPA 28.80.
const breakEvenRoas = 1 / 0.6;
const targetRoas = 1.25 * breakEvenRoas;
const aov = 60;
const targets = { breakEvenRoas, targetRoas, targetCpa: aov / targetRoas };
const prior = { purchasesPerUnitSpend: 1 / 25, aov, dispersion: 1 };

/** Data at a given ROAS: purchases at the AOV, over `exposure` of lag-adjusted spend. */
function at(roas: number, purchases: number): ScoreInput['evidence'] {
  const revenue = purchases * aov;
  return { purchases, revenue, exposure: purchases === 0 ? 0 : revenue / roas };
}

const input = (action: string, evidence: ScoreInput['evidence'], extra: Partial<ScoreInput> = {}) => ({
  action,
  scalePercent: action === 'SCALE' ? 20 : null,
  targets,
  evidence,
  prior,
  truthRoas: null,
  ...extra,
});

describe('scoreOutcome', () => {
  const cases: { name: string; input: ScoreInput; verdict: Verdict; basis: string }[] = [
    { name: 'Scale on a clear winner', input: input('SCALE', at(3.6, 60)), verdict: 'hit', basis: 'data' },
    { name: 'Scale on a clear loser', input: input('SCALE', at(0.8, 15)), verdict: 'miss', basis: 'data' },
    {
      name: 'Scale that lands on the target',
      input: input('SCALE', at(2.1, 12)),
      verdict: 'inconclusive',
      basis: 'data',
    },
    {
      name: 'Scale with less than two target CPAs of spend',
      input: input('SCALE', { purchases: 1, revenue: 60, exposure: 30 }),
      verdict: 'inconclusive',
      basis: 'none',
    },
    {
      name: 'Scale: a high ROAS on two purchases is not enough',
      input: input('SCALE', { purchases: 2, revenue: 1200, exposure: 60 }),
      verdict: 'inconclusive',
      basis: 'data',
    },
    {
      name: 'Scale down that keeps it above break-even',
      input: input('SCALE', at(2.6, 80), { scalePercent: -20 }),
      verdict: 'hit',
      basis: 'data',
    },
    {
      name: 'Scale on a winner, days as steady as Poisson',
      input: input('SCALE', at(2.8, 25)),
      verdict: 'hit',
      basis: 'data',
    },
    {
      name: 'Scale on the same numbers, days swinging four times Poisson',
      input: input('SCALE', at(2.8, 25), { prior: { ...prior, dispersion: 4 } }),
      verdict: 'inconclusive',
      basis: 'data',
    },
    { name: 'Promote on a winner', input: input('PROMOTE', at(3.2, 40)), verdict: 'hit', basis: 'data' },
    {
      name: 'Pause on a loser that kept running',
      input: input('PAUSE', at(0.5, 10)),
      verdict: 'hit',
      basis: 'data',
    },
    {
      name: 'Pause: spent 10 target CPAs and sold nothing',
      input: input('PAUSE', { purchases: 0, revenue: 0, exposure: 288 }),
      verdict: 'hit',
      basis: 'data',
    },
    { name: 'Pause on a winner', input: input('PAUSE', at(3.5, 50)), verdict: 'miss', basis: 'data' },
    {
      name: 'Pause applied: no later data, no truth',
      input: input('PAUSE', { purchases: 0, revenue: 0, exposure: 0 }),
      verdict: 'inconclusive',
      basis: 'none',
    },
    {
      name: 'Pause applied: the truth says it was a loser',
      input: input('PAUSE', { purchases: 0, revenue: 0, exposure: 0 }, { truthRoas: 0.9 }),
      verdict: 'hit',
      basis: 'truth',
    },
    {
      name: 'Pause applied: the truth says it was profitable',
      input: input('PAUSE', { purchases: 0, revenue: 0, exposure: 0 }, { truthRoas: 2.5 }),
      verdict: 'miss',
      basis: 'truth',
    },
    { name: 'Hold that missed a winner', input: input('HOLD', at(3.6, 60)), verdict: 'miss', basis: 'data' },
    { name: 'Hold on an average ad set', input: input('HOLD', at(1.4, 30)), verdict: 'hit', basis: 'data' },
    {
      name: 'Hold on one a little above target',
      input: input('HOLD', at(2.4, 20)),
      verdict: 'inconclusive',
      basis: 'data',
    },
    { name: 'Retest on a clear loser', input: input('RETEST', at(0.5, 10)), verdict: 'miss', basis: 'data' },
    {
      name: 'Retest on a profitable one',
      input: input('RETEST', at(2.5, 30)),
      verdict: 'hit',
      basis: 'data',
    },
    {
      name: 'targets unknown',
      input: input('SCALE', at(3, 30), {
        targets: { breakEvenRoas: null, targetRoas: null, targetCpa: null },
      }),
      verdict: 'inconclusive',
      basis: 'none',
    },
    {
      name: 'an action with no rule',
      input: input('REVIEW', at(3, 30)),
      verdict: 'inconclusive',
      basis: 'none',
    },
  ];
  it.each(cases)('$name: $verdict ($basis)', ({ input: given, verdict, basis }) => {
    const score = scoreOutcome(given);
    expect(score.verdict).toBe(verdict);
    expect(score.basis).toBe(basis);
    expect(score.reason).toEqual(expect.any(String));
  });

  it('states the line and the probability it judged on', () => {
    const score = scoreOutcome(input('PAUSE', at(0.5, 10)));
    expect(score.line).toBeCloseTo(breakEvenRoas, 10);
    expect(score.probabilityAboveLine).toBeLessThan(0.2);
    expect(score.posterior?.mean).toBeGreaterThan(0.3);
    expect(score.posterior?.hi).toBeLessThan(breakEvenRoas);
    expect(score.reason).toMatch(/likely above break-even 1\.67/);
  });

  it('is right far more often than not when it is sure, on data drawn from a known ROAS', () => {
    // Ad sets whose true ROAS spreads around the target, each observed for one week at 300 a day.
    let confident = 0;
    let wrong = 0;
    for (let i = 0; i < 400; i++) {
      const rng = rngFor(7, 99, i);
      const trueRoas = 0.6 + 3 * rng.next();
      const spend = 300 + 1800 * rng.next();
      const purchases = samplePoisson(rng, (spend * trueRoas) / aov);
      let revenue = 0;
      for (let k = 0; k < purchases; k++) revenue += sampleLognormal(rng, Math.log(aov) - 0.245, 0.7);
      const score = scoreOutcome(input('SCALE', { purchases, revenue, exposure: spend }));
      if (score.verdict === 'inconclusive') continue;
      confident += 1;
      if ((score.verdict === 'hit') !== trueRoas >= targetRoas) wrong += 1;
    }
    expect(confident).toBeGreaterThan(200);
    expect(wrong / confident).toBeLessThan(0.1);
  });
});

describe('verdictFrom', () => {
  it.each([
    ['above', 0.9, true, 'hit'],
    ['above', 0.9, false, 'inconclusive'],
    ['above', 0.5, true, 'inconclusive'],
    ['above', 0.1, true, 'miss'],
    ['below', 0.1, true, 'hit'],
    ['below', 0.9, true, 'miss'],
    ['below', 0.9, false, 'inconclusive'],
    ['notAbove', 0.9, true, 'miss'],
    ['notAbove', 0.6, true, 'inconclusive'],
    ['notAbove', 0.3, true, 'hit'],
    ['notBelow', 0.1, true, 'miss'],
    ['notBelow', 0.4, true, 'inconclusive'],
    ['notBelow', 0.7, true, 'hit'],
  ] as const)('%s at P(above) %d (may say above: %s): %s', (kind, p, canSayAbove, verdict) => {
    expect(verdictFrom(kind, p, canSayAbove)).toBe(verdict);
  });
});

describe('claimOf', () => {
  it('reads a negative scale as keeping a smaller ad set above break-even', () => {
    expect(claimOf('SCALE', -20)).toMatchObject({ line: 'breakEven', kind: 'above' });
    expect(claimOf('SCALE', 20)).toMatchObject({ line: 'target', kind: 'above' });
    expect(claimOf('PAUSE', null)).toMatchObject({ line: 'breakEven', kind: 'below' });
    expect(claimOf('WHATEVER', null)).toBeNull();
  });
});
