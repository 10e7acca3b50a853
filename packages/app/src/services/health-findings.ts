import type { RateLimitReading } from '../adapters/db/schema.ts';
import { formatCurrency } from '../shared/money-view.ts';
import type { FlatlineResult } from './tracking-flatline.ts';

/** The account health checks that can raise a problem. */
export const HEALTH_CHECKS = [
  'account_status',
  'spend_cap',
  'tracking_flatline',
  'rate_limit',
  'token',
  'sync',
] as const;
export type HealthCheckId = (typeof HEALTH_CHECKS)[number];

/** One problem an account has now. */
export type HealthFinding = {
  check: HealthCheckId;
  severity: 'warning' | 'critical';
  message: string;
  /** What makes it the same problem as last time: an unchanged fingerprint is not alerted again. */
  fingerprint: string;
  /** Whether it freezes every write to Meta for the account (see KILL_SWITCH_CHECKS). */
  tripsKillSwitch: boolean;
};

/**
 * The problems that trip the kill switch by themselves, when critical: writing on with the account
 * disabled or unsettled, its spend cap reached, or its purchase tracking dead would steer budgets on
 * numbers that no longer mean anything. Warnings, token expiry and rate limits only alert.
 */
export const KILL_SWITCH_CHECKS: ReadonlySet<HealthCheckId> = new Set([
  'account_status',
  'spend_cap',
  'tracking_flatline',
]);

function finding(
  check: HealthCheckId,
  severity: HealthFinding['severity'],
  message: string,
  fingerprint: string,
): HealthFinding {
  return {
    check,
    severity,
    message,
    fingerprint,
    tripsKillSwitch: severity === 'critical' && KILL_SWITCH_CHECKS.has(check),
  };
}

