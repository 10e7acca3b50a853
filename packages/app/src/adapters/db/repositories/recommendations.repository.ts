import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { recommendations } from '../schema.ts';

export type NewRecommendation = typeof recommendations.$inferInsert;
export type RecommendationRow = typeof recommendations.$inferSelect;

// About twenty parameters a row: well under PostgreSQL's 65,535 per statement.
const CHUNK = 1000;

/**
 * Stores one run's recommendations in one transaction and returns their ids by `level:entityId`.
 * Storing the same run again inserts nothing (rows are unique per run and entity). Older pending
 * recommendations for the same entities are marked superseded: only the newest one can be approved.
 */
export async function storeRecommendationRun(
  db: Db,
  run: { runId: string; accountId: string },
  rows: readonly NewRecommendation[],
): Promise<Map<string, string>> {
  return db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx
        .insert(recommendations)
        .values(rows.slice(i, i + CHUNK))
        .onConflictDoNothing({
          target: [recommendations.runId, recommendations.level, recommendations.entityId],
        });
    }
    await tx.execute(
      sql`update recommendations set status = 'superseded'
          where account_id = ${run.accountId} and status = 'pending' and run_id <> ${run.runId}
            and (level, entity_id) in (select level, entity_id from recommendations where run_id = ${run.runId})`,
    );
    const stored = await tx
      .select({ id: recommendations.id, level: recommendations.level, entityId: recommendations.entityId })
      .from(recommendations)
      .where(and(eq(recommendations.runId, run.runId), eq(recommendations.accountId, run.accountId)));
    return new Map(stored.map((row) => [`${row.level}:${row.entityId}`, row.id]));
  });
}

/** One run's stored rows. */
export async function recommendationsOfRun(db: Db, runId: string): Promise<RecommendationRow[]> {
  return db
    .select()
    .from(recommendations)
    .where(eq(recommendations.runId, runId))
    .orderBy(asc(recommendations.createdAt), asc(recommendations.entityId));
}
