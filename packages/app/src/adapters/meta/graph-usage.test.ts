import { describe, expect, it } from 'vitest';
import { readUsage } from './graph-usage.ts';

const headers = (values: Record<string, unknown>) => ({
  get: (name: string) => (name in values ? JSON.stringify(values[name]) : null),
});

describe('readUsage', () => {
  it('takes the highest percentage across all four headers', () => {
    const usage = readUsage(
      headers({
        'x-business-use-case-usage': {
          '1': [
            {
              type: 'ads_insights',
              call_count: 12,
              total_cputime: 40,
              total_time: 8,
              estimated_time_to_regain_access: 0,
            },
          ],
        },
        'x-ad-account-usage': { acc_id_util_pct: 9.67, reset_time_duration: 100 },
        'x-app-usage': { call_count: 28, total_time: 25, total_cputime: 25 },
        'x-fb-ads-insights-throttle': { app_id_util_pct: 55, acc_id_util_pct: 0 },
      }),
    );
    expect(usage).toEqual({ maxPercent: 55, regainAccessMinutes: 0 });
  });

  it('reads the wait from the business-use-case eta (minutes) or, when blocked, the account reset (seconds)', () => {
    expect(
      readUsage(
        headers({
          'x-business-use-case-usage': { '1': [{ call_count: 100, estimated_time_to_regain_access: 7 }] },
        }),
      ).regainAccessMinutes,
    ).toBe(7);
    expect(
      readUsage(headers({ 'x-ad-account-usage': { acc_id_util_pct: 100, reset_time_duration: 150 } }))
        .regainAccessMinutes,
    ).toBe(3);
    // Below 100% the reset time only says when usage decays; it is not a wait.
    expect(
      readUsage(headers({ 'x-ad-account-usage': { acc_id_util_pct: 80, reset_time_duration: 150 } }))
        .regainAccessMinutes,
    ).toBe(0);
  });

  it('treats missing or malformed headers as no usage', () => {
    expect(readUsage({ get: () => null })).toEqual({ maxPercent: 0, regainAccessMinutes: 0 });
    expect(readUsage({ get: () => '{not json' })).toEqual({ maxPercent: 0, regainAccessMinutes: 0 });
  });
});
