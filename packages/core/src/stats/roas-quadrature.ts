// Gauss-Hermite quadrature over the order-value term of a ROAS posterior, prepared once per posterior
// and shared by its tail probabilities and its quantile solver (roas-posterior.ts).
import type { RoasPosterior } from './roas-posterior.ts';
import { gammaPrefactor, gammaTailFrom, gaussHermite, logGamma } from './special-functions.ts';

const SQRT_PI = Math.sqrt(Math.PI);
const LOG_SQRT_PI = Math.log(SQRT_PI);

/**
 * A posterior's quadrature over M, prepared once: ln Γ(alpha), and each node's weight and e^{-M}.
 * The per-node numbers are typed arrays: reading a plain array's element with a fallback (`?? 0`)
 * boxes it, once per node of every tail.
 */
export type Quadrature = {
  posterior: RoasPosterior;
  order: number;
  logGammaAlpha: number;
  weights: Float64Array;
  /** ln of each weight, for telling cheaply when a node's term cannot change a sum. */
  logWeights: Float64Array;
  /** e^{-M} at each node, and -M: the node's x is rate · e^{-M}, so ln x needs no logarithm. */
  scales: Float64Array;
  logScales: Float64Array;
  /** Tails already taken, newest last (a decision asks the same posterior for break-even twice). */
  targets: number[];
  tails: number[];
};

// The outermost nodes of a high order weigh next to nothing (24 nodes: 9e-17 and 4e-13 of the mass):
// leaving out at most this much in total changes no probability by more than it.
const NEGLIGIBLE_MASS = 1e-12;

export function prepareQuadrature(posterior: RoasPosterior, order: number): Quadrature {
  checkShape(posterior);
  const { weights, logWeights } = significantNodes(order);
  const quadrature: Quadrature = {
    posterior: { ...posterior },
    order,
    logGammaAlpha: logGamma(posterior.alpha),
    weights,
    logWeights,
    scales: new Float64Array(weights.length),
    logScales: new Float64Array(weights.length),
    targets: [],
    tails: [],
  };
  fillScales(quadrature);
  return quadrature;
}

/** Prepares `quadrature` again, in place, for another posterior on the same nodes. */
function refill(quadrature: Quadrature, posterior: RoasPosterior): void {
  checkShape(posterior);
  const own = quadrature.posterior;
  if (own.alpha !== posterior.alpha) quadrature.logGammaAlpha = logGamma(posterior.alpha);
  own.alpha = posterior.alpha;
  own.beta = posterior.beta;
  own.aovLogMean = posterior.aovLogMean;
  own.aovLogSd = posterior.aovLogSd;
  quadrature.targets.length = 0;
  quadrature.tails.length = 0;
  fillScales(quadrature);
}

function checkShape(posterior: RoasPosterior): void {
  if (!(posterior.alpha > 0)) {
    throw new RangeError(`regularizedGammaQ: shape must be positive (${posterior.alpha})`);
  }
}

/** e^{-M} and -M at each node for the quadrature's posterior. */
function fillScales(quadrature: Quadrature): void {
  const { nodes } = significantNodes(quadrature.order);
  const { posterior, scales, logScales } = quadrature;
  for (let i = 0; i < nodes.length; i++) {
    const m = posterior.aovLogMean + Math.SQRT2 * posterior.aovLogSd * (nodes[i] ?? 0);
    scales[i] = Math.exp(-m);
    logScales[i] = -m;
  }
}

// Per order, like gaussHermite's own cache (a handful of orders are ever used).
type Rule = { nodes: Float64Array; weights: Float64Array; logWeights: Float64Array };
const SIGNIFICANT_NODES = new Map<number, Rule>();

/** The Gauss-Hermite rule of `order` without its end nodes of negligible mass (the rule is symmetric). */
function significantNodes(order: number): Rule {
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
  const kept = weights.slice(skip, weights.length - skip);
  const rule = {
    nodes: Float64Array.from(nodes.slice(skip, nodes.length - skip)),
    weights: Float64Array.from(kept),
    logWeights: Float64Array.from(kept, (w) => Math.log(w)),
  };
  SIGNIFICANT_NODES.set(order, rule);
  return rule;
}

