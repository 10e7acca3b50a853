import { DEFAULT_RULES, type EngineRules } from '@roas/core';
import { adsetDay, csv, DAILY_ADSET_HEADER } from './csv-builder.ts';

/**
 * A daily ad set export (EUR, 2026-03-01 to 2026-03-14) with one clear winner in a [TEST] campaign,
 * a middling ad set in a [SCALE] campaign, and in untagged campaigns a clear loser and a winner.
 */
export function shopExport(): string {
  const rows: (string | number)[][] = [];
  for (let d = 1; d <= 14; d++) {
    const day = `2026-03-${String(d).padStart(2, '0')}`;
    rows.push(adsetDay(day, '[TEST] Prospecting', 'Winner', '100.00', 6, '600.00', 5000, 100));
    rows.push(adsetDay(day, '[SCALE] Evergreen', 'Steady', '100.00', 3, '300.00', 5000, 100));
    rows.push(adsetDay(day, 'Retargeting', 'Loser', '100.00', 1, '100.00', 5000, 100));
    rows.push(adsetDay(day, 'Evergreen', 'Champion', '100.00', 5, '550.00', 5000, 100));
  }
  return csv(DAILY_ADSET_HEADER, rows);
}

/** The default rules with a change, as a settings document. */
export function rulesWith(change: (rules: EngineRules) => void): EngineRules {
  const rules = structuredClone<EngineRules>(DEFAULT_RULES);
  change(rules);
  return rules;
}
