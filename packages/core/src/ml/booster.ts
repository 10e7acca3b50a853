import { z } from 'zod';
import { binMatrix, fitBinEdges, MAX_VALUE_BINS } from './binning.ts';
import {
  BOOSTER_FORMAT,
  BOOSTER_FORMAT_VERSION,
  BOOSTER_OBJECTIVES,
  predictMargins,
  sigmoid,
  treeValue,
  type BoosterModel,
  type BoosterTree,
} from './booster-model.ts';
import { seededRandom } from './random.ts';
import { binnedTreeValue, Grower } from './tree-grower.ts';

/**
 * A compact histogram-based gradient-boosted tree learner (the LightGBM/XGBoost "hist" recipe):
 * features are quantile-binned once, trees grow best-first (the leaf with the largest loss reduction
 * splits next) within depth and leaf limits, each child's gradient histogram is built for the smaller
 * child only and the larger one's is the parent's minus it, leaves carry Newton steps with L2
 * regularisation. Rows and features may be subsampled per tree from a seeded generator, so a fit is a
 * pure function of its data and parameters.
 */

const fraction = z.number().gt(0).max(1);

export const boosterParamsSchema = z
  .object({
    objective: z.enum(BOOSTER_OBJECTIVES),
    /** Most trees to grow. */
    rounds: z.number().int().min(1).max(100_000).default(200),
    learningRate: z.number().gt(0).max(1).default(0.1),
    maxDepth: z.number().int().min(1).max(32).default(6),
    maxLeaves: z.number().int().min(2).max(4096).default(31),
    /** Least hessian (for squared error: weight) a child must hold. */
    minChildWeight: z.number().min(0).default(1),
    /** Least rows a child must hold. */
    minChildSamples: z.number().int().min(1).default(20),
    /** L2 penalty on leaf values. */
    lambda: z.number().min(0).default(1),
    /** Least loss reduction a split must bring. */
    minSplitGain: z.number().min(0).default(0),
    /** Share of rows each tree is grown on. */
    rowSubsample: fraction.default(1),
    /** Share of features each tree may split on. */
    featureSubsample: fraction.default(1),
    maxBins: z.number().int().min(2).max(MAX_VALUE_BINS).default(MAX_VALUE_BINS),
    /** Stop when the validation loss has not improved for this many rounds (needs a validation set). */
    earlyStoppingRounds: z.number().int().min(1).nullable().default(null),
    seed: z.number().int().default(1),
  })
  .strict();

export type BoosterParams = z.infer<typeof boosterParamsSchema>;
export type BoosterParamsInput = z.input<typeof boosterParamsSchema>;

/** A row-major feature matrix with targets and optional non-negative row weights. */
export type BoosterData = {
  x: Float64Array;
  rows: number;
  cols: number;
  y: Float64Array;
  weight?: Float64Array | null;
};

export type BoosterOptions = {
  featureNames?: readonly string[];
  /** Rows for early stopping and the loss history; never trained on. */
  validation?: BoosterData | null;
  /** Continue boosting from this model (same objective and features): its trees come first. */
  init?: BoosterModel | null;
};

export type BoosterFit = {
  model: BoosterModel;
  /** Weighted mean loss (squared error or log-loss) after each round. */
  trainLoss: number[];
  validationLoss: number[];
  /** Trees kept: the round with the lowest validation loss, else all. */
  bestRounds: number;
};

