import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type ListBody, type TestServer } from './test-helpers.ts';

describe('writes over HTTP', () => {
  let server: TestServer;
  let abo: string[];
  let cboCampaign: string;
  let cboAdSet: string;

  beforeAll(async () => {
    server = await startTestServer();
    const truth = server.control.truth();
    const cbo = truth.campaigns.find((c) => c.isCbo);
    if (!cbo) throw new Error('the default seed 7 account should have a CBO campaign');
    cboCampaign = cbo.id;
    cboAdSet = cbo.adSetIds[0] ?? '';
    abo = truth.adSets.filter((a) => a.campaignId !== cbo.id).map((a) => a.id);
  });
  afterAll(async () => {
    await server.close();
  });

  // A cut keeps the account under the scenario's daily total, which the market enforces by scaling budgets down.
  it('updates an ad set budget at once for reads and for the market from the next simulated day', async () => {
    const id = abo[0] ?? '';
    expect((await server.post(id, { daily_budget: '9500' })).body).toEqual({ success: true });
    expect((await server.get(id, { fields: 'daily_budget' })).body).toEqual({ daily_budget: '9500', id });
    const index = server.control.market.latent.findIndex((a) => a.id === id);
    expect(server.control.truth().nextDecisions.find((d) => d.adSetId === id)?.dailyBudgetCents).toBe(9500);
    server.control.advance({ days: 1 });
    expect(server.control.market.truth[index]?.at(-1)?.budgetCents).toBe(9500);
    const log = server.control.writes().at(-1);
    expect(log).toMatchObject({ objectId: id, outcome: 'ok', params: { daily_budget: '9500' } });
    expect(log?.params.access_token).toBeUndefined();
  });

  it('allows 4 budget changes per ad set per hour: the 5th is error 17/2446079 and blocks for an hour', async () => {
    const id = abo[1] ?? '';
    for (let i = 0; i < 4; i++)
      expect((await server.post(id, { daily_budget: String(9000 + i) })).status).toBe(200);
    const fifth = await server.post(id, { daily_budget: '9100' });
    expect(fifth.status).toBe(400);
    expect(errorOf(fifth)).toMatchObject({ code: 17, error_subcode: 2446079, type: 'OAuthException' });
    expect((await server.get(id, { fields: 'daily_budget' })).body.daily_budget).toBe('9003');
    // Status changes are not budget changes, and other ad sets have their own counters.
    expect((await server.post(id, { status: 'ACTIVE' })).status).toBe(200);
    expect((await server.post(abo[2] ?? '', { daily_budget: '9100' })).status).toBe(200);
    server.control.advance({ minutes: 30 });
    expect(errorOf(await server.post(id, { daily_budget: '9100' })).code).toBe(17);
    server.control.advance({ minutes: 31 });
    expect((await server.post(id, { daily_budget: '9100' })).status).toBe(200);
  });

  it('refuses a budget under the minimum with 100/1885272 and a user message naming the minimum', async () => {
    const reply = await server.post(abo[3] ?? '', { daily_budget: '499' });
    expect(reply.status).toBe(400);
    const error = errorOf(reply);
    expect(error).toMatchObject({ code: 100, error_subcode: 1885272, error_user_title: 'Budget Is Too Low' });
    expect(error.error_user_msg).toContain('$5.00');
    expect(server.control.writes().at(-1)).toMatchObject({
      outcome: 'error',
      error: { code: 100, subcode: 1885272 },
    });
  });

  it('refuses budgets above the USD 1M equivalent with 100/1885261 and non-integer budgets with (#100)', async () => {
    expect(errorOf(await server.post(abo[3] ?? '', { daily_budget: '100000001' })).error_subcode).toBe(
      1885261,
    );
    const fractional = errorOf(await server.post(abo[3] ?? '', { daily_budget: '12.50' }));
    expect(fractional.code).toBe(100);
    expect(fractional.error_subcode).toBeUndefined();
  });

  it('refuses an ad set budget inside a CBO campaign with 100/1885621 and takes the campaign budget instead', async () => {
    const reply = await server.post(cboAdSet, { daily_budget: '5000' });
    expect(errorOf(reply)).toMatchObject({ code: 100, error_subcode: 1885621 });
    expect((await server.post(cboCampaign, { daily_budget: '24000' })).body).toEqual({ success: true });
    expect((await server.get(cboCampaign, { fields: 'daily_budget' })).body.daily_budget).toBe('24000');
    const members = server.control.truth().campaigns.find((c) => c.id === cboCampaign)?.adSetIds ?? [];
    const shares = server.control.truth().nextDecisions.filter((d) => members.includes(d.adSetId));
    expect(shares.reduce((sum, d) => sum + d.dailyBudgetCents, 0)).toBe(24000);
    expect(errorOf(await server.post(cboCampaign, { daily_budget: '100' })).error_subcode).toBe(1885272);
    expect(
      errorOf(
        await server.post(server.control.truth().campaigns.find((c) => !c.isCbo)?.id ?? '', {
          daily_budget: '24000',
        }),
      ).code,
    ).toBe(100);
  });

  it('propagates a paused campaign or ad set to the effective_status of children and stops delivery', async () => {
    const campaign = server.control.truth().campaigns.find((c) => !c.isCbo);
    const adSet = campaign?.adSetIds[0] ?? '';
    expect((await server.post(campaign?.id ?? '', { status: 'PAUSED' })).body).toEqual({ success: true });
    expect((await server.get(adSet, { fields: 'status,effective_status' })).body).toMatchObject({
      status: 'ACTIVE',
      effective_status: 'CAMPAIGN_PAUSED',
    });
    const ads = (await server.get<ListBody>(`${adSet}/ads`, { fields: 'effective_status' })).body.data;
    for (const ad of ads) expect(ad.effective_status).toBe('CAMPAIGN_PAUSED');
    expect(server.control.truth().nextDecisions.find((d) => d.adSetId === adSet)?.status).toBe('PAUSED');
    await server.post(campaign?.id ?? '', { status: 'ACTIVE' });
    await server.post(adSet, { status: 'PAUSED' });
    const ad = (await server.get<ListBody>(`${adSet}/ads`, { fields: 'effective_status' })).body.data[0];
    expect(ad?.effective_status).toBe('ADSET_PAUSED');
    expect(errorOf(await server.post(adSet, { status: 'SLEEPING' })).code).toBe(100);
    await server.post(adSet, { status: 'ACTIVE' });
  });

  it('validates without writing under execution_options=["validate_only"]', async () => {
    const id = abo[4] ?? '';
    const before = (await server.get(id, { fields: 'daily_budget' })).body.daily_budget;
    expect(
      (await server.post(id, { daily_budget: '7777', execution_options: '["validate_only"]' })).body,
    ).toEqual({ success: true });
    expect((await server.get(id, { fields: 'daily_budget' })).body.daily_budget).toBe(before);
  });

  it('copies an ad set (deep) and an ad as paused placeholders that report no delivery', async () => {
    const source = server.control.truth().adSets.find((a) => {
      const count = server.control.truth().ads.filter((ad) => ad.adSetId === a.id).length;
      return !a.isPlaceholder && count <= 2 && a.campaignId !== cboCampaign;
    });
    if (!source) throw new Error('no small ad set');
    const copy = await server.post(`${source.id}/copies`, { deep_copy: 'true' });
    expect(copy.status).toBe(200);
    const copiedId = copy.body.copied_adset_id as string;
    expect(copiedId).toMatch(/^\d{18}$/);
    expect((copy.body.ad_object_ids as { ad_object_type: string }[])[0]).toMatchObject({
      ad_object_type: 'ad_set',
      source_id: source.id,
    });
    const read = (
      await server.get(copiedId, { fields: 'name,status,daily_budget,campaign_id,source_adset_id' })
    ).body;
    expect(read).toMatchObject({
      name: `${source.name} - Copy`,
      status: 'PAUSED',
      campaign_id: source.campaignId,
      source_adset_id: source.id,
    });
    const copiedAds = (await server.get<ListBody>(`${copiedId}/ads`)).body.data;
    expect(copiedAds.length).toBe(server.control.truth().ads.filter((ad) => ad.adSetId === source.id).length);

    const adId = server.control.truth().ads.find((a) => a.adSetId === source.id)?.id ?? '';
    const adCopy = await server.post(`${adId}/copies`, { status_option: 'ACTIVE' });
    const copiedAdId = adCopy.body.copied_ad_id as string;
    expect((await server.get(copiedAdId, { fields: 'status,adset_id' })).body).toMatchObject({
      status: 'ACTIVE',
      adset_id: source.id,
    });

    await server.post(copiedId, { status: 'ACTIVE' });
    server.control.advance({ days: 1 });
    for (const path of [`${copiedId}/insights`, `${copiedAdId}/insights`]) {
      expect((await server.get<ListBody>(path, { date_preset: 'maximum' })).body.data).toEqual([]);
    }
    const deepBig = server.control
      .truth()
      .adSets.find(
        (a) => !a.isPlaceholder && server.control.truth().ads.filter((ad) => ad.adSetId === a.id).length >= 3,
      );
    expect(deepBig).toBeDefined();
    const tooBig = errorOf(await server.post(`${deepBig?.id ?? ''}/copies`, { deep_copy: 'true' }));
    expect(tooBig.message).toMatch(/at most 3 objects/);
  });

  it('needs ads_management to write (294) and deletes objects out of default listings', async () => {
    const readOnly = server.control.issueToken({ scopes: ['ads_read'] });
    expect((await server.get(abo[0] ?? '', { fields: 'name' }, readOnly)).status).toBe(200);
    expect(errorOf(await server.post(abo[0] ?? '', { status: 'PAUSED' }, readOnly)).code).toBe(294);
    const copy = (await server.post(`${abo[0] ?? ''}/copies`)).body.copied_adset_id as string;
    const del = await fetch(`${server.url}/v26.0/${copy}?access_token=${server.accessToken}`, {
      method: 'DELETE',
    });
    expect(await del.json()).toEqual({ success: true });
    const listed = (await server.get<ListBody>(`${server.accountId}/adsets`, { limit: '200' })).body.data.map(
      (a) => a.id,
    );
    expect(listed).not.toContain(copy);
    const withDeleted = (
      await server.get<ListBody>(`${server.accountId}/adsets`, {
        limit: '200',
        effective_status: '["DELETED"]',
      })
    ).body.data;
    expect(withDeleted.map((a) => a.id)).toEqual([copy]);
  });

  it('accepts a JSON body as the Node SDK sends it (with its extra id)', async () => {
    const id = abo[5] ?? '';
    const response = await fetch(`${server.url}/v26.0/${id}?access_token=${server.accessToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, daily_budget: 8800, status: 'PAUSED' }),
    });
    expect(await response.json()).toEqual({ success: true });
    expect((await server.get(id, { fields: 'daily_budget,status' })).body).toMatchObject({
      daily_budget: '8800',
      status: 'PAUSED',
    });
  });
});
