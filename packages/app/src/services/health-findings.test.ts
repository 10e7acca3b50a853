import { describe, expect, it } from 'vitest';
import {
  KILL_SWITCH_CHECKS,
  rateLimitFinding,
  spendCapFinding,
  spendCapProgress,
  statusFinding,
  tokenFinding,
} from './health-findings.ts';

const describeMoney = { cap: '$1,000.00', spent: '?', remaining: '$50.00', daysLeft: 2.4 };

describe('health findings', () => {
  it('trips the kill switch only for critical status, spend-cap and flatline problems', () => {
    expect([...KILL_SWITCH_CHECKS].sort()).toEqual(['account_status', 'spend_cap', 'tracking_flatline']);
    expect(statusFinding('2', '3')).toMatchObject({
      severity: 'critical',
      tripsKillSwitch: true,
      message: 'Meta reports the account as DISABLED (disable reason RISK_PAYMENT)',
    });
    expect(statusFinding('3', null)?.tripsKillSwitch).toBe(true);
    expect(statusFinding('9', null)).toMatchObject({ severity: 'warning', tripsKillSwitch: false });
    expect(statusFinding('1', '0')).toBeNull();
    expect(statusFinding(null, null)).toBeNull();
  });

  it('warns from 90% of the spend cap and is critical once it is reached; "0" means no cap', () => {
    expect(spendCapProgress(100_000n, 95_000n)).toEqual({ usedPercent: 95, remainingMinor: 5_000n });
    expect(spendCapFinding(100_000n, 89_999n, describeMoney)).toBeNull();
    expect(spendCapFinding(100_000n, 95_000n, describeMoney)).toMatchObject({
      severity: 'warning',
      tripsKillSwitch: false,
      fingerprint: 'near',
      message:
        "95.0% of the spend cap of $1,000.00 is spent: $50.00 left, about 2 day(s) at the last 7 days' pace",
    });
    expect(spendCapFinding(100_000n, 100_000n, describeMoney)).toMatchObject({
      severity: 'critical',
      tripsKillSwitch: true,
      fingerprint: 'reached',
    });
    expect(spendCapFinding(0n, 5_000n, describeMoney)).toBeNull();
    expect(spendCapFinding(null, 5_000n, describeMoney)).toBeNull();
  });

  it('reports rate-limit usage at 90% or a throttle, never tripping anything', () => {
    const at = '2026-03-15T08:00:00.000Z';
    expect(rateLimitFinding({ maxPercent: 40, regainAccessMinutes: 0, observedAt: at })).toBeNull();
    expect(rateLimitFinding({ maxPercent: 93, regainAccessMinutes: 0, observedAt: at })).toMatchObject({
      fingerprint: 'high',
      tripsKillSwitch: false,
    });
    expect(rateLimitFinding({ maxPercent: 100, regainAccessMinutes: 12, observedAt: at })?.fingerprint).toBe(
      'throttled',
    );
  });

  it('keys token findings on the expiry, so a new token is a new problem and the same one is not', () => {
    const now = new Date('2026-03-15T00:00:00Z');
    const soon = new Date('2026-03-18T00:00:00Z');
    const a = tokenFinding('expires soon', soon, now);
    const b = tokenFinding('expires in 2 days', soon, new Date('2026-03-16T00:00:00Z'));
    expect(a?.fingerprint).toBe(b?.fingerprint);
    expect(tokenFinding('expired', soon, new Date('2026-03-19T00:00:00Z'))).toMatchObject({
      severity: 'critical',
      tripsKillSwitch: false,
    });
    expect(tokenFinding(null, soon, now)).toBeNull();
  });
});
