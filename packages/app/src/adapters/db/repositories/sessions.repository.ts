import { and, eq, gt, isNull, lte } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { sessions, users } from '../schema.ts';
import type { Role } from './users.repository.ts';

export type SessionRow = typeof sessions.$inferSelect;
export type SessionWithUser = {
  session: SessionRow;
  user: { id: string; username: string; role: Role };
};

export async function insertSession(db: Db, session: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(session);
}

/** The unexpired session with this id (a token hash) and its user, if the user is still active. */
export async function findLiveSession(db: Db, id: string, now: Date): Promise<SessionWithUser | undefined> {
  const [row] = await db
    .select({
      session: sessions,
      user: { id: users.id, username: users.username, role: users.role },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now), isNull(users.disabledAt)));
  return row;
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.delete(sessions).where(lte(sessions.expiresAt, now));
}