/** Checks a data set's shape and values; throws naming the set and the first bad entry. */
function checkData(data: BoosterData, label: string, objective: BoosterParams['objective']): void {
  const { x, rows, cols, y, weight } = data;
  if (!Number.isInteger(rows) || rows < 1)
    throw new RangeError(`${label}: rows must be a positive integer (${rows})`);
  if (!Number.isInteger(cols) || cols < 1)
    throw new RangeError(`${label}: cols must be a positive integer (${cols})`);
  if (x.length !== rows * cols)
    throw new RangeError(`${label}: x has ${x.length} values for ${rows} x ${cols}`);
  if (y.length !== rows) throw new RangeError(`${label}: y has ${y.length} values for ${rows} rows`);
  for (let r = 0; r < rows; r++) {
    const target = y[r] ?? Number.NaN;
    if (!Number.isFinite(target)) throw new RangeError(`${label}: y[${r}] is ${target}, not a finite number`);
    if (objective === 'logloss' && (target < 0 || target > 1))
      throw new RangeError(`${label}: y[${r}] is ${target}; log-loss needs targets in [0, 1]`);
  }
  for (let i = 0; i < x.length; i++) {
    const value = x[i] ?? 0;
    if (value === Infinity || value === -Infinity)
      throw new RangeError(
        `${label}: x row ${Math.floor(i / cols)}, column ${i % cols} is ${value} (use NaN for missing)`,
      );
  }
  if (weight) {
    if (weight.length !== rows)
      throw new RangeError(`${label}: weight has ${weight.length} values for ${rows} rows`);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const w = weight[r] ?? Number.NaN;
      if (!(Number.isFinite(w) && w >= 0))
        throw new RangeError(`${label}: weight[${r}] is ${w}; weights must be finite and >= 0`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError(`${label}: the weights sum to 0`);
  }
}

function weightAt(data: BoosterData, r: number): number {
  return data.weight ? (data.weight[r] ?? 0) : 1;
}

/** The rows with a positive weight (zero-weight rows neither shape the bins nor count toward leaf sizes). */
function withoutZeroWeights(data: BoosterData): BoosterData {
  const { weight } = data;
  if (!weight || weight.every((w) => w > 0)) return data;
  const keep: number[] = [];
  for (let r = 0; r < data.rows; r++) if ((weight[r] ?? 0) > 0) keep.push(r);
  const x = new Float64Array(keep.length * data.cols);
  keep.forEach((r, i) => x.set(data.x.subarray(r * data.cols, (r + 1) * data.cols), i * data.cols));
  return {
    x,
    rows: keep.length,
    cols: data.cols,
    y: Float64Array.from(keep, (r) => data.y[r] ?? 0),
    weight: Float64Array.from(keep, (r) => weight[r] ?? 0),
  };
}

/** Weighted mean loss of margins against targets. */
function meanLoss(objective: BoosterParams['objective'], margins: Float64Array, data: BoosterData): number {
  let sum = 0;
  let weights = 0;
  for (let r = 0; r < data.rows; r++) {
    const w = weightAt(data, r);
    const m = margins[r] ?? 0;
    const y = data.y[r] ?? 0;
    if (objective === 'squared') sum += w * (m - y) * (m - y);
    else {
      const p = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(m)));
      sum -= w * (y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }
    weights += w;
  }
  return sum / weights;
}

/** The constant margin that minimises the loss: the weighted mean, or its log-odds. */
function baseScoreOf(objective: BoosterParams['objective'], data: BoosterData): number {
  let sum = 0;
  let weights = 0;
  for (let r = 0; r < data.rows; r++) {
    const w = weightAt(data, r);
    sum += w * (data.y[r] ?? 0);
    weights += w;
  }
  const mean = sum / weights;
  if (objective === 'squared') return mean;
  const p = Math.min(1 - 1e-6, Math.max(1e-6, mean));
  return Math.log(p / (1 - p));
}

/** Picks each index with probability `share` (at least one), ascending. */
function subsample(n: number, share: number, random: () => number, into: Uint32Array): number {
  if (share >= 1) {
    for (let i = 0; i < n; i++) into[i] = i;
    return n;
  }
  let count = 0;
  for (let i = 0; i < n; i++) if (random() < share) into[count++] = i;
  if (count === 0) into[count++] = Math.floor(random() * n);
  return count;
}

/**
 * Fits a gradient-boosted tree ensemble. Throws a `RangeError` naming the input when the data or
 * parameters are unusable (shapes that do not match, non-finite targets or weights, infinite features,
 * log-loss targets outside [0, 1], an `init` model of another objective or width).
 */
