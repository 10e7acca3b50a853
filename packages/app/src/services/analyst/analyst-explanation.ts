import type { AnalystReview, Decision } from '@roas/core';

const VALIDATION: Record<AnalystReview['validation'], string> = {
  agree: 'agrees with the engine',
  disagree: 'disagrees with the engine',
  uncertain: 'is unsure of the engine',
};

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * The explanation of a reviewed decision: the deterministic one (of the merged decision), then the
 * analyst's words, marked as the analyst's, with the model and prompt version they came from.
 */
export function explainWithAnalyst(
  merged: Decision,
  engine: Decision,
  review: AnalystReview,
  source: { model: string; promptVersion: string },
): string {
  const moved =
    merged.action !== engine.action || merged.scalePercent !== engine.scalePercent
      ? ` The engine decided ${engine.action}${engine.scalePercent === null ? '' : ` ${engine.scalePercent >= 0 ? '+' : ''}${engine.scalePercent}%`}; the review made it more cautious.`
      : '';
  const flags = review.riskFlags.length > 0 ? ` Risk flags: ${review.riskFlags.join('; ')}.` : '';
  return (
    `${merged.explanation}${moved} Analyst (${source.model}, prompt ${source.promptVersion}) ` +
    `${VALIDATION[review.validation]}: ${review.reasons.map(sentence).join(' ')}${flags} ` +
    `Analyst confidence: ${review.confidence.toLowerCase()}.`
  );
}
