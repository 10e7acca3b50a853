import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFields } from './fields.ts';
import { errorOf, startTestServer, type ListBody, type TestServer } from './test-helpers.ts';

describe('parseFields', () => {
  it('reads nested expansions and ignores modifiers', () => {
    expect(parseFields('id, creative{id,name},insights.date_preset(last_7d){spend,actions}')).toEqual([
      { name: 'id', sub: null },
      {
        name: 'creative',
        sub: [
          { name: 'id', sub: null },
          { name: 'name', sub: null },
        ],
      },
      {
        name: 'insights',
        sub: [
          { name: 'spend', sub: null },
          { name: 'actions', sub: null },
        ],
      },
    ]);
  });
});

describe('objects and fields over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists the ad account with Meta types: act_ id, number status, minor-unit money strings', async () => {
    const { body } = await server.get<ListBody>('me/adaccounts', {
      fields:
        'id,account_id,name,currency,timezone_name,account_status,disable_reason,spend_cap,amount_spent,balance,min_daily_budget',
    });
    expect(body.data).toHaveLength(1);
    const account = body.data[0] ?? {};
    expect(account.id).toBe(server.accountId);
    expect(account.account_id).toBe(server.accountId.slice(4));
    expect(account.account_status).toBe(1);
    expect(account.disable_reason).toBe(0);
    expect(account.currency).toBe('USD');
    expect(account.timezone_name).toBe('America/Los_Angeles');
    expect(account.spend_cap).toBe('0');
    expect(account.amount_spent).toMatch(/^\d+$/);
    const spentCents = server.control
      .truth()
      .latent.reduce(
        (sum, _, i) =>
          sum + (server.control.market.truth[i] ?? []).reduce((s, d) => s + Math.round(d.spend * 100), 0),
        0,
      );
    expect(Number(account.amount_spent)).toBe(spentCents);
    expect(account.balance).toMatch(/^\d+$/);
  });

  it('returns only the id (plus account_id on accounts) without fields, and always adds id', async () => {
    const { body } = await server.get<ListBody>(`${server.accountId}/campaigns`);
    expect(Object.keys(body.data[0] ?? {})).toEqual(['id']);
    expect((await server.get(server.accountId)).body).toEqual({
      account_id: server.accountId.slice(4),
      id: server.accountId,
    });
    const campaign = body.data[0]?.id as string;
    const named = (await server.get(campaign, { fields: 'name' })).body;
    expect(Object.keys(named)).toEqual(['name', 'id']);
    expect(named).toMatchObject({
      id: campaign,
    });
  });

  it('maps the market onto campaigns: 18-digit string ids, one CBO campaign whose ad sets carry no budget', async () => {
    const campaigns = (
      await server.get<ListBody>(`${server.accountId}/campaigns`, {
        fields: 'id,name,daily_budget,objective,effective_status',
      })
    ).body.data;
    const adSets = (
      await server.get<ListBody>(`${server.accountId}/adsets`, {
        fields:
          'id,campaign_id,daily_budget,status,effective_status,targeting,learning_stage_info,bid_strategy',
        limit: '100',
      })
    ).body.data;
    for (const node of [...campaigns, ...adSets]) expect(node.id).toMatch(/^\d{18}$/);
    const cbo = campaigns.filter((c) => c.daily_budget !== undefined);
    expect(cbo).toHaveLength(1);
    expect(cbo[0]?.daily_budget).toMatch(/^\d+$/);
    const inCbo = adSets.filter((a) => a.campaign_id === cbo[0]?.id);
    expect(inCbo.length).toBeGreaterThan(0);
    for (const adSet of inCbo) expect(adSet.daily_budget).toBeUndefined();
    for (const adSet of adSets.filter((a) => a.campaign_id !== cbo[0]?.id)) {
      expect(adSet.daily_budget).toMatch(/^\d+$/);
    }
    expect(adSets).toHaveLength(server.control.market.latent.length);
  });

  it('reveals the audience type in targeting: broad, interests, lookalike with its ratio, retargeting audiences', async () => {
    const adSets = (
      await server.get<ListBody>(`${server.accountId}/adsets`, { fields: 'id,targeting', limit: '100' })
    ).body.data;
    const byId = new Map(adSets.map((a) => [a.id as string, a.targeting as Record<string, unknown>]));
    for (const latent of server.control.market.latent) {
      const targeting = byId.get(latent.id) ?? {};
      switch (latent.audienceType) {
        case 'broad':
          expect(targeting.targeting_automation).toEqual({ advantage_audience: 1 });
          expect(targeting.custom_audiences).toBeUndefined();
          break;
        case 'interest':
          expect((targeting.flexible_spec as { interests: unknown[] }[])[0]?.interests).toHaveLength(2);
          break;
        case 'lookalike': {
          const [audience] = targeting.custom_audiences as { id: string; name: string }[];
          expect(audience?.name).toMatch(/^Lookalike \(US, \d+%\)/);
          const spec = (await server.get(audience?.id ?? '', { fields: 'subtype,lookalike_spec' })).body;
          expect(spec.subtype).toBe('LOOKALIKE');
          expect((spec.lookalike_spec as { ratio: number }).ratio).toBeGreaterThan(0);
          break;
        }
        case 'retargeting':
          expect(targeting.custom_audiences).toBeDefined();
          expect(targeting.excluded_custom_audiences).toBeDefined();
          break;
      }
    }
  });

  it('reports learning_stage_info with Graph spellings and a last_sig_edit_ts', async () => {
    const adSet = server.control.market.latent[0]?.id ?? '';
    const { body } = await server.get(adSet, { fields: 'learning_stage_info' });
    const info = body.learning_stage_info as Record<string, unknown>;
    expect(['LEARNING', 'SUCCESS', 'FAIL']).toContain(info.status);
    expect(typeof info.conversions).toBe('number');
    expect(typeof info.last_sig_edit_ts).toBe('number');
  });

  it('expands nested fields and lists children through edges', async () => {
    const adSet = server.control.market.latent[0];
    const { body } = await server.get<ListBody>(`${adSet?.id ?? ''}/ads`, {
      fields: 'id,creative{id,title},adset{name},effective_status',
    });
    expect(body.data).toHaveLength(adSet?.ads.length ?? 0);
    const ad = body.data[0] ?? {};
    const creative = ad.creative as Record<string, unknown>;
    expect(Object.keys(creative).sort()).toEqual(['id', 'title']);
    expect(creative.id).toMatch(/^\d{18}$/);
    expect(ad.adset).toEqual({ name: adSet?.name, id: adSet?.id });
    expect(ad.effective_status).toBe('ACTIVE');
  });

  it('refuses unknown fields with (#100) Tried accessing nonexisting field, on reads, lists and insights', async () => {
    const adSet = server.control.market.latent[0]?.id ?? '';
    for (const [path, type] of [
      [adSet, 'AdSet'],
      [`${server.accountId}/campaigns`, 'Campaign'],
      [`${server.accountId}/insights`, 'AdsInsights'],
    ] as const) {
      const reply = await server.get(path, {
        fields: 'spend,bogus_field'.replace('spend', type === 'AdsInsights' ? 'spend' : 'name'),
      });
      expect(reply.status).toBe(400);
      const error = errorOf(reply);
      expect(error.code).toBe(100);
      expect(error.type).toBe('OAuthException');
      expect(error.message).toBe(
        `(#100) Tried accessing nonexisting field (bogus_field) on node type (${type})`,
      );
      expect(error.fbtrace_id).toBe(reply.headers.get('x-fb-trace-id'));
    }
  });

  it('answers unknown ids with 100/33 GraphMethodException and filters lists by effective_status', async () => {
    const missing = await server.get('999999999999999999');
    expect(missing.status).toBe(400);
    expect(errorOf(missing)).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
    const paused = await server.get<ListBody>(`${server.accountId}/adsets`, {
      effective_status: '["PAUSED"]',
    });
    expect(paused.body.data).toEqual([]);
    const filtered = await server.get<ListBody>(`${server.accountId}/ads`, {
      filtering: JSON.stringify([
        { field: 'adset.id', operator: 'IN', value: [server.control.market.latent[1]?.id] },
      ]),
      limit: '100',
    });
    expect(filtered.body.data).toHaveLength(server.control.market.latent[1]?.ads.length ?? -1);
  });
});
