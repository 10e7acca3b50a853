import { describe, expect, it } from 'vitest';
import {
  averageRanks,
  brierScore,
  calibrationTable,
  logLoss,
  meanAbsoluteError,
  rocAuc,
  spearman,
} from './metrics.ts';

describe('metrics', () => {
  it('mean absolute error, plain and weighted', () => {
    expect(meanAbsoluteError([1, 2, 3], [2, 2, 5])).toBeCloseTo(1, 12);
    expect(meanAbsoluteError([1, 2, 3], [2, 2, 5], [0, 1, 3])).toBeCloseTo(1.5, 12);
  });

  it('Brier score: a constant at the base rate p scores p(1 - p)', () => {
    const outcome = [1, 0, 0, 0];
    expect(brierScore([0.25, 0.25, 0.25, 0.25], outcome)).toBeCloseTo(0.1875, 12);
    expect(brierScore([1, 0, 0, 0], outcome)).toBe(0);
  });

  it('log-loss clips certain mistakes instead of returning Infinity', () => {
    expect(logLoss([0.5, 0.5], [1, 0])).toBeCloseTo(Math.log(2), 12);
    expect(Number.isFinite(logLoss([0], [1]))).toBe(true);
  });

  it('ranks ties by their average rank', () => {
    expect([...averageRanks([10, 20, 20, 5])]).toEqual([2, 3.5, 3.5, 1]);
  });

  it("Spearman's correlation: 1 for any increasing relation, -1 reversed, null for a constant", () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNull();
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
  });

  it('ROC AUC: the share of positive-negative pairs ranked right', () => {
    expect(rocAuc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.9, 0.4, 0.3, 0.1], [1, 0, 1, 0])).toBe(0.75);
    expect(rocAuc([0.5, 0.5], [1, 0])).toBe(0.5);
    expect(rocAuc([0.5, 0.6], [1, 1])).toBeNull();
  });

  it('calibration table: mean prediction beside the observed rate per bin', () => {
    const table = calibrationTable([0.05, 0.15, 0.12, 0.95, 1], [0, 1, 0, 1, 1], 10);
    expect(table).toEqual([
      { from: 0, to: 0.1, rows: 1, meanPredicted: 0.05, observedRate: 0 },
      { from: 0.1, to: 0.2, rows: 2, meanPredicted: 0.135, observedRate: 0.5 },
      { from: 0.9, to: 1, rows: 2, meanPredicted: 0.975, observedRate: 1 },
    ]);
  });

  it('refuses mismatched, empty or unweighable input', () => {
    expect(() => meanAbsoluteError([1], [1, 2])).toThrow(/1 predictions for 2 outcomes/);
    expect(() => brierScore([], [])).toThrow(/no rows/);
    expect(() => meanAbsoluteError([1, 2], [1, 2], [1])).toThrow(/1 weights for 2 rows/);
    expect(() => meanAbsoluteError([1, 2], [1, 2], [0, 0])).toThrow(/weights sum to 0/);
    expect(() => meanAbsoluteError([1, 2], [1, 2], [1, -1])).toThrow(/weight 1 is -1/);
    expect(() => calibrationTable([0.5], [1], 0)).toThrow(/bins must be a positive integer/);
  });
});
