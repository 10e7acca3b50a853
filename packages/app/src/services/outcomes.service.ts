import type { Db } from '../adapters/db/database.ts';
import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import { countOutcomes, type OutcomeCountRow } from '../adapters/db/repositories/outcomes.repository.ts';
import { NotFoundError } from '../shared/errors.ts';

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
  byRuleCell: (HitRate & { action: string; bucket: string | null; trend: string | null })[];
  byAudience: (HitRate & { audienceType: string })[];
  byStage: (HitRate & { stage: string | null })[];
};

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

/** Hit rates of measured outcomes by decision-matrix cell, audience type and stage, per horizon. */
export async function outcomeSummary(db: Db, accountId: string | undefined): Promise<OutcomeSummary> {
  if (accountId !== undefined && !(await findAccountById(db, accountId)))
    throw new NotFoundError(`no account ${accountId}`);
  const rows = await countOutcomes(db, accountId);
  return {
    note:
      rows.length === 0
        ? 'no outcomes measured yet: outcomes are recorded 3 and 7 days after each recommendation by the outcomes job, which is not running yet'
        : null,
    byRuleCell: group(rows, (r) => ({ action: r.action, bucket: r.bucket, trend: r.trend })),
    byAudience: group(rows, (r) => ({ audienceType: r.audienceType })),
    byStage: group(rows, (r) => ({ stage: r.stage })),
  };
}
