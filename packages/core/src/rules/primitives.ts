import { z } from 'zod';
import { positiveNumber } from './zod-helpers.ts';

/** What the decision matrix and the noise gate can answer (PROMOTE comes from the stage pipeline). */
export const MATRIX_ACTIONS = ['SCALE', 'HOLD', 'PAUSE', 'RETEST'] as const;
export type MatrixAction = (typeof MATRIX_ACTIONS)[number];

/** Every action a decision can carry: the matrix's, and PROMOTE (copy into the next stage) from the stage pipeline. */
export const DECISION_ACTIONS = ['SCALE', 'HOLD', 'PAUSE', 'RETEST', 'PROMOTE'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** Confidence in a decision, from the posterior probability of the claim behind it. */
export const CONFIDENCE_LEVELS = ['LOW', 'MEDIUM', 'HIGH'] as const;
export type Confidence = (typeof CONFIDENCE_LEVELS)[number];

/** Performance buckets on normalized ROAS (ad-set ROAS / account ROAS). */
export const BUCKETS = ['winner', 'average', 'loser'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Trend states from the lag-corrected ROAS slope, CPA volatility and spend acceleration. */
export const TRENDS = ['stable', 'improving', 'declining', 'volatile'] as const;
export type Trend = (typeof TRENDS)[number];

/** Matrix rows: the three buckets plus a Loser that has not yet spent enough to be paused. */
export const MATRIX_ROWS = ['winner', 'average', 'loser', 'loserLowSpend'] as const;
export type MatrixRow = (typeof MATRIX_ROWS)[number];

/** Audience types the engine reasons about; the same values the app stores for ad sets. */
export const AUDIENCE_TYPES = ['broad', 'interest', 'lookalike', 'retargeting', 'unknown'] as const;
export type AudienceType = (typeof AUDIENCE_TYPES)[number];

/** Stages of the Testing -> Validation -> Scaling pipeline, in order. */
export const STAGES = ['testing', 'validation', 'scaling'] as const;
export type Stage = (typeof STAGES)[number];

/** Comparison operators, spelt as words because a bare `>` starts a folded block in YAML. */
export const COMPARISON_OPS = ['gt', 'gte', 'lt', 'lte'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** A span of whole days ending on the decision date, or the entity's whole life. */
export const daysSchema = z.union([z.number().int().min(1).max(90), z.literal('lifetime')], {
  error: 'must be a whole number of days from 1 to 90, or lifetime',
});
export type DaySpan = z.infer<typeof daysSchema>;
export const comparisonOpSchema = z.enum(COMPARISON_OPS);
export const matrixActionSchema = z.enum(MATRIX_ACTIONS);

/**
 * A stable rule id, recorded in every reason (`testing.kill.ctr-floor`): lower-case words joined by
 * `.` or `-`, unique across the whole configuration.
 */
export const ruleIdSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/,
    'must be lower-case words joined by "." or "-" (for example testing.kill.ctr-floor)',
  );

/**
 * An amount of money, either as a multiple of the account's target CPA (works in every currency)
 * or in the account's currency, in major units (500 = €500.00 on a EUR account).
 */
export const moneyThresholdSchema = z.discriminatedUnion('unit', [
  z.object({ unit: z.literal('targetCpa'), value: positiveNumber }).strict(),
  z.object({ unit: z.literal('currency'), value: positiveNumber }).strict(),
]);
export type MoneyThreshold = z.infer<typeof moneyThresholdSchema>;

/**
 * A ROAS line: an absolute ROAS, or a multiple of the account's break-even ROAS or target ROAS, so
 * one file suits businesses with different margins.
 */
export const roasThresholdSchema = z.discriminatedUnion('unit', [
  z.object({ unit: z.literal('roas'), value: positiveNumber }).strict(),
  z.object({ unit: z.literal('breakEven'), value: positiveNumber }).strict(),
  z.object({ unit: z.literal('targetRoas'), value: positiveNumber }).strict(),
]);
export type RoasThreshold = z.infer<typeof roasThresholdSchema>;

/** A CPM line: in account currency per 1,000 impressions, or a multiple of the account's own CPM. */
export const cpmThresholdSchema = z.discriminatedUnion('unit', [
  z.object({ unit: z.literal('currency'), value: positiveNumber }).strict(),
  z.object({ unit: z.literal('accountCpm'), value: positiveNumber }).strict(),
]);
export type CpmThreshold = z.infer<typeof cpmThresholdSchema>;
