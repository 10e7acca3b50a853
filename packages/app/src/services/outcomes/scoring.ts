import {
  orderValuePriorFromAccount,
  posteriorMeanRoas,
  priorFromMean,
  probabilityRoasAbove,
  roasInterval,
  roasPosterior,
  type RoasEvidence,
} from '@roas/core';

/**
 * How a recommendation is scored against what happened after it (docs/architecture.md, "Outcomes").
 * Each action makes a claim about the entity's ROAS over the horizon, against a line in force at
 * decision time (the target ROAS or break-even). The claim is judged on the posterior of that ROAS
 * (Gamma-Poisson purchases per lag-adjusted spend x lognormal order value, from @roas/core, with the
 * evidence discounted by the account's day-to-day overdispersion), never on a raw ratio of a few
 * purchases:
 *
 * - SCALE up, PROMOTE: "stays at or above target". Hit when P(ROAS > target) >= 0.8, miss when <= 0.2.
 * - SCALE down: "worth keeping, smaller": the same against break-even.
 * - PAUSE: "stays a loser". Hit when P(ROAS > break-even) <= 0.2, miss when >= 0.8.
 * - HOLD: "not a winner it should have scaled". Miss when P(ROAS > target) >= 0.8, hit when < 0.5.
 * - RETEST: "not a clear loser yet". Miss when P(ROAS > break-even) <= 0.2, hit when > 0.5.
 *
 * Anything in between is inconclusive, and so is a window with less than two target CPAs of
 * (lag-adjusted) spend; a verdict that the ROAS is above a line also needs 3 purchases. When the
 * entity's own data are too thin (it was paused) and a truth is known (the simulator's latent ROAS),
 * the claim is checked against that number exactly.
 */
export const CLEAR_PROBABILITY = 0.8;
/** Hold and Retest claim only "not clearly the other way": more likely than not is enough for a hit. */
export const LEANING_PROBABILITY = 0.5;
export const MIN_EXPOSURE_IN_TARGET_CPAS = 2;
export const MIN_PURCHASES_ABOVE_LINE = 3;
/** The prior is worth about one purchase at the account's rate: the window's own data decide. */
const PRIOR_COEFFICIENT_OF_VARIATION = 1;
/** Ad sets of one shop differ in order value by about 30% (the engine's own assumption). */
const ORDER_VALUE_SPREAD = 0.3;
const INTERVAL_MASS = 0.9;

export type Verdict = 'hit' | 'miss' | 'inconclusive';
export type Basis = 'data' | 'truth' | 'none';

/** The targets in force when the recommendation was made; null when they could not be derived. */
export type DecisionTargets = {
  breakEvenRoas: number | null;
  targetRoas: number | null;
  targetCpa: number | null;
};

/**
 * What the account looked like before the decision: the prior's centre, and how much more its daily
 * purchases vary than Poisson (`dispersion` >= 1, see `dailyDispersion`).
 */
export type AccountPrior = { purchasesPerUnitSpend: number; aov: number; dispersion: number };

type Claim = {
  line: 'target' | 'breakEven';
  /**
   * above: hit above the line, miss below. below: the reverse. notAbove / notBelow: a miss needs the
   * clear other side; a hit only the lean.
   */
  kind: 'above' | 'below' | 'notAbove' | 'notBelow';
  text: string;
};

export function claimOf(action: string, scalePercent: number | null): Claim | null {
  switch (action) {
    case 'SCALE':
      return scalePercent !== null && scalePercent < 0
        ? { line: 'breakEven', kind: 'above', text: 'a smaller budget keeps it above break-even' }
        : { line: 'target', kind: 'above', text: 'it keeps ROAS at or above the target' };
    case 'PROMOTE':
      return { line: 'target', kind: 'above', text: 'it keeps ROAS at or above the target' };
    case 'PAUSE':
      return { line: 'breakEven', kind: 'below', text: 'it stays a loser, below break-even' };
    case 'HOLD':
      return { line: 'target', kind: 'notAbove', text: 'it was not a winner worth scaling' };
    case 'RETEST':
      return { line: 'breakEven', kind: 'notBelow', text: 'it was not a clear loser yet' };
    default:
      return null;
  }
}

export type ScoreInput = {
  action: string;
  scalePercent: number | null;
  targets: DecisionTargets;
  /** The window's purchases, lag-adjusted spend and revenue (major units). */
  evidence: RoasEvidence;
  prior: AccountPrior | null;
  /** The entity's true ROAS over the window, when a truth provider knows it. */
  truthRoas: number | null;
};

export type Score = {
  verdict: Verdict;
  basis: Basis;
  claim: string | null;
  /** The line the claim is judged against. */
  line: number | null;
  /** The window's ROAS posterior; null without data or prior. */
  posterior: { mean: number; lo: number; hi: number } | null;
  /** P(ROAS > line) on the posterior (or 1/0 from the truth). */
  probabilityAboveLine: number | null;
  reason: string;
};

