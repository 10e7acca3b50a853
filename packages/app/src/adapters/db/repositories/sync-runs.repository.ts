import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { accounts, syncRuns } from '../schema.ts';

export type SyncRun = typeof syncRuns.$inferSelect;

/** The newest run that did not finish (killed or failed): the next sync resumes it. */
export async function unfinishedRun(db: Db, accountId: string): Promise<SyncRun | undefined> {
  const [run] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.accountId, accountId), inArray(syncRuns.status, ['running', 'failed'])))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return run;
}

export async function lastFinishedRun(db: Db, accountId: string): Promise<SyncRun | undefined> {
  const [run] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.accountId, accountId), eq(syncRuns.status, 'done')))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return run;
}

export async function createRun(
  db: Db,
  run: { accountId: string; since: string; until: string; startedAt: Date },
): Promise<SyncRun> {
  const [created] = await db
    .insert(syncRuns)
    .values({ ...run, status: 'running' })
    .returning();
  if (!created) throw new Error('sync run was not created');
  return created;
}

export async function saveCheckpoint(
  db: Db,
  runId: string,
  done: string[],
  stats: Record<string, number>,
): Promise<void> {
  await db
    .update(syncRuns)
    .set({ checkpoint: { done }, stats, status: 'running', error: null })
    .where(eq(syncRuns.id, runId));
}

export async function finishRun(
  db: Db,
  run: { id: string; accountId: string },
  outcome: {
    status: 'done' | 'failed';
    error?: string;
    stats: Record<string, number>;
    at: Date;
    blockedReason?: string | null;
  },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(syncRuns)
      .set({
        status: outcome.status,
        error: outcome.error ?? null,
        stats: outcome.stats,
        finishedAt: outcome.at,
      })
      .where(eq(syncRuns.id, run.id));
    if (outcome.status === 'done') {
      await tx
        .update(accounts)
        .set({ lastSyncedAt: outcome.at, syncBlockedReason: null })
        .where(eq(accounts.id, run.accountId));
    } else if (outcome.blockedReason) {
      await tx
        .update(accounts)
        .set({ syncBlockedReason: outcome.blockedReason })
        .where(eq(accounts.id, run.accountId));
    }
  });
}

/** The newest sync run of an account, finished or not. */
export async function latestRun(db: Db, accountId: string): Promise<SyncRun | undefined> {
  const [run] = await db
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.accountId, accountId))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return run;
}
