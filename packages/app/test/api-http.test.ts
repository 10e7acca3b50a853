import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ads, outcomes, recommendations } from '../src/adapters/db/schema.ts';
import { insertProposal } from '../src/adapters/db/repositories/threshold-proposals.repository.ts';
import { API_ROUTES } from '../src/http/api-routes.ts';
import { buildHttpApp } from '../src/http/app.ts';
import * as contract from '../src/http/contract.ts';
import type { AppContext } from '../src/main.ts';
import { listAuditEvents } from '../src/services/audit.service.ts';
import { setExecutionMode } from '../src/services/execution-settings.service.ts';
import { importAdsManagerCsv } from '../src/services/import.service.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { addUser } from '../src/services/users.service.ts';
import { testContext } from './app-context.ts';
import { shopExport } from './recommend-fixture.ts';
import { describeEachEngine } from './test-databases.ts';

const PASSWORD = 'a long password';
const operator = { kind: 'system', name: 'cli:tester' } as const;

type Signed = { cookie: string; csrf: string };
type Call = { as?: Signed; method?: string; json?: unknown; csrf?: boolean };

describeEachEngine('the dashboard API over HTTP', (getDatabase) => {
  let fake: FakeGraphServer;
  let context: AppContext;
  let server: FastifyInstance;
  let base: string;
  let metaAccount: string;
  let csvAccount: string;
  const signed: Record<'viewer' | 'approver' | 'admin', Signed> = {
    viewer: { cookie: '', csrf: '' },
    approver: { cookie: '', csrf: '' },
    admin: { cookie: '', csrf: '' },
  };
  // The fake's clock in whole seconds, made strictly increasing so every event has its own instant.
  let last = 0;
  const now = () => {
    last = Math.max(Date.parse(fake.control.state().simTime), last + 1);
    return new Date(last);
  };

  const call = (url: string, options: Call = {}) => {
    const headers = new Headers();
    if (options.as) headers.set('cookie', options.as.cookie);
    if (options.as && options.csrf !== false) headers.set('x-csrf-token', options.as.csrf);
    if (options.json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${base}${url}`, {
      method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
      headers,
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    });
  };
  /** Calls, expects the status, and parses the body with the contract's schema for that response. */
  async function expectOk<S extends z.ZodType>(
    schema: S,
    url: string,
    options: Call & { status?: number } = {},
  ): Promise<z.output<S>> {
    const response = await call(url, options);
    const body: unknown = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(options.status ?? 200);
    return schema.parse(body);
  }
  async function expectError(url: string, status: number, options: Call = {}) {
    const response = await call(url, options);
    expect(response.status).toBe(status);
    const body = contract.errorResponse.parse(await response.json());
    return body.error;
  }
  const list = (query: string, as = signed.viewer) =>
    expectOk(contract.recommendationPage, `/api/recommendations?${query}`, { as });

  beforeAll(async () => {
    const { db } = getDatabase();
    // The simulated today (2026-04-19) comes after the export's March, as it would in life.
    fake = await startFakeGraph({
      scenario: { extends: 'default', adSets: 6, startDate: '2026-03-20' },
      seed: 11,
      startDay: 30,
    });
    context = testContext(getDatabase(), fake, { now });
    const [connected] = await connectWithToken(context.meta, fake.accessToken);
    metaAccount = connected?.id ?? '';
    await syncAccount({ db, now, graph: context.meta.graphFor(fake.accessToken) }, metaAccount, {
      today: fake.control.state().date,
      historyDays: 40,
      sliceDays: 20,
    });
    const imported = await importAdsManagerCsv(db, {
      text: shopExport(),
      fileName: 'shop.csv',
      accountName: 'Shop (export)',
      now: now(),
    });
    csvAccount = imported.account.id;
    server = buildHttpApp(context, { now, webDist: null });
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    for (const role of ['viewer', 'approver', 'admin'] as const) {
      await addUser(db, { username: role, password: PASSWORD, role }, { actor: operator });
      const response = await call('/api/auth/login', { json: { username: role, password: PASSWORD } });
      const cookie = (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      const me = (await (await fetch(`${base}/api/auth/me`, { headers: { cookie } })).json()) as {
        csrfToken: string;
      };
      signed[role] = { cookie, csrf: me.csrfToken };
    }
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  describe('the OpenAPI document', () => {
    it('is public, OpenAPI 3.1, and lists every /api route the server registers with its role', async () => {
      const response = await fetch(`${base}/api/openapi.json`);
      expect(response.status).toBe(200);
      const document = (await response.json()) as {
        openapi: string;
        paths: Record<string, Record<string, { 'x-required-role': string; responses: object }>>;
        components: { schemas: Record<string, { type?: string; properties?: object }> };
      };
      expect(document.openapi).toBe('3.1.0');
      // Every route the server has under /api: printRoutes draws a tree whose children add to their parent's path.
      const registered: { method: string; path: string }[] = [];
      const stack: string[] = [];
      for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
        const match = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
        if (!match) continue;
        const depth = (match[1] ?? '').length / 4;
        const full = (depth === 0 ? '' : (stack[depth - 1] ?? '')) + (match[2] ?? '');
        stack[depth] = full;
        for (const method of (match[3] ?? '').split(', ').filter((m) => m !== 'HEAD'))
          registered.push({ method: method.toLowerCase(), path: full.replace(/:(\w+)/g, '{$1}') });
      }
      expect(registered.length).toBeGreaterThanOrEqual(Object.keys(API_ROUTES).length);
      for (const route of registered) {
        const operation = document.paths[route.path]?.[route.method];
        expect(operation, `${route.method} ${route.path}`).toBeDefined();
        expect(['public', 'viewer', 'approver', 'admin']).toContain(operation?.['x-required-role']);
      }
      for (const route of Object.values(API_ROUTES)) {
        const path = route.path.replace(/:(\w+)/g, '{$1}');
        expect(document.paths[path]?.[route.method.toLowerCase()]?.['x-required-role']).toBe(route.role);
      }
      const schemas = document.components.schemas;
      for (const name of [
        'Recommendation',
        'RecommendationPage',
        'EntityDetail',
        'Money',
        'Error',
        'Settings',
      ])
        expect(schemas[name]?.type, name).toBe('object');
      const listOperation = document.paths['/api/recommendations']?.get as unknown as {
        parameters: { name: string; in: string }[];
        responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }>;
      };
      expect(listOperation.parameters.map((p) => p.name)).toEqual(
        expect.arrayContaining([
          'account',
          'action',
          'confidence',
          'audience',
          'stage',
          'status',
          'cursor',
          'limit',
        ]),
      );
      expect(listOperation.responses['200']?.content['application/json'].schema.$ref).toBe(
        '#/components/schemas/RecommendationPage',
      );
      // Every $ref points at a component that exists.
      const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
        (m) => m[1],
      );
      for (const ref of refs) expect(schemas[ref ?? ''], ref).toBeDefined();
    });
  });

  describe('accounts, ad sets and health', () => {
    it('lists accounts with currency, time zone, mode, last sync, token expiry and kill switch', async () => {
      const body = await expectOk(contract.accountsResponse, '/api/accounts', { as: signed.viewer });
      const meta = body.accounts.find((a) => a.id === metaAccount);
      expect(meta).toMatchObject({
        source: 'meta',
        currency: 'USD',
        timezone: 'America/Los_Angeles',
        executionMode: 'recommend',
        killSwitch: { isOn: false, reason: null },
      });
      expect(meta?.lastSyncedAt).toEqual(expect.any(String));
      expect(body.accounts.find((a) => a.id === csvAccount)).toMatchObject({
        source: 'csv',
        currency: 'EUR',
      });
      await expectError('/api/accounts', 401);
    });

    it("lists an account's ad sets with budgets in minor units and formatted, and 7-day metrics", async () => {
      const body = await expectOk(contract.adsetListResponse, `/api/accounts/${metaAccount}/adsets`, {
        as: signed.viewer,
      });
      const truth = fake.control.truth();
      expect(body.items).toHaveLength(truth.adSets.filter((a) => !a.isPlaceholder).length);
      expect(body.range).toEqual({ from: expect.any(String) as string, to: expect.any(String) as string });
      const own = body.items.find((item) => item.budget.owner === 'adset');
      const adSet = truth.adSets.find((a) => a.id === own?.id);
      expect(own?.budget.daily).toEqual({
        minor: String(adSet?.dailyBudgetCents),
        amount: ((adSet?.dailyBudgetCents ?? 0) / 100).toFixed(2),
        formatted: `$${((adSet?.dailyBudgetCents ?? 0) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
        currency: 'USD',
      });
      expect(own?.audience.type).toBe(adSet?.audienceType);
      expect(own?.learningStage).toEqual(expect.any(String));
      expect(body.items.some((item) => item.metrics.spend > 0 && item.metrics.roas !== null)).toBe(true);

      const narrow = await expectOk(
        contract.adsetListResponse,
        `/api/accounts/${metaAccount}/adsets?from=${body.range?.to ?? ''}&to=${body.range?.to ?? ''}`,
        { as: signed.viewer },
      );
      const spend = (items: typeof body.items) => items.reduce((sum, item) => sum + item.metrics.spend, 0);
      expect(spend(narrow.items)).toBeLessThan(spend(body.items));

      expect(
        (await expectError(`/api/accounts/${metaAccount}/adsets?from=yesterday`, 400, { as: signed.viewer }))
          .message,
      ).toMatch(/^from: /);
      expect(
        (
          await expectError(`/api/accounts/${metaAccount}/adsets?from=2026-03-10&to=2026-03-01`, 400, {
            as: signed.viewer,
          })
        ).message,
      ).toMatch(/after/);
      expect((await expectError('/api/accounts/act_404/adsets', 404, { as: signed.viewer })).code).toBe(
        'not_found',
      );
    });

    it('shows an ad set day by day, marking the days whose conversions are still arriving', async () => {
      const { items } = await expectOk(contract.adsetListResponse, `/api/accounts/${metaAccount}/adsets`, {
        as: signed.viewer,
      });
      const id = items[0]?.id ?? '';
      const detail = await expectOk(contract.entityDetailResponse, `/api/adsets/${id}?days=20`, {
        as: signed.viewer,
      });
      expect(detail.entity).toMatchObject({
        id,
        level: 'adset',
        account: { id: metaAccount, currency: 'USD' },
      });
      expect(detail.entity.ads.length).toBeGreaterThan(0);
      expect(detail.daily.length).toBeGreaterThan(10);
      expect(detail.daily.length).toBeLessThanOrEqual(20);
      expect(detail.range?.days).toBe(20);
      const dates = detail.daily.map((d) => d.date);
      expect([...dates].sort()).toEqual(dates);
      // The default curve: the newest days are immature, anything a week old is complete.
      expect(detail.lagCurve.source).toBe('default');
      expect(detail.daily.at(-1)?.immature).toBe(true);
      expect(detail.daily[0]?.immature).toBe(false);
      for (const day of detail.daily) {
        expect(day.immature).toBe(day.completeness < 1);
        if (day.spend > 0) expect(day.roas).toBeCloseTo(day.revenue / day.spend, 6);
        if (day.impressions > 0) expect(day.ctr).toBeCloseTo(day.clicks / day.impressions, 6);
      }
      expect(detail.totals.spend).toBeCloseTo(
        detail.daily.reduce((sum, d) => sum + d.spend, 0),
        6,
      );

      const defaults = await expectOk(contract.entityDetailResponse, `/api/adsets/${id}`, {
        as: signed.viewer,
      });
      expect(defaults.range?.days).toBe(60);
      expect((await expectError(`/api/adsets/${id}?days=0`, 400, { as: signed.viewer })).message).toMatch(
        /^days: /,
      );
      expect((await expectError('/api/adsets/999', 404, { as: signed.viewer })).code).toBe('not_found');

      const [ad] = await getDatabase().db.select({ id: ads.id }).from(ads).where(eq(ads.adsetId, id));
      const adDetail = await expectOk(contract.entityDetailResponse, `/api/ads/${ad?.id ?? ''}?days=7`, {
        as: signed.viewer,
      });
      expect(adDetail.entity).toMatchObject({ level: 'ad', adset: { id } });
      expect(adDetail.daily.length).toBeGreaterThan(0);
      expect((await expectError('/api/ads/999', 404, { as: signed.viewer })).code).toBe('not_found');
    });

    it("reports an account's health: token, sync, kill switch, spend cap and balance", async () => {
      const health = await expectOk(contract.healthResponse, `/api/accounts/${metaAccount}/health`, {
        as: signed.viewer,
      });
      expect(health.token).toMatchObject({ scopes: expect.arrayContaining(['ads_read']) as string[] });
      expect(health.sync.lastRun).toMatchObject({ status: 'done', error: null });
      expect(health.killSwitch).toEqual({ isOn: false, reason: null });
      // The usage headers of the sync's last call (issue 7: stored for health).
      expect(health.rateLimit).toMatchObject({ isHigh: false });
      expect(health.tracking).toMatchObject({ checked: true, isFlatline: false });
      expect(health.findings).toEqual([]);
      expect(health.problems).toEqual([]);
      const csv = await expectOk(contract.healthResponse, `/api/accounts/${csvAccount}/health`, {
        as: signed.viewer,
      });
      expect(csv.token).toBeNull();
      expect((await expectError('/api/accounts/act_404/health', 404, { as: signed.viewer })).code).toBe(
        'not_found',
      );
    });
  });

  describe('recommendations', () => {
    let firstRun: z.output<typeof contract.runResponse>;

    beforeAll(async () => {
      firstRun = await expectOk(contract.runResponse, '/api/recommendations/run', {
        as: signed.approver,
        json: { accountId: metaAccount },
      });
    });

    it('runs the engine for approvers only, and sums the run up', async () => {
      expect(firstRun.accounts).toHaveLength(1);
      const [summary] = firstRun.accounts;
      expect(summary).toMatchObject({
        account: { id: metaAccount },
        settingsSource: 'default',
        settingsVersionId: 0,
      });
      expect(summary?.total).toBe(Object.values(summary?.counts ?? {}).reduce((a, b) => a + b, 0));
      expect(summary?.total).toBeGreaterThan(0);
      expect(
        await expectError('/api/recommendations/run', 403, { as: signed.viewer, json: {} }),
      ).toMatchObject({
        code: 'forbidden',
      });
      expect(
        await expectError('/api/recommendations/run', 403, { as: signed.approver, json: {}, csrf: false }),
      ).toMatchObject({ code: 'csrf' });
      expect(
        (
          await expectError('/api/recommendations/run', 404, {
            as: signed.approver,
            json: { accountId: 'act_404' },
          })
        ).code,
      ).toBe('not_found');
    });

    it('lists the newest run first with money in the account currency, and pages by cursor', async () => {
      const all = await list(`account=${metaAccount}&limit=200`);
      expect(all.total).toBe(firstRun.accounts[0]?.total);
      expect(all.nextCursor).toBeNull();
      const item = all.items[0];
      expect(item).toMatchObject({
        runId: firstRun.runId,
        account: { id: metaAccount, currency: 'USD', timezone: 'America/Los_Angeles' },
        entity: { level: 'adset' },
        status: 'pending',
        reviewedBy: null,
        settingsVersionId: 0,
      });
      expect(item?.reasons.length).toBeGreaterThan(3);
      expect(item?.guardrails.length).toBeGreaterThan(0);
      expect(item?.explanation).toEqual(expect.any(String));
      expect(item?.roas?.lo).toBeLessThanOrEqual(item?.roas?.hi ?? 0);
      for (const r of all.items.filter((i) => i.newDailyBudget !== null)) {
        expect(r.newDailyBudget?.amount).toBe((Number(r.newDailyBudget?.minor) / 100).toFixed(2));
        expect(r.newDailyBudget?.formatted).toMatch(/^-?\$/);
      }

      const seen: string[] = [];
      let cursor: string | null = '';
      let pages = 0;
      while (cursor !== null) {
        const page = await list(`account=${metaAccount}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.total).toBe(all.total);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages += 1;
      }
      expect(pages).toBe(Math.ceil(all.total / 2));
      expect(seen).toEqual(all.items.map((i) => i.id));
    });

    it('filters by action, confidence, audience, stage, status and date', async () => {
      const all = await list(`account=${metaAccount}&limit=200`);
      const action = all.items[0]?.action ?? 'HOLD';
      const byAction = await list(`account=${metaAccount}&action=${action}&limit=200`);
      expect(byAction.items.length).toBe(all.items.filter((i) => i.action === action).length);
      expect(byAction.total).toBe(byAction.items.length);
      const two = await list(`account=${metaAccount}&action=SCALE,PAUSE&confidence=HIGH,MEDIUM&limit=200`);
      for (const i of two.items) {
        expect(['SCALE', 'PAUSE']).toContain(i.action);
        expect(['HIGH', 'MEDIUM']).toContain(i.confidence);
      }
      const audience = all.items[0]?.audience?.type ?? 'broad';
      const byAudience = await list(`account=${metaAccount}&audience=${audience}&limit=200`);
      expect(byAudience.items.length).toBe(all.items.filter((i) => i.audience?.type === audience).length);
      expect((await list(`account=${metaAccount}&stage=none&limit=200`)).total).toBe(all.total);
      expect((await list(`account=${metaAccount}&stage=testing`)).total).toBe(0);
      expect((await list(`account=${metaAccount}&status=approved`)).total).toBe(0);
      expect((await list(`account=${metaAccount}&from=2999-01-01`)).total).toBe(0);
      expect((await list(`account=${metaAccount}&to=2000-01-01`)).total).toBe(0);

      const bad = await expectError('/api/recommendations?action=SCALE,GROW', 400, { as: signed.viewer });
      expect(bad).toMatchObject({ code: 'invalid_input' });
      expect(bad.message).toMatch(/^action: "GROW" is not one of SCALE/);
      expect((await expectError('/api/recommendations?limit=0', 400, { as: signed.viewer })).message).toMatch(
        /^limit: /,
      );
      expect(
        (await expectError('/api/recommendations?cursor=nonsense', 400, { as: signed.viewer })).message,
      ).toMatch(/^cursor: /);
      expect(
        (await expectError('/api/recommendations?from=March', 400, { as: signed.viewer })).message,
      ).toMatch(/^from: /);
      expect(
        (await expectError('/api/recommendations?account=act_404', 404, { as: signed.viewer })).code,
      ).toBe('not_found');
      await expectError('/api/recommendations', 401);
    });

    it('approves and rejects with who, when and a comment, audited; a second review is a 409', async () => {
      const pending = (await list(`account=${metaAccount}&status=pending&limit=200`)).items;
      const [one, two] = pending;
      expect(
        await expectError(`/api/recommendations/${one?.id}/approve`, 403, { as: signed.viewer, json: {} }),
      ).toMatchObject({
        code: 'forbidden',
      });
      const approved = await expectOk(contract.reviewResponse, `/api/recommendations/${one?.id}/approve`, {
        as: signed.approver,
        json: { comment: '  looks right  ' },
      });
      expect(approved).toMatchObject({ decision: 'approve', reviewedBy: { username: 'approver' } });
      // The account is in recommend mode (the default): the approval is recorded, nothing is sent.
      expect(approved.applied).toEqual([]);
      expect(approved.applyNotes.join(' ')).toMatch(/recommend mode: nothing is written to Meta/);
      expect(approved.items[0]).toMatchObject({
        id: one?.id,
        status: 'approved',
        comment: 'looks right',
        reviewedBy: { username: 'approver' },
        reviewedAt: approved.reviewedAt,
      });
      // A body is optional.
      const rejected = await expectOk(contract.reviewResponse, `/api/recommendations/${two?.id}/reject`, {
        as: signed.admin,
        method: 'POST',
      });
      expect(rejected.items[0]).toMatchObject({
        status: 'rejected',
        comment: null,
        reviewedBy: { username: 'admin' },
      });

      const again = await expectError(`/api/recommendations/${one?.id}/approve`, 409, {
        as: signed.approver,
        json: {},
      });
      expect(again).toMatchObject({ code: 'conflict' });
      expect(again.message).toMatch(/already approved/);
      expect(
        (await expectError(`/api/recommendations/${two?.id}/approve`, 409, { as: signed.approver, json: {} }))
          .message,
      ).toMatch(/already rejected/);
      expect(
        (await expectError('/api/recommendations/not-a-uuid/approve', 400, { as: signed.approver, json: {} }))
          .message,
      ).toMatch(/^id: /);
      expect(
        (
          await expectError('/api/recommendations/00000000-0000-4000-8000-000000000000/approve', 404, {
            as: signed.approver,
            json: {},
          })
        ).code,
      ).toBe('not_found');

      const audit = await listAuditEvents(getDatabase().db, { target: `recommendation:${one?.id}` });
      expect(audit).toEqual([
        expect.objectContaining({
          who: 'approver',
          action: 'recommendation.approve',
          details: expect.objectContaining({ comment: 'looks right', accountId: metaAccount }) as unknown,
        }),
      ]);
      expect(audit[0]?.at).toBe(approved.reviewedAt);
      const rejection = await listAuditEvents(getDatabase().db, { target: `recommendation:${two?.id}` });
      expect(rejection[0]).toMatchObject({ who: 'admin', action: 'recommendation.reject' });

      // The list shows the reviews at once.
      const after = await list(`account=${metaAccount}&status=approved,rejected`);
      expect(after.items.map((i) => i.id).sort()).toEqual([one?.id, two?.id].sort());
    });

    it('applies an approval at once when the account is in approve mode, through the apply service', async () => {
      const { db } = getDatabase();
      await setExecutionMode(db, metaAccount, { mode: 'approve' }, { actor: null, now: now() });
      try {
        await expectOk(contract.runResponse, '/api/recommendations/run', {
          as: signed.approver,
          json: { accountId: metaAccount },
        });
        const pending = (await list(`account=${metaAccount}&status=pending&action=SCALE,PAUSE&limit=200`))
          .items;
        const target = pending.find((r) => r.appliesTo === 'adset');
        expect(target).toBeDefined();
        const writesBefore = fake.control.writes().length;
        const approved = await expectOk(
          contract.reviewResponse,
          `/api/recommendations/${target?.id}/approve`,
          {
            as: signed.approver,
            json: {},
          },
        );
        expect(approved.applyNotes).toEqual([]);
        expect(approved.applied).toHaveLength(1);
        expect(approved.applied[0]).toMatchObject({ recommendationId: target?.id, outcome: 'confirmed' });
        expect(approved.applied[0]?.actionId).toBeTruthy();
        expect(fake.control.writes().length).toBe(writesBefore + 1);
      } finally {
        await setExecutionMode(db, metaAccount, { mode: 'recommend' }, { actor: null, now: now() });
      }
    });

    it('reviews in bulk all or nothing, each audited', async () => {
      const pending = (await list(`account=${metaAccount}&status=pending&limit=200`)).items.map((i) => i.id);
      const reviewed = (await list(`account=${metaAccount}&status=approved&limit=1`)).items[0]?.id ?? '';
      const [a, b, c] = pending;
      const blocked = await expectError('/api/recommendations/review', 409, {
        as: signed.approver,
        json: { ids: [a, reviewed], decision: 'approve' },
      });
      expect(blocked.message).toMatch(/already approved.*nothing was approved/);
      const unknown = await expectError('/api/recommendations/review', 404, {
        as: signed.approver,
        json: { ids: [a, '00000000-0000-4000-8000-000000000000'], decision: 'reject' },
      });
      expect(unknown.message).toMatch(/00000000-0000-4000-8000-000000000000/);
      // Neither refusal changed anything.
      const stillPending = await list(`account=${metaAccount}&status=pending&limit=200`);
      expect(stillPending.items.map((i) => i.id)).toContain(a);
      expect(await listAuditEvents(getDatabase().db, { target: `recommendation:${a}` })).toEqual([]);

      expect(
        (
          await expectError('/api/recommendations/review', 400, {
            as: signed.approver,
            json: { ids: [], decision: 'approve' },
          })
        ).message,
      ).toMatch(/^ids: /);
      expect(
        (
          await expectError('/api/recommendations/review', 400, {
            as: signed.approver,
            json: { ids: [a], decision: 'maybe' },
          })
        ).message,
      ).toMatch(/^decision: /);
      await expectError('/api/recommendations/review', 403, {
        as: signed.viewer,
        json: { ids: [a], decision: 'approve' },
      });

      const done = await expectOk(contract.reviewResponse, '/api/recommendations/review', {
        as: signed.approver,
        json: { ids: [a, b, c], decision: 'approve', comment: 'batch' },
      });
      expect(done.items.map((i) => i.id)).toEqual([a, b, c]);
      expect(done.items.every((i) => i.status === 'approved' && i.comment === 'batch')).toBe(true);
      for (const id of [a, b, c]) {
        const [event] = await listAuditEvents(getDatabase().db, { target: `recommendation:${id}` });
        expect(event).toMatchObject({
          who: 'approver',
          action: 'recommendation.approve',
          details: { bulk: 3 },
        });
      }
    });

    it('refuses to approve a superseded recommendation, pointing at the newest', async () => {
      const old = (await list(`account=${metaAccount}&status=pending&limit=1`)).items[0];
      await expectOk(contract.runResponse, '/api/recommendations/run', {
        as: signed.approver,
        json: { accountId: metaAccount },
      });
      const conflict = await expectError(`/api/recommendations/${old?.id}/approve`, 409, {
        as: signed.approver,
        json: {},
      });
      expect(conflict.message).toMatch(/superseded by a newer run; review the newest one instead/);
      const newest = await list(`account=${metaAccount}&limit=1`);
      expect(newest.items[0]?.runId).not.toBe(firstRun.runId);
      expect(conflict.message).toContain(
        (await list(`account=${metaAccount}&status=pending&limit=200`)).items.find(
          (i) => i.entity.id === old?.entity.id,
        )?.id ?? 'none',
      );
    });

    it('sees changes made outside the API (by another process) as soon as the database notifies', async () => {
      const before = await list(`account=${metaAccount}&status=pending&limit=1`);
      const target = before.items[0]?.id ?? '';
      await getDatabase()
        .db.update(recommendations)
        .set({ status: 'expired' })
        .where(eq(recommendations.id, target));
      // PGlite notifies before the update returns; PostgreSQL a moment after, on another connection.
      await expect
        .poll(async () => (await list(`account=${metaAccount}&status=pending&limit=1`)).total, {
          timeout: 5000,
          interval: 20,
        })
        .toBe(before.total - 1);
      const after = await list(`account=${metaAccount}&status=pending&limit=1`);
      expect(after.items[0]?.id).not.toBe(target);
    });

    it('lists reviews and actions in the history, newest first, with paging', async () => {
      const history = await expectOk(
        contract.historyResponse,
        `/api/history?account=${metaAccount}&limit=200`,
        {
          as: signed.viewer,
        },
      );
      const reviews = history.items.filter((i) => i.kind === 'review');
      expect(reviews.length).toBe(6);
      const times = history.items.map((i) => i.at);
      expect([...times].sort().reverse()).toEqual(times);
      const first = history.items[0];
      expect(first?.kind === 'review' && first.recommendation.status).toBe('approved');

      const page1 = await expectOk(contract.historyResponse, `/api/history?account=${metaAccount}&limit=2`, {
        as: signed.viewer,
      });
      const page2 = await expectOk(
        contract.historyResponse,
        `/api/history?account=${metaAccount}&limit=2&cursor=${page1.nextCursor ?? ''}`,
        { as: signed.viewer },
      );
      expect([...page1.items, ...page2.items].map((i) => i.id)).toEqual(
        history.items.slice(0, 4).map((i) => i.id),
      );
      expect(
        (
          await expectOk(contract.historyResponse, `/api/history?account=${csvAccount}`, {
            as: signed.viewer,
          })
        ).items,
      ).toEqual([]);
      expect((await expectError('/api/history?cursor=abc', 400, { as: signed.viewer })).message).toMatch(
        /^cursor: /,
      );
      expect((await expectError('/api/history?account=act_404', 404, { as: signed.viewer })).code).toBe(
        'not_found',
      );
    });

    it('reports outcome hit rates (empty, with a note, until outcomes are measured)', async () => {
      const empty = await expectOk(contract.outcomesResponse, `/api/outcomes?account=${csvAccount}`, {
        as: signed.viewer,
      });
      expect(empty).toMatchObject({ byRuleCell: [], byAudience: [], byStage: [] });
      expect(empty.note).toMatch(/no outcomes/);
      const rows = (await list(`account=${metaAccount}&limit=3`)).items;
      for (const [i, row] of rows.entries()) {
        await getDatabase()
          .db.insert(outcomes)
          .values({
            recommendationId: row.id,
            horizonDays: 7,
            baseline: {},
            observed: {},
            verdict: i === 0 ? 'miss' : 'hit',
          });
      }
      const measured = await expectOk(contract.outcomesResponse, `/api/outcomes?account=${metaAccount}`, {
        as: signed.viewer,
      });
      expect(measured.note).toBeNull();
      const total = (groups: { total: number; hits: number }[]) => groups.reduce((s, g) => s + g.total, 0);
      expect(total(measured.byRuleCell)).toBe(3);
      expect(total(measured.byAudience)).toBe(3);
      expect(total(measured.byStage)).toBe(3);
      const all = measured.byStage.reduce(
        (s, g) => ({ hits: s.hits + g.hits, misses: s.misses + g.misses }),
        { hits: 0, misses: 0 },
      );
      expect(all).toEqual({ hits: 2, misses: 1 });
      expect((await expectError('/api/outcomes?account=act_404', 404, { as: signed.viewer })).code).toBe(
        'not_found',
      );
    });
  });

  describe('settings', () => {
    it('shows the rules in effect, as data and as the documented rules file', async () => {
      const settings = await expectOk(contract.settingsResponse, '/api/settings', { as: signed.viewer });
      expect(settings).toMatchObject({ scope: 'global', source: 'default', versionId: 0, version: null });
      expect(settings.yaml).toMatch(/^# ROAS Pilot: default engine rules/);
      expect(parseYaml(settings.yaml)).toEqual(settings.rules);
      expect((await expectError('/api/settings?account=act_404', 404, { as: signed.viewer })).code).toBe(
        'not_found',
      );
    });

    it('validates a rules file without saving it, with line, column and path for each problem', async () => {
      const { yaml } = await expectOk(contract.settingsResponse, '/api/settings', { as: signed.viewer });
      const good = await expectOk(contract.validateSettingsResponse, '/api/settings/validate', {
        as: signed.viewer,
        json: { yaml },
      });
      expect(good).toEqual({ ok: true, issues: [] });
      const broken = yaml.replace(/minPurchases: \d+/, 'minPurchases: -3');
      const bad = await expectOk(contract.validateSettingsResponse, '/api/settings/validate', {
        as: signed.viewer,
        json: { yaml: broken },
      });
      expect(bad.ok).toBe(false);
      const line = broken.split('\n').findIndex((l) => l.includes('minPurchases: -3')) + 1;
      expect(bad.issues).toEqual([expect.objectContaining({ path: 'noiseGate.minPurchases', line })]);
      const syntax = await expectOk(contract.validateSettingsResponse, '/api/settings/validate', {
        as: signed.viewer,
        json: { yaml: 'a: [1, 2\n' },
      });
      expect(syntax.issues[0]).toMatchObject({ path: null, line: expect.any(Number) as number });
      expect(
        (await expectError('/api/settings/validate', 400, { as: signed.viewer, json: {} })).message,
      ).toMatch(/^yaml: /);
    });

    it('saves a new version (admins only, audited) and the next run decides on it', async () => {
      const { db } = getDatabase();
      // Two runs on the export, so hysteresis lets Scale and Pause through.
      await expectOk(contract.runResponse, '/api/recommendations/run', {
        as: signed.approver,
        json: { accountId: csvAccount },
      });
      const before = await expectOk(contract.runResponse, '/api/recommendations/run', {
        as: signed.approver,
        json: { accountId: csvAccount },
      });
      // Untagged ad sets are judged on the matrix, which the noise gate can shut; staged ones on their stage rules.
      const untagged = async (runId: string | null) =>
        (await list(`account=${csvAccount}&stage=none&limit=50`)).items.filter((i) => i.runId === runId);
      const beforeItems = await untagged(before.runId);
      expect(beforeItems.some((i) => i.action === 'SCALE' || i.action === 'PAUSE')).toBe(true);

      const current = await expectOk(contract.settingsResponse, `/api/settings?account=${csvAccount}`, {
        as: signed.viewer,
      });
      const rules = parseYaml(current.yaml) as { noiseGate: { minPurchases: number } };
      rules.noiseGate.minPurchases = 10_000;
      const yaml = stringifyYaml(rules);
      await expectError('/api/settings', 403, { as: signed.approver, method: 'PUT', json: { yaml } });
      const refused = await expectError('/api/settings', 400, {
        as: signed.admin,
        method: 'PUT',
        json: { yaml: yaml.replace('minPurchases: 10000', 'minPurchases: lots'), account: csvAccount },
      });
      expect(refused).toMatchObject({
        code: 'invalid_settings',
        issues: [expect.objectContaining({ path: 'noiseGate.minPurchases' })],
      });
      expect(
        (
          await expectError('/api/settings', 400, {
            as: signed.admin,
            method: 'PUT',
            json: { comment: 'nothing' },
          })
        ).message,
      ).toMatch(/exactly one of yaml or document/);
      expect(
        (
          await expectError('/api/settings', 404, {
            as: signed.admin,
            method: 'PUT',
            json: { yaml, account: 'act_404' },
          })
        ).code,
      ).toBe('not_found');

      const saved = await expectOk(contract.updateSettingsResponse, '/api/settings', {
        as: signed.admin,
        method: 'PUT',
        json: { yaml, comment: 'wait for far more purchases', account: csvAccount },
        status: 201,
      });
      expect(saved.version).toMatchObject({
        scope: csvAccount,
        version: 1,
        comment: 'wait for far more purchases',
        createdBy: { username: 'admin' },
      });
      expect(saved.changes).toEqual([
        { path: 'noiseGate.minPurchases', kind: 'changed', old: 2, new: 10_000 },
      ]);
      const [event] = await listAuditEvents(db, { action: 'settings.update' });
      expect(event).toMatchObject({
        who: 'admin',
        target: `settings:${csvAccount}`,
        details: { versionId: saved.version.id, changeCount: 1 },
      });

      const after = await expectOk(contract.runResponse, '/api/recommendations/run', {
        as: signed.approver,
        json: { accountId: csvAccount },
      });
      expect(after.accounts[0]).toMatchObject({
        settingsVersionId: saved.version.id,
        settingsSource: 'account',
      });
      const afterItems = await untagged(after.runId);
      expect(afterItems.map((i) => i.entity.id).sort()).toEqual(beforeItems.map((i) => i.entity.id).sort());
      for (const item of afterItems) {
        expect(item.action).toBe('HOLD');
        expect(item.risks).toContain('insufficient data to judge');
      }
      const newest = await list(`account=${csvAccount}&limit=50`);
      const run = newest.items.filter((i) => i.runId === after.runId);
      expect(run.length).toBe(after.accounts[0]?.total);
      for (const item of run) {
        expect(item.settingsVersionId).toBe(saved.version.id);
        expect(item.reasons.find((r) => r.ruleId === 'gate.minPurchases')).toMatchObject({
          passed: false,
          threshold: 10_000,
        });
      }
      // The other account still runs on the defaults.
      const global = await expectOk(contract.settingsResponse, '/api/settings', { as: signed.viewer });
      expect(global.source).toBe('default');
      const own = await expectOk(contract.settingsResponse, `/api/settings?account=${csvAccount}`, {
        as: signed.viewer,
      });
      expect(own).toMatchObject({ source: 'account', versionId: saved.version.id });
    });

    it('lists versions newest first and compares any two, 0 being the defaults', async () => {
      const saved = await expectOk(contract.updateSettingsResponse, '/api/settings', {
        as: signed.admin,
        method: 'PUT',
        json: {
          document: (await expectOk(contract.settingsResponse, '/api/settings', { as: signed.viewer })).rules,
          comment: 'same as defaults',
        },
        status: 201,
      });
      expect(saved.changes).toEqual([]);
      const { versions } = await expectOk(contract.settingsVersionsResponse, '/api/settings/versions', {
        as: signed.viewer,
      });
      expect(versions[0]?.id).toBe(saved.version.id);
      expect(versions.length).toBe(2);
      const accountVersion = versions.find((v) => v.scope === csvAccount);
      const diff = await expectOk(
        contract.settingsDiffResponse,
        `/api/settings/diff?from=0&to=${accountVersion?.id}`,
        { as: signed.viewer },
      );
      expect(diff.changes).toEqual([
        { path: 'noiseGate.minPurchases', kind: 'changed', old: 2, new: 10_000 },
      ]);
      expect(diff.from).toBeNull();
      expect(diff.to?.id).toBe(accountVersion?.id);
      expect((await expectError('/api/settings/diff?from=0&to=9999', 404, { as: signed.viewer })).code).toBe(
        'not_found',
      );
      expect(
        (await expectError('/api/settings/diff?from=x&to=1', 400, { as: signed.viewer })).message,
      ).toMatch(/^from: /);
      const scoped = await expectOk(
        contract.settingsVersionsResponse,
        `/api/settings/versions?account=${csvAccount}`,
        { as: signed.viewer },
      );
      expect(scoped.versions.map((v) => v.scope)).toEqual([csvAccount]);
    });

    it('lists threshold proposals; only admins approve (a new version) or reject; a decided one is a 409', async () => {
      const { db } = getDatabase();
      const propose = (to: number) =>
        insertProposal(db, {
          scope: 'global',
          key: 'buckets.winnerAtLeast:up',
          title: `winner line to ${to}`,
          changes: [{ path: ['buckets', 'winnerAtLeast'], from: 1.2, to }],
          evidence: { group: 'every SCALE', hits: 5, misses: 25 },
          reason: 'test',
          expectedEffect: null,
          basedOnSettingsVersion: 0,
          createdAt: now(),
        });
      const first = await propose(1.25);
      const second = await propose(1.3);
      const listed = await expectOk(contract.thresholdProposalsResponse, '/api/settings/proposals', {
        as: signed.viewer,
      });
      expect(listed.proposals.map((p) => p.id)).toEqual([second.id, first.id]);
      const approve = `/api/settings/proposals/${first.id}/approve`;
      expect((await expectError(approve, 403, { as: signed.approver, json: {} })).code).toBe('forbidden');
      const approved = await expectOk(contract.thresholdDecisionResponse, approve, {
        as: signed.admin,
        json: {},
      });
      expect(approved.proposal.status).toBe('approved');
      const settings = await expectOk(contract.settingsResponse, '/api/settings', { as: signed.viewer });
      expect(settings.versionId).toBe(approved.settingsVersion);
      expect((settings.rules as { buckets: { winnerAtLeast: number } }).buckets.winnerAtLeast).toBe(1.25);
      expect((await expectError(approve, 409, { as: signed.admin, json: {} })).message).toMatch(
        /already approved/,
      );
      // The second was made against 1.2; the rules moved to 1.25, so it no longer fits.
      const stale = await expectError(`/api/settings/proposals/${second.id}/approve`, 409, {
        as: signed.admin,
        json: {},
      });
      expect(stale.message).toMatch(/winnerAtLeast is 1.25 now, not 1.2/);
      const rejected = await expectOk(
        contract.thresholdDecisionResponse,
        `/api/settings/proposals/${second.id}/reject`,
        { as: signed.admin, json: {} },
      );
      expect(rejected.proposal.status).toBe('rejected');
      const audit = await listAuditEvents(db, { limit: 5 });
      expect(audit.map((e) => e.action)).toContain('settings.proposal_reject');
    });
  });
});

describe('the dashboard files', () => {
  const NO_GRAPH = { url: 'http://127.0.0.1:9', appId: '4242', appSecret: 'unused', apiVersion: 'v26.0' };

  it('serves the Vite build with an SPA fallback, or a page saying how to build it', async () => {
    const { createTestDatabase } = await import('./test-databases.ts');
    const database = await createTestDatabase('pglite');
    const dist = mkdtempSync(path.join(tmpdir(), 'roas-web-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(
      path.join(dist, 'index.html'),
      '<!doctype html><title>ROAS Pilot</title><div id="root"></div>',
    );
    writeFileSync(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
    const built = buildHttpApp(testContext(database, NO_GRAPH), { webDist: dist });
    const missing = buildHttpApp(testContext(database, NO_GRAPH), { webDist: path.join(dist, 'nope') });
    try {
      const home = await built.inject({ url: '/', headers: { accept: 'text/html' } });
      expect(home.statusCode).toBe(200);
      expect(home.headers['content-type']).toMatch(/text\/html/);
      expect(home.body).toContain('id="root"');
      const deep = await built.inject({ url: '/adsets/123?days=30', headers: { accept: 'text/html' } });
      expect(deep.body).toContain('id="root"');
      const asset = await built.inject({ url: '/assets/app-1234.js' });
      expect(asset.headers['content-type']).toMatch(/javascript/);
      expect(asset.headers['cache-control']).toContain('immutable');
      expect(asset.body).toBe('console.log(1)');
      expect((await built.inject({ url: '/assets/gone.js' })).statusCode).toBe(404);
      expect((await built.inject({ url: '/%2e%2e/%2e%2e/package.json' })).body).not.toContain('"name"');
      const api = await built.inject({ url: '/api/nothing-here', headers: { accept: 'text/html' } });
      expect(api.headers['content-type']).toMatch(/json/);

      const page = await missing.inject({ url: '/', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/has not been built yet/);
      expect(page.body).toContain('npm run build -w packages/web');
    } finally {
      await built.close();
      await missing.close();
      await database.close();
    }
  });
});
