import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import { applyHysteresis, noiseGate } from './gates.ts';

// Target CPA 25 in any currency: the gate needs 50 spent, 2 purchases, 2 days; zero-conversion pause at 75.
const gate = (spend: number, purchases: number, ageDays = 5) =>
  noiseGate({ spend, purchases, ageDays }, 25, DEFAULT_RULES.noiseGate);

describe('noiseGate', () => {
  it.each([
    ['zero purchases just under the zero-conversion line', 74.99, 0, 'insufficient'],
    ['zero purchases just over it', 75, 0, 'zeroConversionPause'],
    ['enough of everything', 60, 2, 'judge'],
    ['enough spend, one purchase', 200, 1, 'insufficient'],
    ['a loser on tiny spend', 10, 0, 'insufficient'],
  ] as const)('%s', (_label, spend, purchases, kind) => {
    expect(gate(spend, purchases).kind).toBe(kind);
  });

  it('caps the confidence of a zero-conversion pause and keeps every check as a reason', () => {
    const result = gate(80, 0);
    expect(result).toMatchObject({ kind: 'zeroConversionPause', maxConfidence: 'MEDIUM' });
    expect(result.reasons.map((r) => r.ruleId)).toEqual([
      'gate.minSpend',
      'gate.minPurchases',
      'gate.minAge',
      'gate.zeroConversion',
    ]);
  });

  it('waits for the minimum age even with spend and purchases', () => {
    expect(gate(500, 10, 1)).toMatchObject({ kind: 'insufficient', action: 'HOLD' });
  });

  it('scales with the currency through the target CPA', () => {
    // The same account in INR: target CPA 2,000, so 5,000 spent without a purchase is not yet 3x.
    expect(noiseGate({ spend: 5_000, purchases: 0, ageDays: 5 }, 2_000, DEFAULT_RULES.noiseGate).kind).toBe(
      'insufficient',
    );
    expect(noiseGate({ spend: 6_000, purchases: 0, ageDays: 5 }, 2_000, DEFAULT_RULES.noiseGate).kind).toBe(
      'zeroConversionPause',
    );
  });
});

describe('applyHysteresis', () => {
  const rules = DEFAULT_RULES.hysteresis;
  const evidence = { probability: 0.8, zeroConversionSpend: null, targetCpa: 25 };

  it('holds a first Scale and confirms the second in a row', () => {
    expect(applyHysteresis('SCALE', [], evidence, rules).action).toBe('HOLD');
    expect(applyHysteresis('SCALE', ['HOLD'], evidence, rules).action).toBe('HOLD');
    expect(applyHysteresis('SCALE', ['SCALE'], evidence, rules)).toMatchObject({
      action: 'SCALE',
      reason: { observed: 2, passed: true },
    });
  });

  it('acts at once on overwhelming evidence', () => {
    expect(applyHysteresis('SCALE', [], { ...evidence, probability: 0.995 }, rules).action).toBe('SCALE');
    expect(applyHysteresis('PAUSE', [], { ...evidence, zeroConversionSpend: 150 }, rules).action).toBe(
      'PAUSE',
    );
    expect(applyHysteresis('PAUSE', [], { ...evidence, zeroConversionSpend: 100 }, rules).action).toBe(
      'HOLD',
    );
  });

  it('never delays a Hold or Retest', () => {
    expect(applyHysteresis('HOLD', [], evidence, rules).action).toBe('HOLD');
    expect(applyHysteresis('RETEST', [], evidence, rules).action).toBe('RETEST');
  });
});
