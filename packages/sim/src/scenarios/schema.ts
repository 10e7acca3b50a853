import { isIsoDate } from '@roas/core';
import { z } from 'zod';

/** Audience types an ad set can target; they drive the priors of its latent parameters. */
export const AUDIENCE_TYPES = ['broad', 'interest', 'lookalike', 'retargeting'] as const;
export type AudienceType = (typeof AUDIENCE_TYPES)[number];

/** Attribution-lag profiles (decision-quality.md 1.3). */
export const LAG_PROFILES = ['fast', 'default', 'slow'] as const;
export type LagProfileName = (typeof LAG_PROFILES)[number];

/** Days over which a day's purchases keep arriving (Meta's 7-day click window: delays 0..7). */
export const LAG_DAYS = 8;

const positive = z.number().positive();
const fraction = z.number().min(0).max(1);

/** A closed interval [lo, hi] written as a two-element array. */
const interval = (item: z.ZodNumber) =>
  z
    .tuple([item, item])
    .refine(([lo, hi]) => lo <= hi, { message: 'the first bound must not exceed the second' });

const audienceSchema = z
  .object({
    /** Audience size in people, drawn log-uniformly. */
    sizeMin: positive,
    sizeMax: positive,
    /** Added to ln r0: retargeting converts better per impression. */
    roasLogShift: z.number(),
    cpmMultiplier: positive,
    /** Scales the saturation point K: small audiences saturate sooner. */
    kappaMultiplier: positive,
    /** True (incremental) revenue as a share of platform-attributed revenue. */
    incrementality: interval(fraction),
    lagProfile: z.enum(LAG_PROFILES),
  })
  .strict()
  .refine((a) => a.sizeMin <= a.sizeMax, { message: 'sizeMin must not exceed sizeMax', path: ['sizeMin'] });

const lagProfileSchema = z
  .object({
    /** P(delay = d | attributed) for d = 0..7 days. */
    pmf: z.array(z.number().min(0)).length(LAG_DAYS),
    /** Share of caused purchases landing after the 7-day window: real revenue, never attributed. */
    outsideWindow: z.number().min(0).max(0.9),
  })
  .strict()
  .refine((p) => Math.abs(p.pmf.reduce((s, x) => s + x, 0) - 1) < 1e-6, {
    message: 'pmf must sum to 1',
    path: ['pmf'],
  });

const effectsSchema = z
  .object({
    saturation: z.boolean().default(true),
    fatigue: z.boolean().default(true),
    /** Off by default: without creative refreshes in the action space, 90 days of wear-out would sink every account. */
    wearOut: z.boolean().default(false),
    incrementality: z.boolean().default(true),
    dayOfWeek: z.boolean().default(true),
    overdispersion: z.boolean().default(true),
    lag: z.boolean().default(true),
    learning: z.boolean().default(true),
    pacing: z.boolean().default(true),
    drift: z.boolean().default(false),
  })
  .strict();

const DEFAULT_AUDIENCES: Record<AudienceType, z.output<typeof audienceSchema>> = {
  broad: {
    sizeMin: 2_000_000,
    sizeMax: 20_000_000,
    roasLogShift: 0,
    cpmMultiplier: 1,
    kappaMultiplier: 1,
    incrementality: [0.6, 0.9],
    lagProfile: 'default',
  },
  interest: {
    sizeMin: 500_000,
    sizeMax: 3_000_000,
    roasLogShift: 0,
    cpmMultiplier: 1,
    kappaMultiplier: 1,
    incrementality: [0.6, 0.9],
    lagProfile: 'default',
  },
  lookalike: {
    sizeMin: 500_000,
    sizeMax: 3_000_000,
    roasLogShift: 0,
    cpmMultiplier: 1,
    kappaMultiplier: 1,
    incrementality: [0.6, 0.9],
    lagProfile: 'default',
  },
  retargeting: {
    sizeMin: 20_000,
    sizeMax: 200_000,
    roasLogShift: 0.4,
    cpmMultiplier: 1.6,
    kappaMultiplier: 0.5,
    incrementality: [0.2, 0.5],
    lagProfile: 'fast',
  },
};

