import { describe, expect, it } from 'vitest';
import {
  BOOSTER_FORMAT,
  featureImportance,
  ModelFormatError,
  parseBoosterModel,
  predictBooster,
  predictMargins,
  type BoosterModel,
} from './booster-model.ts';

/** x0 <= 1 -> -1; else x1 <= 5 (missing left) -> 2, else 3. */
function model(): BoosterModel {
  return {
    format: BOOSTER_FORMAT,
    version: 1,
    objective: 'squared',
    baseScore: 0.5,
    featureNames: ['x0', 'x1'],
    trees: [
      {
        feature: [0, -1, 1, -1, -1],
        threshold: [1, 0, 5, 0, 0],
        defaultLeft: [0, 0, 1, 0, 0],
        left: [1, -1, 3, -1, -1],
        right: [2, -1, 4, -1, -1],
        value: [0, -1, 0, 2, 3],
        gain: [4, 0, 1, 0, 0],
      },
    ],
  };
}

describe('predictBooster', () => {
  it('walks each tree: at or below the threshold left, missing the default way', () => {
    const x = Float64Array.of(1, 9, 2, 5, 2, 6, 2, Number.NaN, Number.NaN, 9);
    expect([...predictMargins(model(), x, 2)]).toEqual([-0.5, 2.5, 3.5, 2.5, 3.5]);
  });

  it('turns log-loss margins into probabilities', () => {
    const binary = { ...model(), objective: 'logloss' as const, baseScore: 0 };
    const [p] = predictBooster(binary, Float64Array.of(0, 0), 2);
    expect(p).toBeCloseTo(1 / (1 + Math.E), 12);
  });

  it('refuses a matrix of another width', () => {
    expect(() => predictMargins(model(), Float64Array.of(1, 2, 3), 3)).toThrow(
      /reads 2 features, the matrix has 3/,
    );
    expect(() => predictMargins(model(), Float64Array.of(1, 2, 3), 2)).toThrow(/not a multiple of 2/);
  });

  it('sums split gain per feature', () => {
    expect(featureImportance(model())).toEqual({ x0: 4, x1: 1 });
  });
});

describe('parseBoosterModel', () => {
  it('accepts a valid model read back from JSON', () => {
    expect(parseBoosterModel(JSON.parse(JSON.stringify(model())))).toEqual(model());
  });

  it.each([
    ['another format', (m: BoosterModel) => ({ ...m, format: 'xgboost' }), /format/],
    ['a newer version', (m: BoosterModel) => ({ ...m, version: 2 }), /version/],
    ['an unknown objective', (m: BoosterModel) => ({ ...m, objective: 'poisson' }), /objective/],
    ['a missing base score', (m: BoosterModel) => ({ ...m, baseScore: null }), /baseScore/],
    [
      'arrays of different lengths',
      (m: BoosterModel) => ({ ...m, trees: [{ ...m.trees[0], value: [0] }] }),
      /trees\.0: value has 1 entries for 5 nodes/,
    ],
    [
      'a split on a feature it does not have',
      (m: BoosterModel) => ({ ...m, trees: [{ ...m.trees[0], feature: [7, -1, 1, -1, -1] }] }),
      /node 0 splits on feature 7 of 2/,
    ],
    [
      'a child before its parent (a cycle)',
      (m: BoosterModel) => ({ ...m, trees: [{ ...m.trees[0], left: [1, -1, 0, -1, -1] }] }),
      /node 2 has children 0 and 4 out of order/,
    ],
    [
      'a child out of range',
      (m: BoosterModel) => ({ ...m, trees: [{ ...m.trees[0], right: [9, -1, 4, -1, -1] }] }),
      /node 0 has children 1 and 9/,
    ],
    [
      'a leaf with children',
      (m: BoosterModel) => ({ ...m, trees: [{ ...m.trees[0], left: [1, 2, 3, -1, -1] }] }),
      /leaf 1 has children/,
    ],
    [
      'a non-finite threshold',
      (m: BoosterModel) => ({ ...m, trees: [{ ...m.trees[0], threshold: [1, 0, Infinity, 0, 0] }] }),
      /threshold\.2/,
    ],
  ])('refuses %s, naming the problem', (_, change, message) => {
    const bad = change(model());
    expect(() => parseBoosterModel(bad)).toThrow(ModelFormatError);
    expect(() => parseBoosterModel(bad)).toThrow(message);
  });
});
