import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type TestServer } from './test-helpers.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';

describe('OAuth and tokens over HTTP', () => {
  let server: TestServer;
  const dialog = async (query: Record<string, string>): Promise<Response> =>
    fetch(`${server.url}/v26.0/dialog/oauth?${new URLSearchParams(query).toString()}`, {
      redirect: 'manual',
    });
  const exchange = async (query: Record<string, string>) =>
    server.get<{ access_token: string; token_type: string; expires_in: number }>(
      'oauth/access_token',
      query,
      null,
    );
  const login = async (scope = 'ads_read,ads_management'): Promise<string> => {
    const response = await dialog({ client_id: server.appId, redirect_uri: REDIRECT, state: 's1', scope });
    return new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '';
  };

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('redirects the dialog to redirect_uri with a code and the state, or an access_denied error', async () => {
    const response = await dialog({
      client_id: server.appId,
      redirect_uri: REDIRECT,
      state: 'xyz',
      scope: 'ads_read',
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('code')).toMatch(/^AQ/);
    const denied = await dialog({
      client_id: server.appId,
      redirect_uri: REDIRECT,
      state: 'q',
      fake_consent: 'deny',
    });
    expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied');
    expect((await dialog({ client_id: 'other', redirect_uri: REDIRECT })).status).toBe(400);
  });

  it('exchanges a code once (36009 on reuse), checks redirect_uri and the app secret', async () => {
    const code = await login();
    const base = { client_id: server.appId, client_secret: server.appSecret, redirect_uri: REDIRECT };
    expect(errorOf(await exchange({ ...base, client_secret: 'wrong', code })).message).toBe(
      'Error validating client secret.',
    );
    expect(errorOf(await exchange({ ...base, redirect_uri: 'http://127.0.0.1:9/other', code })).code).toBe(
      100,
    );
    const first = await exchange({ ...base, code });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 7200,
    });
    expect(first.body.access_token).toMatch(/^EAAB/);
    const again = await exchange({ ...base, code });
    expect(again.status).toBe(400);
    expect(errorOf(again)).toMatchObject({ code: 100, error_subcode: 36009, type: 'OAuthException' });
    expect((await server.get('me', {}, first.body.access_token)).body.id).toMatch(/^\d+$/);
  });

  it('swaps a short-lived token for a 60-day one and describes tokens in debug_token', async () => {
    const base = { client_id: server.appId, client_secret: server.appSecret, redirect_uri: REDIRECT };
    const short = (await exchange({ ...base, code: await login('ads_read') })).body.access_token;
    const long = await exchange({
      client_id: server.appId,
      client_secret: server.appSecret,
      grant_type: 'fb_exchange_token',
      fb_exchange_token: short,
    });
    expect(long.body.expires_in).toBe(5_183_944);
    const appToken = `${server.appId}|${server.appSecret}`;
    const user = (
      await server.get<{ data: Record<string, unknown> }>(
        'debug_token',
        { input_token: long.body.access_token },
        appToken,
      )
    ).body.data;
    expect(user).toMatchObject({
      app_id: server.appId,
      type: 'USER',
      is_valid: true,
      scopes: ['ads_read', 'public_profile'],
    });
    expect(user.granular_scopes).toEqual([{ scope: 'ads_read', target_ids: [server.accountId.slice(4)] }]);
    expect(Number(user.expires_at) - Number(user.issued_at)).toBe(5_183_944);
    const system = (
      await server.get<{ data: Record<string, unknown> }>('debug_token', { input_token: server.accessToken })
    ).body.data;
    expect(system).toMatchObject({ type: 'SYSTEM_USER', expires_at: 0, is_valid: true });
    const unknown = (
      await server.get<{ data: Record<string, unknown> }>(
        'debug_token',
        { input_token: 'EAABnope' },
        appToken,
      )
    ).body.data;
    expect(unknown.is_valid).toBe(false);
  });

  it('lets tokens expire on the simulated clock (190/463) and be revoked (190/467)', async () => {
    const base = { client_id: server.appId, client_secret: server.appSecret, redirect_uri: REDIRECT };
    const short = (await exchange({ ...base, code: await login() })).body.access_token;
    expect((await server.get('me', {}, short)).status).toBe(200);
    server.control.advance({ hours: 3 });
    const expired = await server.get('me', {}, short);
    expect(errorOf(expired)).toMatchObject({ code: 190, error_subcode: 463 });
    const described = (
      await server.get<{ data: Record<string, unknown> }>('debug_token', { input_token: short })
    ).body.data;
    expect(described).toMatchObject({ is_valid: false, error: { code: 190, subcode: 463 } });
    const exchangeExpired = await exchange({
      client_id: server.appId,
      client_secret: server.appSecret,
      grant_type: 'fb_exchange_token',
      fb_exchange_token: short,
    });
    expect(errorOf(exchangeExpired).error_subcode).toBe(463);
    const revoked = server.control.issueToken();
    expect((await server.controlCall('POST', 'tokens/revoke', { token: revoked })).body).toEqual({
      success: true,
    });
    expect(errorOf(await server.get('me', {}, revoked))).toMatchObject({ code: 190, error_subcode: 467 });
    expect(errorOf(await server.get('me', {}, 'garbage')).code).toBe(190);
  });

  it('takes the token from the query, a form body or an Authorization header, and names a missing one', async () => {
    const viaHeader = await fetch(`${server.url}/v26.0/me`, {
      headers: { authorization: `Bearer ${server.accessToken}` },
    });
    expect(viaHeader.status).toBe(200);
    const adSet = server.control.market.latent[0]?.id ?? '';
    const viaBody = await fetch(`${server.url}/v26.0/${adSet}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${server.accessToken}&status=ACTIVE`,
    });
    expect(await viaBody.json()).toEqual({ success: true });
    const form = new FormData();
    form.set('access_token', server.accessToken);
    form.set('status', 'ACTIVE');
    const viaMultipart = await fetch(`${server.url}/v26.0/${adSet}`, { method: 'POST', body: form });
    expect(await viaMultipart.json()).toEqual({ success: true });
    expect(errorOf(await server.get(server.accountId, {}, null))).toMatchObject({ code: 104 });
    expect(errorOf(await server.get('me', {}, null))).toMatchObject({ code: 2500 });
  });
});

