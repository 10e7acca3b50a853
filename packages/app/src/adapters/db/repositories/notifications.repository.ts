import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { notifications } from '../schema.ts';

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;

/** Queues one notification; false when one with the same dedupe key is queued already. */
export async function insertNotification(db: Db, row: NewNotification): Promise<boolean> {
  const inserted = await db
    .insert(notifications)
    .values(row)
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning({ id: notifications.id });
  return inserted.length > 0;
}

/**
 * Takes the pending notifications that are due, oldest first, and holds them until `leaseUntil`:
 * another dispatcher (another worker) skips them meanwhile, and one that died with them lets them go
 * when the lease ends.
 */
export async function claimDueNotifications(
  db: Db,
  options: { now: Date; leaseUntil: Date; limit: number },
): Promise<NotificationRow[]> {
  const due = db
    .select({ id: notifications.id })
    .from(notifications)
    .where(
      and(
        eq(notifications.status, 'pending'),
        or(isNull(notifications.nextAttemptAt), lte(notifications.nextAttemptAt, options.now)),
      ),
    )
    .orderBy(asc(notifications.createdAt), asc(notifications.id))
    .limit(options.limit)
    .for('update', { skipLocked: true });
  const claimed = await db
    .update(notifications)
    .set({ nextAttemptAt: options.leaseUntil })
    .where(inArray(notifications.id, due))
    .returning();
  return claimed.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

export async function markNotificationsSent(db: Db, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(notifications)
    .set({ status: 'sent', sentAt: at, nextAttemptAt: null, lastError: null })
    .where(inArray(notifications.id, [...ids]));
}

/**
 * Records a failed attempt: counted (`countsAsAttempt`), tried again at `retryAt`, or marked failed
 * for good when `retryAt` is null.
 */
export async function markNotificationsFailed(
  db: Db,
  ids: readonly string[],
  failure: { error: string; retryAt: Date | null; countsAsAttempt: boolean },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(notifications)
    .set({
      status: failure.retryAt === null ? 'failed' : 'pending',
      ...(failure.countsAsAttempt ? { attempts: sql`${notifications.attempts} + 1` } : {}),
      lastError: failure.error,
      nextAttemptAt: failure.retryAt,
    })
    .where(inArray(notifications.id, [...ids]));
}

/** Hands claimed notifications back untried, to be taken again at `at`. */
export async function releaseNotifications(db: Db, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(notifications)
    .set({ nextAttemptAt: at })
    .where(inArray(notifications.id, [...ids]));
}

/** An account's (or every) notification, oldest first: for tests, the CLI and troubleshooting. */
export async function listNotifications(
  db: Db,
  filter: { accountId?: string; status?: NotificationRow['status'] } = {},
): Promise<NotificationRow[]> {
  const conditions = [
    filter.accountId === undefined ? undefined : eq(notifications.accountId, filter.accountId),
    filter.status === undefined ? undefined : eq(notifications.status, filter.status),
  ].filter((c) => c !== undefined);
  return db
    .select()
    .from(notifications)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(notifications.createdAt), asc(notifications.id));
}
