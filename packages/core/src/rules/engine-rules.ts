import { z } from 'zod';
import { checkEngineRules } from './cross-checks.ts';
import { matrixActionSchema, moneyThresholdSchema, roasThresholdSchema } from './primitives.ts';
import { stagesSchema } from './stage-rules.ts';
import {
  fraction,
  nonNegativeInt,
  oneLine,
  positiveInt,
  positiveNumber,
  probability,
} from './zod-helpers.ts';

/** Hard range for the per-action scale cap (product.md item 11: seed 25%, range 20 to 30). */
export const MAX_SCALE_PERCENT_RANGE = { min: 20, max: 30 } as const;
/** Meta refuses more than 4 budget changes per ad set per hour (error 613 / 1487632). */
export const META_MAX_BUDGET_CHANGES_PER_HOUR = 4;

/** Version of the rules file format; bumped when a key changes meaning. */
export const RULES_FORMAT_VERSION = 1;

const targetsSchema = z
  .object({
    // Break-even ROAS: 1 / margin; from COGS as a share of revenue: 1 / (1 - share); from COGS per
    // purchase: AOV / (AOV - cogs); or given directly.
    breakEven: z.discriminatedUnion('from', [
      z.object({ from: z.literal('margin'), margin: z.number().gt(0).lte(1) }).strict(),
      z.object({ from: z.literal('cogsShare'), cogsShare: z.number().min(0).lt(1) }).strict(),
      z.object({ from: z.literal('cogsPerPurchase'), amount: positiveNumber }).strict(),
      z.object({ from: z.literal('roas'), roas: positiveNumber }).strict(),
    ]),
    targetRoas: z.discriminatedUnion('source', [
      z.object({ source: z.literal('breakEven'), multiple: positiveNumber }).strict(),
      z.object({ source: z.literal('fixed'), roas: positiveNumber }).strict(),
    ]),
    // Derived: account AOV / target ROAS, so the CPA multiples below work in any currency.
    targetCpa: z.discriminatedUnion('source', [
      z.object({ source: z.literal('derived') }).strict(),
      z.object({ source: z.literal('fixed'), amount: positiveNumber }).strict(),
    ]),
  })
  .strict();

const noiseGateSchema = z
  .object({
    minSpend: moneyThresholdSchema,
    minPurchases: nonNegativeInt,
    minAgeDays: nonNegativeInt,
    belowGateAction: z.enum(['HOLD', 'RETEST']),
    zeroConversion: z
      .object({
        enabled: z.boolean(),
        spendMultiple: z.number().gte(1).lte(10),
        maxConfidence: z.enum(['LOW', 'MEDIUM']),
      })
      .strict(),
  })
  .strict();

const bucketsSchema = z
  .object({
    winnerAtLeast: positiveNumber,
    averageAtLeast: positiveNumber,
    // With >= 0.5 an entity can never be both a likely Winner and a likely Loser.
    membershipProbability: z.number().gte(0.5).lt(1),
    breakEven: z
      .object({
        enabled: z.boolean(),
        winnerMinProbability: probability,
        averageMinProbability: probability,
        pauseMaxProbability: probability,
      })
      .strict(),
    confidence: z.object({ high: probability, medium: probability }).strict(),
    credibleInterval: probability,
  })
  .strict();

const trendSchema = z
  .object({
    windowDays: z.number().int().min(3).max(30),
    minDays: z.number().int().min(2).max(30),
    slope: z
      .object({
        threshold: positiveNumber,
        measure: z.enum(['normalizedRoasPerDay', 'roasPerDay']),
      })
      .strict(),
    volatileCpaCv: positiveNumber,
    spendAcceleration: positiveNumber,
    immature: z
      .object({
        completenessBelow: z.number().gt(0).lte(1),
        handling: z.enum(['correct', 'exclude']),
        excludeToday: z.boolean(),
      })
      .strict(),
  })
  .strict();

/** A matrix cell: the action, the scale percent when the action is SCALE, and why. */
export const matrixCellSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('SCALE'),
      scalePercent: z
        .number()
        .gt(-100)
        .lte(100)
        .refine((value) => value !== 0, 'must not be 0 (use HOLD)'),
      rationale: oneLine,
    })
    .strict(),
  z.object({ action: z.literal('HOLD'), rationale: oneLine }).strict(),
  z.object({ action: z.literal('PAUSE'), rationale: oneLine }).strict(),
  z.object({ action: z.literal('RETEST'), rationale: oneLine }).strict(),
]);
export type MatrixCell = z.infer<typeof matrixCellSchema>;

