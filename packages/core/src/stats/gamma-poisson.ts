/**
 * Purchases per unit of spend, λ ~ Gamma(alpha, rate beta). `beta` is in currency units: the spend
 * at which an ad set's own data and the account prior weigh the same.
 */
export type PurchaseRatePrior = { alpha: number; beta: number };

export type SpendAndPurchases = { spend: number; purchases: number };

/** Between-entity spread assumed when the data show none (lognormal σ ≈ 0.3). */
const MIN_COEFFICIENT_OF_VARIATION = 0.3;
/** The most spread the data may claim: beyond it, small counts are speaking, not the ad sets (σ ≈ 0.7). */
const MAX_COEFFICIENT_OF_VARIATION = 0.8;
/** Spread assumed when the data cannot say (decision-quality.md 1.2 measured about 0.68). */
const DEFAULT_COEFFICIENT_OF_VARIATION = 0.65;
/**
 * How many entities' worth of weight the default spread gets against the measured one: an account's
 * dozen ad sets measure their spread poorly and too low on average, which shrinks winners too hard.
 */
export const SPREAD_PSEUDO_ENTITIES = 24;

/**
 * Empirical-Bayes prior from sibling entities by the method of moments (decision-quality.md 1.2):
 * m = Σy/Σs, v = [Σ(y - m s)² - m Σs] / Σs². Falls back to `fallbackRate` (for example 1 / target CPA)
 * when the account has too little data.
 */
export function fitPurchaseRatePrior(
  entities: readonly SpendAndPurchases[],
  fallbackRate: number,
  spreadPseudoEntities = 0,
): PurchaseRatePrior {
  const withSpend = entities.filter((e) => e.spend > 0);
  const totalSpend = withSpend.reduce((sum, e) => sum + e.spend, 0);
  const totalPurchases = withSpend.reduce((sum, e) => sum + e.purchases, 0);
  if (!(fallbackRate > 0)) throw new RangeError(`fallbackRate must be positive (${fallbackRate})`);
  if (totalSpend <= 0 || totalPurchases < 3)
    return priorFromMean(fallbackRate, DEFAULT_COEFFICIENT_OF_VARIATION);
  const mean = totalPurchases / totalSpend;
  if (withSpend.length < 3) return priorFromMean(mean, DEFAULT_COEFFICIENT_OF_VARIATION);
  const squaredSpend = withSpend.reduce((sum, e) => sum + e.spend * e.spend, 0);
  const dispersion = withSpend.reduce((sum, e) => sum + (e.purchases - mean * e.spend) ** 2, 0);
  const variance = (dispersion - mean * totalSpend) / squaredSpend;
  const measured = variance > 0 ? variance / (mean * mean) : 0;
  // A few entities measure the spread poorly (low, on average): it leans on the default like that many more.
  const squaredCv =
    (withSpend.length * measured + spreadPseudoEntities * DEFAULT_COEFFICIENT_OF_VARIATION ** 2) /
    (withSpend.length + spreadPseudoEntities);
  return priorFromMean(
    mean,
    Math.min(MAX_COEFFICIENT_OF_VARIATION, Math.max(MIN_COEFFICIENT_OF_VARIATION, Math.sqrt(squaredCv))),
  );
}

/** A Gamma prior with the given mean and coefficient of variation: alpha = 1/cv², beta = alpha/mean. */
export function priorFromMean(mean: number, coefficientOfVariation: number): PurchaseRatePrior {
  const alpha = 1 / (coefficientOfVariation * coefficientOfVariation);
  return { alpha, beta: alpha / mean };
}

/** Conjugate update: Gamma(alpha + purchases, beta + exposure). */
export function updatePurchaseRate(
  prior: PurchaseRatePrior,
  purchases: number,
  exposure: number,
): PurchaseRatePrior {
  return { alpha: prior.alpha + purchases, beta: prior.beta + exposure };
}