const pct = (p: number) => `${Math.round(p * 100)}%`;
const two = (x: number) => x.toFixed(2);

/** Hit, miss or neither from P(ROAS > line), for one kind of claim. */
export function verdictFrom(kind: Claim['kind'], probabilityAbove: number, canSayAbove: boolean): Verdict {
  const clearlyAbove = probabilityAbove >= CLEAR_PROBABILITY && canSayAbove;
  const clearlyBelow = probabilityAbove <= 1 - CLEAR_PROBABILITY;
  switch (kind) {
    case 'above':
      return clearlyAbove ? 'hit' : clearlyBelow ? 'miss' : 'inconclusive';
    case 'below':
      return clearlyBelow ? 'hit' : clearlyAbove ? 'miss' : 'inconclusive';
    case 'notAbove':
      return clearlyAbove ? 'miss' : probabilityAbove < LEANING_PROBABILITY ? 'hit' : 'inconclusive';
    case 'notBelow':
      return clearlyBelow ? 'miss' : probabilityAbove > LEANING_PROBABILITY ? 'hit' : 'inconclusive';
  }
}

/** Scores one recommendation over one horizon window. Pure: every number comes in as an argument. */
export function scoreOutcome(input: ScoreInput): Score {
  const claim = claimOf(input.action, input.scalePercent);
  const none = (reason: string): Score => ({
    verdict: 'inconclusive',
    basis: 'none',
    claim: claim?.text ?? null,
    line: null,
    posterior: null,
    probabilityAboveLine: null,
    reason,
  });
  if (claim === null) return none(`no outcome rule for ${input.action}`);
  const line = claim.line === 'target' ? input.targets.targetRoas : input.targets.breakEvenRoas;
  if (line === null || !(line > 0))
    return none('the targets in force at decision time cannot be derived (no purchases before it)');
  const lineName = claim.line === 'target' ? `target ${two(line)}` : `break-even ${two(line)}`;

  const { evidence, targets } = input;
  const minExposure = targets.targetCpa === null ? null : MIN_EXPOSURE_IN_TARGET_CPAS * targets.targetCpa;
  const enoughData =
    minExposure === null ? evidence.purchases >= MIN_PURCHASES_ABOVE_LINE : evidence.exposure >= minExposure;

  if (!enoughData || input.prior === null) {
    const thin =
      input.prior === null
        ? 'the account had no purchases before the decision to set a prior'
        : minExposure === null
          ? `${evidence.purchases} purchase(s) over the window, too few to judge`
          : `spent ${two(evidence.exposure)} (lag-adjusted) over the window of the ${two(minExposure)} needed to judge`;
    if (input.truthRoas === null) return { ...none(thin), line };
    const above = input.truthRoas > line ? 1 : 0;
    const verdict = verdictFrom(claim.kind, above, true);
    return {
      verdict,
      basis: 'truth',
      claim: claim.text,
      line,
      posterior: null,
      probabilityAboveLine: above,
      reason: `${thin}; its true ROAS was ${two(input.truthRoas)}, ${above ? 'above' : 'at or below'} ${lineName}`,
    };
  }

  // Quasi-Poisson: overdispersed days carry less information, so the evidence counts for less.
  const scale = 1 / Math.max(1, input.prior.dispersion);
  const posterior = roasPosterior(
    {
      purchases: evidence.purchases * scale,
      exposure: evidence.exposure * scale,
      revenue: evidence.revenue * scale,
    },
    priorFromMean(input.prior.purchasesPerUnitSpend, PRIOR_COEFFICIENT_OF_VARIATION),
    orderValuePriorFromAccount(input.prior.aov, 0.7, ORDER_VALUE_SPREAD),
  );
  const probability = probabilityRoasAbove(posterior, line);
  const interval = roasInterval(posterior, INTERVAL_MASS);
  const canSayAbove = evidence.purchases >= MIN_PURCHASES_ABOVE_LINE;
  const verdict = verdictFrom(claim.kind, probability, canSayAbove);
  const mean = posteriorMeanRoas(posterior);
  const fewPurchases =
    probability >= CLEAR_PROBABILITY && !canSayAbove ? ` but only ${evidence.purchases} purchase(s)` : '';
  return {
    verdict,
    basis: 'data',
    claim: claim.text,
    line,
    posterior: { mean, lo: interval.lo, hi: interval.hi },
    probabilityAboveLine: probability,
    reason: `ROAS about ${two(mean)} (${two(interval.lo)} to ${two(interval.hi)}), ${pct(probability)} likely above ${lineName}${fewPurchases}`,
  };
}
