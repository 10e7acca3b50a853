import { z } from 'zod';
import { CONFIDENCE_LEVELS, DECISION_ACTIONS } from '../rules/primitives.ts';

// Line breaks, other control characters and bidi overrides: a reason is one plain line of text.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** One short line of the analyst's own words, trimmed, with control and bidi characters removed. */
const plainLine = z
  .string()
  .transform((text) => text.replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1, 'must not be empty').max(300, 'must be at most 300 characters'));

/** How the analyst judged the engine's decision; informative only, the action field is what merges. */
export const ANALYST_VALIDATIONS = ['agree', 'disagree', 'uncertain'] as const;
export type AnalystValidation = (typeof ANALYST_VALIDATIONS)[number];

/**
 * The analyst's answer for one recommendation: its validation, the action it would take (which can
 * only ever make the engine's decision more cautious; see `mergeAnalystReview`), two or three plain
 * reasons, risk flags and a confidence. A percent belongs to a Scale only.
 */
export const analystReviewSchema = z
  .object({
    validation: z.enum(ANALYST_VALIDATIONS),
    action: z.enum(DECISION_ACTIONS),
    scalePercent: z.number().nullable(),
    reasons: z.array(plainLine).min(2, 'must give 2 or 3 reasons').max(3, 'must give 2 or 3 reasons'),
    riskFlags: z.array(plainLine).max(5, 'must list at most 5 risk flags'),
    confidence: z.enum(CONFIDENCE_LEVELS),
  })
  .strict()
  .superRefine((review, context) => {
    if (review.action !== 'SCALE' && review.scalePercent !== null)
      context.addIssue({
        code: 'custom',
        path: ['scalePercent'],
        message: `must be null unless the action is SCALE (got ${review.scalePercent} with ${review.action})`,
      });
  });

export type AnalystReview = z.infer<typeof analystReviewSchema>;

/** One batch answer: a review per recommendation, each naming the reference it was sent under. */
export const analystBatchAnswerSchema = z
  .object({
    reviews: z.array(z.object({ ref: z.string().min(1).max(40) }).loose()),
  })
  .strict();

export type AnalystItemResult =
  { ref: string; ok: true; review: AnalystReview } | { ref: string; ok: false; error: string };

/**
 * Parses a batch answer's text for the references asked about. A text that is not the expected JSON
 * fails as a whole; otherwise each reference gets its own review or its own error (missing, repeated,
 * or not matching the schema), so one bad item does not discard the others.
 */
export function parseAnalystAnswer(
  text: string,
  refs: readonly string[],
): { ok: true; items: AnalystItemResult[] } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `the answer is not JSON (${(error as Error).message})` };
  }
  const batch = analystBatchAnswerSchema.safeParse(json);
  if (!batch.success)
    return { ok: false, error: `the answer does not match the schema: ${issues(batch.error)}` };
  const byRef = new Map<string, unknown[]>();
  for (const entry of batch.data.reviews) {
    const { ref, ...rest } = entry;
    byRef.set(ref, [...(byRef.get(ref) ?? []), rest]);
  }
  const items = refs.map((ref): AnalystItemResult => {
    const found = byRef.get(ref) ?? [];
    if (found.length === 0) return { ref, ok: false, error: `no review for ${ref}` };
    if (found.length > 1) return { ref, ok: false, error: `${found.length} reviews for ${ref}` };
    const review = analystReviewSchema.safeParse(found[0]);
    return review.success
      ? { ref, ok: true, review: review.data }
      : { ref, ok: false, error: `review ${ref}: ${issues(review.error)}` };
  });
  return { ok: true, items };
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'} ${issue.message}`)
    .join('; ');
}
