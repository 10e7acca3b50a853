import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paginate, type PageLink } from './paging.ts';
import { startTestServer, type ListBody, type TestServer } from './test-helpers.ts';

const link: PageLink = {
  url: 'http://127.0.0.1:1/v26.0/act_1/ads',
  query: new URLSearchParams('fields=id&limit=2'),
  token: null,
};

describe('paginate', () => {
  it('cuts pages with cursors, absolute next/previous links and no next on the last page', () => {
    const items = [1, 2, 3, 4, 5];
    const first = paginate(items, { limit: '2' }, link);
    expect(first.data).toEqual([1, 2]);
    expect(first.paging?.next).toMatch(
      /^http:\/\/127\.0\.0\.1:1\/v26\.0\/act_1\/ads\?fields=id&limit=2&after=/,
    );
    expect(first.paging?.previous).toBeUndefined();
    const after = new URL(first.paging?.next ?? '').searchParams.get('after') ?? '';
    const second = paginate(items, { limit: '2', after }, link);
    expect(second.data).toEqual([3, 4]);
    expect(second.paging?.previous).toContain('before=');
    const third = paginate(items, { limit: '2', after: second.paging?.cursors.after ?? '' }, link);
    expect(third.data).toEqual([5]);
    expect(third.paging?.next).toBeUndefined();
    const back = paginate(items, { limit: '2', before: third.paging?.cursors.before ?? '' }, link);
    expect(back.data).toEqual([3, 4]);
  });

  it('defaults to 25, gives {data: []} when empty and refuses bad limits and cursors', () => {
    expect(
      paginate(
        Array.from({ length: 30 }, (_, i) => i),
        {},
        link,
      ).data,
    ).toHaveLength(25);
    expect(paginate([], {}, link)).toEqual({ data: [] });
    expect(() => paginate([1], { limit: 'x' }, link)).toThrow(/limit/);
    expect(() => paginate([1], { after: '!!' }, link)).toThrow(/cursor/);
  });

  it('adds a body token to the links but never duplicates a query token', () => {
    const page = paginate([1, 2], { limit: '1' }, { ...link, token: 'T' });
    expect(new URL(page.paging?.next ?? '').searchParams.get('access_token')).toBe('T');
    const withQueryToken = { ...link, query: new URLSearchParams('access_token=Q&limit=1'), token: 'T' };
    const next = new URL(paginate([1, 2], { limit: '1' }, withQueryToken).paging?.next ?? '');
    expect(next.searchParams.getAll('access_token')).toEqual(['Q']);
  });
});

describe('paging over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('follows absolute next URLs verbatim through every ad, keeping every parameter, until next disappears', async () => {
    const first = await server.get<ListBody>(`${server.accountId}/ads`, {
      fields: 'id,name,adset_id',
      limit: '4',
    });
    expect(first.status).toBe(200);
    const ids: string[] = [];
    let page = first.body;
    let pages = 0;
    for (;;) {
      pages++;
      expect(page.data.length).toBeLessThanOrEqual(4);
      for (const ad of page.data) {
        expect(Object.keys(ad).sort()).toEqual(['adset_id', 'id', 'name']);
        ids.push(ad.id as string);
      }
      const next = page.paging?.next;
      if (next === undefined) break;
      expect(next.startsWith(`${server.url}/v26.0/${server.accountId}/ads?`)).toBe(true);
      const params = new URL(next).searchParams;
      expect(params.get('fields')).toBe('id,name,adset_id');
      expect(params.get('limit')).toBe('4');
      expect(params.get('access_token')).toBe(server.accessToken);
      page = (await server.fetchUrl<ListBody>(next)).body;
    }
    const adCount = server.control.truth().ads.length;
    expect(ids).toHaveLength(adCount);
    expect(new Set(ids).size).toBe(adCount);
    expect(pages).toBe(Math.ceil(adCount / 4));
    expect(page.data.length).toBeGreaterThan(0);
  });

  it('pages insights rows the same way and the pages add up to the unpaged result', async () => {
    const params = { level: 'adset', fields: 'adset_id,spend', time_increment: '1', date_preset: 'last_7d' };
    const all = await server.get<ListBody>(`${server.accountId}/insights`, { ...params, limit: '500' });
    expect(all.body.paging?.next).toBeUndefined();
    const rows: unknown[] = [];
    let next: string | undefined =
      `${server.url}/v26.0/${server.accountId}/insights?${new URLSearchParams({ ...params, limit: '10', access_token: server.accessToken }).toString()}`;
    while (next !== undefined) {
      const page: ListBody = (await server.fetchUrl<ListBody>(next)).body;
      expect(page.data.length).toBeLessThanOrEqual(10);
      rows.push(...page.data);
      next = page.paging?.next;
      if (next !== undefined) expect(new URL(next).searchParams.get('time_increment')).toBe('1');
    }
    expect(rows).toEqual(all.body.data);
  });

  it('keeps a bearer-header token out of the links', async () => {
    const response = await fetch(`${server.url}/v26.0/${server.accountId}/ads?limit=2`, {
      headers: { authorization: `Bearer ${server.accessToken}` },
    });
    const body = (await response.json()) as ListBody;
    expect(body.paging?.next).toBeDefined();
    expect(new URL(body.paging?.next ?? '').searchParams.has('access_token')).toBe(false);
  });
});
