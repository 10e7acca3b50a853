import type { Db } from '../adapters/db/database.ts';
import {
  countOutcomes,
  lastMeasuredAt,
  type OutcomeCountRow,
} from '../adapters/db/repositories/outcomes.repository.ts';
import { resolveOutcomeAccount } from './outcomes/account.ts';

export {
  measureOutcomes,
  MIN_WINDOW_COMPLETENESS,
  OUTCOME_HORIZONS,
  type MeasureOptions,
  type MeasureSummary,
} from './outcomes/measure.ts';
export { marketOutcomeTruth, type OutcomeTruth } from './outcomes/truth.ts';

export type HitRate = {
  horizonDays: number;
  hits: number;
  misses: number;
  inconclusive: number;
  total: number;
  /** hits / (hits + misses); inconclusive outcomes are left out; null when there are none. */
  hitRate: number | null;
};

export type OutcomeSummary = {
  /** Why the lists are empty, when they are. */
  note: string | null;
  /** When the newest outcome was measured or revised (ISO); null before any. */
  measuredAt: string | null;
  /** Every action together, one row per horizon. */
  overall: HitRate[];
  byAction: (HitRate & { action: string })[];
  byRuleCell: (HitRate & { action: string; bucket: string | null; trend: string | null })[];
  byAudience: (HitRate & { audienceType: string })[];
  byStage: (HitRate & { stage: string | null })[];
};

export const NO_OUTCOMES_NOTE =
  'no outcomes measured yet: each recommendation is scored 3 and 7 days after its decision, once those days are synced and most of their late conversions are in (about 3 to 4 days later); the outcomes job measures them every 12 hours, or run `roas outcomes --measure`';

function group<K extends Record<string, unknown>>(
  rows: readonly OutcomeCountRow[],
  keyOf: (row: OutcomeCountRow) => K,
): (HitRate & K)[] {
  const groups = new Map<string, HitRate & K>();
  for (const row of rows) {
    const key = keyOf(row);
    const id = JSON.stringify([row.horizonDays, key]);
    const current = groups.get(id) ?? {
      ...key,
      horizonDays: row.horizonDays,
      hits: 0,
      misses: 0,
      inconclusive: 0,
      total: 0,
      hitRate: null,
    };
    current.hits += row.hits;
    current.misses += row.misses;
    current.inconclusive += row.inconclusive;
    current.total += row.hits + row.misses + row.inconclusive;
    const decided = current.hits + current.misses;
    current.hitRate = decided === 0 ? null : current.hits / decided;
    groups.set(id, current);
  }
  return [...groups.values()].sort((a, b) => a.horizonDays - b.horizonDays || b.total - a.total);
}

/**
 * Hit rates of measured outcomes per horizon: overall, by action, by decision-matrix cell (action,
 * bucket, trend), audience type and stage. `accountId` is an id or exact name; all accounts without.
 */
export async function outcomeSummary(db: Db, accountId: string | undefined): Promise<OutcomeSummary> {
  const id = accountId === undefined ? undefined : (await resolveOutcomeAccount(db, accountId)).id;
  const rows = await countOutcomes(db, id);
  const measuredAt = rows.length === 0 ? null : await lastMeasuredAt(db, id);
  return {
    note: rows.length === 0 ? NO_OUTCOMES_NOTE : null,
    measuredAt: measuredAt?.toISOString() ?? null,
    overall: group(rows, () => ({})),
    byAction: group(rows, (r) => ({ action: r.action })),
    byRuleCell: group(rows, (r) => ({ action: r.action, bucket: r.bucket, trend: r.trend })),
    byAudience: group(rows, (r) => ({ audienceType: r.audienceType })),
    byStage: group(rows, (r) => ({ stage: r.stage })),
  };
}
