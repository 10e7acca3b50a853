import { z } from 'zod';
import {
  comparisonOpSchema,
  cpmThresholdSchema,
  daysSchema,
  moneyThresholdSchema,
  roasThresholdSchema,
  ruleIdSchema,
} from './primitives.ts';
import { fraction, nonNegativeInt, positiveInt, positiveNumber } from './zod-helpers.ts';

/** Metrics a generic condition can compare; each carries the threshold type that fits it. */
export const CONDITION_METRICS = [
  'roas',
  'normalizedRoas',
  'cpa',
  'spend',
  'cpm',
  'ctr',
  'cvr',
  'frequency',
  'purchases',
  'addsToCart',
] as const;
export type ConditionMetric = (typeof CONDITION_METRICS)[number];

/**
 * `days` is the span the metric is read over, ending on the decision date (`lifetime` = all of it);
 * with `eachDay: true` every single day must pass on its own ("CPA above max for 2 consecutive days"
 * = days 2, eachDay true).
 */
const conditionScope = { op: comparisonOpSchema, days: daysSchema, eachDay: z.boolean() };

/** One typed comparison, discriminated on `metric`. */
export const conditionSchema = z.discriminatedUnion('metric', [
  z.object({ metric: z.literal('roas'), value: roasThresholdSchema, ...conditionScope }).strict(),
  z.object({ metric: z.literal('normalizedRoas'), value: positiveNumber, ...conditionScope }).strict(),
  z.object({ metric: z.literal('cpa'), value: moneyThresholdSchema, ...conditionScope }).strict(),
  z.object({ metric: z.literal('spend'), value: moneyThresholdSchema, ...conditionScope }).strict(),
  z.object({ metric: z.literal('cpm'), value: cpmThresholdSchema, ...conditionScope }).strict(),
  z.object({ metric: z.literal('ctr'), value: fraction, ...conditionScope }).strict(),
  z.object({ metric: z.literal('cvr'), value: fraction, ...conditionScope }).strict(),
  z.object({ metric: z.literal('frequency'), value: positiveNumber, ...conditionScope }).strict(),
  z.object({ metric: z.literal('purchases'), value: nonNegativeInt, ...conditionScope }).strict(),
  z.object({ metric: z.literal('addsToCart'), value: nonNegativeInt, ...conditionScope }).strict(),
]);
export type Condition = z.infer<typeof conditionSchema>;

const allOf = z.array(conditionSchema).min(1, 'needs at least one condition');

/** Kill rule kinds; a stage kills when any of its kill rules fires. */
export const KILL_RULE_KINDS = [
  'spendNoPurchase',
  'ctrBelow',
  'cpmAbove',
  'addToCartNoPurchase',
  'cpaAbove',
  'roasBelow',
  'tierAllowance',
  'conditions',
] as const;
export type KillRuleKind = (typeof KILL_RULE_KINDS)[number];

/** A kill rule, discriminated on `kind`. */
export const killRuleSchema = z.discriminatedUnion('kind', [
  // Spend >= spend with no purchase.
  z.object({ id: ruleIdSchema, kind: z.literal('spendNoPurchase'), spend: moneyThresholdSchema }).strict(),
  // CTR below the floor once afterSpend has been spent (earlier CTR is noise).
  z
    .object({
      id: ruleIdSchema,
      kind: z.literal('ctrBelow'),
      ctr: fraction,
      afterSpend: moneyThresholdSchema,
    })
    .strict(),
  z
    .object({
      id: ruleIdSchema,
      kind: z.literal('cpmAbove'),
      cpm: cpmThresholdSchema,
      afterSpend: moneyThresholdSchema,
    })
    .strict(),
  // At least addsToCart add-to-carts and still no purchase afterDays days after the first of them.
  z
    .object({
      id: ruleIdSchema,
      kind: z.literal('addToCartNoPurchase'),
      addsToCart: positiveInt,
      afterDays: positiveInt,
    })
    .strict(),
  z
    .object({
      id: ruleIdSchema,
      kind: z.literal('cpaAbove'),
      cpa: moneyThresholdSchema,
      consecutiveDays: positiveInt,
    })
    .strict(),
  z
    .object({
      id: ruleIdSchema,
      kind: z.literal('roasBelow'),
      roas: roasThresholdSchema,
      consecutiveDays: positiveInt,
    })
    .strict(),
  // No purchase and spend past the allowance of the best testing tier the entity reaches.
  z.object({ id: ruleIdSchema, kind: z.literal('tierAllowance') }).strict(),
  z.object({ id: ruleIdSchema, kind: z.literal('conditions'), all: allOf }).strict(),
]);
export type KillRule = z.infer<typeof killRuleSchema>;

