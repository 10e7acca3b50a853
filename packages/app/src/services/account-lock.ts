import { accountLockKey, type JobLocks } from '../jobs/locks.ts';

/** What a person is told when a scheduled job holds the account. */
export function accountBusyText(accountId: string): string {
  return `a scheduled job is syncing, deciding or applying ${accountId} right now: nothing was done; try again in a minute`;
}

/**
 * Runs work a person started on one account under the account's job lock, so it never overlaps a
 * scheduled sync, decide or apply of that account (in this process or, on PostgreSQL, any worker).
 * Without locks (the jobs themselves, which hold the lock already) it just runs. `busy` when the lock
 * stays taken for the locks' wait.
 */
export async function withAccountLock<T>(
  locks: JobLocks | undefined,
  accountId: string,
  work: () => Promise<T>,
): Promise<{ busy: true } | { busy: false; value: T }> {
  if (!locks) return { busy: false, value: await work() };
  const held = await locks.acquire(accountLockKey(accountId));
  if (held === null) return { busy: true };
  try {
    return { busy: false, value: await work() };
  } finally {
    await held.release();
  }
}
