// Gauss-Hermite quadrature over the order-value term of a ROAS posterior, prepared once per posterior
// and shared by its tail probabilities and its quantile solver (roas-posterior.ts).
import type { RoasPosterior } from './roas-posterior.ts';
import { gammaTailWith, gaussHermite, logGamma, type GammaTail } from './special-functions.ts';

const SQRT_PI = Math.sqrt(Math.PI);

/** A posterior's quadrature over M, prepared once: ln Γ(alpha), and each node's weight and e^{-M}. */
export type Quadrature = {
  posterior: RoasPosterior;
  order: number;
  logGammaAlpha: number;
  weights: readonly number[];
  /** e^{-M} at each node, and -M: the node's x is rate · e^{-M}, so ln x needs no logarithm. */
  scales: readonly number[];
  logScales: readonly number[];
  /** Scratch for the gamma tails taken on these nodes. */
  tail: GammaTail;
  /** Tails already taken, newest last (a decision asks the same posterior for break-even twice). */
  targets: number[];
  tails: number[];
};

// The outermost nodes of a high order weigh next to nothing (24 nodes: 9e-17 and 4e-13 of the mass):
// leaving out at most this much in total changes no probability by more than it.
const NEGLIGIBLE_MASS = 1e-12;

export function prepareQuadrature(posterior: RoasPosterior, order: number): Quadrature {
  if (!(posterior.alpha > 0)) {
    throw new RangeError(`regularizedGammaQ: shape must be positive (${posterior.alpha})`);
  }
  const { nodes, weights } = significantNodes(order);
  const scales = new Array<number>(nodes.length);
  const logScales = new Array<number>(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const m = posterior.aovLogMean + Math.SQRT2 * posterior.aovLogSd * (nodes[i] ?? 0);
    scales[i] = Math.exp(-m);
    logScales[i] = -m;
  }
  return {
    posterior: { ...posterior },
    order,
    logGammaAlpha: logGamma(posterior.alpha),
    weights,
    scales,
    logScales,
    targets: [],
    tails: [],
    tail: { q: 0, densityOfLog: 0 },
  };
}

// Per order, like gaussHermite's own cache (a handful of orders are ever used).
const SIGNIFICANT_NODES = new Map<number, { nodes: number[]; weights: number[] }>();

/** The Gauss-Hermite rule of `order` without its end nodes of negligible mass (the rule is symmetric). */
function significantNodes(order: number): { nodes: number[]; weights: number[] } {
  const known = SIGNIFICANT_NODES.get(order);
  if (known !== undefined) return known;
  const { nodes, weights } = gaussHermite(order);
  let skip = 0;
  let mass = 0;
  while (2 * skip + 2 < weights.length) {
    mass += (2 * (weights[skip] ?? 0)) / SQRT_PI;
    if (mass > NEGLIGIBLE_MASS) break;
    skip++;
  }
  const rule = {
    nodes: nodes.slice(skip, nodes.length - skip),
    weights: weights.slice(skip, weights.length - skip),
  };
  SIGNIFICANT_NODES.set(order, rule);
  return rule;
}

// One entity's decision asks its posterior for several tails in a row: the last prepared posterior is
// kept (one entry, so the cache stays bounded) and found again by value, never by identity.
let lastQuadrature: Quadrature | null = null;

export function quadratureFor(posterior: RoasPosterior, order: number): Quadrature {
  const last = lastQuadrature;
  if (last !== null && last.order === order && isSamePosterior(last.posterior, posterior)) return last;
  lastQuadrature = prepareQuadrature(posterior, order);
  return lastQuadrature;
}

function isSamePosterior(a: RoasPosterior, b: RoasPosterior): boolean {
  return (
    a.alpha === b.alpha && a.beta === b.beta && a.aovLogMean === b.aovLogMean && a.aovLogSd === b.aovLogSd
  );
}

/** Σ w_i Q(alpha, beta · target · e^{-M_i}) / √π: P(ROAS > target) on the prepared nodes. */
export function tailAbove(quadrature: Quadrature, target: number): number {
  const { posterior, weights, scales, logScales, logGammaAlpha, tail } = quadrature;
  const rate = posterior.beta * target;
  const logRate = Math.log(rate);
  let total = 0;
  for (let i = 0; i < scales.length; i++) {
    const x = rate * (scales[i] ?? 0);
    gammaTailWith(posterior.alpha, x, logRate + (logScales[i] ?? 0), logGammaAlpha, tail);
    total += (weights[i] ?? 0) * tail.q;
  }
  return Math.min(1, Math.max(0, total / SQRT_PI));
}

// A decision asks the same posterior for break-even twice, and for up to four lines in all.
const REMEMBERED_TAILS = 4;

/** P(ROAS > target) on the prepared nodes, remembering the last few targets asked. */
export function rememberedTail(quadrature: Quadrature, target: number): number {
  const seen = quadrature.targets.indexOf(target);
  if (seen >= 0) return quadrature.tails[seen] ?? tailAbove(quadrature, target);
  const tail = tailAbove(quadrature, target);
  if (quadrature.targets.length >= REMEMBERED_TAILS) {
    quadrature.targets.shift();
    quadrature.tails.shift();
  }
  quadrature.targets.push(target);
  quadrature.tails.push(tail);
  return tail;
}

/** The CDF of log ROAS at u and its first two derivatives, on the prepared nodes. */
export type LogCdf = { value: number; slope: number; curvature: number };

export function logCdfAt(quadrature: Quadrature, u: number, out: LogCdf): void {
  const { posterior, weights, scales, logScales, logGammaAlpha, tail } = quadrature;
  const rate = posterior.beta * Math.exp(u);
  const logRate = Math.log(posterior.beta) + u;
  let total = 0;
  let slope = 0;
  let curvature = 0;
  for (let i = 0; i < scales.length; i++) {
    const w = weights[i] ?? 0;
    const x = rate * (scales[i] ?? 0);
    gammaTailWith(posterior.alpha, x, logRate + (logScales[i] ?? 0), logGammaAlpha, tail);
    total += w * tail.q;
    // d/du of Q(alpha, x e^u) is minus the density of ln x; its own derivative brings (alpha - x).
    slope += w * tail.densityOfLog;
    curvature += w * tail.densityOfLog * (posterior.alpha - x);
  }
  out.value = 1 - Math.min(1, Math.max(0, total / SQRT_PI));
  out.slope = slope / SQRT_PI;
  out.curvature = curvature / SQRT_PI;
}
