import { randomUUID } from 'node:crypto';
import { addDays } from '@roas/core';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { and, eq, gte } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { findAccountById } from '../src/adapters/db/repositories/accounts.repository.ts';
import { listNotifications } from '../src/adapters/db/repositories/notifications.repository.ts';
import { storeRecommendationRun } from '../src/adapters/db/repositories/recommendations.repository.ts';
import {
  accounts,
  adInsights,
  adsetInsights,
  adsets,
  auditEvents,
  notifications,
  recommendations,
  settingsVersions,
} from '../src/adapters/db/schema.ts';
import type { AppContext } from '../src/main.ts';
import { accountHealth } from '../src/services/account-health.service.ts';
import { applyRecommendations } from '../src/services/apply.service.ts';
import { setExecutionMode, setKillSwitch } from '../src/services/execution-settings.service.ts';
import { runHealthChecks } from '../src/services/health-checks.service.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import type { DispatchContext } from '../src/services/notifications.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { testContext } from './app-context.ts';
import { describeEachEngine } from './test-databases.ts';

const system = { kind: 'system', name: 'test' } as const;
const DAY = 86_400_000;

describeEachEngine('account health checks', (get) => {
  let fake: FakeGraphServer;
  let base: AppContext;
  let context: DispatchContext;
  const now = () => new Date(fake.control.state().simTime);
  const db = () => get().db;

  async function start(scenario: Record<string, unknown> = { extends: 'default', adSets: 6 }) {
    fake = await startFakeGraph({ scenario, seed: 11, startDay: 45 });
    base = testContext(get(), fake, { now });
    context = {
      config: { ...base.config, slackWebhookUrl: 'http://127.0.0.1:9/services/T/B/unused' },
      logger: pino({ level: 'silent' }),
      database: get(),
      secrets: base.secrets,
    };
    await db().delete(notifications);
    await db().delete(accounts).where(eq(accounts.id, fake.accountId));
    await db().delete(settingsVersions).where(eq(settingsVersions.scope, fake.accountId));
    await connectWithToken(base.meta, fake.accessToken);
    await syncAccount({ db: db(), now, graph: base.meta.graphFor(fake.accessToken) }, fake.accountId, {
      today: fake.control.state().date,
      historyDays: 40,
      sliceDays: 20,
    });
  }
  afterEach(async () => {
    await fake.close();
  });

  /** Purchases stop being reported from `days` complete days ago, everywhere in the account; spend goes on. */
  async function zeroPurchases(days: number) {
    const from = addDays(fake.control.state().date, -days);
    for (const table of [adsetInsights, adInsights])
      await db()
        .update(table)
        .set({ purchases: 0, revenue: '0' })
        .where(and(eq(table.accountId, fake.accountId), gte(table.dateStart, from)));
  }

  const queued = async () =>
    (await listNotifications(db(), { accountId: fake.accountId })).map((n) => ({
      kind: n.kind,
      check: (n.payload as { check?: string }).check ?? null,
      state: (n.payload as { state?: string }).state ?? null,
    }));

  it('stores the rate-limit usage the sync saw, and reports a healthy account as healthy', async () => {
    await start();
    const account = await findAccountById(db(), fake.accountId);
    // Read at the end of the sync, on the fake's clock (whose wall-clock time runs on within a day).
    const observed = Date.parse(account?.rateLimitUsage?.observedAt ?? '');
    expect(now().getTime() - observed).toBeGreaterThanOrEqual(0);
    expect(now().getTime() - observed).toBeLessThan(60_000);
    expect(account?.rateLimitUsage?.maxPercent).toBeGreaterThan(0);
    const run = (await runHealthChecks(context, { now: now() })).find((r) => r.accountId === fake.accountId);
    expect(run).toMatchObject({
      accountId: fake.accountId,
      findings: [],
      alerted: [],
      killSwitchTripped: null,
      error: null,
    });
    const health = await accountHealth(db(), fake.accountId, now());
    expect(health.tracking).toMatchObject({ checked: true, isFlatline: false });
    expect(health.rateLimit).toMatchObject({
      isHigh: false,
      observedAt: account?.rateLimitUsage?.observedAt,
    });
    expect(health.killSwitch).toEqual({ isOn: false, reason: null });
    expect(await queued()).toEqual([]);
  });

  it('does not flag a low-volume account’s quiet days, where the same 3 empty days are plausible', async () => {
    // About 4 purchases in 14 days: three days without one happen by chance.
    await start({ extends: 'low-volume', adSets: 4 });
    await zeroPurchases(3);
    const health = await accountHealth(db(), fake.accountId, now());
    expect(health.tracking).toMatchObject({ checked: true, isFlatline: false });
    // Its empty run is even longer (it had quiet days before), and still plausible at this volume.
    expect(health.tracking.zeroDays.length).toBeGreaterThanOrEqual(3);
    expect(health.tracking.probability).toBeGreaterThan(0.01);
    expect(health.findings.filter((f) => f.check === 'tracking_flatline')).toEqual([]);
    const [run] = await runHealthChecks(context, { now: now(), accountId: fake.accountId });
    expect(run?.killSwitchTripped).toBeNull();
  });

  it('a tracking flatline trips the kill switch, alerts once, and then an apply is refused (frozen)', async () => {
    await start();
    await zeroPurchases(3);
    const [first] = await runHealthChecks(context, { now: now() });
    expect(first?.findings.map((f) => [f.check, f.severity, f.tripsKillSwitch])).toEqual([
      ['tracking_flatline', 'critical', true],
    ]);
    expect(first?.killSwitchTripped).toMatch(
      /^health check tracking_flatline: no purchase reported across the account on 3 day\(s\)/,
    );
    const account = await findAccountById(db(), fake.accountId);
    expect(account?.killSwitchReason).toBe(first?.killSwitchTripped);
    const [audit] = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'account.kill_switch_on'));
    expect(audit?.details).toMatchObject({ actor: 'health-check' });
    expect(await queued()).toEqual([{ kind: 'account_alert', check: 'tracking_flatline', state: 'new' }]);
    const [notification] = await listNotifications(db(), { accountId: fake.accountId });
    expect(notification?.payload).toMatchObject({ killSwitchTripped: first?.killSwitchTripped });

    // An hour later: the same problem, not alerted or tripped again.
    const [again] = await runHealthChecks(context, { now: new Date(now().getTime() + 3_600_000) });
    expect(again?.alerted).toEqual([]);
    expect(await queued()).toHaveLength(1);

    // Writes are frozen: an approved budget change is not sent.
    await setExecutionMode(db(), fake.accountId, { mode: 'approve' }, { actor: system, now: now() });
    const adsetId = fake.control.truth().adSets[0]?.id ?? '';
    const [adset] = await db().select().from(adsets).where(eq(adsets.id, adsetId));
    const runId = randomUUID();
    const ids = await storeRecommendationRun(db(), { runId, accountId: fake.accountId }, [
      {
        runId,
        accountId: fake.accountId,
        level: 'adset',
        entityId: adsetId,
        action: 'PAUSE',
        confidence: 'HIGH',
        reasons: [],
        risks: [],
        guardrails: [],
        inputs: { name: adset?.name, status: 'active' },
        explanation: 'crafted',
        settingsVersion: 0,
        engineVersion: 'test',
        generatedAt: now(),
      },
    ]);
    await db()
      .update(recommendations)
      .set({ status: 'approved', reviewedAt: now() })
      .where(eq(recommendations.id, ids.get(`adset:${adsetId}`) ?? ''));
    const [applied] = await applyRecommendations(
      { ...base.meta, notify: context },
      { accountId: fake.accountId, dryRun: false, actor: system },
    );
    expect(applied?.blocked).toMatch(/^the kill switch is on \(health check tracking_flatline: /);
    expect(applied?.items).toEqual([]);
    expect(fake.control.writes()).toEqual([]);

    // A person clears it: the check does not overrule them while the problem stays the same.
    await setKillSwitch(db(), fake.accountId, null, { actor: system, now: now() });
    const [afterClear] = await runHealthChecks(context, { now: new Date(now().getTime() + 7_200_000) });
    expect(afterClear?.killSwitchTripped).toBeNull();
    expect((await findAccountById(db(), fake.accountId))?.killSwitchReason).toBeNull();
    const health = await accountHealth(db(), fake.accountId, now());
    expect(health.alerts).toMatchObject([
      { check: 'tracking_flatline', severity: 'critical', resolvedAt: null },
    ]);
    expect(health.alerts[0]?.trippedAt).not.toBeNull();
  });

  it('alerts on token expiry once (not every hour), again when it expires, and once resolved by a new token', async () => {
    await start();
    const t0 = now();
    await db()
      .update(accounts)
      .set({ tokenExpiresAt: new Date(t0.getTime() + 3 * DAY) })
      .where(eq(accounts.id, fake.accountId));
    for (let hour = 0; hour < 24; hour++)
      await runHealthChecks(context, {
        now: new Date(t0.getTime() + hour * 3_600_000),
        accountId: fake.accountId,
      });
    expect(await queued()).toEqual([{ kind: 'token_expiry', check: null, state: null }]);
    const [first] = await listNotifications(db(), { accountId: fake.accountId });
    expect(first?.payload).toMatchObject({ expired: false });
    expect((first?.payload as { message: string }).message).toMatch(/expires in 3 day\(s\)/);

    const [expired] = await runHealthChecks(context, { now: new Date(t0.getTime() + 4 * DAY) });
    expect(expired?.alerted).toEqual(['token']);
    expect(expired?.killSwitchTripped).toBeNull(); // an expired token alerts, it does not trip the switch
    const [, second] = await listNotifications(db(), { accountId: fake.accountId });
    expect(second?.payload).toMatchObject({ kind: 'token_expiry', expired: true });

    await db().update(accounts).set({ tokenExpiresAt: null }).where(eq(accounts.id, fake.accountId));
    const [renewed] = await runHealthChecks(context, { now: new Date(t0.getTime() + 4 * DAY + 3_600_000) });
    expect(renewed?.resolved).toEqual(['token']);
    expect((await queued()).at(-1)).toEqual({ kind: 'account_alert', check: 'token', state: 'resolved' });
  });

  it('spend cap: warns at 90%, trips the switch when reached; a disabled account trips it too', async () => {
    await start();
    await db()
      .update(accounts)
      .set({ spendCapMinor: 1_000_000n, amountSpentMinor: 950_000n })
      .where(eq(accounts.id, fake.accountId));
    const [near] = await runHealthChecks(context, { now: now() });
    expect(near?.findings.map((f) => [f.check, f.severity, f.fingerprint])).toEqual([
      ['spend_cap', 'warning', 'near'],
    ]);
    expect(near?.killSwitchTripped).toBeNull();
    const health = await accountHealth(db(), fake.accountId, now());
    expect(health.spend).toMatchObject({ capUsedPercent: 95, capRemaining: { formatted: '$500.00' } });

    await db().update(accounts).set({ amountSpentMinor: 1_000_000n }).where(eq(accounts.id, fake.accountId));
    const [reached] = await runHealthChecks(context, { now: now() });
    expect(reached?.alerted).toEqual(['spend_cap']);
    expect(reached?.killSwitchTripped).toMatch(
      /^health check spend_cap: the spend cap of \$10,000\.00 is reached/,
    );

    await setKillSwitch(db(), fake.accountId, null, { actor: system, now: now() });
    await db()
      .update(accounts)
      .set({ spendCapMinor: null, status: '2', disableReason: '3' })
      .where(eq(accounts.id, fake.accountId));
    const [disabled] = await runHealthChecks(context, { now: now() });
    expect(disabled?.alerted).toEqual(['account_status']);
    expect(disabled?.resolved).toEqual(['spend_cap']);
    expect(disabled?.killSwitchTripped).toBe(
      'health check account_status: Meta reports the account as DISABLED (disable reason RISK_PAYMENT)',
    );
    const all = await queued();
    expect(all.slice(0, 2)).toEqual([
      { kind: 'account_alert', check: 'spend_cap', state: 'new' },
      { kind: 'account_alert', check: 'spend_cap', state: 'changed' },
    ]);
    // Queued in one transaction: the same instant, in either order.
    expect(all.slice(2)).toHaveLength(2);
    expect(all.slice(2)).toEqual(
      expect.arrayContaining([
        { kind: 'account_alert', check: 'account_status', state: 'new' },
        { kind: 'account_alert', check: 'spend_cap', state: 'resolved' },
      ]),
    );
  });

  it('one account failing its check does not stop the others', async () => {
    await start();
    await db()
      .insert(accounts)
      .values({ id: 'csv:broken', source: 'csv', name: 'Broken', currency: 'USD', timezone: 'Not/A_Zone' });
    try {
      const runs = await runHealthChecks(context, { now: now() });
      expect(runs.find((r) => r.accountId === 'csv:broken')?.error).toMatch(/time ?zone/i);
      expect(runs.find((r) => r.accountId === fake.accountId)).toMatchObject({ error: null, findings: [] });
    } finally {
      await db().delete(accounts).where(eq(accounts.id, 'csv:broken'));
    }
  });
});