describe('control endpoint', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ startDay: 3 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reports state, advances the market by days and exposes ground truth', async () => {
    const state = (await server.controlCall<{ day: number; date: string }>('GET', 'state')).body;
    expect(state.day).toBe(3);
    const advanced = (await server.controlCall<{ day: number; date: string }>('POST', 'advance', { days: 2 }))
      .body;
    expect(advanced.day).toBe(5);
    expect(server.control.market.day).toBe(5);
    const truth = (await server.controlCall<Record<string, unknown>>('GET', 'truth')).body;
    const days = truth.days as Record<string, { purchases: number; trueRevenue: number }[]>;
    const first = server.control.market.latent[0]?.id ?? '';
    expect(days[first]).toHaveLength(5);
    expect(typeof days[first]?.[0]?.trueRevenue).toBe('number');
    expect((truth.latent as { r0: number }[])[0]?.r0).toBeGreaterThan(0);
    expect(truth.nextDecisions).toHaveLength(server.control.market.latent.length);
    expect((await server.controlCall('POST', 'advance', { hours: 30 })).body).toMatchObject({ day: 6 });
    expect((await server.controlCall('POST', 'advance', { days: -1 })).status).toBe(400);
    expect((await server.controlCall('GET', 'nowhere')).status).toBe(404);
    expect((await server.controlCall<{ routes: string[] }>('GET', '')).body.routes.length).toBeGreaterThan(5);
  });
});
