import {
  fitPurchaseRatePrior,
  type PurchaseRatePrior,
  SPREAD_PSEUDO_ENTITIES,
  updatePurchaseRate,
} from './gamma-poisson.ts';
import {
  type OrderValuePrior,
  type RoasEvidence,
  type RoasPosterior,
  roasPosterior,
} from './roas-posterior.ts';

/**
 * Add-to-carts as evidence on the purchase rate, for accounts where purchases are scarce. If every ad
 * set turns carts into purchases at the account's ratio ρ, an ad set's carts A over exposure E say as
 * much about its purchase rate λ as A purchases over ρ·E would: a Gamma(α, β) prior on λ updates to
 * Gamma(α + A, β + ρE). Where ad sets' ratios differ, the carts count for less.
 */

/** One ad set's (weighted) purchases, funnel events and lag-adjusted exposure. */
export type FunnelEvidence = { purchases: number; funnelEvents: number; exposure: number };

export type FunnelEvent = 'addsToCart' | 'checkoutsInitiated';

/** How notes name each event. */
export const FUNNEL_EVENT_LABELS: Record<FunnelEvent, string> = {
  addsToCart: 'add-to-carts',
  checkoutsInitiated: 'checkouts initiated',
};

/** The account's funnel events per purchase and the weight its carts get (0 = purchases only). */
export type FunnelRatio = { eventsPerPurchase: number; weight: number };

/** Purchases only. */
export const NO_FUNNEL: FunnelRatio = { eventsPerPurchase: 1, weight: 0 };

/** Below this many purchases in the account, the ratio itself is too uncertain to lean on. */
const MIN_ACCOUNT_PURCHASES = 5;

/**
 * The account's ratio and how far to trust it: `maxWeight` times 1 / (Pearson dispersion of each ad
 * set's purchases among its carts around the account's purchase share), capped at `maxWeight`.
 */
export function fitFunnelRatio(entities: readonly FunnelEvidence[], maxWeight: number): FunnelRatio {
  const purchases = entities.reduce((sum, e) => sum + e.purchases, 0);
  const events = entities.reduce((sum, e) => sum + e.funnelEvents, 0);
  if (maxWeight <= 0 || purchases < MIN_ACCOUNT_PURCHASES || events <= purchases) return NO_FUNNEL;
  const share = purchases / events;
  let chiSquare = 0;
  let groups = 0;
  for (const e of entities) {
    if (e.funnelEvents <= 0) continue;
    const expected = e.funnelEvents * share;
    chiSquare += (e.purchases - expected) ** 2 / (expected * (1 - share));
    groups++;
  }
  const dispersion = groups > 1 ? chiSquare / (groups - 1) : 1;
  return { eventsPerPurchase: events / purchases, weight: maxWeight * Math.min(1, 1 / dispersion) };
}

/** The counts and exposure the Gamma-Poisson update reads: purchases blended toward carts by the weight. */
export function funnelAssisted(
  evidence: FunnelEvidence,
  ratio: FunnelRatio,
): { purchases: number; exposure: number } {
  const { weight, eventsPerPurchase } = ratio;
  if (weight <= 0) return { purchases: evidence.purchases, exposure: evidence.exposure };
  return {
    purchases: evidence.purchases + weight * Math.max(0, evidence.funnelEvents - evidence.purchases),
    exposure: evidence.exposure * (1 + weight * (eventsPerPurchase - 1)),
  };
}

/**
 * The account's funnel ratio and the empirical-Bayes purchase-rate prior fitted on the assisted counts
 * (its spread leaning on the default as SPREAD_PSEUDO_ENTITIES more entities would).
 */
export function fitFunnelPrior(
  entities: readonly FunnelEvidence[],
  maxWeight: number,
  fallbackRate: number,
): { ratio: FunnelRatio; prior: PurchaseRatePrior } {
  const ratio = fitFunnelRatio(entities, maxWeight);
  const prior = fitPurchaseRatePrior(
    entities.map((e) => {
      const rate = funnelAssisted(e, ratio);
      return { spend: rate.exposure, purchases: rate.purchases };
    }),
    fallbackRate,
    SPREAD_PSEUDO_ENTITIES,
  );
  return { ratio, prior };
}

/** The ROAS posterior with the purchase rate read from funnel-assisted counts; order value from purchases. */
export function funnelRoasPosterior(
  evidence: RoasEvidence & { funnelEvents: number },
  ratio: FunnelRatio,
  prior: PurchaseRatePrior,
  orderValue: OrderValuePrior,
): RoasPosterior {
  const posterior = roasPosterior(evidence, prior, orderValue);
  if (ratio.weight <= 0) return posterior;
  const rate = funnelAssisted(evidence, ratio);
  return { ...posterior, ...updatePurchaseRate(prior, rate.purchases, rate.exposure) };
}
