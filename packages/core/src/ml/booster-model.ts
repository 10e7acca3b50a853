import { z } from 'zod';

/** Loss functions the booster fits: squared error (regression) and binary log-loss (probabilities). */
export const BOOSTER_OBJECTIVES = ['squared', 'logloss'] as const;
export type BoosterObjective = (typeof BOOSTER_OBJECTIVES)[number];

export const BOOSTER_FORMAT = 'roas-pilot.gbt';
export const BOOSTER_FORMAT_VERSION = 1;

/**
 * One regression tree in flat arrays, node 0 the root. An internal node sends a row left when its
 * feature is at or below `threshold`, a missing (NaN) value the `defaultLeft` way; a leaf has
 * feature -1 and adds `value` to the margin. Children always have higher indices than their parent.
 */
export type BoosterTree = {
  feature: number[];
  threshold: number[];
  defaultLeft: (0 | 1)[];
  left: number[];
  right: number[];
  value: number[];
  /** Loss reduction of each split (0 on leaves): feature importance reads it. */
  gain: number[];
};

/** A trained booster as plain JSON: margin = baseScore + the sum of the trees' leaves. */
export type BoosterModel = {
  format: typeof BOOSTER_FORMAT;
  version: typeof BOOSTER_FORMAT_VERSION;
  objective: BoosterObjective;
  baseScore: number;
  featureNames: string[];
  trees: BoosterTree[];
};

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const treeSchema = z.object({
  feature: z.array(z.number().int().min(-1)).min(1),
  threshold: z.array(finite),
  defaultLeft: z.array(z.union([z.literal(0), z.literal(1)])),
  left: z.array(z.number().int()),
  right: z.array(z.number().int()),
  value: z.array(finite),
  gain: z.array(finite),
});

const boosterSchema = z
  .object({
    format: z.literal(BOOSTER_FORMAT),
    version: z.literal(BOOSTER_FORMAT_VERSION),
    objective: z.enum(BOOSTER_OBJECTIVES),
    baseScore: finite,
    featureNames: z.array(z.string().min(1)).min(1),
    trees: z.array(treeSchema),
  })
  .superRefine((model, ctx) => {
    model.trees.forEach((tree, t) => {
      const problem = treeProblem(tree, model.featureNames.length);
      if (problem) ctx.addIssue({ code: 'custom', path: ['trees', t], message: problem });
    });
  });

/** What is structurally wrong with a tree, or null: every array one entry per node, children in range. */
function treeProblem(tree: BoosterTree, featureCount: number): string | null {
  const nodes = tree.feature.length;
  for (const key of ['threshold', 'defaultLeft', 'left', 'right', 'value', 'gain'] as const) {
    if (tree[key].length !== nodes) return `${key} has ${tree[key].length} entries for ${nodes} nodes`;
  }
  for (let i = 0; i < nodes; i++) {
    const feature = tree.feature[i] ?? -1;
    const left = tree.left[i] ?? -1;
    const right = tree.right[i] ?? -1;
    if (feature >= featureCount) return `node ${i} splits on feature ${feature} of ${featureCount}`;
    if (feature === -1 && (left !== -1 || right !== -1)) return `leaf ${i} has children`;
    // Children after their parent: traversal always ends, and no node is its own ancestor.
    if (feature >= 0 && !(left > i && right > i && left < nodes && right < nodes && left !== right))
      return `node ${i} has children ${left} and ${right} out of order or out of range`;
  }
  return null;
}

/** Thrown when a stored model does not validate: the path and reason of each problem. */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/** Validates a booster read back from JSON; throws `ModelFormatError` naming each problem. */
export function parseBoosterModel(json: unknown): BoosterModel {
  const parsed = boosterSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(model)'}: ${i.message}`);
    throw new ModelFormatError(`not a valid booster model: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The margin one tree adds for the row starting at `offset` of a row-major matrix. */
export function treeValue(tree: BoosterTree, x: ArrayLike<number>, offset: number): number {
  let node = 0;
  for (;;) {
    const feature = tree.feature[node] ?? -1;
    if (feature < 0) return tree.value[node] ?? 0;
    const value = x[offset + feature] ?? Number.NaN;
    const goLeft = Number.isNaN(value) ? tree.defaultLeft[node] === 1 : value <= (tree.threshold[node] ?? 0);
    node = (goLeft ? tree.left[node] : tree.right[node]) ?? 0;
  }
}

/** Raw margins (before the link function) of every row of a row-major matrix with `cols` columns. */
export function predictMargins(model: BoosterModel, x: Float64Array, cols: number): Float64Array {
  if (cols !== model.featureNames.length)
    throw new RangeError(`the model reads ${model.featureNames.length} features, the matrix has ${cols}`);
  if (x.length % cols !== 0) throw new RangeError(`matrix length ${x.length} is not a multiple of ${cols}`);
  const rows = x.length / cols;
  const margins = new Float64Array(rows).fill(model.baseScore);
  for (const tree of model.trees) {
    for (let r = 0; r < rows; r++) margins[r] = (margins[r] ?? 0) + treeValue(tree, x, r * cols);
  }
  return margins;
}

export function sigmoid(margin: number): number {
  return margin >= 0 ? 1 / (1 + Math.exp(-margin)) : Math.exp(margin) / (1 + Math.exp(margin));
}

/** Predictions on the response scale: the value itself (squared) or a probability (logloss). */
export function predictBooster(model: BoosterModel, x: Float64Array, cols: number): Float64Array {
  const margins = predictMargins(model, x, cols);
  if (model.objective === 'logloss')
    for (let r = 0; r < margins.length; r++) margins[r] = sigmoid(margins[r] ?? 0);
  return margins;
}

/** Total split gain per feature over the trees (unnormalised), by name. */
export function featureImportance(model: BoosterModel): Record<string, number> {
  const totals = new Float64Array(model.featureNames.length);
  for (const tree of model.trees) {
    tree.feature.forEach((f, i) => {
      if (f >= 0) totals[f] = (totals[f] ?? 0) + (tree.gain[i] ?? 0);
    });
  }
  return Object.fromEntries(model.featureNames.map((name, f) => [name, totals[f] ?? 0]));
}
