import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { accounts } from '../src/adapters/db/schema.ts';
import { buildHttpApp } from '../src/http/app.ts';
import type { AppContext } from '../src/main.ts';
import { connectWithToken, MetaConnectError } from '../src/services/meta-connect.service.ts';
import { addUser } from '../src/services/users.service.ts';
import { testContext } from './app-context.ts';
import { describeEachEngine } from './test-databases.ts';

describeEachEngine('Meta OAuth against the fake Graph API', (getDatabase) => {
  let fake: FakeGraphServer;
  let context: AppContext;
  let http: FastifyInstance;
  let clock = Date.now();
  // Starting the OAuth flow is for admins.
  let adminCookie = '';

  beforeAll(async () => {
    fake = await startFakeGraph({
      scenario: 'default',
      seed: 3,
      appId: '4242',
      appSecret: 'fake-app-secret',
      startDay: 14,
    });
    context = testContext(getDatabase(), fake, { now: () => new Date(clock) });
    http = buildHttpApp(context);
    const admin = { username: 'oauth-admin', password: 'admin password here' };
    await addUser(getDatabase().db, { ...admin, role: 'admin' }, { actor: { kind: 'system', name: 'test' } });
    const login = await http.inject({ method: 'POST', url: '/api/auth/login', payload: admin });
    adminCookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
  });
  afterAll(async () => {
    await http.close();
    await fake.close();
  });
  beforeEach(async () => {
    clock = Date.now();
    await getDatabase().db.delete(accounts);
  });

  /** Follows our redirect to the fake's dialog and returns the callback query it redirects back with. */
  async function consent(extra: Record<string, string> = {}): Promise<URLSearchParams> {
    const start = await http.inject({
      method: 'GET',
      url: '/api/auth/meta/start?returnTo=/accounts',
      headers: { cookie: adminCookie },
    });
    expect(start.statusCode).toBe(302);
    const dialog = new URL(String(start.headers.location));
    expect(dialog.origin).toBe(fake.url);
    expect(dialog.searchParams.get('scope')).toBe('ads_read,ads_management,business_management');
    for (const [key, value] of Object.entries(extra)) dialog.searchParams.set(key, value);
    const answer = await fetch(dialog, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    return new URL(answer.headers.get('location') ?? '').searchParams;
  }

  const callback = (query: URLSearchParams) =>
    http.inject({
      method: 'GET',
      url: `/api/auth/meta/callback?${query.toString()}`,
      headers: { accept: 'application/json' },
    });

  it('connects the ad account with a long-lived token encrypted at rest', async () => {
    const query = await consent();
    const response = await callback(query);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accounts: [expect.objectContaining({ id: fake.accountId })] });
    const [row] = await getDatabase().db.select().from(accounts).where(eq(accounts.id, fake.accountId));
    expect(row?.source).toBe('meta');
    expect(row?.tokenScopes).toEqual(expect.arrayContaining(['ads_read', 'ads_management']));
    const token = context.secrets.decrypt(row?.tokenCiphertext ?? '', fake.accountId);
    expect(row?.tokenCiphertext).not.toContain(token);
    // The stored token is the long-lived one, and Meta accepts it.
    const check = await fetch(`${fake.url}/v26.0/me/adaccounts?access_token=${encodeURIComponent(token)}`);
    expect(check.status).toBe(200);
  });

  it('redirects a browser back to where it started, naming what was connected', async () => {
    const query = await consent();
    const response = await http.inject({ method: 'GET', url: `/api/auth/meta/callback?${query.toString()}` });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`/accounts?connected=${fake.accountId}`);
  });

  it('refuses a replayed state', async () => {
    const query = await consent();
    expect((await callback(query)).statusCode).toBe(200);
    const replay = await callback(query);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({
      error: { code: 'bad_state', message: expect.stringMatching(/already used/) as string },
    });
  });

  it('refuses a forged or expired state', async () => {
    const query = await consent();
    const forged = new URLSearchParams(query);
    forged.set('state', `${query.get('state') ?? ''}x`);
    expect((await callback(forged)).json()).toMatchObject({ error: { code: 'bad_state' } });
    clock += 11 * 60_000;
    const late = await callback(query);
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ error: { message: expect.stringMatching(/ten minutes/) as string } });
    expect(await getDatabase().db.select().from(accounts)).toHaveLength(0);
  });

  it('reports denied consent and connects nothing', async () => {
    const query = await consent({ fake_consent: 'deny' });
    expect(query.get('error')).toBe('access_denied');
    const response = await callback(query);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'consent_denied' } });
    expect(await getDatabase().db.select().from(accounts)).toHaveLength(0);
  });

  it('refuses an open redirect in returnTo', async () => {
    const response = await http.inject({
      method: 'GET',
      url: '/api/auth/meta/start?returnTo=//evil.example',
      headers: { cookie: adminCookie },
    });
    expect(response.statusCode).toBe(400);
  });

  it('accepts a system-user token directly, and refuses an expired one', async () => {
    const connected = await connectWithToken(context.meta, fake.accessToken);
    expect(connected.map((a) => a.id)).toEqual([fake.accountId]);
    const shortLived = fake.control.issueToken({ type: 'USER', expiresInSeconds: 3600 });
    fake.control.expireToken(shortLived);
    const failure = await connectWithToken(context.meta, shortLived).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MetaConnectError);
    expect((failure as MetaConnectError).code).toBe('token_invalid');
  });
});
