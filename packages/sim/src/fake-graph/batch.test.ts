import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type TestServer } from './test-helpers.ts';

type Entry = { code: number; headers?: { name: string; value: string }[]; body: string } | null;

describe('batch requests over HTTP', () => {
  let server: TestServer;
  const batch = async (
    items: unknown[],
    extra: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown }> => {
    const reply = await server.post('', { batch: JSON.stringify(items), ...extra });
    return { status: reply.status, body: reply.body };
  };

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers each item in order with code, headers and a JSON-string body, errors per item', async () => {
    const [adSet, other] = server.control.market.latent;
    const { status, body } = await batch([
      {
        method: 'GET',
        relative_url: `v26.0/${adSet?.id ?? ''}/insights?fields=spend,impressions&date_preset=yesterday`,
      },
      { method: 'POST', relative_url: other?.id ?? '', body: 'status=PAUSED' },
      { method: 'GET', relative_url: '/999999999999999999' },
      { method: 'GET', relative_url: `${adSet?.id ?? ''}?fields=nope` },
    ]);
    expect(status).toBe(200);
    const entries = body as Entry[];
    expect(entries).toHaveLength(4);
    const [insights, write, missing, badField] = entries;
    expect(insights?.code).toBe(200);
    const parsed = JSON.parse(insights?.body ?? '{}') as { data: { spend: string }[] };
    expect(parsed.data[0]?.spend).toMatch(/^\d+\.\d{2}$/);
    const names = insights?.headers?.map((h) => h.name) ?? [];
    expect(names).toEqual(
      expect.arrayContaining([
        'Facebook-API-Version',
        'X-Business-Use-Case-Usage',
        'X-FB-Ads-Insights-Throttle',
      ]),
    );
    expect(insights?.headers?.find((h) => h.name === 'Content-Type')?.value).toBe(
      'text/javascript; charset=UTF-8',
    );
    expect(JSON.parse(write?.body ?? '{}')).toEqual({ success: true });
    expect(server.control.truth().adSets.find((a) => a.id === other?.id)?.status).toBe('PAUSED');
    expect(missing?.code).toBe(400);
    expect(JSON.parse(missing?.body ?? '{}')).toMatchObject({ error: { code: 100, error_subcode: 33 } });
    expect(JSON.parse(badField?.body ?? '{}')).toMatchObject({ error: { code: 100 } });
  });

  it('refuses more than 50 items with the documented GraphBatchException, and takes exactly 50', async () => {
    const item = { method: 'GET', relative_url: 'me' };
    const tooMany = await server.post('', { batch: JSON.stringify(Array.from({ length: 51 }, () => item)) });
    expect(tooMany.status).toBe(400);
    expect(errorOf(tooMany)).toMatchObject({
      type: 'GraphBatchException',
      message: 'Too many requests in batch message. Maximum batch size is 50',
    });
    const fifty = await batch(Array.from({ length: 50 }, () => item));
    expect((fifty.body as Entry[]).every((entry) => entry?.code === 200)).toBe(true);
  });

  it('returns null entries for items that time out and 960 when the whole batch times out', async () => {
    server.control.setFaults('timeout:1:1000');
    const { body } = await batch([
      { method: 'GET', relative_url: 'me' },
      { method: 'GET', relative_url: server.accountId },
    ]);
    expect(body).toEqual([null, null]);
    server.control.setFaults('batch-timeout');
    const aborted = await server.post('', { batch: JSON.stringify([{ method: 'GET', relative_url: 'me' }]) });
    expect(aborted.status).toBe(400);
    expect(errorOf(aborted).code).toBe(960);
    server.control.setFaults({});
  });

  it('accepts a JSON body with a real array, resolves {result=name:$.path} references and honours include_headers=false', async () => {
    const adSet = server.control.market.latent[2]?.id ?? '';
    const response = await fetch(`${server.url}/v26.0/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.accessToken}` },
      body: JSON.stringify({
        include_headers: false,
        batch: [
          { method: 'GET', name: 'ads', relative_url: `${adSet}/ads?fields=id` },
          { method: 'GET', relative_url: '?ids={result=ads:$.data.*.id}' },
          {
            method: 'POST',
            relative_url: '{result=ads:$.data.0.id}',
            body: 'status=PAUSED',
            omit_response_on_success: true,
          },
        ],
      }),
    });
    const entries = (await response.json()) as Entry[];
    expect(entries[0]?.code).toBe(200);
    expect(entries[0]?.headers).toBeUndefined();
    const ads = server.control.market.latent[2]?.ads.map((ad) => ad.id) ?? [];
    expect(Object.keys(JSON.parse(entries[1]?.body ?? '{}') as object).sort()).toEqual([...ads].sort());
    expect(entries[2]).toBeNull();
    const firstAd = server.control.market.latent[2]?.ads[0]?.id;
    expect(server.control.truth().ads.find((a) => a.id === firstAd)?.status).toBe('PAUSED');
  });
});
