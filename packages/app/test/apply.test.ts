import { randomUUID } from 'node:crypto';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { findAccountById } from '../src/adapters/db/repositories/accounts.repository.ts';
import { storeRecommendationRun } from '../src/adapters/db/repositories/recommendations.repository.ts';
import {
  accounts,
  actions,
  adsets,
  campaigns,
  recommendations,
  settingsVersions,
} from '../src/adapters/db/schema.ts';
import { accountLockKey, memoryLocks } from '../src/jobs/locks.ts';
import { graphClientFactory, type AppContext } from '../src/main.ts';
import {
  applyRecommendations,
  type AccountApplyResult,
  type ApplyDeps,
} from '../src/services/apply.service.ts';
import { reviewAndApply } from '../src/services/approve-and-apply.service.ts';
import { setExecutionMode, setKillSwitch } from '../src/services/execution-settings.service.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import { loadAccountFacts } from '../src/services/recommend-facts.service.ts';
import { recommend } from '../src/services/recommend.service.ts';
import { saveSettings } from '../src/services/settings.service.ts';
import { syncAccounts } from '../src/services/sync-accounts.service.ts';
import { addUser } from '../src/services/users.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { undoAction } from '../src/services/undo.service.ts';
import { ConflictError, UserError } from '../src/shared/errors.ts';
import { testContext } from './app-context.ts';
import { rulesWith } from './recommend-fixture.ts';
import { describeEachEngine } from './test-databases.ts';

const HOUR = 3_600_000;
const system = { kind: 'system', name: 'test' } as const;

