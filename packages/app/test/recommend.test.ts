import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { Db } from '../src/adapters/db/database.ts';
import { findAccountById, upsertAccount } from '../src/adapters/db/repositories/accounts.repository.ts';
import { actions, recommendations } from '../src/adapters/db/schema.ts';
import { recommendationsJson, renderRecommendations } from '../src/cli/commands/recommend.command.ts';
import { importAdsManagerCsv } from '../src/services/import.service.ts';
import { loadAccountFacts } from '../src/services/recommend-facts.service.ts';
import { recommend, type AccountRecommendations } from '../src/services/recommend.service.ts';
import { saveSettings } from '../src/services/settings.service.ts';
import { ENGINE_VERSION } from '../src/shared/engine-version.ts';
import { UserError } from '../src/shared/errors.ts';
import { rulesWith, shopExport } from './recommend-fixture.ts';
import { describeEachEngine } from './test-databases.ts';

const NOW = new Date('2026-04-01T10:00:00Z');
const HOUR = 3_600_000;

async function importShop(db: Db, name: string): Promise<string> {
  const summary = await importAdsManagerCsv(db, {
    text: shopExport(),
    fileName: 'shop.csv',
    accountName: name,
    now: NOW,
  });
  return summary.account.id;
}

async function runFor(db: Db, accountId: string, options: { dryRun?: boolean; now?: Date } = {}) {
  const [run] = await recommend(db, {
    accountId,
    dryRun: options.dryRun ?? false,
    now: options.now ?? NOW,
  });
  if (!run) throw new Error('no run');
  return run;
}

function decisionOf(run: AccountRecommendations, name: string) {
  const found = run.recommendations.find((r) => r.name === name);
  if (!found) throw new Error(`no decision for ${name}`);
  return found;
}

const rowsOfAccount = (db: Db, accountId: string) =>
  db.select().from(recommendations).where(eq(recommendations.accountId, accountId));