/** Advance rule kinds; an entity advances to the next stage when any of them fires. */
export const ADVANCE_RULE_KINDS = [
  'purchasesAtLeast',
  'addsToCartAtLeast',
  'ctrAtLeast',
  'conditions',
] as const;
export type AdvanceRuleKind = (typeof ADVANCE_RULE_KINDS)[number];

/** An advance (promote) rule, discriminated on `kind`. */
export const advanceRuleSchema = z.discriminatedUnion('kind', [
  // purchases >= n, optionally also at a good enough CPA and ROAS (null = not checked).
  z
    .object({
      id: ruleIdSchema,
      kind: z.literal('purchasesAtLeast'),
      purchases: positiveInt,
      cpaAtMost: moneyThresholdSchema.nullable(),
      roasAtLeast: roasThresholdSchema.nullable(),
    })
    .strict(),
  z
    .object({
      id: ruleIdSchema,
      kind: z.literal('addsToCartAtLeast'),
      addsToCart: positiveInt,
      afterSpend: moneyThresholdSchema,
    })
    .strict(),
  z
    .object({
      id: ruleIdSchema,
      kind: z.literal('ctrAtLeast'),
      ctr: fraction,
      afterSpend: moneyThresholdSchema,
    })
    .strict(),
  z.object({ id: ruleIdSchema, kind: z.literal('conditions'), all: allOf }).strict(),
]);
export type AdvanceRule = z.infer<typeof advanceRuleSchema>;

/**
 * A budget change applied when all its conditions hold; the first matching rule of a list wins.
 * `changePercent` is positive in scale-up lists and negative in scale-down lists.
 */
export const scaleRuleSchema = z
  .object({ id: ruleIdSchema, all: allOf, changePercent: z.number().gt(-100).lte(100) })
  .strict();
export type ScaleRule = z.infer<typeof scaleRuleSchema>;

/** The signal a testing tier asks for; `none` is the catch-all last tier. */
export const tierSignalSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('addsToCart'), atLeast: positiveInt }).strict(),
  z.object({ kind: z.literal('ctr'), above: fraction }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);
export type TierSignal = z.infer<typeof tierSignalSchema>;

/** A testing tier: the spend an entity showing `signal` may reach without a purchase before a kill. */
export const testingTierSchema = z
  .object({ id: ruleIdSchema, signal: tierSignalSchema, spendAllowance: moneyThresholdSchema })
  .strict();
export type TestingTier = z.infer<typeof testingTierSchema>;

const stageShape = {
  kill: z.array(killRuleSchema),
  advance: z.array(advanceRuleSchema),
  scaleUp: z.array(scaleRuleSchema),
  scaleDown: z.array(scaleRuleSchema),
  // Time an entity must spend in the stage before it may advance (Dean: 24 h in validation).
  minHoursBeforeAdvance: nonNegativeInt,
};

/** Rule lists of one stage. */
export const stageRulesSchema = z.object(stageShape).strict();
export type StageRules = z.infer<typeof stageRulesSchema>;

/** The testing stage also carries the tiers, strongest signal first. */
export const testingStageRulesSchema = z
  .object({ ...stageShape, tiers: z.array(testingTierSchema).min(1, 'needs at least the catch-all tier') })
  .strict();
export type TestingStageRules = z.infer<typeof testingStageRulesSchema>;

/** The whole pipeline, one entry per stage. */
export const stagesSchema = z
  .object({
    testing: testingStageRulesSchema,
    validation: stageRulesSchema,
    scaling: stageRulesSchema,
  })
  .strict();
export type StagesRules = z.infer<typeof stagesSchema>;
