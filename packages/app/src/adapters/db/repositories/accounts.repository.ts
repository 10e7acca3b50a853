import { asc, eq } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { accounts } from '../schema.ts';

export type AccountRow = typeof accounts.$inferSelect;
export type NewAccount = typeof accounts.$inferInsert;

export async function listAccounts(db: Db): Promise<AccountRow[]> {
  return db.select().from(accounts).orderBy(asc(accounts.name));
}

export async function findAccountById(db: Db, id: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  return row;
}

export async function findAccountsByName(db: Db, name: string): Promise<AccountRow[]> {
  return db.select().from(accounts).where(eq(accounts.name, name));
}

/** Creates the account, or refreshes its name and update time when it exists. */
export async function upsertAccount(db: Db, account: NewAccount, now: Date): Promise<void> {
  await db
    .insert(accounts)
    .values({ ...account, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: accounts.id, set: { name: account.name, updatedAt: now } });
}

/** Marks where an account's data comes from (the demo account is connected like Meta, then marked `demo`). */
export async function setAccountSource(db: Db, id: string, source: AccountRow['source']): Promise<void> {
  await db.update(accounts).set({ source }).where(eq(accounts.id, id));
}
