import { describe, expect, it } from 'vitest';
import { trainBooster, type BoosterData } from './booster.ts';
import {
  parseBoosterModel,
  predictBooster,
  sigmoid,
  type BoosterModel,
  type BoosterTree,
} from './booster-model.ts';
import { brierScore, meanAbsoluteError, spearman } from './metrics.ts';
import { seededRandom } from './random.ts';

/** Rows of uniform features in [-1, 1] and a target computed from them. */
function dataset(
  rows: number,
  cols: number,
  seed: number,
  target: (x: Float64Array, random: () => number) => number,
): BoosterData {
  const random = seededRandom(seed);
  const x = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols);
    for (let f = 0; f < cols; f++) row[f] = random() * 2 - 1;
    y[r] = target(row, random);
  }
  return { x, rows, cols, y };
}

const friedman = (x: Float64Array, random: () => number) =>
  Math.sin(3 * (x[0] ?? 0)) +
  (x[1] ?? 0) * (x[2] ?? 0) +
  ((x[3] ?? 0) > 0.3 ? 1 : 0) +
  0.1 * (random() - 0.5);

function rSquared(predicted: Float64Array, actual: Float64Array): number {
  const mean = actual.reduce((s, v) => s + v, 0) / actual.length;
  let residual = 0;
  let total = 0;
  actual.forEach((y, i) => {
    residual += ((predicted[i] ?? 0) - y) ** 2;
    total += (y - mean) ** 2;
  });
  return 1 - residual / total;
}

/** The leaf a row ends in. */
function leafOf(tree: BoosterTree, x: Float64Array, offset: number): number {
  let node = 0;
  while ((tree.feature[node] ?? -1) >= 0) {
    const value = x[offset + (tree.feature[node] ?? 0)] ?? Number.NaN;
    const left = Number.isNaN(value) ? tree.defaultLeft[node] === 1 : value <= (tree.threshold[node] ?? 0);
    node = (left ? tree.left[node] : tree.right[node]) ?? 0;
  }
  return node;
}

function depthOf(tree: BoosterTree, node = 0): number {
  if ((tree.feature[node] ?? -1) < 0) return 0;
  return 1 + Math.max(depthOf(tree, tree.left[node] ?? 0), depthOf(tree, tree.right[node] ?? 0));
}

