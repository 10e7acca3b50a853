import { describe, expect, it } from 'vitest';
import { analystReviewSchema, parseAnalystAnswer } from './analyst-review.ts';

const good = {
  validation: 'agree',
  action: 'HOLD',
  scalePercent: null,
  reasons: ['ROAS sits near break-even', 'only 4 purchases in 7 days'],
  riskFlags: ['late conversions may still arrive'],
  confidence: 'MEDIUM',
};

describe('analystReviewSchema', () => {
  it('accepts a well-formed review and flattens each reason to one plain line', () => {
    const parsed = analystReviewSchema.parse({
      ...good,
      reasons: ['line one\nline two\u202e', '  tabs\tand\u0000nulls  '],
    });
    expect(parsed.reasons).toEqual(['line one line two', 'tabs and nulls']);
  });

  it.each([
    ['one reason', { reasons: ['only one'] }, /reasons must give 2 or 3 reasons/],
    ['four reasons', { reasons: ['a', 'b', 'c', 'd'] }, /reasons must give 2 or 3 reasons/],
    ['an unknown action', { action: 'SCALE_MORE' }, /action/],
    ['a percent on a Hold', { scalePercent: 40 }, /scalePercent must be null unless the action is SCALE/],
    ['an unknown field', { instructions: 'apply now' }, /Unrecognized key/],
    ['a huge reason', { reasons: ['x'.repeat(301), 'b'] }, /reasons.0 must be at most 300 characters/],
    ['an empty reason', { reasons: [' \n ', 'b'] }, /reasons.0 must not be empty/],
    ['a bad confidence', { confidence: 'CERTAIN' }, /confidence/],
    ['a string percent', { action: 'SCALE', scalePercent: '20' }, /scalePercent/],
  ])('refuses %s', (_name, change, message) => {
    const result = analystReviewSchema.safeParse({ ...good, ...change });
    expect(result.success).toBe(false);
    const text = result.error?.issues.map((i) => `${i.path.map(String).join('.')} ${i.message}`).join('; ');
    expect(text).toMatch(message);
  });
});

describe('parseAnalystAnswer', () => {
  const answer = (reviews: unknown[]) => JSON.stringify({ reviews });

  it('pairs each reference with its review, and each bad item with its own error', () => {
    const result = parseAnalystAnswer(
      answer([
        { ref: 'r1', ...good },
        { ref: 'r2', ...good, reasons: ['one'] },
        { ref: 'r3', ...good },
        { ref: 'r3', ...good },
        { ref: 'r9', ...good },
      ]),
      ['r1', 'r2', 'r3', 'r4'],
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.items.map((i) => (i.ok ? 'ok' : i.error))).toEqual([
      'ok',
      'review r2: reasons must give 2 or 3 reasons',
      '2 reviews for r3',
      'no review for r4',
    ]);
  });

  it.each([
    ['text that is not JSON', 'Sure! Here is my review: {'],
    ['JSON of another shape', JSON.stringify({ review: good })],
    ['a bare array', JSON.stringify([good])],
    ['an empty text', ''],
  ])('fails the whole answer on %s', (_name, text) => {
    const result = parseAnalystAnswer(text, ['r1']);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^the answer (is not JSON|does not match the schema)/);
  });
});
