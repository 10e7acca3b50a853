import { randomUUID } from 'node:crypto';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findAccountById } from '../src/adapters/db/repositories/accounts.repository.ts';
import { actions, recommendations } from '../src/adapters/db/schema.ts';
import { recommendationsJson } from '../src/cli/commands/recommend.command.ts';
import type { AppContext } from '../src/main.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import { loadAccountFacts } from '../src/services/recommend-facts.service.ts';
import { recommend } from '../src/services/recommend.service.ts';
import { saveSettings } from '../src/services/settings.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { testContext } from './app-context.ts';
import { rulesWith } from './recommend-fixture.ts';
import { describeEachEngine } from './test-databases.ts';

const HOUR = 3_600_000;

describeEachEngine('roas recommend on an account synced from the fake Graph API', (get) => {
  let fake: FakeGraphServer;
  let context: AppContext;
  const now = () => new Date(fake.control.state().simTime);

  beforeAll(async () => {
    fake = await startFakeGraph({ scenario: { extends: 'default', adSets: 6 }, seed: 11, startDay: 30 });
    context = testContext(get(), fake, { now });
    await connectWithToken(context.meta, fake.accessToken);
    await syncAccount({ db: get().db, now, graph: context.meta.graphFor(fake.accessToken) }, fake.accountId, {
      today: fake.control.state().date,
      historyDays: 40,
      sliceDays: 20,
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  async function facts() {
    const account = await findAccountById(get().db, fake.accountId);
    if (!account) throw new Error('account not synced');
    return loadAccountFacts(get().db, account, { now: now() });
  }

  it('reads budgets, budget owner, learning stage, status and audience as Meta reports them', async () => {
    const loaded = await facts();
    const truth = fake.control.truth();
    expect(loaded.input.asOf).toBe(fake.control.state().date);
    expect(loaded.input.minorDigits).toBe(2);
    expect(loaded.notes.join('\n')).not.toMatch(/imported/);
    expect(loaded.input.entities.length).toBe(truth.adSets.filter((a) => !a.isPlaceholder).length);
    let accountBudget = 0n;
    for (const entity of loaded.input.entities) {
      const adSet = truth.adSets.find((a) => a.id === entity.entityId);
      const campaign = truth.campaigns.find((c) => c.id === adSet?.campaignId);
      expect(entity.state.learningStage).toEqual(expect.any(String));
      expect(entity.status).toBe(adSet?.effectiveStatus === 'ACTIVE' ? 'active' : 'paused');
      expect(entity.audience.type).toBe(adSet?.audienceType);
      expect(entity.rows.length).toBeGreaterThan(20);
      if (campaign?.isCbo) {
        expect(entity.state).toMatchObject({ budgetOwner: 'campaign', dailyBudgetMinor: null });
        expect(loaded.details.get(entity.entityId)?.dailyBudgetMinor).toBe(
          BigInt(campaign.dailyBudgetCents ?? 0),
        );
      } else {
        expect(entity.state).toMatchObject({
          budgetOwner: 'adset',
          dailyBudgetMinor: BigInt(adSet?.dailyBudgetCents ?? 0),
        });
        accountBudget += BigInt(adSet?.dailyBudgetCents ?? 0);
      }
      expect(entity.state.hoursSinceBudgetChange).toBeNull();
      expect(entity.state.killSwitch).toEqual({ tripped: false, reason: null });
    }
    for (const campaign of truth.campaigns.filter((c) => c.isCbo))
      accountBudget += BigInt(campaign.dailyBudgetCents ?? 0);
    expect(loaded.input.entities[0]?.state.account).toEqual({
      dailyBudgetMinor: accountBudget,
      increasedTodayMinor: 0n,
    });
  });

  it('gives Scale decisions a new daily budget in minor units, stored as such', async () => {
    const { db } = get();
    await saveSettings(
      db,
      rulesWith((r) => {
        r.hysteresis.consecutiveRuns = 1;
      }),
      { scope: fake.accountId, now: now() },
    );
    const [run] = await recommend(db, { accountId: fake.accountId, dryRun: false, now: now() });
    const scaled = run?.recommendations.filter((r) => r.action === 'SCALE' && r.appliesTo === 'adset') ?? [];
    expect(scaled.length).toBeGreaterThan(0);
    const json = run ? recommendationsJson(run) : null;
    for (const r of scaled) {
      const current = r.dailyBudgetMinor ?? 0n;
      const next = r.newDailyBudgetMinor ?? 0n;
      expect(current).toBeGreaterThan(0n);
      expect(next).not.toBe(current);
      expect((Number(next - current) / Number(current)) * 100).toBeCloseTo(r.scalePercent ?? 0, 1);
      const [row] = await db
        .select()
        .from(recommendations)
        .where(eq(recommendations.id, r.id ?? ''));
      expect(row?.newDailyBudgetMinor).toBe(next);
      expect(Number(row?.scalePercent)).toBeCloseTo(r.scalePercent ?? 0, 2);
      expect(json?.recommendations.find((j) => j.id === r.id)).toMatchObject({
        newDailyBudgetMinor: next.toString(),
        newDailyBudget: (Number(next) / 100).toFixed(2),
        dailyBudget: (Number(current) / 100).toFixed(2),
      });
    }
  });

  it('holds a Scale in the cooldown after a change Meta applied, and counts it against today and the hour', async () => {
    const { db } = get();
    // The fake's day starts at local midnight; two hours in, half an hour ago is still today.
    fake.control.advance({ hours: 2 });
    const [run] = await recommend(db, { accountId: fake.accountId, dryRun: true, now: now() });
    const scaled = run?.recommendations.find((r) => r.action === 'SCALE' && r.appliesTo === 'adset');
    expect(scaled).toBeDefined();
    const current = scaled?.dailyBudgetMinor ?? 0n;
    await db.insert(actions).values({
      accountId: fake.accountId,
      level: 'adset',
      entityId: scaled?.entityId ?? '',
      kind: 'budget',
      idempotencyKey: randomUUID(),
      request: { dailyBudgetMinor: String(current) },
      priorState: { dailyBudgetMinor: String(current - 1000n) },
      status: 'confirmed',
      appliedAt: new Date(now().getTime() - HOUR / 2),
    });
    const state = (await facts()).input.entities.find((e) => e.entityId === scaled?.entityId)?.state;
    // The fake's clock runs in real seconds: a second or two may pass between the insert and the read.
    expect(state?.hoursSinceBudgetChange).toBeCloseTo(0.5, 2);
    expect(state?.budgetChangesLastHour).toBe(1);
    expect(state?.increasedTodayMinor).toBe(1000n);
    expect(state?.account?.increasedTodayMinor).toBe(1000n);

    const [after] = await recommend(db, { accountId: fake.accountId, dryRun: true, now: now() });
    const held = after?.recommendations.find((r) => r.entityId === scaled?.entityId);
    expect(held?.action).toBe('HOLD');
    expect(held?.guardrails.find((g) => g.id === 'guardrail.cooldown')).toMatchObject({
      passed: false,
      changed: true,
    });
  });
});
