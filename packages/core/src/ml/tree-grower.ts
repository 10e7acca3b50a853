import { MAX_VALUE_BINS, MISSING_BIN, type BinEdges } from './binning.ts';
import type { BoosterTree } from './booster-model.ts';
import type { BoosterParams } from './booster.ts';

/**
 * Grows one regression tree on binned rows, best-first: the open leaf whose best split reduces the
 * loss most splits next, within the depth and leaf limits. Each child's (gradient, hessian, count)
 * histogram is built for the smaller child only; the larger one's is its parent's minus it.
 */

type Split = {
  feature: number;
  bin: number;
  defaultLeft: boolean;
  gain: number;
  g: number;
  h: number;
  c: number;
};

/** A leaf that may still split: its rows idx[start, end), sums, histogram and best split. */
type OpenLeaf = {
  node: number;
  start: number;
  end: number;
  g: number;
  h: number;
  c: number;
  depth: number;
  hist: Float64Array;
  split: Split | null;
};

/** Everything one fit reuses from tree to tree. */
export class Grower {
  readonly stride: number;
  private readonly pool: Float64Array[] = [];
  private readonly scratch: Uint32Array;

  constructor(
    private readonly params: BoosterParams,
    private readonly codes: Uint8Array,
    private readonly cols: number,
    private readonly bins: Int32Array,
    private readonly grad: Float64Array,
    private readonly hess: Float64Array,
    private readonly idx: Uint32Array,
  ) {
    this.stride = MAX_VALUE_BINS + 1;
    this.scratch = new Uint32Array(idx.length);
  }