describe('trainBooster: regression', () => {
  it('fits a smooth, interacting and stepped function on unseen rows (R^2 > 0.97)', () => {
    const train = dataset(5000, 8, 1, friedman);
    const test = dataset(2000, 8, 2, friedman);
    const { model } = trainBooster(train, { objective: 'squared', rounds: 300, learningRate: 0.1 });
    expect(rSquared(predictBooster(model, test.x, 8), test.y)).toBeGreaterThan(0.97);
  });

  it('recovers a step exactly with one split and a full learning rate', () => {
    const data = dataset(400, 2, 3, (x) => ((x[1] ?? 0) > 0.25 ? 5 : -1));
    const { model } = trainBooster(data, {
      objective: 'squared',
      rounds: 1,
      learningRate: 1,
      lambda: 0,
      maxLeaves: 2,
      minChildSamples: 1,
    });
    const tree = model.trees[0] as BoosterTree;
    expect(tree.feature[0]).toBe(1);
    expect(tree.threshold[0]).toBeGreaterThan(0.2);
    expect(tree.threshold[0]).toBeLessThan(0.3);
    const predicted = predictBooster(model, data.x, 2);
    predicted.forEach((p, i) => expect(p).toBeCloseTo(data.y[i] ?? 0, 9));
  });

  it('follows a monotone target in rank and value', () => {
    const data = dataset(3000, 1, 4, (x) => Math.exp(2 * (x[0] ?? 0)));
    const test = dataset(1000, 1, 5, (x) => Math.exp(2 * (x[0] ?? 0)));
    const { model } = trainBooster(data, { objective: 'squared', rounds: 200, minChildSamples: 5 });
    const predicted = predictBooster(model, test.x, 1);
    expect(spearman(predicted, test.y)).toBeGreaterThan(0.995);
    expect(meanAbsoluteError(predicted, test.y)).toBeLessThan(0.05);
  });

  it('finds the same first split as an exhaustive search', () => {
    const random = seededRandom(9);
    const rows = 300;
    const cols = 3;
    const x = Float64Array.from({ length: rows * cols }, () => Math.round(random() * 50));
    const y = Float64Array.from(
      { length: rows },
      (_, r) => (x[r * cols + 2] ?? 0) * 0.1 + ((x[r * cols] ?? 0) > 20 ? 3 : 0) + random(),
    );
    const { model } = trainBooster(
      { x, rows, cols, y },
      {
        objective: 'squared',
        rounds: 1,
        learningRate: 1,
        lambda: 0,
        maxLeaves: 2,
        minChildSamples: 1,
        minChildWeight: 0,
      },
    );
    let best = { gain: -Infinity, feature: -1, threshold: 0 };
    for (let f = 0; f < cols; f++) {
      const values = [...new Set(Array.from({ length: rows }, (_, r) => x[r * cols + f] ?? 0))].sort(
        (a, b) => a - b,
      );
      for (let k = 0; k < values.length - 1; k++) {
        const cut = ((values[k] ?? 0) + (values[k + 1] ?? 0)) / 2;
        const sides = [0, 0, 0, 0];
        for (let r = 0; r < rows; r++) {
          const side = (x[r * cols + f] ?? 0) <= cut ? 0 : 2;
          sides[side]! += y[r] ?? 0;
          sides[side + 1]!++;
        }
        const gain = sides[0]! ** 2 / sides[1]! + sides[2]! ** 2 / sides[3]!;
        if (gain > best.gain + 1e-9) best = { gain, feature: f, threshold: cut };
      }
    }
    const tree = model.trees[0] as BoosterTree;
    expect(tree.feature[0]).toBe(best.feature);
    expect(tree.threshold[0]).toBeCloseTo(best.threshold, 9);
  });

  it('keeps to the depth, leaf and child-size limits', () => {
    const data = dataset(2000, 5, 6, friedman);
    const { model } = trainBooster(data, {
      objective: 'squared',
      rounds: 5,
      maxDepth: 3,
      maxLeaves: 6,
      minChildSamples: 150,
    });
    for (const tree of model.trees) {
      expect(depthOf(tree)).toBeLessThanOrEqual(3);
      const leaves = tree.feature.filter((f) => f < 0).length;
      expect(leaves).toBeLessThanOrEqual(6);
      const counts = new Map<number, number>();
      for (let r = 0; r < data.rows; r++) {
        const leaf = leafOf(tree, data.x, r * data.cols);
        counts.set(leaf, (counts.get(leaf) ?? 0) + 1);
      }
      for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(150);
    }
  });

  it('learns which way missing values go', () => {
    // Missing feature values mean a high target; present ones follow the value.
    const data = dataset(2000, 2, 7, (x, random) => {
      if (random() < 0.3) {
        x[0] = Number.NaN;
        return 10;
      }
      return x[0] ?? 0;
    });
    const { model } = trainBooster(data, { objective: 'squared', rounds: 100 });
    const probe = Float64Array.of(Number.NaN, 0, -0.9, 0, 0.9, 0);
    const [missing, low, high] = predictBooster(model, probe, 2);
    expect(missing).toBeCloseTo(10, 0);
    expect(low).toBeCloseTo(-0.9, 0);
    expect(high).toBeCloseTo(0.9, 0);
  });

  it('weighs rows: zero-weight rows change nothing', () => {
    const clean = dataset(500, 3, 8, friedman);
    const noisy: BoosterData = {
      x: Float64Array.from([...clean.x, ...Float64Array.from({ length: 300 }, () => 0.5)]),
      rows: 600,
      cols: 3,
      y: Float64Array.from([...clean.y, ...new Array<number>(100).fill(1000)]),
      weight: Float64Array.from({ length: 600 }, (_, i) => (i < 500 ? 1 : 0)),
    };
    const params = { objective: 'squared', rounds: 20, minChildWeight: 1 } as const;
    const a = trainBooster({ ...clean, weight: new Float64Array(500).fill(1) }, params).model;
    const b = trainBooster(noisy, params).model;
    expect(b.baseScore).toBeCloseTo(a.baseScore, 12);
    expect(predictBooster(b, clean.x, 3)).toEqual(predictBooster(a, clean.x, 3));
  });
});

