import { asc, eq } from 'drizzle-orm';
import { accounts } from '../adapters/db/schema.ts';
import type { AppContext } from '../main.ts';
import { todayIn } from '../shared/dates.ts';
import { UserError } from '../shared/errors.ts';
import { accountToken } from './meta-connect.service.ts';
import { syncAccount, type SyncOptions, type SyncSummary } from './sync.service.ts';

export type AccountSyncResult =
  | { accountId: string; name: string; ok: true; summary: SyncSummary }
  | { accountId: string; name: string; ok: false; error: string };

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
  const results: AccountSyncResult[] = [];
  for (const account of chosen) {
    try {
      const token = await accountToken(context.meta, account.id);
      const summary = await syncAccount(
        { db, graph: context.meta.graphFor(token), now: () => context.meta.now() },
        account.id,
        {
          ...options,
          today: todayIn(account.timezone, context.meta.now()),
          since: options.since,
          onProgress: ({ step, done, total }) => {
            context.logger.info({ accountId: account.id, step, done, total }, 'sync step done');
            options.onProgress?.(account.id, done, total);
          },
        },
      );
      results.push({ accountId: account.id, name: account.name, ok: true, summary });
    } catch (error) {
      context.logger.warn({ accountId: account.id, err: error }, 'sync failed');
      results.push({
        accountId: account.id,
        name: account.name,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return results;
}
