import type { Db } from '../adapters/db/database.ts';
import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import { lastDailyDateOfAccount } from '../adapters/db/repositories/entity-views.repository.ts';
import { latestRun } from '../adapters/db/repositories/sync-runs.repository.ts';
import { NotFoundError } from '../shared/errors.ts';
import { moneyFromMinorOrNull, type MoneyView } from '../shared/money-view.ts';
import { tokenExpiryWarning } from './sync-accounts.service.ts';

/** What is known about an account's health now; the scheduler issue adds tracking and spend checks. */
export type AccountHealth = {
  account: { id: string; name: string; source: string; status: string | null; disableReason: string | null };
  checkedAt: string;
  /** Null for imported accounts, which have no token. */
  token: {
    expiresAt: string | null;
    daysLeft: number | null;
    warning: string | null;
    scopes: string[];
  } | null;
  sync: {
    blockedReason: string | null;
    lastSyncedAt: string | null;
    lastRun: {
      status: 'running' | 'done' | 'failed';
      since: string;
      until: string;
      startedAt: string;
      finishedAt: string | null;
      error: string | null;
      stats: Record<string, number>;
    } | null;
  };
  killSwitch: { isOn: boolean; reason: string | null };
  spend: { spendCap: MoneyView | null; amountSpent: MoneyView | null; balance: MoneyView | null };
  /** The newest day with ad set or ad data. */
  dataThrough: string | null;
  /** Graph API rate-limit usage; not stored yet, so null. */
  rateLimit: null;
  /** Problems in plain words, most urgent first; empty when all is well. */
  problems: string[];
};

// Meta's account_status codes (the Graph API's AdAccount reference).
const ACCOUNT_STATUS: Record<string, string> = {
  '1': 'ACTIVE',
  '2': 'DISABLED',
  '3': 'UNSETTLED',
  '7': 'PENDING_RISK_REVIEW',
  '8': 'PENDING_SETTLEMENT',
  '9': 'IN_GRACE_PERIOD',
  '100': 'PENDING_CLOSURE',
  '101': 'CLOSED',
  '201': 'ANY_ACTIVE',
  '202': 'ANY_CLOSED',
};

/** The account's token, sync, kill switch, spend cap and balance, and the problems among them. */
export async function accountHealth(db: Db, accountId: string, now: Date): Promise<AccountHealth> {
  const account = await findAccountById(db, accountId);
  if (!account) throw new NotFoundError(`no account ${accountId}`);
  const [run, dataThrough] = await Promise.all([
    latestRun(db, accountId),
    lastDailyDateOfAccount(db, accountId),
  ]);
  const hasToken = account.source !== 'csv';
  const warning = hasToken ? tokenExpiryWarning(account.tokenExpiresAt, now) : null;
  const problems: string[] = [];
  if (account.killSwitchReason !== null) problems.push(`the kill switch is on: ${account.killSwitchReason}`);
  if (account.syncBlockedReason !== null) problems.push(`syncing is stopped: ${account.syncBlockedReason}`);
  if (warning !== null) problems.push(warning);
  if (run?.status === 'failed') problems.push(`the last sync failed: ${run.error ?? 'unknown error'}`);
  const status = account.status === null ? null : (ACCOUNT_STATUS[account.status] ?? account.status);
  if (status !== null && status !== 'ACTIVE' && status !== 'ANY_ACTIVE') {
    const reason =
      account.disableReason && account.disableReason !== '0'
        ? `, disable reason ${account.disableReason}`
        : '';
    problems.push(`Meta reports the account as ${status}${reason}`);
  }
  return {
    account: {
      id: account.id,
      name: account.name,
      source: account.source,
      status,
      disableReason: account.disableReason,
    },
    checkedAt: now.toISOString(),
    token: hasToken
      ? {
          expiresAt: account.tokenExpiresAt?.toISOString() ?? null,
          daysLeft:
            account.tokenExpiresAt === null
              ? null
              : Math.floor((account.tokenExpiresAt.getTime() - now.getTime()) / 86_400_000),
          warning,
          scopes: account.tokenScopes ?? [],
        }
      : null,
    sync: {
      blockedReason: account.syncBlockedReason,
      lastSyncedAt: account.lastSyncedAt?.toISOString() ?? null,
      lastRun: run
        ? {
            status: run.status,
            since: run.since,
            until: run.until,
            startedAt: run.startedAt.toISOString(),
            finishedAt: run.finishedAt?.toISOString() ?? null,
            error: run.error,
            stats: run.stats,
          }
        : null,
    },
    killSwitch: { isOn: account.killSwitchReason !== null, reason: account.killSwitchReason },
    spend: {
      spendCap: moneyFromMinorOrNull(account.spendCapMinor, account.currency),
      amountSpent: moneyFromMinorOrNull(account.amountSpentMinor, account.currency),
      balance: moneyFromMinorOrNull(account.balanceMinor, account.currency),
    },
    dataThrough,
    rateLimit: null,
    problems,
  };
}
