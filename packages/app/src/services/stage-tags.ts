import type { Stage } from '@roas/core';

// A bracketed tag anywhere in the name ([TEST], [Validation], [SCALE], ...), or the stage's word on its own.
const TAGS: { stage: Stage; pattern: RegExp }[] = [
  { stage: 'testing', pattern: /\[\s*(?:test|testing)\s*\]|\btesting\b/i },
  { stage: 'validation', pattern: /\[\s*(?:val|validate|validation)\s*\]|\bvalidation\b/i },
  { stage: 'scaling', pattern: /\[\s*(?:scale|scaling)\s*\]|\bscaling\b/i },
];

/**
 * The pipeline stage a campaign's name tags it with (product.md item 9: stages by campaign mapping):
 * `[TEST]` / `[TESTING]` / "Testing", `[VAL]` / `[VALIDATION]` / "Validation", `[SCALE]` /
 * `[SCALING]` / "Scaling", any case. When a name carries several, the first in the name wins; an
 * untagged campaign has no stage (null).
 */
export function stageFromCampaignName(name: string | null): Stage | null {
  if (name === null) return null;
  let found: { stage: Stage; at: number } | null = null;
  for (const { stage, pattern } of TAGS) {
    const match = pattern.exec(name);
    if (match && (found === null || match.index < found.at)) found = { stage, at: match.index };
  }
  return found?.stage ?? null;
}
