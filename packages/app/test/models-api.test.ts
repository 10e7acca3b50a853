import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildHttpApp } from '../src/http/app.ts';
import * as contract from '../src/http/contract.ts';
import { importAdsManagerCsv } from '../src/services/import.service.ts';
import { ensureColdStartModels } from '../src/services/models/cold-start-models.ts';
import { addUser } from '../src/services/users.service.ts';
import { testContext } from './app-context.ts';
import { shopExport } from './recommend-fixture.ts';
import { describeEachEngine } from './test-databases.ts';

const now = () => new Date('2026-03-16T12:00:00Z');

describeEachEngine('GET /api/models', (get) => {
  let server: FastifyInstance;
  let base: string;
  let cookie = '';
  let account = '';

  beforeAll(async () => {
    const { db } = get();
    // No Meta calls here: the Graph settings only have to be well formed.
    const context = testContext(get(), {
      url: 'http://127.0.0.1:9',
      appId: '1',
      appSecret: 'secret',
      apiVersion: 'v26.0',
    });
    account = (
      await importAdsManagerCsv(db, {
        text: shopExport(),
        fileName: 'shop.csv',
        accountName: 'Shop',
        now: now(),
      })
    ).account.id;
    await ensureColdStartModels(db, { now: now() });
    server = buildHttpApp(context, { now, webDist: null });
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    await addUser(
      db,
      { username: 'viewer', password: 'a long password', role: 'viewer' },
      { actor: { kind: 'system', name: 'test' } },
    );
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer', password: 'a long password' }),
    });
    cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  });
  afterAll(async () => {
    await server.close();
  });

  const getModels = (query = '', withCookie = true) =>
    fetch(`${base}/api/models${query}`, { headers: withCookie ? { cookie } : {} });

  it('shows a viewer each model an account uses, why, and its holdout accuracy against the baselines', async () => {
    const response = await getModels(`?account=${encodeURIComponent(account)}`);
    expect(response.status).toBe(200);
    const body = contract.modelsResponse.parse(await response.json());
    expect(body.account).toEqual({ id: account, name: 'Shop' });
    expect(body.mlEnabled).toBe(true);
    expect(body.models.map((m) => [m.label, m.scope, m.isActive, m.inUse]).sort()).toEqual([
      ['fatigue_onset@cold-1', 'cold-start', true, true],
      ['purchase_probability@cold-1', 'cold-start', true, true],
      ['roas_forecast@cold-1', 'cold-start', true, true],
    ]);
    const roas = body.models.find((m) => m.kind === 'roas_forecast');
    expect(roas?.holdout).toMatchObject({ metric: 'mae', gate: 'last7Roas' });
    expect(roas?.holdout?.baselines).toHaveProperty('accountRoas');
    expect(roas?.holdout?.rankCorrelation).toEqual(expect.any(Number));
    expect(roas?.usage).toMatch(/MAE [\d.]+ is [\d.]+% lower than last7Roas/);
    expect((roas?.trainedFrom ?? 'z') < (roas?.trainedTo ?? '')).toBe(true);
    expect(Number.isNaN(Date.parse(roas?.trainedAt ?? ''))).toBe(false);
  });

  it('answers 404 for an unknown account and 401 without a session', async () => {
    const missing = await getModels('?account=act_404');
    expect(missing.status).toBe(404);
    expect(contract.errorResponse.parse(await missing.json()).error.code).toBe('not_found');
    expect((await getModels('', false)).status).toBe(401);
    expect((await getModels('')).status).toBe(200);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(doc.paths).toHaveProperty('/api/models');
  });
});