const DEFAULT_LAG: Record<LagProfileName, z.output<typeof lagProfileSchema>> = {
  fast: { pmf: [0.7, 0.15, 0.05, 0.04, 0.02, 0.02, 0.01, 0.01], outsideWindow: 0.05 },
  default: { pmf: [0.55, 0.15, 0.08, 0.06, 0.05, 0.04, 0.04, 0.03], outsideWindow: 0.15 },
  slow: { pmf: [0.35, 0.15, 0.11, 0.09, 0.09, 0.08, 0.07, 0.06], outsideWindow: 0.3 },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fills each known entry of a keyed group with its defaults; anything else passes through to be refused. */
function withDefaults(value: unknown, defaults: Record<string, object>): unknown {
  if (value === undefined) return structuredClone(defaults);
  if (!isPlainObject(value)) return value;
  const merged: Record<string, unknown> = structuredClone(defaults);
  for (const [key, entry] of Object.entries(value)) {
    const base = defaults[key];
    merged[key] = base && isPlainObject(entry) ? { ...base, ...entry } : entry;
  }
  return merged;
}

/**
 * A market scenario. Every key has a default (decision-quality.md 1.8 and 2.2), so a scenario file
 * only states what differs; unknown keys are refused at every level. Money is in major units of
 * `currency` (2 minor digits).
 */
export const scenarioSchema = z
  .object({
    name: z.string().min(1).default('custom'),
    description: z.string().default(''),
    /** N, the number of ad sets in the account. */
    adSets: z.number().int().min(1).max(5000).default(12),
    adsPerAdSet: z
      .object({
        min: z.number().int().min(1).max(4).default(1),
        max: z.number().int().min(1).max(4).default(4),
      })
      .strict()
      .refine((r) => r.min <= r.max, { message: 'min must not exceed max', path: ['min'] })
      .prefault({}),
    /** B, the account's total daily budget. */
    dailyBudget: positive.default(1200),
    /** Environment guard rail: an active ad set's budget is raised to at least this. */
    minDailyBudget: z.number().min(0.01).default(5),
    horizonDays: z.number().int().min(1).max(730).default(90),
    /** m in profit = m * revenue - spend; break-even ROAS is 1/m. */
    margin: z.number().gt(0).max(1).default(0.6),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'a 3-letter ISO currency code')
      .default('USD'),
    /** Day 0's date; a Monday by default, so day-of-week effects line up with calendar weeks. */
    startDate: z.string().refine(isIsoDate, 'a YYYY-MM-DD date').default('2026-01-05'),
    effects: effectsSchema.prefault({}),
    /** Relative weights of the audience types when ad sets are drawn. */
    audienceMix: z
      .object({
        broad: z.number().min(0).default(0.4),
        interest: z.number().min(0).default(0.2),
        lookalike: z.number().min(0).default(0.2),
        retargeting: z.number().min(0).default(0.2),
      })
      .strict()
      .refine((m) => m.broad + m.interest + m.lookalike + m.retargeting > 0, {
        message: 'weights must not all be 0',
      })
      .prefault({}),
    /** Per audience type; a file may give only the fields it changes. */
    audiences: z.preprocess(
      (value) => withDefaults(value, DEFAULT_AUDIENCES),
      z
        .object({
          broad: audienceSchema,
          interest: audienceSchema,
          lookalike: audienceSchema,
          retargeting: audienceSchema,
        })
        .strict(),
    ),
    /**
     * Latent low-spend reported ROAS r0 ~ LogN(ln median, sigma^2): sigma is the between-ad-set spread.
     * The median is 3.4 rather than 2.2's 3.0 so that, after saturation, learning and fatigue (which 2.2's
     * quick check left out), the equal split's account ROAS lands near the 2.3 that check targets.
     */
    roas: z
      .object({ median: positive.default(3.4), sigma: z.number().min(0).default(0.6) })
      .strict()
      .prefault({}),
    funnel: z
      .object({
        cpmMedian: positive.default(10),
        cpmSigma: z.number().min(0).default(0.25),
        ctrMedian: z.number().gt(0).lt(1).default(0.01),
        ctrSigma: z.number().min(0).default(0.4),
        /** CVR = r0 * CPM / (1000 * CTR * AOV) is clipped here; r0 is then recomputed so the funnel stays exact. */
        cvrMin: z.number().gt(0).lt(1).default(0.002),
        cvrMax: z.number().gt(0).lt(1).default(0.15),
        /** Between-ad-set spread of mean order value around the account's. */
        aovSigma: z.number().min(0).default(0.15),
        /** Spread of creative quality (CTR multiplier) between ads of one ad set. */
        adQualitySigma: z.number().min(0).default(0.2),
        addToCartPerPurchase: z.number().min(1).default(4),
        checkoutsPerPurchase: z.number().min(1).default(2),
        /** Delivery cap: impressions per person per day the audience can absorb. */
        maxDailyFrequency: positive.default(2.5),
      })
      .strict()
      .refine((f) => f.cvrMin <= f.cvrMax, { message: 'cvrMin must not exceed cvrMax', path: ['cvrMin'] })
      .refine((f) => f.checkoutsPerPurchase <= f.addToCartPerPurchase, {
        message: 'checkoutsPerPurchase must not exceed addToCartPerPurchase',
        path: ['checkoutsPerPurchase'],
      })
      .prefault({}),
    orderValue: z
      .object({
        /** Median single order; the mean is median * exp(sigma^2 / 2). */
        median: positive.default(60),
        sigma: z.number().min(0).max(2).default(0.7),
        /** Share of orders drawn from a Pareto tail ("whales"); 0 turns it off. */
        whaleShare: fraction.default(0),
        whaleParetoAlpha: z.number().gt(1).default(2.5),
      })
      .strict()
      .prefault({}),
    saturation: z
      .object({
        alpha: interval(z.number().min(0.3).max(4)).default([0.8, 1.5]),
        /** K_i = kappa_i * B / N with kappa ~ LogN(ln kappaMedian, kappaSigma^2). */
        kappaMedian: positive.default(2),
        kappaSigma: z.number().min(0).default(0.5),
      })
      .strict()
      .prefault({}),
    fatigue: z
      .object({
        beta: interval(z.number().min(0)).default([0.1, 0.35]),
        /** Daily retention of the per-creative exposure state u. */
        decay: z.number().gt(0).lt(1).default(0.9),
        /** u below this does no harm. */
        threshold: z.number().min(0).default(1),
        /** Copy wear-out rate c ~ U(0, wearOutMax) per delivered day. */
        wearOutMax: z.number().min(0).max(0.2).default(0.01),
      })
      .strict()
      .prefault({}),
    learning: z
      .object({
        events: z.number().int().min(1).default(50),
        windowDays: z.number().int().min(1).default(7),
        /** A budget edit with |delta b| / b above this resets learning (practitioner lore, see 1.5). */
        budgetChangeThreshold: z.number().min(0).default(0.2),
        /** Resuming after more than this many paused days resets learning. */
        resumeAfterDays: z.number().int().min(0).default(7),
        /** CVR x (1 - penalty) while LEARNING, x (1 - penalty/2) while LEARNING_LIMITED. */
        penalty: z.number().min(0).max(0.9).default(0.15),
        /** Multiplies the log-CPM deviation and the purchase overdispersion CV while learning. */
        noiseMultiplier: z.number().min(1).default(1.5),
      })
      .strict()
      .prefault({}),
    noise: z
      .object({
        pacingSigma: z.number().min(0).default(0.08),
        pacingClip: interval(positive).default([0.7, 1.25]),
        /** Stationary sd of the AR(1) log-CPM deviation. */
        cpmSd: z.number().min(0).default(0.15),
        cpmRho: z.number().min(0).lt(1).default(0.5),
        ctrSd: z.number().min(0).default(0.1),
        /** Gamma shape k of the daily purchase multiplier (CV 1/sqrt(k)). */
        overdispersionShape: positive.default(20),
      })
      .strict()
      .prefault({}),
    dayOfWeek: z
      .object({
        /** Peak-to-mean amplitude of the weekly CPM cycle (dearest at weekends). */
        cpmAmplitude: z.number().min(0).max(0.5).default(0.1),
        /** Peak-to-mean amplitude of the weekly CVR cycle (best early in the week). */
        cvrAmplitude: z.number().min(0).max(0.5).default(0.05),
      })
      .strict()
      .prefault({}),
    /** Lag profiles by name; a file may give only the fields it changes. */
    lag: z.preprocess(
      (value) => withDefaults(value, DEFAULT_LAG),
      z.object({ fast: lagProfileSchema, default: lagProfileSchema, slow: lagProfileSchema }).strict(),
    ),
    drift: z
      .object({
        /** Per seed and per shift, the chance that a regime shift happens. */
        probability: fraction.default(0.3),
        shifts: z.number().int().min(0).max(20).default(1),
        multiplier: interval(positive).default([0.4, 2.5]),
        days: interval(z.number().int().min(0)).default([20, 70]),
        /** Daily sd of a random walk in ln r0 (0 = none). */
        randomWalkSd: z.number().min(0).default(0),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((s) => s.minDailyBudget * s.adSets <= s.dailyBudget, {
    message: 'the daily budget must fund every ad set at minDailyBudget',
    path: ['minDailyBudget'],
  });

/** A validated scenario with every default filled in. */
export type Scenario = z.infer<typeof scenarioSchema>;
/** What a scenario file may contain: any subset of the keys, plus `extends`. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type AudienceParams = Scenario['audiences'][AudienceType];
export type LagProfile = Scenario['lag'][LagProfileName];
export type ScenarioEffects = Scenario['effects'];
