import { randomUUID } from 'node:crypto';
import { addDays } from '@roas/core';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storeRecommendationRun } from '../src/adapters/db/repositories/recommendations.repository.ts';
import { actions, outcomes, recommendations } from '../src/adapters/db/schema.ts';
import type { AppContext } from '../src/main.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import {
  marketOutcomeTruth,
  measureOutcomes,
  outcomeSummary,
  type MeasureSummary,
} from '../src/services/outcomes.service.ts';
import { claimOf, verdictFrom } from '../src/services/outcomes/scoring.ts';
import { marketDayOf } from '../src/services/outcomes/truth.ts';
import { recommend } from '../src/services/recommend.service.ts';
import { saveSettings } from '../src/services/settings.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { testContext } from './app-context.ts';
import { rulesWith } from './recommend-fixture.ts';
import { describeEachEngine } from './test-databases.ts';

type Observed = {
  window: { from: string; to: string };
  spend: string;
  purchases: number;
  final: boolean;
  basis: 'data' | 'truth' | 'none';
  line: number | null;
  applied: { at: string } | null;
  truth: { source: string; roas: number } | null;
  reason: string;
};

describeEachEngine('outcomes scored on a simulated account where the truth is known', (get) => {
  let fake: FakeGraphServer;
  let context: AppContext;
  let decisionDay: string;
  const now = () => new Date(fake.control.state().simTime);
  const db = () => get().db;
  const crafted = new Map<string, string>();
  let engineRun: string[] = [];
  let engineActions = new Set<string>();
  const craftedActions: string[] = [];
  let winner = '';
  let loser = '';
  let pausedLoser = '';

  async function sync() {
    await syncAccount({ db: db(), now, graph: context.meta.graphFor(fake.accessToken) }, fake.accountId, {
      today: fake.control.state().date,
      historyDays: 40,
      sliceDays: 20,
    });
  }

  /** A recommendation stored as `roas recommend` would, made on purpose (right or wrong) for one ad set. */
  async function craft(name: string, entityId: string, action: 'SCALE' | 'PAUSE' | 'HOLD') {
    const runId = randomUUID();
    const ids = await storeRecommendationRun(db(), { runId, accountId: fake.accountId }, [
      {
        runId,
        accountId: fake.accountId,
        level: 'adset',
        entityId,
        action,
        scalePercent: action === 'SCALE' ? '20.00' : null,
        confidence: 'HIGH',
        bucket: action === 'PAUSE' ? 'loser' : 'winner',
        trend: 'stable',
        stage: null,
        reasons: [],
        risks: [],
        guardrails: [],
        inputs: {
          asOf: decisionDay,
          concludedAction: action,
          audience: { type: fake.control.truth().adSets.find((a) => a.id === entityId)?.audienceType },
        },
        explanation: `crafted for a test: ${name}`,
        settingsVersion: 0,
        engineVersion: 'test',
        generatedAt: now(),
      },
    ]);
    crafted.set(name, ids.get(`adset:${entityId}`) ?? '');
    craftedActions.push(`${entityId}:${action}`);
  }

  async function outcomeOf(name: string, horizonDays: number) {
    const rows = await db()
      .select()
      .from(outcomes)
      .where(eq(outcomes.recommendationId, crafted.get(name) ?? ''));
    const found = rows.find((r) => r.horizonDays === horizonDays);
    return found ? { verdict: found.verdict, observed: found.observed as Observed } : null;
  }

  const truth = () => marketOutcomeTruth(fake.control.market);
  const measure = (withTruth = true): Promise<MeasureSummary> =>
    measureOutcomes(db(), { now: now(), accountId: fake.accountId, truth: withTruth ? truth() : undefined });

  beforeAll(async () => {
    fake = await startFakeGraph({ scenario: { extends: 'default', adSets: 6 }, seed: 11, startDay: 30 });
    context = testContext(get(), fake, { now });
    await connectWithToken(context.meta, fake.accessToken);
    await sync();
    decisionDay = fake.control.state().date;
    await saveSettings(
      db(),
      rulesWith((r) => {
        r.hysteresis.consecutiveRuns = 1;
      }),
      { scope: fake.accountId, now: now() },
    );
    const [run] = await recommend(db(), { accountId: fake.accountId, dryRun: false, now: now() });
    engineRun = (run?.recommendations ?? []).map((r) => r.id ?? '');
    engineActions = new Set((run?.recommendations ?? []).map((r) => `${r.entityId}:${r.action}`));

    // The simulator's latent ROAS at low spend ranks the ad sets: the best, and the two worst.
    const ranked = [...fake.control.market.latent].sort((a, b) => b.r0 - a.r0).map((a) => a.id);
    winner = ranked[0] ?? '';
    loser = ranked.at(-1) ?? '';
    pausedLoser = ranked.at(-2) ?? '';
    await craft('scale the winner', winner, 'SCALE');
    await craft('hold the winner', winner, 'HOLD');
    await craft('pause the winner', winner, 'PAUSE');
    await craft('scale the loser', loser, 'SCALE');
    await craft('pause the loser', loser, 'PAUSE');
    await craft('pause and apply', pausedLoser, 'PAUSE');

    // The last Pause is applied: the ad set stops delivering from the decision day on.
    const response = await fetch(`${fake.url}/${fake.apiVersion}/${pausedLoser}`, {
      method: 'POST',
      body: new URLSearchParams({ status: 'PAUSED', access_token: fake.accessToken }),
    });
    expect(response.status).toBe(200);
    await db()
      .insert(actions)
      .values({
        recommendationId: crafted.get('pause and apply') ?? null,
        accountId: fake.accountId,
        level: 'adset',
        entityId: pausedLoser,
        kind: 'status',
        idempotencyKey: randomUUID(),
        request: { status: 'PAUSED' },
        priorState: { status: 'ACTIVE' },
        status: 'confirmed',
        appliedAt: now(),
      });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('measures only what is due: a window with no delivery at once, others once over and mature', async () => {
    const before = await measure();
    expect(before).toMatchObject({ stored: 0, revised: 0, pending: before.considered, skipped: 0 });
    expect(before.considered).toBe(2 * (engineRun.length + crafted.size));

    // Four days on, the 3-day window is over but its last days are still collecting conversions:
    // only the paused ad set, which spent nothing (so nothing can arrive late), is scored.
    fake.control.advance({ days: 4 });
    await sync();
    const onPaused = 1 + engineRunOn(pausedLoser);
    // Without a truth, a paused ad set's window says nothing: inconclusive, and open for a later run.
    const blind = await measure(false);
    expect(blind).toMatchObject({ stored: onPaused, pending: before.considered - onPaused });
    expect(blind.verdicts).toEqual({ hit: 0, miss: 0, inconclusive: onPaused });
    expect(await outcomeOf('pause and apply', 3)).toMatchObject({
      verdict: 'inconclusive',
      observed: { basis: 'none', final: false, spend: '0.00' },
    });
    const early = await measure();
    expect(early).toMatchObject({ stored: 0, revised: onPaused, pending: before.considered - onPaused });
    const rows = await db().select().from(outcomes);
    expect(rows).toHaveLength(onPaused);
    for (const row of rows) {
      expect(row.horizonDays).toBe(3);
      expect(row.verdict).toBe('hit');
      expect(row.observed).toMatchObject({ basis: 'truth', final: true, spend: '0.00' });
    }
  });

  it('scores the 3-day horizon once its days are mostly in, and measuring again changes nothing', async () => {
    fake.control.advance({ days: 3 });
    await sync();
    const first = await measure();
    const recommendationsCount = engineRun.length + crafted.size;
    // Every 3-day window, and the 7-day windows of the paused ad set (it spent nothing: already final).
    const onPaused = 1 + engineRunOn(pausedLoser);
    expect(first).toMatchObject({
      stored: recommendationsCount,
      revised: 0,
      pending: recommendationsCount - onPaused,
    });
    const pause = await outcomeOf('pause the loser', 3);
    expect(pause?.observed.window).toEqual({ from: decisionDay, to: addDays(decisionDay, 2) });
    // Measured early on the lag curve: revised until every day is final.
    expect(pause?.observed.final).toBe(false);
    expect(await outcomeOf('pause the loser', 7)).toBeNull();

    const again = await measure();
    expect(again).toMatchObject({ stored: 0, revised: 0, unchanged: recommendationsCount - onPaused });
    expect(again.pending).toBe(recommendationsCount - onPaused);
  });

  it('scores every horizon against what really happened once the data are final', async () => {
    fake.control.advance({ days: 8 });
    await sync();
    const summary = await measure();
    const recommendationsCount = engineRun.length + crafted.size;
    expect(summary.stored).toBe(recommendationsCount - 1 - engineRunOn(pausedLoser));
    expect(summary.pending).toBe(0);
    // The 3-day outcomes measured early are revised now that their late conversions are in.
    expect(summary.revised).toBe(recommendationsCount - 1 - engineRunOn(pausedLoser));
    expect(summary.stored + summary.revised + summary.unchanged).toBe(summary.considered);
    const revisedPause = await outcomeOf('pause the loser', 3);
    expect(revisedPause?.observed.final).toBe(true);

    const expected: [string, 'hit' | 'miss', 'data' | 'truth'][] = [
      ['scale the winner', 'hit', 'data'],
      ['hold the winner', 'miss', 'data'],
      ['pause the winner', 'miss', 'data'],
      ['scale the loser', 'miss', 'data'],
      ['pause the loser', 'hit', 'data'],
      ['pause and apply', 'hit', 'truth'],
    ];
    for (const [name, verdict, basis] of expected) {
      const outcome = await outcomeOf(name, 7);
      expect({ name, verdict: outcome?.verdict, basis: outcome?.observed.basis }).toEqual({
        name,
        verdict,
        basis,
      });
      expect(outcome?.observed.final).toBe(true);
    }
    const applied = await outcomeOf('pause and apply', 7);
    expect(applied?.observed.spend).toBe('0.00');
    expect(applied?.observed.applied?.at).toEqual(expect.any(String));
    expect(applied?.observed.truth?.source).toBe('simulator');
    expect(applied?.observed.truth?.roas).toBeLessThan(1 / 0.6);

    // What was measured is what the market delivered over the window, to the cent.
    const days = fake.control.truth().days[winner] ?? [];
    const start = marketDayOf(fake.control.market, decisionDay);
    const spentCents = days.slice(start, start + 7).reduce((sum, d) => sum + Math.round(d.spend * 100), 0);
    const scaled = await outcomeOf('scale the winner', 7);
    expect(Math.round(Number(scaled?.observed.spend) * 100)).toBe(spentCents);
  });

  it("agrees with the simulator's truth on the engine's own recommendations wherever it is sure", async () => {
    const rows = await db()
      .select({ outcome: outcomes, recommendation: recommendations })
      .from(outcomes)
      .innerJoin(recommendations, eq(recommendations.id, outcomes.recommendationId))
      .where(inArray(outcomes.recommendationId, engineRun));
    expect(rows.length).toBe(2 * engineRun.length);
    const market = fake.control.market;
    const latent = truth();
    let decided = 0;
    let clearCases = 0;
    const disagreements: string[] = [];
    for (const { outcome, recommendation } of rows) {
      const observed = outcome.observed as Observed;
      const claim = claimOf(
        recommendation.action,
        recommendation.scalePercent === null ? null : Number(recommendation.scalePercent),
      );
      if (outcome.verdict === 'inconclusive' || observed.line === null || claim === null) continue;
      const line = observed.line;
      const says = (roas: number) => verdictFrom(claim.kind, roas > line ? 1 : 0, true);
      const label = `${recommendation.action} ${recommendation.entityId} ${outcome.horizonDays}d: ${outcome.verdict} (${observed.reason})`;
      // What Meta will report for the window in the end (the app read it while still maturing).
      const first = marketDayOf(market, observed.window.from);
      const days = (
        market.truth[market.latent.findIndex((a) => a.id === recommendation.entityId)] ?? []
      ).slice(first, first + outcome.horizonDays);
      const spend = days.reduce((sum, d) => sum + d.spend, 0);
      if (observed.basis === 'data' && spend > 0) {
        decided += 1;
        const realized = days.reduce((sum, d) => sum + d.attributedRevenue, 0) / spend;
        if (says(realized) !== outcome.verdict)
          disagreements.push(`${label}; realized ${realized.toFixed(2)}`);
      }
      // The latent ROAS, wherever it sits clearly (25%) on one side of the line.
      const expected = await latent.roas(
        { accountId: fake.accountId, level: 'adset', entityId: recommendation.entityId },
        observed.window,
      );
      if (expected !== null && (expected > line * 1.25 || expected < line / 1.25)) {
        clearCases += 1;
        if (says(expected) !== outcome.verdict) disagreements.push(`${label}; latent ${expected.toFixed(2)}`);
      }
    }
    expect(decided).toBeGreaterThan(0);
    expect(clearCases).toBeGreaterThan(0);
    expect(disagreements).toEqual([]);
  });

  it('leaves final outcomes alone and sums hit rates by horizon, action, rule cell, audience and stage', async () => {
    const settled = await measure(false);
    expect(settled).toMatchObject({ considered: 0, stored: 0, revised: 0 });

    const summary = await outcomeSummary(db(), fake.accountId);
    expect(summary.note).toBeNull();
    expect(summary.measuredAt).toEqual(expect.any(String));
    expect(summary.overall.map((h) => h.horizonDays)).toEqual([3, 7]);
    const seven = summary.overall.find((h) => h.horizonDays === 7);
    // A decision repeated on the same day for the same ad set counts once.
    expect(seven?.total).toBe(engineRun.length + crafted.size - duplicates());
    const pauses = summary.byAction.find((a) => a.action === 'PAUSE' && a.horizonDays === 7);
    expect(pauses?.hits).toBeGreaterThanOrEqual(2);
    expect(summary.byRuleCell.some((c) => c.action === 'PAUSE' && c.bucket === 'loser')).toBe(true);
    expect(summary.byAudience.reduce((s, a) => s + (a.horizonDays === 7 ? a.total : 0), 0)).toBe(
      seven?.total,
    );
    expect(summary.byStage.reduce((s, a) => s + (a.horizonDays === 7 ? a.total : 0), 0)).toBe(seven?.total);
  });

  /** How many of the engine's recommendations are on this ad set (one per run). */
  function engineRunOn(entityId: string): number {
    return [...engineActions].filter((key) => key.startsWith(`${entityId}:`)).length;
  }

  /** Crafted recommendations that repeat one of the engine's (same ad set, day and action): counted once. */
  function duplicates(): number {
    return craftedActions.filter((key) => engineActions.has(key)).length;
  }
});