  private take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.cols * this.stride * 3);
  }

  private release(hist: Float64Array): void {
    this.pool.push(hist);
  }

  /** Gradient, hessian and row count per (feature, bin) over idx[start, end), selected features only. */
  private build(hist: Float64Array, start: number, end: number, features: Int32Array): void {
    const { codes, cols, grad, hess, idx, stride } = this;
    for (let j = 0; j < features.length; j++) {
      const f = features[j] ?? 0;
      hist.fill(0, f * stride * 3, (f + 1) * stride * 3);
    }
    for (let k = start; k < end; k++) {
      const r = idx[k] ?? 0;
      const g = grad[r] ?? 0;
      const h = hess[r] ?? 0;
      const row = r * cols;
      for (let j = 0; j < features.length; j++) {
        const f = features[j] ?? 0;
        const p = (f * stride + (codes[row + f] ?? 0)) * 3;
        hist[p] = (hist[p] ?? 0) + g;
        hist[p + 1] = (hist[p + 1] ?? 0) + h;
        hist[p + 2] = (hist[p + 2] ?? 0) + 1;
      }
    }
  }

  private bestSplit(leaf: OpenLeaf, features: Int32Array): Split | null {
    const { lambda, minChildSamples, minChildWeight, minSplitGain, maxDepth } = this.params;
    if (leaf.depth >= maxDepth || leaf.c < 2 * minChildSamples) return null;
    const { hist, g: G, h: H, c: C } = leaf;
    const parentScore = (G * G) / (H + lambda);
    let best: Split | null = null;
    let bestGain = minSplitGain;
    const consider = (
      feature: number,
      bin: number,
      defaultLeft: boolean,
      g: number,
      h: number,
      c: number,
    ) => {
      const cr = C - c;
      const hr = H - h;
      if (c < minChildSamples || cr < minChildSamples || h < minChildWeight || hr < minChildWeight) return;
      const gr = G - g;
      const gain = (g * g) / (h + lambda) + (gr * gr) / (hr + lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        best = { feature, bin, defaultLeft, gain, g, h, c };
      }
    };
    for (let j = 0; j < features.length; j++) {
      const f = features[j] ?? 0;
      const base = f * this.stride * 3;
      const mg = hist[base + MISSING_BIN * 3] ?? 0;
      const mh = hist[base + MISSING_BIN * 3 + 1] ?? 0;
      const mc = hist[base + MISSING_BIN * 3 + 2] ?? 0;
      const last = this.bins[f] ?? 1;
      let g = 0;
      let h = 0;
      let c = 0;
      for (let b = 1; b <= last; b++) {
        const p = base + b * 3;
        g += hist[p] ?? 0;
        h += hist[p + 1] ?? 0;
        c += hist[p + 2] ?? 0;
        if (mc > 0) {
          // Missing values go whichever way reduces the loss more; at the last bin only "missing vs not" is left.
          consider(f, b, false, g, h, c);
          if (b < last) consider(f, b, true, g + mg, h + mh, c + mc);
        } else if (b < last) {
          // No missing values here: unseen ones follow the larger child.
          consider(f, b, c >= C - c, g, h, c);
        }
      }
    }
    return best;
  }

  private partition(leaf: OpenLeaf, split: Split): number {
    const { codes, cols, idx, scratch } = this;
    let left = leaf.start;
    let right = 0;
    for (let k = leaf.start; k < leaf.end; k++) {
      const r = idx[k] ?? 0;
      const code = codes[r * cols + split.feature] ?? 0;
      const goLeft = code === MISSING_BIN ? split.defaultLeft : code <= split.bin;
      if (goLeft) idx[left++] = r;
      else scratch[right++] = r;
    }
    idx.set(scratch.subarray(0, right), left);
    return left;
  }

  /** Grows one tree over idx[0, count) on the selected features; returns it with bin thresholds. */
  grow(count: number, features: Int32Array, edges: BinEdges): { tree: BoosterTree; binThreshold: number[] } {
    const { params } = this;
    const tree: BoosterTree = {
      feature: [],
      threshold: [],
      defaultLeft: [],
      left: [],
      right: [],
      value: [],
      gain: [],
    };
    const binThreshold: number[] = [];
    const addNode = () => {
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.defaultLeft.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push(0);
      tree.gain.push(0);
      binThreshold.push(0);
      return tree.feature.length - 1;
    };
    const root: OpenLeaf = {
      node: addNode(),
      start: 0,
      end: count,
      g: 0,
      h: 0,
      c: count,
      depth: 0,
      hist: this.take(),
      split: null,
    };
    for (let k = 0; k < count; k++) {
      const r = this.idx[k] ?? 0;
      root.g += this.grad[r] ?? 0;
      root.h += this.hess[r] ?? 0;
    }
    this.build(root.hist, 0, count, features);
    root.split = this.bestSplit(root, features);
    const open: OpenLeaf[] = [root];
    const closed: OpenLeaf[] = [];
    while (open.length + closed.length < params.maxLeaves) {
      let pick = -1;
      for (let i = 0; i < open.length; i++) {
        const gain = open[i]?.split?.gain ?? -Infinity;
        if (gain > (open[pick]?.split?.gain ?? -Infinity)) pick = i;
      }
      const leaf = open[pick];
      if (!leaf?.split) break;
      open.splice(pick, 1);
      const split = leaf.split;
      const middle = this.partition(leaf, split);
      const left: OpenLeaf = {
        node: addNode(),
        start: leaf.start,
        end: middle,
        g: split.g,
        h: split.h,
        c: split.c,
        depth: leaf.depth + 1,
        hist: leaf.hist,
        split: null,
      };
      const right: OpenLeaf = {
        node: addNode(),
        start: middle,
        end: leaf.end,
        g: leaf.g - split.g,
        h: leaf.h - split.h,
        c: leaf.c - split.c,
        depth: leaf.depth + 1,
        hist: leaf.hist,
        split: null,
      };
      // Histogram subtraction: build the smaller child, the larger is the parent's minus it.
      const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
      small.hist = this.take();
      this.build(small.hist, small.start, small.end, features);
      const stride3 = this.stride * 3;
      for (let j = 0; j < features.length; j++) {
        const from = (features[j] ?? 0) * stride3;
        for (let p = from; p < from + stride3; p++)
          large.hist[p] = (large.hist[p] ?? 0) - (small.hist[p] ?? 0);
      }
      const node = leaf.node;
      tree.feature[node] = split.feature;
      binThreshold[node] = split.bin;
      const featureEdges = edges[split.feature] as Float64Array;
      const edge = featureEdges[split.bin - 1] ?? Infinity;
      // "Every value left, missing right" splits at +Infinity, which JSON cannot hold.
      tree.threshold[node] = Number.isFinite(edge) ? edge : Number.MAX_VALUE;
      tree.defaultLeft[node] = split.defaultLeft ? 1 : 0;
      tree.left[node] = left.node;
      tree.right[node] = right.node;
      tree.gain[node] = split.gain;
      for (const child of [left, right]) {
        child.split = this.bestSplit(child, features);
        (child.split ? open : closed).push(child);
        if (!child.split) this.release(child.hist);
      }
    }
    for (const leaf of [...open, ...closed]) {
      tree.value[leaf.node] = (-leaf.g / (leaf.h + params.lambda)) * params.learningRate;
      if (leaf.split) this.release(leaf.hist);
    }
    return { tree, binThreshold };
  }
}

/** Margin a tree adds to row r of the binned matrix (the fit's own rows: bins, not raw values). */
export function binnedTreeValue(
  tree: BoosterTree,
  binThreshold: number[],
  codes: Uint8Array,
  offset: number,
): number {
  let node = 0;
  for (;;) {
    const feature = tree.feature[node] ?? -1;
    if (feature < 0) return tree.value[node] ?? 0;
    const code = codes[offset + feature] ?? 0;
    const goLeft = code === MISSING_BIN ? tree.defaultLeft[node] === 1 : code <= (binThreshold[node] ?? 0);
    node = (goLeft ? tree.left[node] : tree.right[node]) ?? 0;
  }
}
