// Small zod building blocks shared by the rules schemas; internal to rules/, not exported by core.
import { z } from 'zod';

/** Thresholds are positive: zero would silently switch a rule off instead of being refused. */
export const positiveNumber = z.number().positive();
export const nonNegativeInt = z.number().int().nonnegative();
export const positiveInt = z.number().int().positive();
/** A share written as a fraction: 0.02 means 2% (the same convention as `DerivedMetrics`). */
export const fraction = z.number().min(0).max(1);
/** A probability strictly inside (0, 1): 0 and 1 would make a posterior check vacuous. */
export const probability = z.number().gt(0).lt(1);
/** One line of plain text for reasons and rationales. */
export const oneLine = z
  .string()
  .min(1)
  .max(240)
  .regex(/^[^\n\r]*$/, 'must be a single line');
