import type { IsoDate } from '@roas/core';
import type { AudienceType, LagProfileName } from '../scenarios/schema.ts';

/**
 * Meta's learning phase as the product models it (decision-quality.md 1.5). The Graph API's
 * `learning_stage_info.status` spells these LEARNING / FAIL / SUCCESS; see `toGraphLearningStatus`.
 */
export const LEARNING_STAGES = ['LEARNING', 'LEARNING_LIMITED', 'ACTIVE'] as const;
export type LearningStage = (typeof LEARNING_STAGES)[number];

/** Statuses a policy may set (Meta's `status` for ad sets). */
export const AD_SET_STATUSES = ['ACTIVE', 'PAUSED'] as const;
export type AdSetStatus = (typeof AD_SET_STATUSES)[number];

/**
 * One day of one ad set or ad as the Graph API would report it on the observation day: purchases
 * and their value include only what has been attributed so far (revised upward for 7 days).
 * Money is in integer cents (minor units), exactly what Meta's 2-decimal `spend` strings encode.
 */
export type ReportedRow = {
  /** Day index from the scenario's start (0-based). */
  day: number;
  date: IsoDate;
  spendCents: number;
  impressions: number;
  reach: number;
  linkClicks: number;
  addsToCart: number;
  checkoutsInitiated: number;
  purchases: number;
  purchaseValueCents: number;
};

/** `learning_stage_info` of an ad set. */
export type LearningInfo = {
  stage: LearningStage;
  /** Attributed conversions counted toward exit: since the last reset while LEARNING, else the last 7 days. */
  conversions: number;
  /** Day of launch or of the last significant edit (`last_sig_edit_ts`), null before launch. */
  lastSignificantEditDay: number | null;
};

/** One ad (creative) as reported. */
export type AdObservation = {
  id: string;
  name: string;
  /** Days with delivery only, oldest first, as Meta's `time_increment=1` insights omit empty days. */
  rows: readonly ReportedRow[];
};

/** One ad set as the Graph API reports it: settings, learning stage and lagged daily rows. */
export type AdSetObservation = {
  id: string;
  name: string;
  /** Inferred from targeting in the product; part of what an account exposes, not a latent parameter. */
  audienceType: AudienceType;
  status: AdSetStatus;
  dailyBudgetCents: number;
  learning: LearningInfo;
  /** Days with delivery only, oldest first. */
  rows: readonly ReportedRow[];
  ads: readonly AdObservation[];
};

/**
 * What a policy may see before day `day` starts: the account as the Graph API reports it then (data
 * through day - 1, lagged). Never latent parameters.
 */
export type Observation = {
  /** The day about to be decided (0-based); rows cover days 0..day-1. */
  day: number;
  date: IsoDate;
  currency: string;
  totalDailyBudgetCents: number;
  minDailyBudgetCents: number;
  adSets: readonly AdSetObservation[];
};

/** A policy's instruction for one ad set for the coming day. */
export type AdSetDecision = {
  adSetId: string;
  status: AdSetStatus;
  /** Daily budget in minor units (Meta's `daily_budget`); kept while paused. */
  dailyBudgetCents: number;
};

/** Per-creative latent parameters. */
export type AdLatent = {
  id: string;
  name: string;
  /** CTR multiplier relative to the ad set's (mean 1 across creatives). */
  quality: number;
  /** Fatigue strength beta_f in CTR x exp(-beta_f * max(0, u - u0)). */
  fatigueBeta: number;
  /** Copy wear-out rate per delivered day. */
  wearOut: number;
};

/** Per-ad-set latent parameters, drawn once per seed (decision-quality.md 2.2). Money in major units. */
export type AdSetLatent = {
  index: number;
  id: string;
  name: string;
  audienceType: AudienceType;
  audienceSize: number;
  /** Intrinsic reported ROAS at low spend, fresh creatives, out of learning, before drift. */
  r0: number;
  cpm: number;
  ctr: number;
  cvr: number;
  /** Mean order value. */
  aov: number;
  /** Hill exponent and half-saturation spend K (daily, major units). */
  alpha: number;
  k: number;
  /** True incremental revenue per caused (attributed or not) revenue. */
  incrementality: number;
  lagProfile: LagProfileName;
  ads: readonly AdLatent[];
};

/** An optional regime shift: from `day` on, the ad set's r0 is multiplied by `multiplier`. */
export type DriftEvent = { adSetIndex: number; day: number; multiplier: number };

/** Ground truth for one ad set on one simulated day. Money in major units (spend exact to the cent). */
export type AdSetDayTruth = {
  day: number;
  status: AdSetStatus;
  budgetCents: number;
  spend: number;
  stage: LearningStage | null;
  /** A learning reset happened at the start of this day (launch excluded). */
  reset: boolean;
  impressions: number;
  clicks: number;
  /** Every purchase the ad set caused on this day, inside the attribution window or not. */
  purchases: number;
  /** What Meta will eventually attribute to this day (after the 7-day lag resolves). */
  attributedPurchases: number;
  attributedRevenue: number;
  /** Incremental revenue: incrementality x all caused revenue. */
  trueRevenue: number;
  /** Expected true revenue at the realised spend and state (no daily noise): for wasted-spend scoring. */
  expectedTrueRevenue: number;
  /** Expected true revenue of one more unit of spend (for marginal wasted spend). */
  marginalTrueRoas: number;
  /** r0 in force on this day (after drift). */
  r0: number;
};

/** What the market would deliver, in expectation, for one ad set on the coming day under a given budget. */
export type ExpectedDay = {
  spend: number;
  attributedRevenue: number;
  trueRevenue: number;
  stage: LearningStage | null;
  /** The budget would trigger a learning reset. */
  resets: boolean;
};