describe('trainBooster: log-loss', () => {
  const truth = (x: Float64Array) => sigmoid(2 * (x[0] ?? 0) - 1.5 * (x[1] ?? 0) + (x[2] ?? 0) * (x[3] ?? 0));
  const draw = (seed: number) => dataset(20_000, 4, seed, (x, random) => (random() < truth(x) ? 1 : 0));

  it('gives calibrated probabilities that beat the base rate', () => {
    const train = draw(11);
    const test = draw(12);
    const { model } = trainBooster(train, {
      objective: 'logloss',
      rounds: 150,
      learningRate: 0.1,
      minChildSamples: 50,
    });
    const p = predictBooster(model, test.x, 4);
    for (const value of p) expect(value >= 0 && value <= 1).toBe(true);
    const rate = test.y.reduce((s, v) => s + v, 0) / test.rows;
    expect(brierScore(p, test.y)).toBeLessThan(
      0.9 * brierScore(new Float64Array(test.rows).fill(rate), test.y),
    );
    // Calibration: in each fifth of the predictions, the mean prediction is near the observed rate.
    const order = Array.from({ length: test.rows }, (_, i) => i).sort((a, b) => (p[a] ?? 0) - (p[b] ?? 0));
    for (let q = 0; q < 5; q++) {
      const slice = order.slice((q * test.rows) / 5, ((q + 1) * test.rows) / 5);
      const predicted = slice.reduce((s, i) => s + (p[i] ?? 0), 0) / slice.length;
      const observed = slice.reduce((s, i) => s + (test.y[i] ?? 0), 0) / slice.length;
      expect(Math.abs(predicted - observed)).toBeLessThan(0.03);
    }
    // And close to the true probabilities.
    const trueP = Float64Array.from({ length: test.rows }, (_, i) =>
      truth(test.x.subarray(i * 4, i * 4 + 4)),
    );
    expect(meanAbsoluteError(p, trueP)).toBeLessThan(0.05);
  });

  it('starts from the log-odds of the base rate', () => {
    const data = draw(13);
    const { model } = trainBooster(data, { objective: 'logloss', rounds: 1 });
    const rate = data.y.reduce((s, v) => s + v, 0) / data.rows;
    expect(sigmoid(model.baseScore)).toBeCloseTo(rate, 12);
  });
});

