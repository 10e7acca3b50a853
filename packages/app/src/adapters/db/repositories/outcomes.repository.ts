import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';

/** Outcome counts for one combination of horizon, matrix cell, audience type and stage. */
export type OutcomeCountRow = {
  horizonDays: number;
  action: string;
  bucket: string | null;
  trend: string | null;
  audienceType: string;
  stage: string | null;
  hits: number;
  misses: number;
  inconclusive: number;
};

/** Measured outcomes counted by verdict, per horizon, rule cell, audience type and stage. */
export async function countOutcomes(db: Db, accountId: string | undefined): Promise<OutcomeCountRow[]> {
  const rows = await queryRows<{
    horizon_days: number;
    action: string;
    bucket: string | null;
    trend: string | null;
    audience_type: string;
    stage: string | null;
    hits: string | number;
    misses: string | number;
    inconclusive: string | number;
  }>(
    db,
    sql`select o.horizon_days, r.action, r.bucket, r.trend,
               coalesce(r.inputs->'audience'->>'type', 'unknown') as audience_type, r.stage,
               count(*) filter (where o.verdict = 'hit') as hits,
               count(*) filter (where o.verdict = 'miss') as misses,
               count(*) filter (where o.verdict = 'inconclusive') as inconclusive
        from outcomes o join recommendations r on r.id = o.recommendation_id
        where ${accountId === undefined ? sql`true` : sql`r.account_id = ${accountId}`}
        group by 1, 2, 3, 4, 5, 6`,
  );
  return rows.map((r) => ({
    horizonDays: Number(r.horizon_days),
    action: r.action,
    bucket: r.bucket,
    trend: r.trend,
    audienceType: r.audience_type,
    stage: r.stage,
    hits: Number(r.hits),
    misses: Number(r.misses),
    inconclusive: Number(r.inconclusive),
  }));
}
