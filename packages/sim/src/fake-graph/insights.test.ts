import { addDays } from '@roas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type ListBody, type TestServer } from './test-helpers.ts';

type Stat = Record<string, string>;
type Row = Record<string, unknown> & { date_start: string; date_stop: string; spend?: string };

const PURCHASE_TYPES = ['offsite_conversion.fb_pixel_purchase', 'omni_purchase', 'purchase'];
const cents = (spend: unknown): number => Math.round(Number(spend) * 100);
const sumCents = (rows: readonly Row[]): number => rows.reduce((sum, row) => sum + cents(row.spend), 0);
const stat = (row: Row, key: string, type: string): Stat | undefined =>
  (row[key] as Stat[] | undefined)?.find((entry) => entry.action_type === type);
const purchases = (row: Row | undefined): number =>
  Number(row ? (stat(row, 'actions', 'omni_purchase')?.value ?? 0) : 0);

describe('insights over HTTP', () => {
  let server: TestServer;
  let today: string;
  const rows = async (params: Record<string, string>, path?: string): Promise<Row[]> => {
    const reply = await server.get<ListBody<Row>>(path ?? `${server.accountId}/insights`, {
      limit: '1000',
      ...params,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body.data;
  };

  beforeAll(async () => {
    server = await startTestServer();
    today = server.control.state().date;
  });
  afterAll(async () => {
    await server.close();
  });

  it('gives the same spend at every level and one row per entity with its ids', async () => {
    const base = {
      date_preset: 'last_7d',
      fields: 'account_id,campaign_id,adset_id,ad_id,spend,impressions',
    };
    const account = await rows({ ...base, level: 'account' });
    const campaign = await rows({ ...base, level: 'campaign' });
    const adset = await rows({ ...base, level: 'adset' });
    const ad = await rows({ ...base, level: 'ad' });
    expect(account).toHaveLength(1);
    expect(account[0]?.account_id).toBe(server.accountId.slice(4));
    expect(account[0]?.campaign_id).toBeUndefined();
    expect(campaign).toHaveLength(server.control.truth().campaigns.length);
    expect(adset).toHaveLength(server.control.market.latent.length);
    expect(new Set(ad.map((r) => r.ad_id)).size).toBe(ad.length);
    for (const row of ad) expect(row.adset_id).toMatch(/^\d{18}$/);
    const total = sumCents(account);
    expect(sumCents(campaign)).toBe(total);
    expect(sumCents(adset)).toBe(total);
    expect(sumCents(ad)).toBe(total);
    expect(account[0]).toMatchObject({ date_start: addDays(today, -7), date_stop: addDays(today, -1) });
  });

  it('splits by day with time_increment=1 and sums back to the all_days row; every number is a string', async () => {
    const range = { time_range: JSON.stringify({ since: addDays(today, -5), until: addDays(today, -1) }) };
    const fields = 'spend,impressions,reach,clicks,ctr,cpm,cpc,frequency,actions';
    const daily = await rows({ ...range, fields, time_increment: '1' });
    const all = await rows({ ...range, fields, time_increment: 'all_days' });
    expect(daily).toHaveLength(5);
    for (const row of daily) {
      expect(row.date_start).toBe(row.date_stop);
      expect(row.spend).toMatch(/^\d+\.\d{2}$/);
      for (const key of ['impressions', 'reach', 'clicks', 'ctr', 'cpm', 'cpc', 'frequency']) {
        expect(typeof row[key]).toBe('string');
      }
    }
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ date_start: addDays(today, -5), date_stop: addDays(today, -1) });
    expect(sumCents(daily)).toBe(cents(all[0]?.spend));
    expect(daily.reduce((sum, row) => sum + Number(row.impressions), 0)).toBe(Number(all[0]?.impressions));
    const weekly = await rows({ ...range, fields: 'spend', time_increment: '3' });
    expect(weekly.map((r) => [r.date_start, r.date_stop])).toEqual([
      [addDays(today, -5), addDays(today, -3)],
      [addDays(today, -2), addDays(today, -1)],
    ]);
  });

  it("reports the market's lagged ad set rows of the current day", async () => {
    const observation = server.control.market.report(server.control.market.day);
    const daily = await rows({
      level: 'adset',
      fields: 'adset_id,spend,impressions,actions,action_values',
      time_increment: '1',
      date_preset: 'last_3d',
    });
    for (const adSet of observation.adSets) {
      for (const expected of adSet.rows.filter((r) => r.date >= addDays(today, -3))) {
        const row = daily.find((r) => r.adset_id === adSet.id && r.date_start === expected.date);
        expect(row, `${adSet.id} ${expected.date}`).toBeDefined();
        expect(cents(row?.spend)).toBe(expected.spendCents);
        expect(Number(row?.impressions)).toBe(expected.impressions);
        expect(purchases(row)).toBe(expected.purchases);
        const value = row ? stat(row, 'action_values', 'omni_purchase')?.value : undefined;
        expect(cents(value ?? 0)).toBe(expected.purchaseValueCents);
      }
    }
  });

  it('repeats each purchase under the three overlapping action types, with purchase_roas = value / spend', async () => {
    const [row] = await rows({
      fields: 'spend,actions,action_values,purchase_roas,website_purchase_roas',
      date_preset: 'last_14d',
    });
    expect(row).toBeDefined();
    if (!row) return;
    const counts = PURCHASE_TYPES.map((type) => stat(row, 'actions', type)?.value);
    const values = PURCHASE_TYPES.map((type) => stat(row, 'action_values', type)?.value);
    expect(new Set(counts).size).toBe(1);
    expect(new Set(values).size).toBe(1);
    expect(Number(counts[0])).toBeGreaterThan(0);
    expect(values[0]).toMatch(/^\d+\.\d{2}$/);
    for (const type of ['link_click', 'add_to_cart', 'initiate_checkout'])
      expect(stat(row, 'actions', type)).toBeDefined();
    const roas = stat(row, 'purchase_roas', 'omni_purchase');
    expect(Number(roas?.value)).toBeCloseTo(Number(values[0]) / Number(row.spend), 5);
    expect(stat(row, 'website_purchase_roas', 'offsite_conversion.fb_pixel_purchase')?.value).toBe(
      roas?.value,
    );
  });

  it('omits keys of empty metrics: no purchase entries, values or ROAS on rows without purchases', async () => {
    const daily = await rows({
      level: 'ad',
      fields: 'spend,actions,action_values,purchase_roas',
      time_increment: '1',
      date_preset: 'last_7d',
    });
    const withoutPurchases = daily.filter((row) => stat(row, 'actions', 'omni_purchase') === undefined);
    expect(withoutPurchases.length).toBeGreaterThan(0);
    for (const row of withoutPurchases) {
      expect(row.action_values).toBeUndefined();
      expect(row.purchase_roas).toBeUndefined();
      for (const entry of (row.actions as Stat[] | undefined) ?? [])
        expect(Number(entry.value)).toBeGreaterThan(0);
    }
  });

  it('adds per-window keys only when action_attribution_windows asks for them', async () => {
    const params = { fields: 'spend,actions,action_values,purchase_roas', date_preset: 'last_14d' };
    const [plain] = await rows(params);
    for (const key of ['actions', 'action_values', 'purchase_roas']) {
      for (const entry of (plain?.[key] as Stat[] | undefined) ?? [])
        expect(Object.keys(entry).sort()).toEqual(['action_type', 'value']);
    }
    const [windowed] = await rows({ ...params, action_attribution_windows: '["7d_click","1d_view"]' });
    if (!windowed) throw new Error('no row');
    const purchase = stat(windowed, 'actions', 'omni_purchase') ?? {};
    expect(Object.keys(purchase).sort()).toEqual(['1d_view', '7d_click', 'action_type', 'value']);
    expect(Number(purchase['7d_click']) + Number(purchase['1d_view'])).toBe(Number(purchase.value));
    const linkClick = stat(windowed, 'actions', 'link_click') ?? {};
    expect(linkClick['1d_view']).toBeUndefined();
    expect(linkClick['7d_click']).toBe(linkClick.value);
    expect(Object.keys(stat(windowed, 'purchase_roas', 'omni_purchase') ?? {})).toContain('7d_click');
    const [oneDay] = await rows({ ...params, action_attribution_windows: '1d_click,7d_click,28d_click' });
    const entry = oneDay ? (stat(oneDay, 'actions', 'purchase') ?? {}) : {};
    expect(Number(entry['1d_click'])).toBeLessThanOrEqual(Number(entry['7d_click']));
    expect(entry['28d_click']).toBe(entry['7d_click']);
    expect(entry['1d_view']).toBeUndefined();
  });

  it('filters by ids, effective status and metrics', async () => {
    const [a, b] = server.control.market.latent;
    const byId = await rows({
      level: 'adset',
      fields: 'adset_id',
      date_preset: 'last_7d',
      filtering: JSON.stringify([{ field: 'adset.id', operator: 'IN', value: [a?.id, b?.id] }]),
    });
    expect(byId.map((r) => r.adset_id).sort()).toEqual([a?.id, b?.id].sort());
    const campaignId = server.control.truth().campaigns[0]?.id;
    const byCampaign = await rows({
      level: 'ad',
      fields: 'campaign_id',
      date_preset: 'last_7d',
      filtering: JSON.stringify([
        { field: 'campaign.id', operator: 'EQUAL', value: campaignId },
        { field: 'ad.effective_status', operator: 'IN', value: ['ACTIVE'] },
      ]),
    });
    expect(byCampaign.length).toBeGreaterThan(0);
    for (const row of byCampaign) expect(row.campaign_id).toBe(campaignId);
    const none = await rows({
      level: 'ad',
      date_preset: 'last_7d',
      filtering: JSON.stringify([{ field: 'ad.effective_status', operator: 'IN', value: ['PAUSED'] }]),
    });
    expect(none).toEqual([]);
    const big = await rows({
      level: 'adset',
      fields: 'spend',
      date_preset: 'yesterday',
      filtering: JSON.stringify([{ field: 'spend', operator: 'GREATER_THAN', value: 100 }]),
    });
    for (const row of big) expect(Number(row.spend)).toBeGreaterThan(100);
  });

  it('serves the edge insights of a campaign, an ad set and an ad, and the date presets', async () => {
    const adSet = server.control.market.latent[0];
    const [fromEdge] = await rows(
      { fields: 'adset_id,spend', date_preset: 'last_7d' },
      `${adSet?.id ?? ''}/insights`,
    );
    const [fromAccount] = await rows({
      level: 'adset',
      fields: 'adset_id,spend',
      date_preset: 'last_7d',
      filtering: JSON.stringify([{ field: 'adset.id', operator: 'EQUAL', value: adSet?.id }]),
    });
    expect(fromEdge).toEqual(fromAccount);
    const ad = await rows(
      { fields: 'ad_id,spend', date_preset: 'last_7d' },
      `${adSet?.ads[0]?.id ?? ''}/insights`,
    );
    expect(ad[0]?.ad_id).toBe(adSet?.ads[0]?.id);
    expect(await rows({ date_preset: 'today' })).toEqual([]);
    const yesterday = await rows({ date_preset: 'yesterday', level: 'adset', fields: 'adset_id' });
    for (const row of yesterday)
      expect([row.date_start, row.date_stop]).toEqual([addDays(today, -1), addDays(today, -1)]);
  });

  it('refuses bad parameters with (#100) and too-old ranges with 3018', async () => {
    const bad: Record<string, string>[] = [
      { level: 'galaxy' },
      { time_range: '{"since":"2026-02-10","until":"2026-02-01"}' },
      { time_increment: '120' },
      { date_preset: 'lifetime' },
      { action_attribution_windows: '["42d_click"]' },
      { breakdowns: '["age"]' },
      { filtering: '[{"field":"adset.bogus","operator":"EQUAL","value":"1"}]' },
    ];
    for (const params of bad) {
      const reply = await server.get(`${server.accountId}/insights`, params);
      expect(reply.status, JSON.stringify(params)).toBe(400);
      expect(errorOf(reply).code).toBe(100);
    }
    const old = await server.get(`${server.accountId}/insights`, {
      time_range: '{"since":"2020-01-01","until":"2020-01-31"}',
    });
    expect(errorOf(old)).toMatchObject({ code: 3018 });
  });
});

