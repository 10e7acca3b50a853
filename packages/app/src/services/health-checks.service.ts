import type { Db } from '../adapters/db/database.ts';
import {
  findAccountById,
  listAccounts,
  type AccountRow,
} from '../adapters/db/repositories/accounts.repository.ts';
import {
  openHealthAlerts,
  resolveHealthAlert,
  upsertHealthAlert,
} from '../adapters/db/repositories/health.repository.ts';
import type { NotificationEvent } from '../adapters/slack/notification-events.ts';
import { accountHealth } from './account-health.service.ts';
import type { AuditActor } from './audit.service.ts';
import { findAccount, setKillSwitch } from './execution-settings.service.ts';
import type { HealthFinding } from './health-findings.ts';
import { enqueueNotification, type NotifyContext } from './notifications.service.ts';

/** The actor the kill switch and its audit row name when a health check trips it. */
export const HEALTH_CHECK_ACTOR: AuditActor = { kind: 'system', name: 'health-check' };

export type AccountHealthRun = {
  accountId: string;
  name: string;
  /** Problems found now. */
  findings: HealthFinding[];
  /** Checks alerted on this run: new or changed problems. */
  alerted: string[];
  /** Checks whose problem went away on this run. */
  resolved: string[];
  /** The reason the kill switch was tripped with on this run; null when it was not. */
  killSwitchTripped: string | null;
  /** Why this account could not be checked (the others still were). */
  error: string | null;
};

function killSwitchReason(finding: HealthFinding): string {
  return `health check ${finding.check}: ${finding.message}`;
}

function eventFor(
  account: AccountRow,
  finding: HealthFinding,
  state: 'new' | 'changed' | 'resolved',
  tripped: string | null,
): NotificationEvent {
  const ref = { id: account.id, name: account.name, currency: account.currency };
  if (finding.check === 'token' && state !== 'resolved')
    return {
      kind: 'token_expiry',
      account: ref,
      expiresAt: account.tokenExpiresAt?.toISOString() ?? null,
      expired: finding.severity === 'critical',
      message: finding.message,
    };
  return {
    kind: 'account_alert',
    account: ref,
    check: finding.check,
    severity: finding.severity,
    state,
    message: state === 'resolved' ? `resolved: ${finding.message}` : finding.message,
    killSwitchTripped: tripped,
  };
}

async function checkAccount(
  context: NotifyContext,
  db: Db,
  account: AccountRow,
  now: Date,
): Promise<AccountHealthRun> {
  const health = await accountHealth(db, account.id, now);
  const run: AccountHealthRun = {
    accountId: account.id,
    name: account.name,
    findings: health.findings,
    alerted: [],
    resolved: [],
    killSwitchTripped: null,
    error: null,
  };
  // One transaction: the alert state, the kill switch and the queued alerts commit together, so a
  // failure midway repeats the whole check next time instead of losing or doubling an alert.
  await db.transaction(async (tx) => {
    const txContext: NotifyContext = { ...context, database: { db: tx } };
    const open = new Map((await openHealthAlerts(tx, account.id)).map((row) => [row.check, row]));
    let switchIsOn = Boolean((await findAccountById(tx, account.id))?.killSwitchReason);
    for (const finding of health.findings) {
      const previous = open.get(finding.check);
      open.delete(finding.check);
      const isNew = previous === undefined;
      const isChanged =
        !isNew && (previous.fingerprint !== finding.fingerprint || previous.severity !== finding.severity);
      if (!isNew && !isChanged) {
        await upsertHealthAlert(tx, { ...previous, message: finding.message, lastSeenAt: now });
        continue;
      }
      // Trips once per new or changed problem: a person who clears the switch is not overruled hourly.
      let tripped: string | null = null;
      if (finding.tripsKillSwitch && !switchIsOn) {
        tripped = killSwitchReason(finding);
        await setKillSwitch(tx, account.id, tripped, { actor: HEALTH_CHECK_ACTOR, now });
        switchIsOn = true;
        run.killSwitchTripped = tripped;
      }
      await upsertHealthAlert(tx, {
        accountId: account.id,
        check: finding.check,
        severity: finding.severity,
        fingerprint: finding.fingerprint,
        message: finding.message,
        firstSeenAt: isNew ? now : previous.firstSeenAt,
        lastSeenAt: now,
        alertedAt: now,
        trippedAt: finding.tripsKillSwitch ? now : null,
        resolvedAt: null,
      });
      await enqueueNotification(txContext, eventFor(account, finding, isNew ? 'new' : 'changed', tripped), {
        account,
      });
      run.alerted.push(finding.check);
    }
    for (const row of open.values()) {
      await resolveHealthAlert(tx, account.id, row.check, now);
      const gone: HealthFinding = {
        check: row.check as HealthFinding['check'],
        severity: row.severity,
        message: row.message,
        fingerprint: row.fingerprint,
        tripsKillSwitch: false,
      };
      await enqueueNotification(txContext, eventFor(account, gone, 'resolved', null), { account });
      run.resolved.push(row.check);
    }
  });
  return run;
}

/**
 * Checks every account's health (or one's), hourly from the scheduler: account status and disable
 * reason, spend cap against amount spent, tracking flatline, token expiry, a stopped sync, rate-limit
 * usage. A problem is alerted on Slack when it appears or changes (not again while it stays the same)
 * and once more when it goes away. Critical status, spend-cap and flatline problems trip the account's
 * kill switch, naming the check; nothing here ever clears it: a person does. One account's failure is
 * reported and the others are still checked.
 */
export async function runHealthChecks(
  context: NotifyContext,
  options: { now: Date; accountId?: string | undefined },
): Promise<AccountHealthRun[]> {
  const { db } = context.database;
  const chosen =
    options.accountId === undefined ? await listAccounts(db) : [await findAccount(db, options.accountId)];
  const runs: AccountHealthRun[] = [];
  for (const account of chosen) {
    try {
      const run = await checkAccount(context, db, account, options.now);
      if (run.killSwitchTripped !== null)
        context.logger.warn(
          { accountId: account.id, reason: run.killSwitchTripped },
          'health check tripped the kill switch',
        );
      runs.push(run);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      context.logger.error({ accountId: account.id, error: message }, 'health check failed');
      runs.push({
        accountId: account.id,
        name: account.name,
        findings: [],
        alerted: [],
        resolved: [],
        killSwitchTripped: null,
        error: message,
      });
    }
  }
  return runs;
}
