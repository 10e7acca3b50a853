import { asc, eq } from 'drizzle-orm';
import { accounts } from '../adapters/db/schema.ts';
import type { AppContext } from '../main.ts';
import { todayIn } from '../shared/dates.ts';
import { UserError } from '../shared/errors.ts';
import { accountToken } from './meta-connect.service.ts';
import { syncAccount, type SyncOptions, type SyncSummary } from './sync.service.ts';
import type { JobLocks } from '../jobs/locks.ts';
import { accountBusyText, withAccountLock } from './account-lock.ts';

export type AccountSyncResult = { accountId: string; name: string; warnings: string[] } & (
  { ok: true; summary: SyncSummary } | { ok: false; error: string }
);

/** Days before a token's expiry from which every sync warns (Meta user tokens last about 60 days). */
export const TOKEN_WARNING_DAYS = 7;

/** A warning when the account's token expires soon or has expired; null otherwise. */
export function tokenExpiryWarning(expiresAt: Date | null, now: Date): string | null {
  if (expiresAt === null) return null;
  const days = (expiresAt.getTime() - now.getTime()) / 86_400_000;
  if (days < 0)
    return `the Meta token expired on ${expiresAt.toISOString().slice(0, 10)}: reconnect the account`;
  if (days <= TOKEN_WARNING_DAYS) {
    return `the Meta token expires in ${Math.max(1, Math.floor(days))} day(s), on ${expiresAt.toISOString().slice(0, 10)}: reconnect the account before then`;
  }
  return null;
}

/**
 * Syncs every connected Meta account, or one, each up to today in its own time zone. One account's
 * failure is reported and the others still run.
 */
export async function syncAccounts(
  context: Pick<AppContext, 'database' | 'meta' | 'logger'>,
  options: {
    accountId?: string | undefined;
    since?: string | undefined;
    onProgress?: (accountId: string, done: number, total: number) => void;
    /** Take each account's job lock first (a person's `roas sync`); the sync job holds it already. */
    accountLocks?: JobLocks | undefined;
  } & Omit<Partial<SyncOptions>, 'onProgress' | 'today' | 'since'>,
): Promise<AccountSyncResult[]> {
  const { db } = context.database;
  const metaAccounts = await db
    .select()
    .from(accounts)
    .where(eq(accounts.source, 'meta'))
    .orderBy(asc(accounts.name));
  const chosen = options.accountId
    ? metaAccounts.filter((a) => a.id === options.accountId || a.id === `act_${options.accountId}`)
    : metaAccounts;
  if (chosen.length === 0) {
    throw new UserError(
      options.accountId
        ? `--account ${options.accountId}: no connected Meta account with that id`
        : 'no Meta accounts connected yet: run `roas accounts add --token ...` or connect one in the dashboard',
    );
  }
  const { accountLocks, ...syncOptions } = options;
  const results: AccountSyncResult[] = [];
  for (const account of chosen) {
    const expiry = tokenExpiryWarning(account.tokenExpiresAt, context.meta.now());
    const warnings = expiry === null ? [] : [expiry];
    const identity = { accountId: account.id, name: account.name, warnings };
    if (expiry !== null) context.logger.warn({ accountId: account.id }, expiry);
    try {
      const token = await accountToken(context.meta, account.id);
      const run = await withAccountLock(accountLocks, account.id, () =>
        syncAccount({ db, graph: context.meta.graphFor(token), now: () => context.meta.now() }, account.id, {
          ...syncOptions,
          today: todayIn(account.timezone, context.meta.now()),
          since: options.since,
          onProgress: ({ step, done, total }) => {
            context.logger.info({ accountId: account.id, step, done, total }, 'sync step done');
            options.onProgress?.(account.id, done, total);
          },
        }),
      );
      if (run.busy) {
        results.push({ ...identity, ok: false, error: accountBusyText(account.id) });
        continue;
      }
      results.push({ ...identity, ok: true, summary: run.value });
    } catch (error) {
      context.logger.warn({ accountId: account.id, err: error }, 'sync failed');
      results.push({ ...identity, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