const matrixRowSchema = z
  .object({
    stable: matrixCellSchema,
    improving: matrixCellSchema,
    declining: matrixCellSchema,
    volatile: matrixCellSchema,
  })
  .strict();

const matrixSchema = z
  .object({
    winner: matrixRowSchema,
    average: matrixRowSchema,
    loser: matrixRowSchema,
    loserLowSpend: matrixRowSchema,
  })
  .strict();

/** Adjustments for one audience type; neutral values are 1, 0 and null. */
export const audienceModifierSchema = z
  .object({
    roasThresholdMultiplier: z.number().gte(0.5).lte(2),
    minDaysBeforePause: nonNegativeInt,
    pauseAfterDecliningDays: positiveInt.nullable(),
    scalePointsDelta: z.number().gte(-30).lte(30),
    maxScalePercent: positiveNumber.nullable(),
    fatigue: z
      .object({
        frequencyBand: z.enum(['cold', 'warm']),
        frequencyMultiplier: z.number().gt(0).lte(3),
        spendMultipleOfMedian: positiveNumber.nullable(),
      })
      .strict(),
  })
  .strict();
export type AudienceModifier = z.infer<typeof audienceModifierSchema>;

const audiencesSchema = z
  .object({
    broad: audienceModifierSchema,
    interest: audienceModifierSchema,
    lookalike: audienceModifierSchema.extend({
      maxLookalikePercent: z.number().gt(0).lte(20),
      widerLookalikesAs: z.enum(['broad', 'interest', 'unknown']),
    }),
    retargeting: audienceModifierSchema,
    unknown: audienceModifierSchema,
  })
  .strict();

const fatigueSchema = z
  .object({
    frequency: z.object({ cold: positiveNumber, warm: positiveNumber }).strict(),
    ctrDropFromPeak: z.object({ min: fraction, strong: fraction, days: positiveInt }).strict(),
    cpmInflation: z.object({ rise: positiveNumber, baselineDays: positiveInt }).strict(),
    index: z.object({ riskAt: fraction, refreshAt: fraction }).strict(),
  })
  .strict();

const guardrailsSchema = z
  .object({
    maxScalePerAction: z
      .object({
        percent: z.number().min(MAX_SCALE_PERCENT_RANGE.min).max(MAX_SCALE_PERCENT_RANGE.max),
      })
      .strict(),
    maxDecreasePerAction: z.object({ percent: z.number().gt(0).lt(100) }).strict(),
    maxDailyIncrease: z
      .object({
        adSetPercent: positiveNumber,
        adSetAmount: moneyThresholdSchema,
        accountPercent: positiveNumber,
      })
      .strict(),
    cooldownHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 14),
    noPauseBelowMinSpend: z.object({ enabled: z.boolean(), minSpend: moneyThresholdSchema }).strict(),
    learningPhaseLock: z.object({ enabled: z.boolean(), allowKills: z.boolean() }).strict(),
    maxBudgetChangesPerHour: z.number().int().min(1).max(META_MAX_BUDGET_CHANGES_PER_HOUR),
    minDailyBudget: moneyThresholdSchema,
    campaignBudget: z.object({ routeTo: z.enum(['campaign', 'skip']) }).strict(),
    killSwitch: z
      .object({
        enabled: z.boolean(),
        maxDailyLoss: moneyThresholdSchema,
        roasFloor: z.object({ roas: roasThresholdSchema, days: positiveInt }).strict(),
        spendSpike: z.object({ ratio: z.number().gt(1), trailingDays: positiveInt }).strict(),
        onTrip: z.enum(['freezeScaling', 'holdAll']),
      })
      .strict(),
  })
  .strict();

const hysteresisSchema = z
  .object({
    consecutiveRuns: z.number().int().min(1).max(10),
    actions: z.array(matrixActionSchema).min(1),
    overwhelming: z
      .object({
        probability,
        zeroConversionSpendMultiple: positiveNumber,
      })
      .strict(),
  })
  .strict();