describeEachEngine('applying recommendations to the fake Graph API', (get) => {
  let fake: FakeGraphServer;
  let context: AppContext;
  let abo: string[];
  let cboAdset: string;
  let cboCampaign: string;
  const now = () => new Date(fake.control.state().simTime);
  const db = () => get().db;
  const deps = (): ApplyDeps => context.meta;

  async function sync() {
    await syncAccount({ db: db(), now, graph: context.meta.graphFor(fake.accessToken) }, fake.accountId, {
      today: fake.control.state().date,
      historyDays: 40,
      sliceDays: 20,
    });
  }

  /** A write straight to the fake, as a person in Ads Manager would make it (not through the app). */
  async function metaPost(id: string, params: Record<string, string>) {
    const response = await fetch(`${fake.url}/${fake.apiVersion}/${id}`, {
      method: 'POST',
      body: new URLSearchParams({ ...params, access_token: fake.accessToken }),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  async function start(prepare?: () => Promise<void>) {
    fake = await startFakeGraph({ scenario: { extends: 'default', adSets: 6 }, seed: 11, startDay: 30 });
    context = testContext(get(), fake, { now });
    await db().delete(accounts).where(eq(accounts.id, fake.accountId));
    await db().delete(settingsVersions).where(eq(settingsVersions.scope, fake.accountId));
    const truth = fake.control.truth();
    const cbo = truth.campaigns.find((c) => c.isCbo);
    cboCampaign = cbo?.id ?? '';
    cboAdset = truth.adSets.find((a) => a.campaignId === cboCampaign)?.id ?? '';
    abo = truth.adSets.filter((a) => a.campaignId !== cboCampaign).map((a) => a.id);
    await prepare?.();
    await connectWithToken(context.meta, fake.accessToken);
    await sync();
  }
  beforeEach(async () => {
    await start();
  });
  afterEach(async () => {
    await fake.close();
  });

  type Craft = {
    action: 'SCALE' | 'PAUSE' | 'PROMOTE';
    scalePercent?: number;
    reasons?: { ruleId: string; passed: boolean }[];
    status?: 'pending' | 'approved';
    generatedAt?: Date;
  };

  /** A recommendation as `roas recommend` stores it, on the ad set's budget as synced; approved unless said. */
  async function craft(entityId: string, spec: Craft): Promise<string> {
    const [adset] = await db().select().from(adsets).where(eq(adsets.id, entityId));
    const [campaign] = await db()
      .select()
      .from(campaigns)
      .where(eq(campaigns.id, adset?.campaignId ?? ''));
    const owner = campaign?.budgetOwner === 'campaign' ? 'campaign' : 'adset';
    const budget =
      owner === 'campaign' ? (campaign?.dailyBudgetMinor ?? null) : (adset?.dailyBudgetMinor ?? null);
    const percent = spec.scalePercent ?? null;
    const newBudget =
      spec.action === 'SCALE' && owner === 'adset' && budget !== null && percent !== null
        ? budget + (budget * BigInt(Math.round(percent * 100))) / 10_000n
        : null;
    const runId = randomUUID();
    const generatedAt = spec.generatedAt ?? now();
    const ids = await storeRecommendationRun(db(), { runId, accountId: fake.accountId }, [
      {
        runId,
        accountId: fake.accountId,
        level: 'adset',
        entityId,
        action: spec.action,
        scalePercent: percent === null ? null : percent.toFixed(2),
        newDailyBudgetMinor: newBudget,
        confidence: 'HIGH',
        bucket: 'winner',
        trend: 'stable',
        stage: adset?.stage ?? null,
        reasons: spec.reasons ?? [{ ruleId: 'matrix.winner.stable', passed: true }],
        risks: [],
        guardrails: [],
        inputs: {
          asOf: fake.control.state().date,
          concludedAction: spec.action,
          name: adset?.name,
          appliesTo: owner,
          status: 'active',
          state: { dailyBudgetMinor: owner === 'adset' ? String(budget) : null },
          budget: { owner, dailyBudgetMinor: budget === null ? null : String(budget) },
        },
        explanation: 'crafted for a test',
        settingsVersion: 0,
        engineVersion: 'test',
        generatedAt,
      },
    ]);
    const id = ids.get(`adset:${entityId}`) ?? '';
    if ((spec.status ?? 'approved') === 'approved')
      await db()
        .update(recommendations)
        .set({ status: 'approved', reviewedAt: generatedAt })
        .where(eq(recommendations.id, id));
    return id;
  }

  async function recommendation(id: string) {
    const [row] = await db().select().from(recommendations).where(eq(recommendations.id, id));
    return row;
  }

  async function actionsOf(entityId: string) {
    return db().select().from(actions).where(eq(actions.entityId, entityId)).orderBy(actions.createdAt);
  }

  const writesTo = (id: string) => fake.control.writes().filter((w) => w.objectId === id);
  const truthAdset = (id: string) => fake.control.truth().adSets.find((a) => a.id === id);
  const mode = (
    m: 'recommend' | 'approve' | 'auto-safe',
    rest: Parameters<typeof setExecutionMode>[2] | object = {},
  ) => setExecutionMode(db(), fake.accountId, { mode: m, ...rest }, { actor: system, now: now() });
  const apply = async (options: { dryRun?: boolean; ids?: string[] } = {}): Promise<AccountApplyResult> => {
    const [result] = await applyRecommendations(deps(), {
      accountId: fake.accountId,
      dryRun: options.dryRun ?? false,
      recommendationIds: options.ids,
      actor: system,
    });
    if (!result) throw new Error('no result');
    return result;
  };

  it('never writes in recommend mode, the default', async () => {
    const id = await craft(abo[0] ?? '', { action: 'SCALE', scalePercent: 10 });
    const result = await apply();
    expect(result.account.mode).toBe('recommend');
    expect(result.blocked).toMatch(/^recommend mode: nothing is written/);
    expect(result.items).toEqual([]);
    expect(fake.control.writes()).toEqual([]);
    expect((await recommendation(id))?.status).toBe('approved');
    expect(await db().select().from(actions)).toEqual([]);
  });

  it('applies approved budget and status changes, the CBO budget on the campaign, each exactly once', async () => {
    await mode('approve');
    const [scaled = '', paused = ''] = abo;
    const scale = await craft(scaled, { action: 'SCALE', scalePercent: 10 });
    const pause = await craft(paused, { action: 'PAUSE' });
    const cbo = await craft(cboAdset, { action: 'SCALE', scalePercent: 10 });
    const pending = await craft(abo[2] ?? '', { action: 'SCALE', scalePercent: 10, status: 'pending' });

    const result = await apply();
    expect(result.blocked).toBeNull();
    expect(result.items.map((i) => [i.recommendationId, i.outcome, i.reason])).toEqual([
      [scale, 'confirmed', null],
      [pause, 'confirmed', null],
      [cbo, 'confirmed', null],
    ]);
    const v = fake.apiVersion;
    expect(result.items.map((i) => i.request)).toEqual([
      { method: 'POST', path: `/${v}/${scaled}`, params: { daily_budget: '22000' } },
      { method: 'POST', path: `/${v}/${paused}`, params: { status: 'PAUSED' } },
      { method: 'POST', path: `/${v}/${cboCampaign}`, params: { daily_budget: '22000' } },
    ]);
    // Besides these, Meta gets only the token and its appsecret_proof.
    const sent = ({ appsecret_proof: _proof, ...params }: Record<string, string>) => params;
    expect(fake.control.writes().map((w) => [w.objectId, sent(w.params), w.outcome])).toEqual([
      [scaled, { daily_budget: '22000' }, 'ok'],
      [paused, { status: 'PAUSED' }, 'ok'],
      [cboCampaign, { daily_budget: '22000' }, 'ok'],
    ]);
    const truth = fake.control.truth();
    expect(truthAdset(scaled)?.dailyBudgetCents).toBe(22_000);
    expect(truthAdset(paused)?.status).toBe('PAUSED');
    expect(truth.campaigns.find((c) => c.id === cboCampaign)?.dailyBudgetCents).toBe(22_000);

    // The shape the recommend facts loader reads: confirmed budget actions with both amounts.
    const [budgetAction] = await actionsOf(scaled);
    expect(budgetAction).toMatchObject({
      kind: 'budget',
      level: 'adset',
      status: 'confirmed',
      attempts: 1,
      recommendationId: scale,
      idempotencyKey: `recommendation:${scale}`,
      request: { dailyBudgetMinor: '22000', mode: 'approve' },
      priorState: { dailyBudgetMinor: '20000' },
    });
    // The fake's clock runs on with the wall clock: applied a moment ago, in simulated time.
    const age = now().getTime() - (budgetAction?.appliedAt?.getTime() ?? 0);
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60_000);
    expect(await actionsOf(cboCampaign)).toMatchObject([
      { kind: 'budget', level: 'campaign', request: { dailyBudgetMinor: '22000' } },
    ]);
    expect(await actionsOf(paused)).toMatchObject([
      { kind: 'status', request: { status: 'PAUSED' }, priorState: { status: 'ACTIVE' } },
    ]);
    for (const id of [scale, pause, cbo]) expect((await recommendation(id))?.status).toBe('applied');
    expect((await recommendation(pending))?.status).toBe('pending');
    const [adset] = await db().select().from(adsets).where(eq(adsets.id, scaled));
    expect(adset?.dailyBudgetMinor).toBe(22_000n);

    // The cooldown now counts these changes (the CBO ad set through its campaign).
    const account = await findAccountById(db(), fake.accountId);
    const facts = await loadAccountFacts(db(), account ?? ({} as never), { now: now() });
    for (const id of [scaled, cboAdset]) {
      const state = facts.input.entities.find((e) => e.entityId === id)?.state;
      expect(state?.hoursSinceBudgetChange).toBeLessThan(0.02);
      expect(state?.budgetChangesLastHour).toBe(1);
    }

    // Applying again sends nothing; a new approval inside the cooldown is refused by the guardrail.
    expect((await apply()).items).toEqual([]);
    const again = await craft(scaled, { action: 'SCALE', scalePercent: 10 });
    const [refused] = (await apply()).items;
    expect(refused).toMatchObject({ recommendationId: again, outcome: 'refused' });
    expect(refused?.reason).toMatch(/^guardrails hold it now: budget changed 0 h ago; cooldown is 48 h/);
    expect(await recommendation(again)).toMatchObject({ status: 'expired', statusReason: refused?.reason });
    expect(fake.control.writes()).toHaveLength(3);
  });

  it('applies what the engine recommended once a person approved it', async () => {
    await saveSettings(
      db(),
      rulesWith((r) => {
        r.hysteresis.consecutiveRuns = 1;
      }),
      { scope: fake.accountId, now: now() },
    );
    await mode('approve');
    const [run] = await recommend(db(), { accountId: fake.accountId, dryRun: false, now: now() });
    const scale = run?.recommendations.find((r) => r.action === 'SCALE' && r.newDailyBudgetMinor !== null);
    expect(scale).toBeDefined();
    await db()
      .update(recommendations)
      .set({ status: 'approved', reviewedAt: now() })
      .where(eq(recommendations.id, scale?.id ?? ''));
    const result = await apply({ ids: [scale?.id ?? ''] });
    expect(result.items).toMatchObject([
      { outcome: 'confirmed', request: { params: { daily_budget: String(scale?.newDailyBudgetMinor) } } },
    ]);
    expect(truthAdset(scale?.entityId ?? '')?.dailyBudgetCents).toBe(Number(scale?.newDailyBudgetMinor));
  });

  it('sends nothing and stores nothing on a dry run, and shows exactly what would be sent', async () => {
    await mode('approve');
    const id = await craft(abo[0] ?? '', { action: 'SCALE', scalePercent: -10 });
    const result = await apply({ dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.items).toEqual([
      expect.objectContaining({
        recommendationId: id,
        outcome: 'dry-run',
        reason: null,
        actionId: null,
        request: { method: 'POST', path: `/${fake.apiVersion}/${abo[0]}`, params: { daily_budget: '18000' } },
      }),
    ]);
    expect(fake.control.writes()).toEqual([]);
    expect(await db().select().from(actions)).toEqual([]);
    expect(await recommendation(id)).toMatchObject({ status: 'approved', statusReason: null });
  });

  it('settles a lost answer by reading back, in the same run or in a retried apply: applied exactly once', async () => {
    await mode('approve');
    const [first = '', second = ''] = abo;
    // The write runs but its answer is lost; reading the ad set back shows the new budget: CONFIRMED.
    fake.control.setFaults('drop-write-response');
    const settled = await craft(first, { action: 'SCALE', scalePercent: 10 });
    expect((await apply()).items).toMatchObject([
      { recommendationId: settled, outcome: 'confirmed', reason: null },
    ]);
    expect(await actionsOf(first)).toMatchObject([
      { status: 'confirmed', attempts: 1, metaResponse: { settledBy: 'read-back' } },
    ]);
    expect(writesTo(first)).toMatchObject([{ params: { daily_budget: '22000' }, outcome: 'ok' }]);

    // Again, but the network stays down for the read-back: UNKNOWN, and the approval stands.
    fake.control.setFaults('drop-write-response');
    let hasWritten = false;
    const offline = graphClientFactory(context.config, context.logger, {
      backoffBaseMs: 1,
      maxRetries: 1,
      fetch: async (input, init) => {
        if (hasWritten) throw new TypeError('fetch failed: the network is down');
        if (init?.method === 'POST') hasWritten = true;
        return fetch(input, init);
      },
    });
    const lost = await craft(second, { action: 'SCALE', scalePercent: 10 });
    const [unknown] = await applyRecommendations(
      { ...deps(), graphFor: offline },
      { accountId: fake.accountId, dryRun: false },
    );
    expect(unknown?.items).toMatchObject([{ recommendationId: lost, outcome: 'unknown' }]);
    expect(unknown?.items[0]?.reason).toMatch(
      /reading the object back failed too .*: the next apply reads it again$/,
    );
    expect(await actionsOf(second)).toMatchObject([{ status: 'unknown', attempts: 1 }]);
    expect((await recommendation(lost))?.status).toBe('approved');
    expect(writesTo(second)).toHaveLength(1);

    // The retried apply reads the ad set back, finds the new budget and confirms without sending again.
    fake.control.setFaults({});
    expect((await apply()).items).toMatchObject([{ recommendationId: lost, outcome: 'confirmed' }]);
    expect(await actionsOf(second)).toMatchObject([
      { status: 'confirmed', attempts: 1, metaResponse: { settledBy: 'read-back' } },
    ]);
    expect(writesTo(second)).toMatchObject([{ params: { daily_budget: '22000' }, outcome: 'ok' }]);
    expect((await recommendation(lost))?.status).toBe('applied');
    expect((await apply()).items).toEqual([]);
    expect(fake.control.writes()).toHaveLength(2);
  });

  it('leaves a write another apply is sending alone, and settles it once that apply is gone', async () => {
    await mode('approve');
    const target = abo[0] ?? '';
    const id = await craft(target, { action: 'SCALE', scalePercent: 10 });
    // Another process claimed the write and has not recorded an answer (still sending, or killed).
    await db()
      .insert(actions)
      .values({
        accountId: fake.accountId,
        recommendationId: id,
        level: 'adset',
        entityId: target,
        kind: 'budget',
        idempotencyKey: `recommendation:${id}`,
        request: {
          method: 'POST',
          path: `/${fake.apiVersion}/${target}`,
          params: { daily_budget: '22000' },
          dailyBudgetMinor: '22000',
        },
        priorState: { dailyBudgetMinor: '20000' },
        status: 'queued',
        attempts: 1,
        sentAt: now(),
        createdAt: now(),
      });
    const [busy] = (await apply()).items;
    expect(busy).toMatchObject({
      recommendationId: id,
      outcome: 'deferred',
      reason: 'another apply is sending this action right now',
    });
    expect(fake.control.writes()).toEqual([]);

    // Past the lease the sender is taken for dead: read back (still the prior budget), then sent once.
    fake.control.advance({ minutes: 21 });
    expect((await apply()).items).toMatchObject([{ recommendationId: id, outcome: 'confirmed' }]);
    expect(await actionsOf(target)).toMatchObject([{ status: 'confirmed', attempts: 2 }]);
    expect(writesTo(target)).toHaveLength(1);
  });

  it('resends once, under the same key, a write that read-back shows was never applied', async () => {
    await mode('approve');
    const target = abo[0] ?? '';
    fake.control.setFaults('drop-write-request');
    const id = await craft(target, { action: 'SCALE', scalePercent: 10 });
    const result = await apply();
    expect(result.items).toMatchObject([{ recommendationId: id, outcome: 'confirmed', reason: null }]);
    expect(writesTo(target)).toMatchObject([{ params: { daily_budget: '22000' }, outcome: 'ok' }]);
    expect(await actionsOf(target)).toMatchObject([{ status: 'confirmed', attempts: 2 }]);
  });

  it('queues a budget change past 4 per ad set per hour, and meets Meta’s own limit with one refusal, not a storm', async () => {
    await saveSettings(
      db(),
      rulesWith((r) => {
        r.guardrails.cooldownHours = 0;
      }),
      { scope: fake.accountId, now: now() },
    );
    await mode('approve');
    const [target = '', elsewhere = '', other = ''] = abo;
    for (let i = 0; i < 4; i++) {
      await craft(target, { action: 'SCALE', scalePercent: -5 });
      expect((await apply()).items).toMatchObject([{ outcome: 'confirmed' }]);
    }
    const fifth = await craft(target, { action: 'SCALE', scalePercent: -5 });
    const [queued] = (await apply()).items;
    expect(queued).toMatchObject({ recommendationId: fifth, outcome: 'deferred', request: null });
    expect(queued?.reason).toMatch(
      /^4 budget change\(s\) on this ad set in the last hour \(limit 4\): queued until \d\d:\d\d/,
    );
    expect(await recommendation(fifth)).toMatchObject({ status: 'approved', statusReason: queued?.reason });
    expect(writesTo(target).map((w) => w.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);

    fake.control.advance({ hours: 1, minutes: 1 });
    expect((await apply()).items).toMatchObject([{ recommendationId: fifth, outcome: 'confirmed' }]);
    expect(writesTo(target)).toHaveLength(5);

    // Four changes made in Ads Manager, ending where they started: Meta refuses the fifth, we did not know.
    for (const cents of ['20100', '20000', '20100', '20000'])
      await metaPost(elsewhere, { daily_budget: cents });
    const limited = await craft(elsewhere, { action: 'SCALE', scalePercent: -5 });
    const fine = await craft(other, { action: 'SCALE', scalePercent: -5 });
    const result = await apply();
    expect(result.items.map((i) => [i.recommendationId, i.outcome])).toEqual([
      [limited, 'deferred'],
      [fine, 'confirmed'],
    ]);
    expect(result.items[0]?.reason).toMatch(
      /^Meta is throttling: Too Many Budget Changes: .* \[code 17\/2446079\]$/,
    );
    expect(writesTo(elsewhere).filter((w) => w.outcome === 'error')).toHaveLength(1);
    expect(await actionsOf(elsewhere)).toEqual([]);
    expect((await recommendation(limited))?.status).toBe('approved');
  });

  it('keeps Meta’s reason when it rejects a change (a budget under the minimum)', async () => {
    await start(async () => {
      await metaPost(abo[0] ?? '', { daily_budget: '600' });
    });
    await mode('approve');
    const target = abo[0] ?? '';
    const id = await craft(target, { action: 'SCALE', scalePercent: -30 });
    const [item] = (await apply()).items;
    expect(item).toMatchObject({ recommendationId: id, outcome: 'rejected' });
    expect(item?.reason).toBe(
      'Budget Is Too Low: Your ad set budget must be more than $5.00 or your ads may not be delivered. [code 100/1885272]',
    );
    expect(await actionsOf(target)).toMatchObject([
      { status: 'rejected', attempts: 1, metaResponse: { error: { code: 100, subcode: 1885272 } } },
    ]);
    expect(await recommendation(id)).toMatchObject({
      status: 'expired',
      statusReason: `Meta refused the change: ${item?.reason}`,
    });
    expect(writesTo(target).filter((w) => w.outcome === 'error')).toHaveLength(1);
    expect(truthAdset(target)?.dailyBudgetCents).toBe(600);
    expect((await apply()).items).toEqual([]);
  });

  it('refuses stale approvals: too old, or the budget or status changed since the decision', async () => {
    await mode('approve', { approvalMaxAgeHours: 24 });
    const [old = '', budget = '', status = ''] = abo;
    const tooOld = await craft(old, {
      action: 'SCALE',
      scalePercent: 10,
      generatedAt: new Date(now().getTime() - 25 * HOUR),
    });
    const replaced = await craft(abo[3] ?? '', {
      action: 'SCALE',
      scalePercent: 10,
      generatedAt: new Date(now().getTime() - HOUR),
    });
    const newer = await craft(abo[3] ?? '', { action: 'SCALE', scalePercent: 5, status: 'pending' });
    const moved = await craft(budget, { action: 'SCALE', scalePercent: 10 });
    const paused = await craft(status, { action: 'SCALE', scalePercent: 10 });
    await metaPost(budget, { daily_budget: '21000' });
    await metaPost(status, { status: 'PAUSED' });
    const writes = fake.control.writes().length;
    const result = await apply();
    expect(result.items.map((i) => [i.recommendationId, i.outcome, i.reason])).toEqual([
      [
        tooOld,
        'refused',
        'stale: decided 25 h ago, more than the 24 h an approval stays valid; recommend again',
      ],
      [replaced, 'refused', `stale: a newer decision (${newer}) replaced it; apply that one instead`],
      [moved, 'refused', 'stale: the ad set budget changed since the decision (200.00 then, 210.00 now)'],
      [paused, 'refused', 'stale: the ad set was active when decided and is paused now (PAUSED)'],
    ]);
    expect(fake.control.writes()).toHaveLength(writes);
    for (const [id, item] of [tooOld, replaced, moved, paused].map((i, n) => [i, result.items[n]] as const))
      expect(await recommendation(id)).toMatchObject({ status: 'expired', statusReason: item?.reason });
  });

  it('undoes an applied change, as an action of its own, and refuses once the object changed since', async () => {
    await mode('approve');
    const [budget = '', changed = '', paused = ''] = abo;
    await craft(budget, { action: 'SCALE', scalePercent: 10 });
    await craft(changed, { action: 'SCALE', scalePercent: 10 });
    await craft(paused, { action: 'PAUSE' });
    const applied = await apply();
    const [scaleAction, changedAction, pauseAction] = applied.items.map((i) => i.actionId ?? '');

    const dry = await undoAction(deps(), scaleAction ?? '', { dryRun: true, actor: system });
    expect(dry).toMatchObject({
      outcome: 'dry-run',
      request: { method: 'POST', path: `/${fake.apiVersion}/${budget}`, params: { daily_budget: '20000' } },
    });
    expect(writesTo(budget)).toHaveLength(1);

    const undone = await undoAction(deps(), scaleAction ?? '', { dryRun: false, actor: system });
    expect(undone).toMatchObject({ outcome: 'confirmed', reason: null });
    expect(truthAdset(budget)?.dailyBudgetCents).toBe(20_000);
    // The fake's clock ticks in whole seconds: both may carry the same time, so find them by id.
    const rows = await actionsOf(budget);
    const original = rows.find((r) => r.id === scaleAction);
    const undo = rows.find((r) => r.undoesActionId === scaleAction);
    expect(original).toMatchObject({ id: scaleAction, status: 'undone' });
    expect(undo).toMatchObject({
      id: undone.undoActionId,
      kind: 'budget',
      status: 'confirmed',
      undoesActionId: scaleAction,
      idempotencyKey: `undo:${scaleAction}`,
      request: { dailyBudgetMinor: '20000', mode: 'undo' },
      priorState: { dailyBudgetMinor: '22000' },
    });
    // Asked again, the same undo is found under its key: nothing is sent.
    expect(await undoAction(deps(), scaleAction ?? '', { dryRun: false, actor: system })).toMatchObject({
      outcome: 'confirmed',
      undoActionId: undone.undoActionId,
    });
    expect(writesTo(budget)).toHaveLength(2);

    await metaPost(changed, { daily_budget: '23000' });
    await expect(undoAction(deps(), changedAction ?? '', { dryRun: false, actor: system })).rejects.toThrow(
      new ConflictError(
        'the budget changed since: daily_budget is 23000 now, the action set 22000; undo refused',
      ),
    );
    expect(writesTo(changed)).toHaveLength(2);

    expect(await undoAction(deps(), pauseAction ?? '', { dryRun: false, actor: system })).toMatchObject({
      outcome: 'confirmed',
      request: { params: { status: 'ACTIVE' } },
    });
    expect(truthAdset(paused)?.status).toBe('ACTIVE');
  });

  it('auto-safe applies only allow-listed rules, within the per-change and per-day caps', async () => {
    await expect(mode('auto-safe')).rejects.toThrow(/auto-safe needs an allow-list/);
    await expect(mode('auto-safe', { autoSafeRules: ['matrix.winer.stable'] })).rejects.toThrow(
      /no rule matches "matrix.winer.stable"/,
    );
    await mode('auto-safe', {
      autoSafeRules: ['matrix.winner.stable', 'matrix.loser.*'],
      autoSafeMaxPercent: 15,
      autoSafeMaxPerDay: 2,
    });
    const [a = '', b = '', c = '', d = '', e = ''] = abo;
    const pending = { status: 'pending' as const };
    const allowed = await craft(a, { action: 'SCALE', scalePercent: 10, ...pending });
    const notListed = await craft(b, {
      action: 'SCALE',
      scalePercent: 10,
      reasons: [{ ruleId: 'matrix.winner.improving', passed: true }],
      ...pending,
    });
    const tooBig = await craft(c, { action: 'SCALE', scalePercent: 20, ...pending });
    const loser = await craft(d, {
      action: 'PAUSE',
      reasons: [
        { ruleId: 'matrix.loser.declining', passed: true },
        { ruleId: 'bucket.breakEven.pause', passed: true },
      ],
      ...pending,
    });
    const overCap = await craft(e, { action: 'SCALE', scalePercent: 10, ...pending });

    const dry = await apply({ dryRun: true });
    expect(dry.items.map((i) => [i.recommendationId, i.outcome])).toEqual([
      [allowed, 'dry-run'],
      [notListed, 'skipped'],
      [tooBig, 'skipped'],
      [loser, 'dry-run'],
      [overCap, 'skipped'],
    ]);
    expect(fake.control.writes()).toEqual([]);

    const result = await apply();
    expect(result.items.map((i) => [i.recommendationId, i.via, i.ruleId, i.outcome, i.reason])).toEqual([
      [allowed, 'auto-safe', 'matrix.winner.stable', 'confirmed', null],
      [
        notListed,
        'auto-safe',
        'matrix.winner.improving',
        'skipped',
        "not on the auto-safe allow-list (decided by matrix.winner.improving): needs a person's approval",
      ],
      [
        tooBig,
        'auto-safe',
        'matrix.winner.stable',
        'skipped',
        "+20% is over auto-safe's 15% cap per change: needs a person's approval",
      ],
      [loser, 'auto-safe', 'matrix.loser.declining', 'confirmed', null],
      [
        overCap,
        'auto-safe',
        'matrix.winner.stable',
        'skipped',
        "auto-safe's cap of 2 change(s) a day is reached",
      ],
    ]);
    expect(fake.control.writes().map((w) => w.objectId)).toEqual([a, d]);
    for (const id of [notListed, tooBig, overCap]) expect((await recommendation(id))?.status).toBe('pending');
    expect(await actionsOf(a)).toMatchObject([{ approvedBy: null, request: { mode: 'auto-safe' } }]);
  });

  it('freezes every write while the kill switch is on, until a person clears it', async () => {
    await mode('approve');
    const [first = '', second = ''] = abo;
    await craft(first, { action: 'SCALE', scalePercent: 10 });
    const [applied] = (await apply()).items;
    const id = await craft(second, { action: 'SCALE', scalePercent: 10 });
    await setKillSwitch(db(), fake.accountId, 'tracking looks broken', { actor: system, now: now() });
    const writes = fake.control.writes().length;
    for (const dryRun of [true, false]) {
      const result = await apply({ dryRun });
      expect(result.blocked).toBe(
        `the kill switch is on (tracking looks broken): nothing is written for this account until a person clears it (roas accounts kill-switch ${fake.accountId} --off)`,
      );
      expect(result.items).toEqual([]);
    }
    await expect(
      undoAction(deps(), applied?.actionId ?? '', { dryRun: false, actor: system }),
    ).rejects.toThrow(/kill switch .* is on \(tracking looks broken\)/);
    expect(fake.control.writes()).toHaveLength(writes);
    expect((await recommendation(id))?.status).toBe('approved');

    await setKillSwitch(db(), fake.accountId, null, { actor: system, now: now() });
    expect((await apply()).items).toMatchObject([{ recommendationId: id, outcome: 'confirmed' }]);
  });

  it('never overlaps a scheduled job: an apply or sync a person starts meanwhile is busy and sends nothing', async () => {
    await mode('approve');
    const id = await craft(abo[0] ?? '', { action: 'SCALE', scalePercent: 10, status: 'pending' });
    const locks = memoryLocks();
    const job = await locks.acquire(accountLockKey(fake.accountId));
    const busy = `a scheduled job is syncing, deciding or applying ${fake.accountId} right now: nothing was done; try again in a minute`;
    const [blocked] = await applyRecommendations(deps(), {
      accountId: fake.accountId,
      dryRun: false,
      actor: system,
      accountLocks: locks,
    });
    expect(blocked?.blocked).toBe(busy);
    // The dashboard's approve goes through the same lock: the approval stands, nothing is sent.
    const { user } = await addUser(
      db(),
      { username: 'vera', password: 'a long enough password', role: 'approver' },
      { actor: system },
    );
    const person = { kind: 'user', id: user.id, username: user.username } as const;
    const reviewed = await reviewAndApply(
      { ...deps(), accountLocks: locks },
      { ids: [id], decision: 'approve', actor: person, now: now() },
    );
    expect(reviewed.applyNotes).toEqual([`${blocked?.account.name}: approved, not sent: ${busy}`]);
    const [sync] = await syncAccounts(context, { accountId: fake.accountId, accountLocks: locks });
    expect(sync).toMatchObject({ ok: false, error: busy });
    expect(fake.control.writes()).toEqual([]);
    expect((await recommendation(id))?.status).toBe('approved');

    await job?.release();
    const [applied] = await applyRecommendations(deps(), {
      accountId: fake.accountId,
      dryRun: false,
      actor: system,
      accountLocks: locks,
    });
    expect(applied?.items).toMatchObject([{ recommendationId: id, outcome: 'confirmed' }]);
    // An undo a person starts waits its turn the same way.
    const again = await locks.acquire(accountLockKey(fake.accountId));
    await expect(
      undoAction(deps(), applied?.items[0]?.actionId ?? '', {
        dryRun: false,
        actor: system,
        accountLocks: locks,
      }),
    ).rejects.toThrow(busy);
    await again?.release();
    expect(
      await undoAction(deps(), applied?.items[0]?.actionId ?? '', {
        dryRun: false,
        actor: system,
        accountLocks: locks,
      }),
    ).toMatchObject({ outcome: 'confirmed' });
    // Released after the work: the next job finds the account free.
    expect(await locks.acquire(accountLockKey(fake.accountId))).not.toBeNull();
  });

  it('promotes by copying the best ad into the next stage’s ad set, and rejects when there is none', async () => {
    await start(async () => {
      const truth = fake.control.truth();
      for (const c of truth.campaigns)
        await metaPost(c.id, { name: c.isCbo ? `[VALIDATION] ${c.name}` : `[TEST] ${c.name}` });
    });
    await mode('approve');
    const source = abo[0] ?? '';
    const promote = await craft(source, { action: 'PROMOTE' });
    const last = await craft(cboAdset, { action: 'PROMOTE' });
    const result = await apply();
    const [copied, none] = result.items;
    const sourceAds = fake.control.truth().ads.filter((a) => a.adSetId === source && !a.isPlaceholder);
    expect(copied).toMatchObject({ recommendationId: promote, outcome: 'confirmed' });
    expect(copied?.request).toMatchObject({
      method: 'POST',
      params: { adset_id: cboAdset, status_option: 'ACTIVE' },
    });
    const copy = fake.control.truth().ads.find((a) => a.adSetId === cboAdset && a.isPlaceholder);
    expect(copy).toMatchObject({ status: 'ACTIVE' });
    const [action] = await db()
      .select()
      .from(actions)
      .where(and(eq(actions.kind, 'promote')));
    expect(sourceAds.map((a) => a.id)).toContain(action?.entityId);
    expect(copied?.request?.path).toBe(`/${fake.apiVersion}/${action?.entityId}/copies`);
    expect(action).toMatchObject({ status: 'confirmed', metaResponse: { copied_ad_id: copy?.id } });
    expect(none).toMatchObject({ recommendationId: last, outcome: 'rejected' });
    expect(none?.reason).toBe(
      'no ad set to promote into: no live ad set in a campaign tagged for the scaling stage ([SCALE] / [SCALING] in its name)',
    );
    expect(await recommendation(last)).toMatchObject({ status: 'expired', statusReason: none?.reason });

    // A second approval finds the copy already there; undo pauses the copy.
    const again = await craft(source, { action: 'PROMOTE' });
    expect((await apply()).items).toMatchObject([{ recommendationId: again, outcome: 'refused' }]);
    expect(await undoAction(deps(), action?.id ?? '', { dryRun: false, actor: system })).toMatchObject({
      outcome: 'confirmed',
      request: { params: { status: 'PAUSED' } },
    });
    expect(fake.control.truth().ads.find((a) => a.id === copy?.id)?.status).toBe('PAUSED');
  });

  it('refuses modes other than recommend for imported accounts, unknown accounts and unknown modes', async () => {
    await db()
      .insert(accounts)
      .values({ id: 'csv:apply-test', source: 'csv', name: 'Imported shop', currency: 'USD' })
      .onConflictDoNothing();
    await expect(
      setExecutionMode(db(), 'csv:apply-test', { mode: 'approve' }, { actor: system, now: now() }),
    ).rejects.toThrow(
      /"Imported shop" was imported from a file: only connected Meta accounts can apply changes/,
    );
    await expect(
      setExecutionMode(db(), 'nope', { mode: 'approve' }, { actor: system, now: now() }),
    ).rejects.toThrow(/no account "nope"/);
    await expect(
      setExecutionMode(db(), fake.accountId, { mode: 'sometimes' as never }, { actor: system, now: now() }),
    ).rejects.toThrow(UserError);
    const [result] = await applyRecommendations(deps(), { accountId: 'csv:apply-test', dryRun: false });
    expect(result?.blocked).toBe('imported from a file: there is no Meta connection to write through');
    await db().delete(accounts).where(eq(accounts.id, 'csv:apply-test'));
  });
});
