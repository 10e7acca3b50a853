import { addDays, parseMicros, microsToNumber, type IsoDate } from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import { findAccountById, type AccountRow } from '../adapters/db/repositories/accounts.repository.ts';
import { lastDailyDateOfAccount } from '../adapters/db/repositories/entity-views.repository.ts';
import { accountDailyTotals, healthAlertsOf } from '../adapters/db/repositories/health.repository.ts';
import { latestRun } from '../adapters/db/repositories/sync-runs.repository.ts';
import { todayIn } from '../shared/dates.ts';
import { NotFoundError } from '../shared/errors.ts';
import { moneyFromMinor, moneyFromMinorOrNull, type MoneyView } from '../shared/money-view.ts';
import {
  disableReasonName,
  flatlineFinding,
  rateLimitFinding,
  RATE_LIMIT_WARNING_PERCENT,
  spendCapFinding,
  spendCapProgress,
  statusFinding,
  statusName,
  syncFinding,
  tokenFinding,
  type HealthFinding,
} from './health-findings.ts';
import { accountLagCurve } from './lag-curve.service.ts';
import { tokenExpiryWarning } from './sync-accounts.service.ts';
import { detectFlatline, type FlatlineResult } from './tracking-flatline.ts';
import { metaMinorDigits } from '../shared/currency.ts';

/** What is known about an account's health now, and the problems among it. */
export type AccountHealth = {
  account: {
    id: string;
    name: string;
    source: string;
    status: string | null;
    /** Meta's disable reason by name (ADS_INTEGRITY_POLICY, RISK_PAYMENT, ...); null when none. */
    disableReason: string | null;
  };
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
  spend: {
    spendCap: MoneyView | null;
    amountSpent: MoneyView | null;
    /** What the account owes Meta and has not been billed for yet. */
    balance: MoneyView | null;
    /** Amount spent as a percent of the cap; null without a cap. */
    capUsedPercent: number | null;
    capRemaining: MoneyView | null;
    /** Average daily spend over the last 7 complete days, and the days of cap it leaves. */
    dailyPace: MoneyView | null;
    capDaysLeft: number | null;
  };
  /** The newest day with ad set or ad data. */
  dataThrough: string | null;
  /** Graph API usage as the last sync left it; null before the first sync. */
  rateLimit: {
    maxPercent: number;
    regainAccessMinutes: number;
    observedAt: string;
    isHigh: boolean;
  } | null;
  /** Whether purchases stopped across the account while spend went on (connected accounts only). */
  tracking: {
    checked: boolean;
    /** Why it was not checked, or what was seen. */
    note: string;
    isFlatline: boolean;
    zeroDays: string[];
    expectedPurchases: number | null;
    probability: number | null;
    baseline: { from: string; to: string; purchases: number } | null;
  };
  /** Problems found now, critical first, each saying whether it trips the kill switch. */
  findings: HealthFinding[];
  /** What the hourly health check has alerted and tripped, per check (open and resolved). */
  alerts: {
    check: string;
    severity: 'warning' | 'critical';
    message: string;
    firstSeenAt: string;
    alertedAt: string | null;
    trippedAt: string | null;
    resolvedAt: string | null;
  }[];
  /** Problems in plain words, most urgent first; empty when all is well. */
  problems: string[];
};

const DAY_MS = 86_400_000;
const LOOKBACK_DAYS = 40;

/** The spend of the last 7 complete days, averaged, in minor units. */
function dailyPaceMinor(
  days: { date: IsoDate; spend: string }[],
  today: IsoDate,
  currency: string,
): bigint | null {
  const from = addDays(today, -7);
  const recent = days.filter((d) => d.date >= from && d.date < today);
  if (recent.length === 0) return null;
  const micros = recent.reduce((sum, d) => sum + parseMicros(d.spend), 0n);
  // Micro-units to Meta's minor units, rounded down (a pace, not money that moves).
  const perMinor = 10n ** BigInt(6 - metaMinorDigits(currency));
  return micros / 7n / perMinor;
}

async function trackingOf(
  db: Db,
  account: AccountRow,
  days: { date: IsoDate; spend: string; purchases: number }[],
): Promise<{ result: FlatlineResult | null; note: string; readDay: IsoDate | null }> {
  if (account.source === 'csv')
    return { result: null, note: 'imported data: not tracked live', readDay: null };
  if (account.lastSyncedAt === null) return { result: null, note: 'not synced yet', readDay: null };
  // Days are judged complete, and as mature as they were, at the last sync, not now.
  const readDay = todayIn(account.timezone, account.lastSyncedAt);
  const curve = (await accountLagCurve(db, account.id, readDay)).curve;
  const result = detectFlatline(
    days.map((d) => ({ date: d.date, spend: microsToNumber(parseMicros(d.spend)), purchases: d.purchases })),
    readDay,
    curve,
  );
  const note =
    result.zeroDays.length === 0
      ? 'purchases are being reported'
      : result.isFlatline
        ? `no purchase on the last ${result.zeroDays.length} complete day(s) with spend: improbable if tracking worked`
        : result.probability === null
          ? `no purchase on the last ${result.zeroDays.length} day(s), and none in the baseline either: nothing to compare`
          : `no purchase on the last ${result.zeroDays.length} day(s), which is still plausible at this volume (chance ${result.probability.toFixed(3)})`;
  return { result, note, readDay };
}

