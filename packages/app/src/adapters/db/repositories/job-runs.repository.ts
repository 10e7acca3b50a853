import { and, asc, eq, inArray, isNull, lt, ne } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { jobRuns } from '../schema.ts';

export type JobRunRow = typeof jobRuns.$inferSelect;
export type JobRunEnd = 'done' | 'skipped' | 'failed';

export async function startJobRun(
  db: Db,
  run: {
    jobId: string;
    name: string;
    accountId: string | null;
    workerId: string;
    attempt: number;
    startedAt: Date;
  },
): Promise<string> {
  const [row] = await db
    .insert(jobRuns)
    .values({ ...run, status: 'running' })
    .returning({ id: jobRuns.id });
  if (!row) throw new Error('job run was not recorded');
  return row.id;
}

export async function finishJobRun(
  db: Db,
  id: string,
  end: { status: JobRunEnd; summary?: Record<string, unknown>; error?: string | null; at: Date },
): Promise<void> {
  await db
    .update(jobRuns)
    .set({ status: end.status, summary: end.summary ?? null, error: end.error ?? null, finishedAt: end.at })
    .where(eq(jobRuns.id, id));
}

/** Runs still marked running, oldest first (optionally of one job or one account). */
export async function runningJobRuns(
  db: Db,
  filter: { name?: string; accountId?: string | null } = {},
): Promise<JobRunRow[]> {
  const conditions = [eq(jobRuns.status, 'running')];
  if (filter.name !== undefined) conditions.push(eq(jobRuns.name, filter.name));
  if (filter.accountId !== undefined)
    conditions.push(
      filter.accountId === null ? isNull(jobRuns.accountId) : eq(jobRuns.accountId, filter.accountId),
    );
  return db
    .select()
    .from(jobRuns)
    .where(and(...conditions))
    .orderBy(asc(jobRuns.startedAt));
}

/** Marks runs whose worker died as abandoned (only while they are still marked running). */
export async function abandonJobRuns(
  db: Db,
  ids: readonly string[],
  at: Date,
  reason: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .update(jobRuns)
    .set({ status: 'abandoned', finishedAt: at, error: reason })
    .where(and(inArray(jobRuns.id, [...ids]), eq(jobRuns.status, 'running')))
    .returning({ id: jobRuns.id });
  return rows.length;
}

/** Runs of one account (or all), in start order: what a test or an operator reads to see who ran what when. */
export async function listJobRuns(db: Db, accountId?: string): Promise<JobRunRow[]> {
  return db
    .select()
    .from(jobRuns)
    .where(accountId === undefined ? undefined : eq(jobRuns.accountId, accountId))
    .orderBy(asc(jobRuns.startedAt));
}

/** Forgets finished runs older than `before` (the every-minute notification job alone writes 1,440 a day). */
export async function pruneJobRuns(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(jobRuns)
    .where(and(ne(jobRuns.status, 'running'), lt(jobRuns.finishedAt, before)))
    .returning({ id: jobRuns.id });
  return rows.length;
}
