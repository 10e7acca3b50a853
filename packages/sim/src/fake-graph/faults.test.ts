import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector, parseFaults, toFaultSpec } from './faults.ts';
import { errorOf, startTestServer, usageHeader, type ListBody, type TestServer } from './test-helpers.ts';

type Buc = Record<string, { type: string; call_count: number; estimated_time_to_regain_access: number }[]>;

describe('parseFaults', () => {
  it('reads the compact format with default rates of 1', () => {
    expect(
      parseFaults(
        'throttle:0.1,throttle-613:0.2:10,transient:0.05,unavailable,timeout:0.02:5000,drop:0.01,expired-token,invalid-token:0.5,page-fail:3,job-fail,batch-timeout:0.1',
      ),
    ).toEqual({
      throttle: [{ rate: 0.1 }, { rate: 0.2, code: 613, etaMinutes: 10 }],
      transient: 0.05,
      unavailable: 1,
      timeout: { rate: 0.02, delayMs: 5000 },
      drop: 0.01,
      expiredToken: 1,
      invalidToken: 0.5,
      pageFail: 3,
      jobFail: 1,
      batchTimeout: 0.1,
    });
    expect(parseFaults(' ')).toEqual({});
    expect(parseFaults('page-fail')).toEqual({ pageFail: 2 });
    expect(parseFaults('drop-write-response')).toEqual({ dropWrites: { count: 1, applied: true } });
    expect(parseFaults('drop-write-request:3')).toEqual({ dropWrites: { count: 3, applied: false } });
  });

  it('refuses unknown kinds, bad numbers, rates over 1 and non-throttle codes', () => {
    for (const bad of [
      'explode',
      'throttle:x',
      'transient:2',
      'throttle-500',
      'page-fail:0',
      'drop:0.1:3',
      'drop-write-response:0',
    ]) {
      expect(() => parseFaults(bad), bad).toThrow();
    }
    expect(() => toFaultSpec({ transient: 3 })).toThrow(/transient/);
  });

  it('rolls reproducibly from the seed', () => {
    const rolls = (seed: number): boolean[] => {
      const injector = new FaultInjector(seed, { transient: 0.5 });
      return Array.from({ length: 20 }, () => injector.server() !== null);
    };
    expect(rolls(3)).toEqual(rolls(3));
    expect(rolls(3).some(Boolean)).toBe(true);
    expect(rolls(3).every(Boolean)).toBe(false);
  });
});

