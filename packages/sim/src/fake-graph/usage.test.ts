import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, usageHeader, type TestServer } from './test-helpers.ts';
import { UsageMeter } from './usage.ts';

type Buc = Record<string, { type: string; call_count: number; estimated_time_to_regain_access: number }[]>;
type AccountUsage = { acc_id_util_pct: number; reset_time_duration: number; ads_api_access_tier: string };

describe('UsageMeter', () => {
  it('raises the score per call, blocks the development tier past 60 points for 300 s, and decays', () => {
    let now = 1_000_000;
    const meter = new UsageMeter(
      'development',
      () => 0,
      () => now,
    );
    expect(meter.record('ads_management', true)).toBeNull();
    const afterWrite = JSON.parse(meter.headers('1')['x-ad-account-usage'] ?? '{}') as AccountUsage;
    expect(afterWrite.acc_id_util_pct).toBe(5);
    for (let i = 0; i < 57; i++) expect(meter.record('ads_management', false)).toBeNull();
    const blocked = meter.record('ads_management', false);
    expect(blocked).toMatchObject({ code: 17, subcode: 2446079 });
    expect(blocked?.throttle?.etaMinutes).toBe(5);
    now += 120_000;
    expect(meter.record('ads_management', false)?.code).toBe(17);
    now += 181_000;
    expect(meter.record('ads_management', false)).toBeNull();
  });

  it('counts the hourly ads_insights BUC separately and throttles it with 80000', () => {
    let now = 0;
    const meter = new UsageMeter(
      'development',
      () => 0,
      () => now,
    );
    for (let i = 0; i < 600; i++) expect(meter.record('ads_insights', false)).toBeNull();
    const headers = meter.headers('42');
    const buc = JSON.parse(headers['x-business-use-case-usage'] ?? '{}') as Buc;
    expect(buc['42']?.find((e) => e.type === 'ads_insights')?.call_count).toBe(100);
    expect(buc['42']?.find((e) => e.type === 'ads_management')?.call_count).toBe(0);
    expect(meter.record('ads_insights', false)).toMatchObject({ code: 80000, subcode: 2446079 });
    expect(meter.record('ads_management', false)).toBeNull();
    now += 3_600_001;
    expect(meter.record('ads_insights', false)).toBeNull();
  });
});

describe('usage headers over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ tier: 'development' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('puts the usage, version and trace headers on every response, errors included', async () => {
    const replies = [
      await server.get('me'),
      await server.get(`${server.accountId}/insights`, { fields: 'spend' }),
      await server.get('999999999999999999'),
      await server.get('me', {}, 'not-a-token'),
    ];
    for (const reply of replies) {
      for (const name of [
        'x-business-use-case-usage',
        'x-ad-account-usage',
        'x-app-usage',
        'x-fb-ads-insights-throttle',
      ]) {
        expect(() => usageHeader(reply.headers, name), name).not.toThrow();
      }
      expect(reply.headers.get('facebook-api-version')).toBe('v26.0');
      expect(reply.headers.get('x-fb-trace-id')).toMatch(/^[\w-]{11}$/);
      expect(reply.headers.get('content-type')).toContain('application/json');
    }
    const buc = usageHeader<Buc>(replies[1]?.headers ?? new Headers(), 'x-business-use-case-usage');
    expect(Object.keys(buc)).toEqual([server.accountId.slice(4)]);
    expect(
      usageHeader<AccountUsage>(replies[0]?.headers ?? new Headers(), 'x-ad-account-usage')
        .ads_api_access_tier,
    ).toBe('development_access');
    const v25 = await fetch(`${server.url}/v25.0/me?access_token=${server.accessToken}`);
    expect(v25.headers.get('facebook-api-version')).toBe('v25.0');
  });

  it('rises with call volume and throttles with code 17 at 100% once the development score is used up', async () => {
    server.control.resetUsage();
    const pct = async (): Promise<number> =>
      usageHeader<AccountUsage>((await server.get('me')).headers, 'x-ad-account-usage').acc_id_util_pct;
    const first = await pct();
    for (let i = 0; i < 10; i++) await server.get('me');
    const later = await pct();
    expect(later).toBeGreaterThan(first);
    let reply = await server.get('me');
    for (let i = 0; i < 60 && reply.status === 200; i++) reply = await server.get('me');
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toMatchObject({ code: 17, error_subcode: 2446079 });
    expect(usageHeader<AccountUsage>(reply.headers, 'x-ad-account-usage').acc_id_util_pct).toBe(100);
    const buc = usageHeader<Buc>(reply.headers, 'x-business-use-case-usage')[server.accountId.slice(4)];
    expect(buc?.find((e) => e.type === 'ads_management')?.estimated_time_to_regain_access).toBeGreaterThan(0);
    // Insights are a separate bucket: still served while Ads Management is blocked.
    expect((await server.get(`${server.accountId}/insights`)).status).toBe(200);
    expect((await server.controlCall('POST', 'usage/reset')).status).toBe(200);
    expect((await server.get('me')).status).toBe(200);
  });
});