// One entity's decision asks its posterior for several tails and two quantiles in a row: one
// quadrature per order is kept (a handful of orders, so the cache stays bounded), found again by
// value, never by identity, and refilled in place for the next posterior (typed arrays are costly
// to allocate). Its callers use it at once and keep no reference.
const CURRENT = new Map<number, Quadrature>();

export function quadratureFor(posterior: RoasPosterior, order: number): Quadrature {
  const current = CURRENT.get(order);
  if (current === undefined) {
    const prepared = prepareQuadrature(posterior, order);
    CURRENT.set(order, prepared);
    return prepared;
  }
  if (!isSamePosterior(current.posterior, posterior)) refill(current, posterior);
  return current;
}

function isSamePosterior(a: RoasPosterior, b: RoasPosterior): boolean {
  return (
    a.alpha === b.alpha && a.beta === b.beta && a.aovLogMean === b.aovLogMean && a.aovLogSd === b.aovLogSd
  );
}

// A node's term below 2^-60 of what it is added to (or, for 1 - Q, of 1) is far under half an ulp
// (2^-54 of it at least): adding it leaves the sum as it was, bit for bit.
const LOG_NEGLIGIBLE = -60 * Math.LN2;

/**
 * Σ w_i Q(alpha, beta · target · e^{-M_i}) / √π: P(ROAS > target) on the prepared nodes. Nodes whose
 * term cannot change the sum in floating point are settled from the logarithm of the tail's prefactor
 * x^a e^{-x} / Γ(a), without the exponential and the series: for x ≥ a + 1, Q ≤ the prefactor (the
 * integrand falls at least as fast as e^{-t}(1 + (t-x)/x)^(a-1)); for a ≥ 2 and x ≤ (a + 1) / 2,
 * 1 - Q ≤ the prefactor times 2/a ≤ it (a geometric bound on the series), so Q rounds to exactly 1.
 */
export function tailAbove(quadrature: Quadrature, target: number): number {
  const { posterior, weights, logWeights, scales, logScales, logGammaAlpha } = quadrature;
  const { alpha } = posterior;
  const rate = posterior.beta * target;
  const logRate = Math.log(rate);
  let total = 0;
  for (let i = 0; i < scales.length; i++) {
    const x = rate * (scales[i] ?? 0);
    const logX = logRate + (logScales[i] ?? 0);
    const logFront = -x + alpha * logX - logGammaAlpha;
    if (x >= alpha + 1) {
      const logTerm = logFront + (logWeights[i] ?? 0);
      // The total never exceeds Σ w = √π: a cheap test first, the exact one only when it may pass.
      if (logTerm < LOG_NEGLIGIBLE + LOG_SQRT_PI && logTerm < Math.log(total) + LOG_NEGLIGIBLE) continue;
    } else if (logFront < LOG_NEGLIGIBLE && alpha >= 2 && 2 * x <= alpha + 1) {
      total += weights[i] ?? 0;
      continue;
    }
    total += (weights[i] ?? 0) * gammaTailFrom(alpha, x, gammaPrefactor(alpha, x, logX, logGammaAlpha));
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
  const { posterior, weights, scales, logScales, logGammaAlpha } = quadrature;
  const rate = posterior.beta * Math.exp(u);
  const logRate = Math.log(posterior.beta) + u;
  let total = 0;
  let slope = 0;
  let curvature = 0;
  for (let i = 0; i < scales.length; i++) {
    const w = weights[i] ?? 0;
    const x = rate * (scales[i] ?? 0);
    // The prefactor is also the density of ln x, which the derivatives read.
    const front = gammaPrefactor(posterior.alpha, x, logRate + (logScales[i] ?? 0), logGammaAlpha);
    total += w * gammaTailFrom(posterior.alpha, x, front);
    // d/du of Q(alpha, x e^u) is minus the density of ln x; its own derivative brings (alpha - x).
    slope += w * front;
    curvature += w * front * (posterior.alpha - x);
  }
  out.value = 1 - Math.min(1, Math.max(0, total / SQRT_PI));
  out.slope = slope / SQRT_PI;
  out.curvature = curvature / SQRT_PI;
}
