import { type PurchaseRatePrior, updatePurchaseRate } from './gamma-poisson.ts';
import { gaussHermite, normalCdf, regularizedGammaQ } from './special-functions.ts';

/**
 * Prior on log of the mean order value (AOV), Normal(logMean, logMeanSd²), and the spread of single
 * orders on the log scale (sigma ≈ 0.7 in real exports, decision-quality.md 1.2).
 */
export type OrderValuePrior = { logMean: number; logMeanSd: number; sigma: number };

/** Centres the order-value prior on the account's AOV; `logMeanSd` 0.5 allows ad sets to differ by ±65%. */
export function orderValuePriorFromAccount(
  accountAov: number,
  sigma = 0.7,
  logMeanSd = 0.5,
): OrderValuePrior {
  if (!(accountAov > 0)) throw new RangeError(`accountAov must be positive (${accountAov})`);
  return { logMean: Math.log(accountAov), logMeanSd, sigma };
}

/** What one entity's data say: purchases, lag-adjusted spend (exposure) and revenue over a window. */
export type RoasEvidence = { purchases: number; exposure: number; revenue: number };

/**
 * ROAS = λ · A, with λ (purchases per unit of spend) ~ Gamma(alpha, rate beta) and the mean order
 * value A = exp(M), M ~ Normal(aovLogMean, aovLogSd²).
 */
export type RoasPosterior = {
  alpha: number;
  beta: number;
  aovLogMean: number;
  aovLogSd: number;
};

export function roasPosterior(
  evidence: RoasEvidence,
  rate: PurchaseRatePrior,
  orderValue: OrderValuePrior,
): RoasPosterior {
  if (evidence.purchases < 0 || evidence.exposure < 0 || evidence.revenue < 0) {
    throw new RangeError('purchases, exposure and revenue must be non-negative');
  }
  const { alpha, beta } = updatePurchaseRate(rate, evidence.purchases, evidence.exposure);
  // The log of an n-order average has sampling variance about (e^{σ²} - 1) / n (delta method).
  const priorPrecision = 1 / orderValue.logMeanSd ** 2;
  if (evidence.purchases === 0 || evidence.revenue === 0) {
    return { alpha, beta, aovLogMean: orderValue.logMean, aovLogSd: orderValue.logMeanSd };
  }
  const observedLogMean = Math.log(evidence.revenue / evidence.purchases);
  const dataPrecision = evidence.purchases / Math.expm1(orderValue.sigma ** 2);
  const precision = priorPrecision + dataPrecision;
  return {
    alpha,
    beta,
    aovLogMean: (orderValue.logMean * priorPrecision + observedLogMean * dataPrecision) / precision,
    aovLogSd: Math.sqrt(1 / precision),
  };
}

const QUADRATURE_ORDER = 24;
// Interval ends are shown to two decimals: a lighter quadrature is plenty and makes them 2.5x cheaper.
const INTERVAL_QUADRATURE_ORDER = 10;

/** P(ROAS > target) = E_M[ P(λ > target · e^{-M}) ], integrated over M by Gauss-Hermite quadrature. */
export function probabilityRoasAbove(
  posterior: RoasPosterior,
  target: number,
  order: number = QUADRATURE_ORDER,
): number {
  if (target <= 0) return 1;
  const { nodes, weights } = gaussHermite(order);
  let total = 0;
  for (let i = 0; i < nodes.length; i++) {
    const m = posterior.aovLogMean + Math.SQRT2 * posterior.aovLogSd * (nodes[i] ?? 0);
    total += (weights[i] ?? 0) * regularizedGammaQ(posterior.alpha, posterior.beta * target * Math.exp(-m));
  }
  return Math.min(1, Math.max(0, total / Math.sqrt(Math.PI)));
}

/** Posterior mean ROAS: E[λ] · E[e^M]. */
export function posteriorMeanRoas(posterior: RoasPosterior): number {
  return (posterior.alpha / posterior.beta) * Math.exp(posterior.aovLogMean + posterior.aovLogSd ** 2 / 2);
}

/** z with Φ(z) = p, by bisection on the normal CDF (cheap next to the posterior's own CDF). */
function normalQuantile(p: number): number {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The ROAS below which the posterior puts probability q. Log ROAS is close to normal (log-gamma plus
 * normal), which gives a starting bracket; the Illinois method then solves CDF(e^x) = q on it to 1e-7 in probability (far below what is displayed).
 */
export function roasQuantile(posterior: RoasPosterior, q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile must be in (0, 1) (${q})`);
  const cdf = (x: number) => 1 - probabilityRoasAbove(posterior, Math.exp(x), INTERVAL_QUADRATURE_ORDER) - q;
  const { alpha, beta, aovLogMean, aovLogSd } = posterior;
  const centre = Math.log(alpha / beta) - 1 / (2 * alpha) + aovLogMean;
  const spread = Math.sqrt(1 / alpha + 1 / (2 * alpha * alpha) + aovLogSd * aovLogSd);
  const guess = centre + normalQuantile(q) * spread;
  let lo = guess - spread;
  let hi = guess + spread;
  let fLo = cdf(lo);
  let fHi = cdf(hi);
  for (let i = 0; i < 60 && fLo > 0; i++) {
    lo -= spread * 2 ** i;
    fLo = cdf(lo);
  }
  for (let i = 0; i < 60 && fHi < 0; i++) {
    hi += spread * 2 ** i;
    fHi = cdf(hi);
  }
  let side = 0;
  for (let i = 0; i < 100 && hi - lo > 1e-6; i++) {
    const x = fHi === fLo ? (lo + hi) / 2 : (lo * fHi - hi * fLo) / (fHi - fLo);
    const fx = cdf(x);
    if (fx === 0) return Math.exp(x);
    if (fx < 0) {
      lo = x;
      fLo = fx;
      // Illinois: halve the stale end's value when the same end is kept twice, so both ends converge.
      if (side === -1) fHi /= 2;
      side = -1;
    } else {
      hi = x;
      fHi = fx;
      if (side === 1) fLo /= 2;
      side = 1;
    }
    if (Math.abs(fx) < 1e-7) break;
  }
  return Math.exp(fLo === fHi ? (lo + hi) / 2 : (lo * fHi - hi * fLo) / (fHi - fLo));
}

/** A central credible interval for ROAS (default 90%). */
export function roasInterval(posterior: RoasPosterior, mass = 0.9): { lo: number; hi: number } {
  const tail = (1 - mass) / 2;
  return { lo: roasQuantile(posterior, tail), hi: roasQuantile(posterior, 1 - tail) };
}
