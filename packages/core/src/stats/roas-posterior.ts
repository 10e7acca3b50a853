import { type PurchaseRatePrior, updatePurchaseRate } from './gamma-poisson.ts';
import {
  logCdfAt,
  quadratureFor,
  rememberedTail,
  tailAbove,
  type LogCdf,
  type Quadrature,
} from './roas-quadrature.ts';
import { logGammaCumulants, normalCdf } from './special-functions.ts';

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
  return rememberedTail(quadratureFor(posterior, order), target);
}

/** Posterior mean ROAS: E[λ] · E[e^M]. */
export function posteriorMeanRoas(posterior: RoasPosterior): number {
  return (posterior.alpha / posterior.beta) * Math.exp(posterior.aovLogMean + posterior.aovLogSd ** 2 / 2);
}

// Intervals ask for the same two levels every time: each is bisected once (bounded, like every cache here).
const NORMAL_QUANTILES = new Map<number, number>();
const NORMAL_QUANTILES_LIMIT = 64;

/** z with Φ(z) = p, by bisection on the normal CDF (cached per p). */
function normalQuantile(p: number): number {
  const cached = NORMAL_QUANTILES.get(p);
  if (cached !== undefined) return cached;
  const z = bisectNormalQuantile(p);
  if (NORMAL_QUANTILES.size >= NORMAL_QUANTILES_LIMIT) NORMAL_QUANTILES.clear();
  NORMAL_QUANTILES.set(p, z);
  return z;
}

function bisectNormalQuantile(p: number): number {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Where the log-normal approximation puts the q-quantile of log ROAS, and its spread (the solvers' scale). */
function startingPoint(posterior: RoasPosterior, q: number): { guess: number; spread: number } {
  const { alpha, beta, aovLogMean, aovLogSd } = posterior;
  const centre = Math.log(alpha / beta) - 1 / (2 * alpha) + aovLogMean;
  const spread = Math.sqrt(1 / alpha + 1 / (2 * alpha * alpha) + aovLogSd * aovLogSd);
  return { guess: centre + normalQuantile(q) * spread, spread };
}

/**
 * The q-quantile of log ROAS by the Cornish-Fisher expansion on the exact cumulants of ln λ + M
 * (polygammas of alpha, plus the normal's mean and variance): close enough to the root that
 * Halley's method needs one evaluation less than from the plain normal guess.
 */
function cornishFisher(posterior: RoasPosterior, q: number): number {
  const { alpha, beta, aovLogMean, aovLogSd } = posterior;
  const cumulants = logGammaCumulants(alpha);
  const mean = cumulants.mean - Math.log(beta) + aovLogMean;
  const variance = cumulants.variance + aovLogSd * aovLogSd;
  const skew = cumulants.third / variance ** 1.5;
  const kurtosis = cumulants.fourth / (variance * variance);
  const z = normalQuantile(q);
  const w =
    z +
    ((z * z - 1) * skew) / 6 +
    ((z * z * z - 3 * z) * kurtosis) / 24 -
    ((2 * z * z * z - 5 * z) * skew * skew) / 36;
  return mean + Math.sqrt(variance) * w;
}

const HALLEY_ITERATIONS = 12;
// Halley's error after a step is about its cube over the spread squared: a step under 1e-4 spreads
// leaves an error near 1e-12 spreads, far below what is displayed or compared.
const HALLEY_STEP_TOLERANCE = 1e-4;

/**
 * Solves CDF(e^u) = q by Halley's method from the Cornish-Fisher start (the quadrature gives the
 * CDF's first two derivatives with it), kept inside the bracket the evaluations establish, bisecting
 * when a step leaves it: one or two evaluations where the derivative-free solver needs ten. Null
 * when it does not settle.
 */
function halleyQuantile(quadrature: Quadrature, q: number): number | null {
  const { spread } = startingPoint(quadrature.posterior, q);
  const guess = cornishFisher(quadrature.posterior, q);
  const cdf: LogCdf = { value: 0, slope: 0, curvature: 0 };
  let lo = -Infinity;
  let hi = Infinity;
  let u = guess;
  for (let i = 0; i < HALLEY_ITERATIONS; i++) {
    logCdfAt(quadrature, u, cdf);
    const f = cdf.value - q;
    if (f === 0) return Math.exp(u);
    if (f < 0) lo = u;
    else hi = u;
    const newton = f / cdf.slope;
    let next = u - newton / (1 - (newton * cdf.curvature) / (2 * cdf.slope));
    if (!(next > lo && next < hi)) {
      next = Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : u + (f < 0 ? spread : -spread);
    }
    if (Math.abs(next - u) < HALLEY_STEP_TOLERANCE * spread) return Math.exp(next);
    u = next;
  }
  return null;
}

/**
 * The ROAS below which the posterior puts probability q. Log ROAS is close to normal (log-gamma plus
 * normal), and its exact cumulants give a close start; Halley's method then solves CDF(e^x) = q to
 * about 1e-12, with the Illinois method on a widening bracket as the fallback.
 */
export function roasQuantile(posterior: RoasPosterior, q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile must be in (0, 1) (${q})`);
  return quantileOn(quadratureFor(posterior, INTERVAL_QUADRATURE_ORDER), q);
}

function quantileOn(quadrature: Quadrature, q: number): number {
  return halleyQuantile(quadrature, q) ?? illinoisQuantile(quadrature, q);
}

/** The Illinois method on CDF(e^x) = q to 1e-7 in probability, from a bracket widened around the guess. */
function illinoisQuantile(quadrature: Quadrature, q: number): number {
  const cdf = (x: number) => 1 - tailAbove(quadrature, Math.exp(x)) - q;
  const { guess, spread } = startingPoint(quadrature.posterior, q);
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
  for (const q of [tail, 1 - tail]) {
    if (!(q > 0 && q < 1)) throw new RangeError(`quantile must be in (0, 1) (${q})`);
  }
  const quadrature = quadratureFor(posterior, INTERVAL_QUADRATURE_ORDER);
  return { lo: quantileOn(quadrature, tail), hi: quantileOn(quadrature, 1 - tail) };
}