/**
 * The account's token, sync, kill switch, status, spend cap and balance, tracking and rate-limit
 * usage, and the problems among them (`findings`: what the hourly health check alerts on and which
 * of them trip the kill switch). Reads only stored data: the sync keeps it fresh.
 */
export async function accountHealth(db: Db, accountId: string, now: Date): Promise<AccountHealth> {
  const account = await findAccountById(db, accountId);
  if (!account) throw new NotFoundError(`no account ${accountId}`);
  const today = todayIn(account.timezone, now);
  const [run, dataThrough, days, alertRows] = await Promise.all([
    latestRun(db, accountId),
    lastDailyDateOfAccount(db, accountId),
    accountDailyTotals(db, accountId, { from: addDays(today, -LOOKBACK_DAYS), to: today }),
    healthAlertsOf(db, accountId),
  ]);
  const hasToken = account.source !== 'csv';
  const warning = hasToken ? tokenExpiryWarning(account.tokenExpiresAt, now) : null;
  const tracking = await trackingOf(db, account, days);

  const { currency } = account;
  const progress = spendCapProgress(account.spendCapMinor, account.amountSpentMinor);
  const pace = dailyPaceMinor(days, today, currency);
  const capDaysLeft =
    progress !== null && pace !== null && pace > 0n ? Number(progress.remainingMinor) / Number(pace) : null;
  const formatted = (minor: bigint | null) =>
    minor === null ? '?' : moneyFromMinor(minor, currency).formatted;

  const findings = [
    statusFinding(account.status, account.disableReason),
    spendCapFinding(account.spendCapMinor, account.amountSpentMinor, {
      cap: formatted(account.spendCapMinor),
      spent: formatted(account.amountSpentMinor),
      remaining: formatted(progress?.remainingMinor ?? null),
      daysLeft: capDaysLeft,
    }),
    flatlineFinding(tracking.result, currency),
    hasToken ? tokenFinding(warning, account.tokenExpiresAt, now) : null,
    syncFinding(account.syncBlockedReason),
    rateLimitFinding(account.rateLimitUsage),
  ]
    .filter((f): f is HealthFinding => f !== null)
    .sort((a, b) => Number(b.severity === 'critical') - Number(a.severity === 'critical'));

  const problems: string[] = [];
  if (account.killSwitchReason !== null) problems.push(`the kill switch is on: ${account.killSwitchReason}`);
  problems.push(...findings.map((f) => f.message));
  if (run?.status === 'failed' && account.syncBlockedReason === null)
    problems.push(`the last sync failed: ${run.error ?? 'unknown error'}`);

  const reading = account.rateLimitUsage;
  const result = tracking.result;
  return {
    account: {
      id: account.id,
      name: account.name,
      source: account.source,
      status: statusName(account.status),
      disableReason: disableReasonName(account.disableReason),
    },
    checkedAt: now.toISOString(),
    token: hasToken
      ? {
          expiresAt: account.tokenExpiresAt?.toISOString() ?? null,
          daysLeft:
            account.tokenExpiresAt === null
              ? null
              : Math.floor((account.tokenExpiresAt.getTime() - now.getTime()) / DAY_MS),
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
      spendCap: moneyFromMinorOrNull(account.spendCapMinor, currency),
      amountSpent: moneyFromMinorOrNull(account.amountSpentMinor, currency),
      balance: moneyFromMinorOrNull(account.balanceMinor, currency),
      capUsedPercent: progress?.usedPercent ?? null,
      capRemaining: progress === null ? null : moneyFromMinor(progress.remainingMinor, currency),
      dailyPace: moneyFromMinorOrNull(pace, currency),
      capDaysLeft: capDaysLeft === null ? null : Math.round(capDaysLeft * 10) / 10,
    },
    dataThrough,
    rateLimit:
      reading === null
        ? null
        : {
            maxPercent: reading.maxPercent,
            regainAccessMinutes: reading.regainAccessMinutes,
            observedAt: reading.observedAt,
            isHigh: reading.maxPercent >= RATE_LIMIT_WARNING_PERCENT || reading.regainAccessMinutes > 0,
          },
    tracking: {
      checked: result !== null,
      note: tracking.note,
      isFlatline: result?.isFlatline ?? false,
      zeroDays: result?.zeroDays ?? [],
      expectedPurchases: result?.expected ?? null,
      probability: result?.probability ?? null,
      baseline: result?.baseline
        ? { from: result.baseline.from, to: result.baseline.to, purchases: result.baseline.purchases }
        : null,
    },
    findings,
    alerts: alertRows.map((row) => ({
      check: row.check,
      severity: row.severity,
      message: row.message,
      firstSeenAt: row.firstSeenAt.toISOString(),
      alertedAt: row.alertedAt?.toISOString() ?? null,
      trippedAt: row.trippedAt?.toISOString() ?? null,
      resolvedAt: row.resolvedAt?.toISOString() ?? null,
    })),
    problems,
  };
}