// Meta's account_status codes (the Graph API's AdAccount reference).
export const ACCOUNT_STATUS: Record<string, string> = {
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

// Meta's disable_reason codes.
export const DISABLE_REASON: Record<string, string> = {
  '0': 'NONE',
  '1': 'ADS_INTEGRITY_POLICY',
  '2': 'ADS_IP_REVIEW',
  '3': 'RISK_PAYMENT',
  '4': 'GRAY_ACCOUNT_SHUT_DOWN',
  '5': 'ADS_AFC_REVIEW',
  '6': 'BUSINESS_INTEGRITY_RAR',
  '7': 'PERMANENT_CLOSE',
  '8': 'UNUSED_RESELLER_ACCOUNT',
  '9': 'UNUSED_ACCOUNT',
};

// Statuses under which ads cannot deliver (or money cannot be settled): critical.
const CRITICAL_STATUSES = new Set(['DISABLED', 'UNSETTLED', 'PENDING_CLOSURE', 'CLOSED', 'ANY_CLOSED']);
const ACTIVE_STATUSES = new Set(['ACTIVE', 'ANY_ACTIVE']);

export function statusName(code: string | null): string | null {
  return code === null ? null : (ACCOUNT_STATUS[code] ?? code);
}

export function disableReasonName(code: string | null): string | null {
  if (code === null || code === '0') return null;
  return DISABLE_REASON[code] ?? code;
}

/** DISABLED, UNSETTLED and closing or closed accounts are critical; risk review, settlement and grace period warn. */
export function statusFinding(status: string | null, disableReason: string | null): HealthFinding | null {
  const name = statusName(status);
  if (name === null || ACTIVE_STATUSES.has(name)) return null;
  const reason = disableReasonName(disableReason);
  const severity = CRITICAL_STATUSES.has(name) ? 'critical' : 'warning';
  return finding(
    'account_status',
    severity,
    `Meta reports the account as ${name}${reason ? ` (disable reason ${reason})` : ''}`,
    `${name}:${reason ?? ''}`,
  );
}

/** Share of the cap at which spending warns. */
export const SPEND_CAP_WARNING = 0.9;

/** How far the account is through its spend cap; null when it has none ("0" is no cap). */
export function spendCapProgress(
  capMinor: bigint | null,
  spentMinor: bigint | null,
): { usedPercent: number; remainingMinor: bigint } | null {
  if (capMinor === null || capMinor <= 0n || spentMinor === null) return null;
  const remaining = capMinor - spentMinor;
  return {
    usedPercent: Number((spentMinor * 10_000n) / capMinor) / 100,
    remainingMinor: remaining > 0n ? remaining : 0n,
  };
}

/** Critical once the cap is reached (Meta stops delivery), a warning from 90% of it. */
export function spendCapFinding(
  capMinor: bigint | null,
  spentMinor: bigint | null,
  describe: { cap: string; spent: string; remaining: string; daysLeft: number | null },
): HealthFinding | null {
  const progress = spendCapProgress(capMinor, spentMinor);
  if (progress === null) return null;
  if (progress.usedPercent >= 100)
    return finding(
      'spend_cap',
      'critical',
      `the spend cap of ${describe.cap} is reached (${describe.spent} spent): Meta has stopped delivering the account's ads`,
      'reached',
    );
  if (progress.usedPercent >= SPEND_CAP_WARNING * 100) {
    const pace =
      describe.daysLeft === null
        ? ''
        : `, about ${Math.max(1, Math.round(describe.daysLeft))} day(s) at the last 7 days' pace`;
    return finding(
      'spend_cap',
      'warning',
      `${progress.usedPercent.toFixed(1)}% of the spend cap of ${describe.cap} is spent: ${describe.remaining} left${pace}`,
      'near',
    );
  }
  return null;
}

/** Usage (percent of a quota) from which the rate limit is reported as high. */
export const RATE_LIMIT_WARNING_PERCENT = 90;

export function rateLimitFinding(reading: RateLimitReading | null): HealthFinding | null {
  if (reading === null) return null;
  if (reading.regainAccessMinutes > 0)
    return finding(
      'rate_limit',
      'warning',
      `Meta is throttling the account: calls are refused for about ${reading.regainAccessMinutes} more minute(s) (last read ${reading.observedAt})`,
      'throttled',
    );
  if (reading.maxPercent >= RATE_LIMIT_WARNING_PERCENT)
    return finding(
      'rate_limit',
      'warning',
      `Graph API usage reached ${Math.round(reading.maxPercent)}% of a rate limit on the last sync: calls are being spaced out`,
      'high',
    );
  return null;
}

/** The token check's finding from the expiry warning (tokenExpiryWarning's text) and the expiry. */
export function tokenFinding(
  warning: string | null,
  expiresAt: Date | null,
  now: Date,
): HealthFinding | null {
  if (warning === null || expiresAt === null) return null;
  const expired = expiresAt.getTime() <= now.getTime();
  return finding(
    'token',
    expired ? 'critical' : 'warning',
    warning,
    `${expired ? 'expired' : 'expiring'}:${expiresAt.toISOString()}`,
  );
}

/** A stopped sync (Meta refused the token): no fresh data comes in until someone reconnects. */
export function syncFinding(blockedReason: string | null): HealthFinding | null {
  return blockedReason === null
    ? null
    : finding('sync', 'warning', `syncing is stopped: ${blockedReason}`, blockedReason);
}

export function flatlineFinding(result: FlatlineResult | null, currency: string): HealthFinding | null {
  if (result === null || !result.isFlatline) return null;
  const first = result.zeroDays[0] ?? '';
  const last = result.zeroDays.at(-1) ?? '';
  const spent = formatCurrency(result.spend.toFixed(2), currency);
  const expected = (result.expected ?? 0).toFixed(1);
  const base = result.baseline
    ? `${result.baseline.from} to ${result.baseline.to} (${result.baseline.purchases} purchases)`
    : 'the days before';
  const chance = (result.probability ?? 0) < 0.0001 ? '< 0.0001' : (result.probability ?? 0).toFixed(4);
  return finding(
    'tracking_flatline',
    'critical',
    `no purchase reported across the account on ${result.zeroDays.length} day(s) (${first} to ${last}) while ${spent} was spent; the rate of ${base} expects ${expected} (chance of none: ${chance}). Check the pixel and the Conversions API`,
    // The same incident stays one alert as the run of days grows.
    `since:${first}`,
  );
}