describe('faults over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ faults: 'transient' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('starts with the faults given at start-up and clears them through the control endpoint', async () => {
    const reply = await server.get('me');
    expect(reply.status).toBe(500);
    expect(errorOf(reply)).toMatchObject({
      code: 1,
      error_subcode: 99,
      message: 'An unknown error occurred',
    });
    expect((await server.controlCall('DELETE', 'faults')).body).toEqual({ faults: {} });
    expect((await server.get('me')).status).toBe(200);
  });

  it('throttles with codes 4, 17, 613 and 80000-80014 at HTTP 400, usage at 100% and a time to regain access', async () => {
    const cases = [
      ['throttle:1:7', 'insights', 80000, 'ads_insights'],
      ['throttle', 'me', 80004, 'ads_management'],
      ['throttle-4', 'me', 4, null],
      ['throttle-17', 'me', 17, null],
      ['throttle-613', 'me', 613, null],
      ['throttle-80003', 'me', 80003, 'custom_audience'],
      ['throttle-80014', 'insights', 80014, 'catalog'],
    ] as const;
    for (const [spec, target, code, bucType] of cases) {
      expect((await server.controlCall('POST', 'faults', { spec })).status).toBe(200);
      const reply =
        target === 'me' ? await server.get('me') : await server.get(`${server.accountId}/insights`);
      expect(reply.status, spec).toBe(400);
      const error = errorOf(reply);
      expect(error.code, spec).toBe(code);
      if (code >= 80000 || code === 17) expect(error.error_subcode).toBe(2446079);
      if (code === 613) expect(error.error_subcode).toBe(1487742);
      if (bucType !== null) {
        const entry = usageHeader<Buc>(reply.headers, 'x-business-use-case-usage')[
          server.accountId.slice(4)
        ]?.find((e) => e.type === bucType);
        expect(entry?.call_count, spec).toBe(100);
        expect(entry?.estimated_time_to_regain_access, spec).toBe(spec === 'throttle:1:7' ? 7 : 5);
      }
      if (code === 4)
        expect(usageHeader<{ call_count: number }>(reply.headers, 'x-app-usage').call_count).toBe(100);
      if (code === 17 || code === 613) {
        expect(
          usageHeader<{ acc_id_util_pct: number }>(reply.headers, 'x-ad-account-usage').acc_id_util_pct,
        ).toBe(100);
      }
      if (code === 80000) {
        expect(
          usageHeader<{ acc_id_util_pct: number }>(reply.headers, 'x-fb-ads-insights-throttle')
            .acc_id_util_pct,
        ).toBe(100);
      }
    }
    server.control.setFaults({});
  });

  it('answers 503 code 2 with is_transient under the unavailable fault', async () => {
    server.control.setFaults({ unavailable: 1 });
    const reply = await server.get('me');
    expect(reply.status).toBe(503);
    expect(errorOf(reply)).toMatchObject({ code: 2, is_transient: true });
    server.control.setFaults({});
  });

  it('holds a response past the delay under the timeout fault, and drops the connection under drop', async () => {
    server.control.setFaults('timeout:1:400');
    await expect(
      fetch(`${server.url}/v26.0/me?access_token=${server.accessToken}`, {
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    const started = Date.now();
    const patient = await fetch(`${server.url}/v26.0/me?access_token=${server.accessToken}`);
    expect(patient.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    server.control.setFaults('drop');
    await expect(fetch(`${server.url}/v26.0/me?access_token=${server.accessToken}`)).rejects.toThrow();
    server.control.setFaults({});
    expect((await server.get('me')).status).toBe(200);
  });

  it('loses the answer of the next writes, after running them or instead, and leaves reads alone', async () => {
    const adSet = server.control.truth().adSets.find((a) => a.dailyBudgetCents !== null);
    const id = adSet?.id ?? '';
    const budget = () => server.control.truth().adSets.find((a) => a.id === id)?.dailyBudgetCents;
    const post = (cents: number) =>
      fetch(`${server.url}/v26.0/${id}`, {
        method: 'POST',
        body: new URLSearchParams({ daily_budget: String(cents), access_token: server.accessToken }),
      });
    const writes = server.control.writes().length;
    server.control.setFaults('drop-write-response');
    expect(server.control.faults()).toEqual({ dropWrites: { count: 1, applied: true } });
    expect((await server.get(id)).status).toBe(200);
    await expect(post(12_345)).rejects.toThrow();
    expect(budget()).toBe(12_345);
    expect(server.control.writes()).toHaveLength(writes + 1);
    expect((await post(12_346)).status).toBe(200);
    server.control.setFaults('drop-write-request:2');
    await expect(post(22_222)).rejects.toThrow();
    await expect(post(22_223)).rejects.toThrow();
    expect(budget()).toBe(12_346);
    expect(server.control.writes()).toHaveLength(writes + 2);
    expect((await post(22_224)).status).toBe(200);
    server.control.setFaults({});
  });

  it('fails calls with 190/463 (expired) and 190/467 (invalid) under the token faults', async () => {
    server.control.setFaults('expired-token');
    const expired = await server.get('me');
    expect(expired.status).toBe(400);
    expect(errorOf(expired)).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
    expect(errorOf(expired).message).toMatch(/^Error validating access token: Session has expired on /);
    server.control.setFaults({ invalidToken: 1 });
    expect(errorOf(await server.get(server.accountId))).toMatchObject({ code: 190, error_subcode: 467 });
    server.control.setFaults({});
  });

  it('fails the N-th page once under page-fail, and the retried next URL then succeeds', async () => {
    server.control.setFaults('page-fail:2');
    const first = await server.get<ListBody>(`${server.accountId}/ads`, { limit: '3' });
    expect(first.status).toBe(200);
    const next = first.body.paging?.next ?? '';
    const failed = await server.fetchUrl(next);
    expect(failed.status).toBe(500);
    expect(errorOf(failed).code).toBe(1);
    const retried = await server.fetchUrl<ListBody>(next);
    expect(retried.status).toBe(200);
    expect(retried.body.data).toHaveLength(3);
    const third = await server.fetchUrl(retried.body.paging?.next ?? '');
    expect(third.status).toBe(200);
    server.control.setFaults({});
  });

  it('refuses bad fault specs on the control endpoint with 400', async () => {
    expect((await server.controlCall('POST', 'faults', { spec: 'nonsense' })).status).toBe(400);
    expect((await server.controlCall('POST', 'faults', { transient: 7 })).status).toBe(400);
    expect((await server.controlCall('GET', 'faults')).body).toEqual({ faults: {} });
  });
});