describe('insights lag and delivery as the clock moves', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ seed: 11, startDay: 10 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('re-reading an old day after advancing the clock shows as many purchases or more, and eventually more', async () => {
    const day = addDays(server.control.state().date, -1);
    const read = async (): Promise<Row[]> =>
      (
        await server.get<ListBody<Row>>(`${server.accountId}/insights`, {
          level: 'adset',
          fields: 'adset_id,spend,actions',
          time_range: JSON.stringify({ since: day, until: day }),
          limit: '100',
        })
      ).body.data;
    const before = await read();
    expect((await server.controlCall('POST', 'advance', { days: 4 })).status).toBe(200);
    const after = await read();
    expect(after.map((r) => r.adset_id)).toEqual(before.map((r) => r.adset_id));
    let grew = 0;
    for (const row of before) {
      const later = after.find((r) => r.adset_id === row.adset_id);
      expect(later?.spend).toBe(row.spend);
      expect(purchases(later)).toBeGreaterThanOrEqual(purchases(row));
      if (purchases(later) > purchases(row)) grew++;
    }
    expect(grew).toBeGreaterThan(0);
  });

  it('omits the days of a paused ad set: no delivery, no row', async () => {
    const adSet = server.control.market.latent[0]?.id ?? '';
    expect((await server.post(adSet, { status: 'PAUSED' })).body).toEqual({ success: true });
    server.control.advance({ days: 1 });
    const yesterday = addDays(server.control.state().date, -1);
    const { body } = await server.get<ListBody<Row>>(`${server.accountId}/insights`, {
      level: 'adset',
      fields: 'adset_id',
      time_range: JSON.stringify({ since: yesterday, until: yesterday }),
      limit: '100',
    });
    expect(body.data.map((r) => r.adset_id)).not.toContain(adSet);
    expect(body.data.length).toBe(server.control.market.latent.length - 1);
    expect(server.control.market.truth[0]?.at(-1)?.spend).toBe(0);
  });
});
