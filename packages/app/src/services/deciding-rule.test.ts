import { DEFAULT_RULES } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { decidingRuleId, decidingRuleIds, matchesRule } from './deciding-rule.ts';

const pass = (ruleId: string) => ({ ruleId, passed: true });
const fail = (ruleId: string) => ({ ruleId, passed: false });

describe('decidingRuleId', () => {
  it('names the matrix cell when nothing else decided', () => {
    const reasons = [
      pass('gate.minSpend'),
      pass('bucket.winner'),
      pass('matrix.winner.stable'),
      pass('hysteresis'),
    ];
    expect(decidingRuleId({ action: 'SCALE', stage: null, scalePercent: 20, reasons }, DEFAULT_RULES)).toBe(
      'matrix.winner.stable',
    );
    expect(
      decidingRuleId({ action: 'HOLD', stage: null, scalePercent: null, reasons }, DEFAULT_RULES),
    ).toBeNull();
  });

  it('puts allocation, the zero-conversion path and a fired stage rule before the matrix', () => {
    const matrix = pass('matrix.average.stable');
    expect(
      decidingRuleId(
        { action: 'SCALE', stage: null, scalePercent: 8, reasons: [matrix, pass('allocation.waterFilling')] },
        DEFAULT_RULES,
      ),
    ).toBe('allocation.waterFilling');
    expect(
      decidingRuleId(
        { action: 'PAUSE', stage: null, scalePercent: null, reasons: [pass('gate.zeroConversion')] },
        DEFAULT_RULES,
      ),
    ).toBe('gate.zeroConversion');
    // A stage rule fires when every condition it recorded passed; the strongest scale rule wins.
    const scaling = [
      matrix,
      pass('scaling.up.strong'),
      fail('scaling.up.strong'),
      pass('scaling.up.good'),
      pass('scaling.up.good'),
      fail('scaling.kill.cpa-above'),
    ];
    expect(
      decidingRuleId(
        { action: 'SCALE', stage: 'scaling', scalePercent: 10, reasons: scaling },
        DEFAULT_RULES,
      ),
    ).toBe('scaling.up.good');
    expect(
      decidingRuleId(
        {
          action: 'PROMOTE',
          stage: 'testing',
          scalePercent: null,
          reasons: [fail('testing.advance.purchase'), pass('testing.advance.carts')],
        },
        DEFAULT_RULES,
      ),
    ).toBe('testing.advance.carts');
  });

  it('reads loosely stored reasons without failing', () => {
    expect(
      decidingRuleId(
        { action: 'PAUSE', stage: null, scalePercent: null, reasons: [null, 3, { x: 1 }] },
        DEFAULT_RULES,
      ),
    ).toBeNull();
    expect(
      decidingRuleId({ action: 'PAUSE', stage: null, scalePercent: null, reasons: 'no' }, DEFAULT_RULES),
    ).toBeNull();
  });
});

describe('allow-list patterns', () => {
  it('match exactly or by a trailing-star prefix, against the rules that can decide a change', () => {
    const ids = decidingRuleIds(DEFAULT_RULES);
    expect(ids).toEqual(
      expect.arrayContaining(['matrix.loser.declining', 'scaling.up.strong', 'testing.advance.purchase']),
    );
    expect(ids.filter((id) => matchesRule('matrix.loser.*', id))).toEqual([
      'matrix.loser.stable',
      'matrix.loser.improving',
      'matrix.loser.declining',
      'matrix.loser.volatile',
    ]);
    expect(matchesRule('matrix.winner.stable', 'matrix.winner.stable')).toBe(true);
    expect(matchesRule('matrix.winner', 'matrix.winner.stable')).toBe(false);
  });
});
