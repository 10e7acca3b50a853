import type { Rng } from './prng.ts';

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/** Standard normal by inversion: exactly one uniform per draw, so streams stay aligned across runs. */
export function sampleNormal(rng: Rng, mean = 0, sd = 1): number {
  return mean + sd * normalQuantile(rng.next());
}

/** exp(N(mu, sigma^2)). */
export function sampleLognormal(rng: Rng, mu: number, sigma: number): number {
  return Math.exp(mu + sigma * normalQuantile(rng.next()));
}

/** Uniform on [lo, hi). */
export function sampleUniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Log-uniform on [lo, hi): audience sizes span orders of magnitude. */
export function sampleLogUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(sampleUniform(rng, Math.log(lo), Math.log(hi)));
}

/** Gamma(shape, scale) by Marsaglia and Tsang (2000); shape < 1 uses the u^(1/shape) boost. */
export function sampleGamma(rng: Rng, shape: number, scale = 1): number {
  if (!(shape > 0) || !(scale > 0))
    throw new RangeError(`gamma needs shape, scale > 0 (got ${shape}, ${scale})`);
  if (shape < 1) return sampleGamma(rng, shape + 1, scale) * Math.pow(rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normalQuantile(rng.next());
    const base = 1 + c * x;
    if (base <= 0) continue;
    const v = base * base * base;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

const LOG_FACTORIAL: number[] = [0];
for (let k = 1; k < 256; k++) LOG_FACTORIAL.push((LOG_FACTORIAL[k - 1] ?? 0) + Math.log(k));

/** ln(k!) from a table below 256 and Stirling's series above (error < 1e-12 there). */
export function logFactorial(k: number): number {
  const cached = LOG_FACTORIAL[k];
  if (cached !== undefined) return cached;
  const n = k + 1;
  return (n - 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * n) - 1 / (360 * n * n * n);
}

/**
 * Poisson(mean): inversion below 10 (one uniform, monotone in the mean), Hörmann's PTRS
 * transformed rejection above (O(1) for the thousands of clicks a large ad set gets).
 */
export function samplePoisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 10) {
    const u = rng.next();
    let p = Math.exp(-mean);
    let cdf = p;
    let k = 0;
    while (u > cdf && k < 200) {
      k++;
      p *= mean / k;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const logMean = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -mean + k * logMean - logFactorial(k)
    ) {
      return k;
    }
  }
}

/**
 * Negative binomial with the given mean and dispersion `shape` (variance mean + mean^2/shape), as a
 * Gamma-Poisson mixture: the overdispersed daily purchase count.
 */
export function sampleNegativeBinomial(rng: Rng, mean: number, shape: number): number {
  if (!(mean > 0)) return 0;
  return samplePoisson(rng, mean * sampleGamma(rng, shape, 1 / shape));
}

/** Optional Pareto tail for order values ("whale" orders). */
export type WhaleTail = { share: number; paretoAlpha: number };

/**
 * One order value with the given mean: lognormal with log-sd `sigma` (heavy right tail), and with
 * probability `whale.share` a Pareto draw starting at twice the mean instead.
 */
export function sampleOrderValue(rng: Rng, mean: number, sigma: number, whale?: WhaleTail): number {
  const u = rng.next();
  const z = normalQuantile(rng.next());
  if (whale && u < whale.share) return 2 * mean * Math.pow(rng.next(), -1 / whale.paretoAlpha);
  return mean * Math.exp(sigma * z - (sigma * sigma) / 2);
}

/** Index drawn from a cumulative distribution (last entry 1); one uniform. */
export function sampleFromCdf(rng: Rng, cdf: ArrayLike<number>): number {
  const u = rng.next();
  for (let i = 0; i < cdf.length; i++) if (u <= (cdf[i] ?? 1)) return i;
  return cdf.length - 1;
}