describeEachEngine('roas recommend on an imported export', (get) => {
  it('stores every decision with its settings and engine version, and says budgets and learning are unknown', async () => {
    const { db } = get();
    const accountId = await importShop(db, 'Stored');
    const run = await runFor(db, accountId);

    expect(run.asOf).toBe('2026-03-15');
    expect(run.engineVersion).toBe(ENGINE_VERSION);
    expect(run.settingsVersionId).toBe(0);
    expect(run.notes.join('\n')).toMatch(/no budgets, learning stage or delivery status/);
    expect(run.notes.join('\n')).toMatch(/judged as of 2026-03-15/);
    expect(run.recommendations.map((r) => r.name).sort()).toEqual(['Champion', 'Loser', 'Steady', 'Winner']);
    for (const r of run.recommendations) {
      expect(r.newDailyBudgetMinor).toBeNull();
      expect(r.dailyBudgetMinor).toBeNull();
      expect(r.id).toEqual(expect.any(String));
    }

    const rows = await rowsOfAccount(db, accountId);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const decision = run.recommendations.find((r) => r.id === row.id);
      expect(decision).toBeDefined();
      expect(row).toMatchObject({
        runId: run.runId,
        entityId: decision?.entityId,
        action: decision?.action,
        confidence: decision?.confidence,
        stage: decision?.stage,
        explanation: decision?.explanation,
        settingsVersion: 0,
        engineVersion: ENGINE_VERSION,
        status: 'pending',
        newDailyBudgetMinor: null,
      });
      expect(row.generatedAt.toISOString()).toBe(NOW.toISOString());
      expect(row.reasons).toEqual(decision?.reasons);
      expect(row.guardrails).toEqual(decision?.guardrails);
      expect(row.risks).toEqual(decision?.risks);
      expect(row.inputs).toMatchObject({
        asOf: '2026-03-15',
        concludedAction: expect.any(String) as string,
        state: { dailyBudgetMinor: null, learningStage: null },
      });
    }
    // Stage from the campaign name tag; untagged campaigns have none.
    expect(decisionOf(run, 'Winner').stage).toBe('testing');
    expect(decisionOf(run, 'Steady').stage).toBe('scaling');
    expect(decisionOf(run, 'Loser').stage).toBeNull();
  });

  it('stores nothing on a dry run', async () => {
    const { db } = get();
    const accountId = await importShop(db, 'Dry');
    const run = await runFor(db, accountId, { dryRun: true });
    expect(run.runId).toBeNull();
    expect(run.recommendations.length).toBeGreaterThan(0);
    expect(run.recommendations.every((r) => r.id === null)).toBe(true);
    expect(await rowsOfAccount(db, accountId)).toEqual([]);
  });

  it('feeds earlier runs to hysteresis: a held Scale or Pause goes through on the second run', async () => {
    const { db } = get();
    const accountId = await importShop(db, 'Twice');
    const first = await runFor(db, accountId);
    const held = first.recommendations.filter(
      (r) => r.reasons.find((reason) => reason.ruleId === 'hysteresis')?.passed === false,
    );
    expect(held.length).toBeGreaterThan(0);
    for (const r of held) expect(r.action).toBe('HOLD');

    const second = await runFor(db, accountId, { now: new Date(NOW.getTime() + HOUR) });
    for (const r of held) {
      const concluded = r.reasons.find((reason) => reason.ruleId === 'hysteresis')?.text.split(' ')[0];
      const again = decisionOf(second, r.name);
      expect(again.action).toBe(concluded);
      expect(again.reasons.find((reason) => reason.ruleId === 'hysteresis')).toMatchObject({
        passed: true,
        observed: 2,
      });
    }
    // Only the newest run's recommendations can still be approved.
    const rows = await rowsOfAccount(db, accountId);
    expect(rows.filter((row) => row.runId === first.runId).map((row) => row.status)).toEqual(
      Array(4).fill('superseded'),
    );
    expect(rows.filter((row) => row.runId === second.runId).map((row) => row.status)).toEqual(
      Array(4).fill('pending'),
    );
  });

  it('stores a run id once: repeating it stores nothing new', async () => {
    const { db } = get();
    const accountId = await importShop(db, 'Once');
    const runId = randomUUID();
    const [first] = await recommend(db, { accountId, dryRun: false, now: NOW, runId });
    const [again] = await recommend(db, { accountId, dryRun: false, now: NOW, runId });
    expect(first?.runId).toBe(runId);
    expect(again?.recommendations.map((r) => r.id).sort()).toEqual(
      first?.recommendations.map((r) => r.id).sort(),
    );
    expect(await rowsOfAccount(db, accountId)).toHaveLength(4);
    await expect(recommend(db, { accountId, dryRun: true, now: NOW, runId: 'run-1' })).rejects.toThrow(
      /not a UUID/,
    );
  });

  it('starts a cooldown on a budget change Meta applied, never on an unapplied recommendation', async () => {
    const { db } = get();
    const accountId = await importShop(db, 'Cooldown');
    await saveSettings(
      db,
      rulesWith((r) => {
        r.hysteresis.consecutiveRuns = 1;
      }),
      { scope: accountId, now: NOW },
    );
    // A stored Scale recommendation, and a queued action nobody applied.
    const stored = await runFor(db, accountId);
    const scaled = stored.recommendations.find((r) => r.action === 'SCALE');
    expect(scaled, 'the fixture has an ad set the engine scales').toBeDefined();
    const entityId = scaled?.entityId ?? '';
    const action = (status: 'queued' | 'confirmed', appliedAt: Date | null) => ({
      accountId,
      level: 'adset' as const,
      entityId,
      kind: 'budget' as const,
      idempotencyKey: randomUUID(),
      request: { dailyBudgetMinor: '12000' },
      priorState: { dailyBudgetMinor: '10000' },
      status,
      recommendationId: scaled?.id ?? null,
      createdAt: new Date(NOW.getTime() - 3 * HOUR),
      appliedAt,
    });
    await db.insert(actions).values(action('queued', null));

    const account = await findAccountById(db, accountId);
    if (!account) throw new Error('account missing');
    const before = await loadAccountFacts(db, account, { now: NOW });
    const facts = () => before.input.entities.find((e) => e.entityId === entityId)?.state;
    expect(facts()).toMatchObject({
      hoursSinceBudgetChange: null,
      budgetChangesLastHour: 0,
      increasedTodayMinor: 0n,
    });
    const unapplied = decisionOf(await runFor(db, accountId, { dryRun: true }), scaled?.name ?? '');
    expect(unapplied.action).toBe('SCALE');
    expect(unapplied.guardrails.find((g) => g.id === 'guardrail.cooldown')?.passed).toBe(true);

    await db.insert(actions).values(action('confirmed', new Date(NOW.getTime() - 2 * HOUR)));
    const after = await loadAccountFacts(db, account, { now: NOW });
    expect(after.input.entities.find((e) => e.entityId === entityId)?.state).toMatchObject({
      hoursSinceBudgetChange: 2,
      budgetChangesLastHour: 0,
      increasedTodayMinor: 2000n,
    });
    const cooled = decisionOf(await runFor(db, accountId, { dryRun: true }), scaled?.name ?? '');
    expect(cooled.action).toBe('HOLD');
    expect(cooled.guardrails.find((g) => g.id === 'guardrail.cooldown')).toMatchObject({
      passed: false,
      changed: true,
    });
    // After the cooldown it may scale again.
    const later = await runFor(db, accountId, { dryRun: true, now: new Date(NOW.getTime() + 47 * HOUR) });
    expect(decisionOf(later, scaled?.name ?? '').action).toBe('SCALE');
  });

  it('decides on the newest saved settings and records their version', async () => {
    const { db } = get();
    const accountId = await importShop(db, 'Strict');
    const saved = await saveSettings(
      db,
      rulesWith((r) => {
        r.noiseGate.minPurchases = 10_000;
      }),
      { scope: accountId, now: NOW, comment: 'wait for far more purchases' },
    );
    const run = await runFor(db, accountId);
    expect(run.settingsVersionId).toBe(saved.id);
    expect(run.settingsSource).toBe('account');
    for (const r of run.recommendations) {
      expect(r.reasons.find((reason) => reason.ruleId === 'gate.minPurchases')).toMatchObject({
        passed: false,
        threshold: 10_000,
      });
    }
    // Untagged ad sets are judged on the matrix, which the noise gate now keeps shut.
    for (const name of ['Champion', 'Loser']) {
      expect(decisionOf(run, name).action).toBe('HOLD');
      expect(decisionOf(run, name).risks).toContain('insufficient data to judge');
    }
    const rows = await rowsOfAccount(db, accountId);
    expect(rows.map((row) => row.settingsVersion)).toEqual(Array(4).fill(saved.id));
  });

  it('filters by stage, keeping the account benchmarks of all ad sets', async () => {
    const { db } = get();
    const accountId = await importShop(db, 'Stages');
    const all = await runFor(db, accountId, { dryRun: true });
    const [testing] = await recommend(db, { accountId, stage: 'testing', dryRun: false, now: NOW });
    expect(testing?.recommendations.map((r) => r.name)).toEqual(['Winner']);
    expect(testing?.recommendations[0]?.roas).toEqual(decisionOf(all, 'Winner').roas);
    expect((await rowsOfAccount(db, accountId)).map((row) => row.stage)).toEqual(['testing']);
    const [validation] = await recommend(db, { accountId, stage: 'validation', dryRun: true, now: NOW });
    expect(validation?.recommendations).toEqual([]);
    expect(validation?.notes.at(-1)).toMatch(/no ad sets in the validation stage/);
  });

  it('refuses an unknown account, and an account with no data to decide on', async () => {
    const { db } = get();
    await expect(recommend(db, { accountId: 'act_404', dryRun: true, now: NOW })).rejects.toThrow(
      /--account "act_404": no such account/,
    );
    await upsertAccount(db, { id: 'csv:empty', source: 'csv', name: 'Empty', currency: 'EUR' }, NOW);
    const failure = await recommend(db, { accountId: 'Empty', dryRun: true, now: NOW }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toMatch(
      /no data to decide on in "Empty" \(csv:empty\): no insights stored yet/,
    );
    // Across every account, one without data is a note, not a failure.
    const runs = await recommend(db, { dryRun: true, now: NOW });
    expect(runs.find((r) => r.account.id === 'csv:empty')?.notes).toEqual([
      expect.stringMatching(/no insights stored yet/),
    ]);
    expect(runs.some((r) => r.recommendations.length > 0)).toBe(true);
  });

  it('prints a table per action, the evidence with --explain, and the documented JSON', async () => {
    const { db } = get();
    const accountId = await importShop(db, 'Printed');
    await saveSettings(
      db,
      rulesWith((r) => {
        r.hysteresis.consecutiveRuns = 1;
      }),
      { scope: accountId, now: NOW },
    );
    const run = await runFor(db, accountId);
    const table = renderRecommendations(run);
    expect(table).toMatch(
      /^Printed \(csv:[0-9a-f]+\) · as of 2026-03-15 · EUR · account settings #\d+ · engine /,
    );
    const headings = table.split('\n').filter((line) => /^[A-Z]+ \(\d+\)$/.test(line));
    const order = ['SCALE', 'PAUSE', 'RETEST', 'PROMOTE', 'HOLD'];
    expect(headings.map((h) => order.indexOf(h.split(' ')[0] ?? ''))).toEqual(
      [...headings.map((h) => order.indexOf(h.split(' ')[0] ?? ''))].sort(),
    );
    expect(table).toMatch(/ROAS mean \[lo–hi\]/);
    expect(table).toMatch(/\+\d+\.\d%/);
    expect(table).toMatch(/% only/);
    expect(table).toMatch(/note: imported from an Ads Manager export/);
    expect(table).toMatch(new RegExp(`Stored as run ${run.runId ?? ''}`));
    expect(table).not.toMatch(/reasons:/);

    const explained = renderRecommendations(run, { explain: true });
    expect(explained).toMatch(/^ {2}reasons:$/m);
    expect(explained).toMatch(/^ {4}pass {2}gate\.minSpend: .*\(spend: [\d.]+ vs [\d.]+\)$/m);
    expect(explained).toMatch(/^ {4}(pass|FAIL) {2}guardrail\.killSwitch: /m);
    for (const r of run.recommendations) expect(explained).toContain(r.explanation);

    const json = JSON.parse(JSON.stringify(recommendationsJson(run))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['account', 'generatedAt', 'recommendations']);
    expect(json.generatedAt).toBe(NOW.toISOString());
    expect(json.account).toMatchObject({
      id: accountId,
      name: 'Printed',
      currency: 'EUR',
      asOf: '2026-03-15',
    });
    const recs = json.recommendations as Record<string, unknown>[];
    expect(recs).toHaveLength(4);
    expect(recs[0]).toMatchObject({
      id: expect.any(String) as string,
      runId: run.runId,
      settingsVersionId: run.settingsVersionId,
      engineVersion: ENGINE_VERSION,
      newDailyBudgetMinor: null,
      reasons: expect.any(Array) as unknown[],
      guardrails: expect.any(Array) as unknown[],
      explanation: expect.any(String) as string,
    });
  });
});