export function trainBooster(
  trainInput: BoosterData,
  paramsInput: BoosterParamsInput,
  options: BoosterOptions = {},
): BoosterFit {
  const parsed = boosterParamsSchema.safeParse(paramsInput);
  if (!parsed.success)
    throw new RangeError(
      `booster parameters: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'} ${i.message}`).join('; ')}`,
    );
  const params = parsed.data;
  checkData(trainInput, 'training data', params.objective);
  const train = withoutZeroWeights(trainInput);
  const { rows, cols } = train;
  const validation = options.validation ?? null;
  if (validation) {
    checkData(validation, 'validation data', params.objective);
    if (validation.cols !== cols)
      throw new RangeError(`validation data has ${validation.cols} columns, training data ${cols}`);
  }
  if (params.earlyStoppingRounds !== null && !validation)
    throw new RangeError('earlyStoppingRounds needs a validation set');
  const featureNames = options.featureNames
    ? [...options.featureNames]
    : Array.from({ length: cols }, (_, f) => `f${f}`);
  if (featureNames.length !== cols)
    throw new RangeError(`${featureNames.length} feature names for ${cols} columns`);
  const init = options.init ?? null;
  if (init) {
    if (init.objective !== params.objective)
      throw new RangeError(`init model is ${init.objective}, the parameters ask for ${params.objective}`);
    if (init.featureNames.join('\u0000') !== featureNames.join('\u0000'))
      throw new RangeError('init model was trained on other features');
  }

  const edges = fitBinEdges(train.x, rows, cols, params.maxBins);
  const codes = binMatrix(train.x, rows, cols, edges);
  const bins = Int32Array.from(edges, (e) => e.length);
  const baseScore = init ? init.baseScore : baseScoreOf(params.objective, train);
  const margins = init ? predictMargins(init, train.x, cols) : new Float64Array(rows).fill(baseScore);
  const validationMargins = validation
    ? init
      ? predictMargins(init, validation.x, cols)
      : new Float64Array(validation.rows).fill(baseScore)
    : null;
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);
  const idx = new Uint32Array(rows);
  const grower = new Grower(params, codes, cols, bins, grad, hess, idx);
  const random = seededRandom(params.seed);
  const featurePick = new Uint32Array(cols);

  const trees: BoosterTree[] = [];
  const trainLoss: number[] = [];
  const validationLoss: number[] = [];
  let bestRounds = 0;
  // Zero new trees is a candidate too: boosting on top of `init` may only make things worse.
  let bestLoss =
    validation && validationMargins ? meanLoss(params.objective, validationMargins, validation) : Infinity;
  for (let round = 0; round < params.rounds; round++) {
    for (let r = 0; r < rows; r++) {
      const w = weightAt(train, r);
      const m = margins[r] ?? 0;
      const y = train.y[r] ?? 0;
      if (params.objective === 'squared') {
        grad[r] = w * (m - y);
        hess[r] = w;
      } else {
        const p = sigmoid(m);
        grad[r] = w * (p - y);
        hess[r] = w * Math.max(p * (1 - p), 1e-16);
      }
    }
    const count = subsample(rows, params.rowSubsample, random, idx);
    const featureCount = subsample(cols, params.featureSubsample, random, featurePick);
    const { tree, binThreshold } = grower.grow(
      count,
      Int32Array.from(featurePick.subarray(0, featureCount)),
      edges,
    );
    trees.push(tree);
    for (let r = 0; r < rows; r++)
      margins[r] = (margins[r] ?? 0) + binnedTreeValue(tree, binThreshold, codes, r * cols);
    trainLoss.push(meanLoss(params.objective, margins, train));
    if (validation && validationMargins) {
      for (let r = 0; r < validation.rows; r++)
        validationMargins[r] = (validationMargins[r] ?? 0) + treeValue(tree, validation.x, r * cols);
      const loss = meanLoss(params.objective, validationMargins, validation);
      validationLoss.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRounds = round + 1;
      } else if (params.earlyStoppingRounds !== null && round + 1 - bestRounds >= params.earlyStoppingRounds)
        break;
    }
  }
  if (!validation) bestRounds = trees.length;
  const model: BoosterModel = {
    format: BOOSTER_FORMAT,
    version: BOOSTER_FORMAT_VERSION,
    objective: params.objective,
    baseScore,
    featureNames,
    trees: [...(init?.trees ?? []), ...trees.slice(0, bestRounds)],
  };
  return { model, trainLoss, validationLoss, bestRounds };
}