describe('trainBooster: early stopping, continuation, determinism', () => {
  it('stops when the validation loss stops improving and keeps the best round', () => {
    const noise = (_: Float64Array, random: () => number) => random();
    const fit = trainBooster(
      dataset(1000, 4, 21, noise),
      { objective: 'squared', rounds: 500, earlyStoppingRounds: 10 },
      {
        validation: dataset(500, 4, 22, noise),
      },
    );
    expect(fit.validationLoss.length).toBeLessThan(500);
    expect(fit.model.trees.length).toBe(fit.bestRounds);
    const best = Math.min(...fit.validationLoss);
    expect(fit.validationLoss[fit.bestRounds - 1]).toBe(best);
  });

  it('continues from an earlier model: its trees first, the loss no higher', () => {
    const data = dataset(2000, 8, 23, friedman);
    const first = trainBooster(data, { objective: 'squared', rounds: 20 });
    const more = trainBooster(data, { objective: 'squared', rounds: 20 }, { init: first.model });
    expect(more.model.trees.slice(0, 20)).toEqual(first.model.trees);
    expect(more.model.trees).toHaveLength(40);
    expect(more.trainLoss.at(-1)).toBeLessThan(first.trainLoss.at(-1) ?? 0);
  });

  it('keeps an earlier model unchanged when no new tree helps the validation set', () => {
    const data = dataset(500, 2, 24, (x) => x[0] ?? 0);
    const first = trainBooster(data, { objective: 'squared', rounds: 200 });
    const noise = (_: Float64Array, random: () => number) => 5 * random();
    const fit = trainBooster(
      dataset(500, 2, 25, noise),
      { objective: 'squared', rounds: 5, learningRate: 1, earlyStoppingRounds: 5 },
      {
        init: first.model,
        validation: dataset(200, 2, 26, (x) => x[0] ?? 0),
      },
    );
    expect(fit.bestRounds).toBe(0);
    expect(fit.model.trees).toEqual(first.model.trees);
  });

  it('is deterministic for a seed, and the seed drives the subsampling', () => {
    const data = dataset(1500, 6, 27, friedman);
    const params = {
      objective: 'squared',
      rounds: 15,
      rowSubsample: 0.6,
      featureSubsample: 0.5,
      seed: 5,
    } as const;
    const a = JSON.stringify(trainBooster(data, params).model);
    const b = JSON.stringify(trainBooster(data, params).model);
    const c = JSON.stringify(trainBooster(data, { ...params, seed: 6 }).model);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('round-trips through JSON with identical predictions', () => {
    const data = dataset(1000, 5, 28, (x, random) => {
      const y = friedman(x, random);
      if (random() < 0.1) x[4] = Number.NaN;
      return y;
    });
    const { model } = trainBooster(
      data,
      { objective: 'squared', rounds: 30 },
      { featureNames: ['a', 'b', 'c', 'd', 'e'] },
    );
    const loaded = parseBoosterModel(JSON.parse(JSON.stringify(model)));
    expect(loaded).toEqual(model);
    expect(predictBooster(loaded, data.x, 5)).toEqual(predictBooster(model, data.x, 5));
  });
});

describe('trainBooster: bad input', () => {
  const good = dataset(50, 2, 30, (x) => x[0] ?? 0);
  const squared = { objective: 'squared' } as const;

  it('names the input and what is wrong with it', () => {
    expect(() => trainBooster({ ...good, y: good.y.subarray(0, 10) }, squared)).toThrow(
      /training data: y has 10 values for 50 rows/,
    );
    expect(() => trainBooster({ ...good, x: good.x.subarray(0, 99) }, squared)).toThrow(
      /training data: x has 99 values for 50 x 2/,
    );
    const y = Float64Array.from(good.y);
    y[3] = Number.NaN;
    expect(() => trainBooster({ ...good, y }, squared)).toThrow(/y\[3\] is NaN/);
    const x = Float64Array.from(good.x);
    x[5] = -Infinity;
    expect(() => trainBooster({ ...good, x }, squared)).toThrow(
      /x row 2, column 1 is -Infinity \(use NaN for missing\)/,
    );
    expect(() =>
      trainBooster({ ...good, y: new Float64Array(50).fill(2) }, { objective: 'logloss' }),
    ).toThrow(/log-loss needs targets in \[0, 1\]/);
    const weight = new Float64Array(50).fill(1);
    weight[7] = -1;
    expect(() => trainBooster({ ...good, weight }, squared)).toThrow(/weight\[7\] is -1/);
    expect(() => trainBooster({ ...good, weight: new Float64Array(50) }, squared)).toThrow(
      /the weights sum to 0/,
    );
    expect(() => trainBooster(good, { objective: 'squared', rounds: 0 })).toThrow(
      /booster parameters: rounds/,
    );
    expect(() => trainBooster(good, { objective: 'squared', rowSubsample: 0 })).toThrow(/rowSubsample/);
    expect(() => trainBooster(good, { objective: 'poisson' } as never)).toThrow(/objective/);
    expect(() => trainBooster(good, { objective: 'squared', earlyStoppingRounds: 5 })).toThrow(
      /needs a validation set/,
    );
    expect(() =>
      trainBooster(good, squared, { validation: { ...good, cols: 1, x: good.x.subarray(0, 50) } }),
    ).toThrow(/validation data has 1 columns, training data 2/);
    expect(() => trainBooster(good, squared, { featureNames: ['only'] })).toThrow(
      /1 feature names for 2 columns/,
    );
  });

  it('refuses to continue a model of another objective or width', () => {
    const base: BoosterModel = trainBooster(good, { objective: 'squared', rounds: 2 }).model;
    const binary = { ...good, y: Float64Array.from(good.y, (v) => (v > 0 ? 1 : 0)) };
    expect(() => trainBooster(binary, { objective: 'logloss' }, { init: base })).toThrow(
      /init model is squared/,
    );
    expect(() => trainBooster(good, squared, { init: base, featureNames: ['p', 'q'] })).toThrow(
      /other features/,
    );
  });
});