const allocationSchema = z
  .object({
    enabled: z.boolean(),
    method: z.enum(['waterFilling']),
    maxIncreasePercent: positiveNumber,
    maxDecreasePercent: z.number().gt(0).lt(100),
    // Changes smaller than this are not worth a budget edit (and its cooldown).
    minChangePercent: z.number().min(0).lt(100),
    // Diminishing returns: an ad set's average ROAS halves at this multiple of an equal budget share.
    halfSaturationShare: z.number().gt(0).lte(100),
    // Shape of the response curve (Hill exponent): 1 is concave; above 1 a budget needs some size to work.
    saturationExponent: z.number().gte(0.5).lte(3),
    // Days of history the curve is fitted on, and the half-life that weighs recent days more.
    lookbackDays: z.number().int().min(7).max(90),
    halfLifeDays: z.number().gt(0).lte(90),
    // Below this many (weighted) purchases across the account, the window stretches (up to 3x, 90 days).
    minAccountPurchases: z.number().min(0),
    // Move a budget only when the posterior agrees at this many standard deviations (0 = follow the mean).
    evidenceBand: z.number().min(0).max(3),
    // Leave money unspent only where a reading this many standard deviations better still says it does not pay.
    unspentEvidenceBand: z.number().min(0).max(3),
    leaveUnspentBelowTarget: z.boolean(),
    // A matrix Pause is re-judged at this share of the budget: if it likely pays there, it is cut instead (absent or null = off).
    cutBeforePauseAt: z.number().gt(0).lt(1).nullable().optional(),
  })
  .strict();

// How the learning models enter decisions (optional: rules saved before it existed keep the defaults).
const modelsSchema = z
  .object({
    // A model whose skill over its naive baseline (1 - its error / the baseline's) is below this is ignored.
    minSkill: z.number().min(0).lt(1),
    // Confidence rises one level only when a model at least this skilled agrees by twice its error.
    strongAgreementSkill: z.number().gt(0).lte(1),
    // Fatigue-onset probability from which a risk is added (and a budget increase loses confidence).
    fatigueRiskProbability: probability,
    // Purchase probability (next 3 days) below which a budget increase is flagged as unlikely to convert.
    purchaseUnlikelyBelow: probability,
    allocation: z
      .object({
        // The allocation's ROAS reading moves toward the forecast by this x its skill (at most all the way).
        forecastWeight: z.number().min(0).max(5),
        // relative: the forecast only reorders ad sets (the level stays the posterior's); absolute: moves it too.
        forecastLevel: z.enum(['relative', 'absolute']),
        // An ad set's value falls by this share times its fatigue-onset probability (0: off).
        fatigueDiscount: fraction,
      })
      .strict(),
  })
  .strict();

/**
 * Funnel events as evidence on the purchase rate (absent = purchases only): where purchases are few,
 * an ad set's add-to-carts count at the account's cart-to-purchase ratio, up to `maxWeight`, and less
 * where ad sets' ratios differ.
 */
const funnelEvidenceSchema = z
  .object({
    event: z.enum(['addsToCart', 'checkoutsInitiated']),
    maxWeight: fraction,
  })
  .strict();

const engineRulesShapeSchema = z
  .object({
    version: z.literal(RULES_FORMAT_VERSION),
    targets: targetsSchema,
    noiseGate: noiseGateSchema,
    buckets: bucketsSchema,
    trend: trendSchema,
    matrix: matrixSchema,
    audiences: audiencesSchema,
    stages: stagesSchema,
    fatigue: fatigueSchema,
    guardrails: guardrailsSchema,
    hysteresis: hysteresisSchema,
    allocation: allocationSchema,
    models: modelsSchema.optional(),
    funnelEvidence: funnelEvidenceSchema.optional(),
  })
  .strict();

/** The validated engine configuration: thresholds, matrix, modifiers, stages, guardrails. */
export type EngineRules = z.infer<typeof engineRulesShapeSchema>;

/**
 * The zod schema of the whole engine configuration (the `rules.yaml` shape): every object strict,
 * then the cross-field checks of `checkEngineRules`.
 */
export const engineRulesSchema = engineRulesShapeSchema.superRefine(checkEngineRules);

export type TargetsRules = EngineRules['targets'];
export type NoiseGateRules = EngineRules['noiseGate'];
export type BucketRules = EngineRules['buckets'];
export type TrendRules = EngineRules['trend'];
export type DecisionMatrix = EngineRules['matrix'];
export type AudienceModifiers = EngineRules['audiences'];
export type FatigueRules = EngineRules['fatigue'];
export type GuardrailRules = EngineRules['guardrails'];
export type HysteresisRules = EngineRules['hysteresis'];
export type AllocationRules = EngineRules['allocation'];
export type ModelRules = NonNullable<EngineRules['models']>;
export type FunnelEvidenceRules = NonNullable<EngineRules['funnelEvidence']>;
