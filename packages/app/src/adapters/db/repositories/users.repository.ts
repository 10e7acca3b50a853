import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { users } from '../schema.ts';

export type UserRow = typeof users.$inferSelect;
export type Role = UserRow['role'];

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.username, username));
  return row;
}

/** Active users (not removed), by name. */
export async function listActiveUsers(db: Db): Promise<UserRow[]> {
  return db.select().from(users).where(isNull(users.disabledAt)).orderBy(asc(users.username));
}

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

/** Inserts the user unless the name is taken; returns the new row, or undefined when it was taken. */
export async function insertUser(
  db: Db,
  user: { username: string; passwordHash: string; role: Role },
  now: Date,
): Promise<UserRow | undefined> {
  const [row] = await db
    .insert(users)
    .values({ ...user, createdAt: now })
    .onConflictDoNothing({ target: users.username })
    .returning();
  return row;
}

/** Gives a removed user a new password and role and makes them active again. */
export async function reactivateUser(
  db: Db,
  id: string,
  change: { passwordHash: string; role: Role },
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...change, disabledAt: null })
    .where(and(eq(users.id, id), sql`${users.disabledAt} is not null`))
    .returning();
  return row;
}

/**
 * Locks and returns the active admins' ids, so a concurrent removal of another admin waits for this
 * transaction instead of both seeing "one admin left" and removing the last two.
 */
export async function lockActiveAdmins(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
    .for('update');
  return rows.map((r) => r.id);
}

/** Marks the user removed; the row stays so approvals and audit events keep naming who acted. */
export async function disableUser(db: Db, id: string, now: Date): Promise<void> {
  await db.update(users).set({ disabledAt: now }).where(eq(users.id, id));
}
