import { DEFAULT_RULES } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/test-databases.ts';
import type { Db } from '../adapters/db/database.ts';
import { upsertAccount } from '../adapters/db/repositories/accounts.repository.ts';
import { outcomes, recommendations, users } from '../adapters/db/schema.ts';
import { ConflictError } from '../shared/errors.ts';
import { currentSettings, saveSettings } from './settings.service.ts';
import {
  approveThresholdProposal,
  listThresholdProposals,
  measureExpectedEffect,
  proposeThresholds,
  rejectThresholdProposal,
} from './threshold-proposals.service.ts';

const now = new Date('2026-11-01T00:00:00Z');

/** Stores `hits` + `misses` 7-day outcomes (and the same number of 3-day ones, all hits) for one rule cell. */
async function seedOutcomes(
  db: Db,
  accountId: string,
  cell: { action: 'SCALE' | 'PAUSE' | 'HOLD'; bucket: string; trend: string; audience: string },
  hits: number,
  misses: number,
) {
  const runId = crypto.randomUUID();
  for (let i = 0; i < hits + misses; i++) {
    const [rec] = await db
      .insert(recommendations)
      .values({
        runId,
        accountId,
        level: 'adset',
        entityId: `${accountId}:as_${runId.slice(0, 8)}_${i}`,
        action: cell.action,
        confidence: 'MEDIUM',
        bucket: cell.bucket,
        trend: cell.trend,
        reasons: [],
        risks: [],
        guardrails: [],
        inputs: { audience: { type: cell.audience } },
        explanation: 'test',
        settingsVersion: 0,
        engineVersion: 'test',
        generatedAt: now,
      })
      .returning({ id: recommendations.id });
    if (!rec) throw new Error('no recommendation');
    await db.insert(outcomes).values([
      {
        recommendationId: rec.id,
        horizonDays: 7,
        baseline: {},
        observed: {},
        verdict: i < hits ? 'hit' : 'miss',
      },
      { recommendationId: rec.id, horizonDays: 3, baseline: {}, observed: {}, verdict: 'hit' },
    ]);
  }
}

describe('measureExpectedEffect', () => {
  it('is exactly zero for identical rules (common random numbers) and measures a real change', () => {
    const measurement = { scenario: 'default', seeds: [300_001, 300_002], days: 21 };
    const same = measureExpectedEffect(DEFAULT_RULES, DEFAULT_RULES, measurement);
    expect(same.trueProfitDelta).toBe(0);
    expect(same.verdict).toBe('no clear difference on these markets');
    expect(same.gapClosedBefore).toBe(same.gapClosedAfter);
    const timid = structuredClone(DEFAULT_RULES);
    timid.buckets.breakEven.pauseMaxProbability = 0.5;
    const changed = measureExpectedEffect(DEFAULT_RULES, timid, measurement);
    expect(changed.trueProfitDelta).not.toBe(0);
    expect(changed.trueProfitDeltaInterval[0]).toBeLessThanOrEqual(changed.trueProfitDelta);
  }, 60_000);
});

describeEachEngine('threshold proposals', (get) => {
  it('proposes from 7-day outcomes, stores them, and approval saves a new settings version', async () => {
    const { db } = get();
    await upsertAccount(db, { id: 'act_tp', source: 'meta', name: 'Shop', currency: 'USD' }, now);
    const [admin] = await db
      .insert(users)
      .values({ username: 'tp-admin', passwordHash: 'x', role: 'admin' })
      .returning({ id: users.id });
    if (!admin) throw new Error('no admin');
    const actor = { kind: 'user' as const, id: admin.id, username: 'tp-admin' };

    // Too few outcomes: nothing to propose.
    await seedOutcomes(
      db,
      'act_tp',
      { action: 'SCALE', bucket: 'winner', trend: 'stable', audience: 'broad' },
      2,
      6,
    );
    expect((await proposeThresholds(db, { accountId: 'act_tp', now, measurement: null })).proposals).toEqual(
      [],
    );

    await seedOutcomes(
      db,
      'act_tp',
      { action: 'SCALE', bucket: 'winner', trend: 'stable', audience: 'broad' },
      4,
      20,
    );
    const first = await proposeThresholds(db, { accountId: 'act_tp', now, measurement: null });
    expect(first.outcomesRead).toBe(32);
    expect(first.proposals.map((p) => p.key)).toEqual([
      'matrix.winner.stable.scalePercent:down',
      'buckets.winnerAtLeast:up',
    ]);
    expect(first.proposals[0]?.expectedEffect).toBeNull();
    expect(first.proposals[0]?.evidence).toMatchObject({ hits: 6, misses: 26 });

    // Proposing again supersedes the undecided ones of the same lever.
    const second = await proposeThresholds(db, { accountId: 'act_tp', now, measurement: null });
    const listed = await listThresholdProposals(db, { accountId: 'act_tp' });
    expect(listed.filter((p) => p.status === 'superseded')).toHaveLength(2);
    expect(
      listed
        .filter((p) => p.status === 'proposed')
        .map((p) => p.id)
        .sort(),
    ).toEqual(second.proposals.map((p) => p.id).sort());

    const [scaleDown, winnerUp] = second.proposals;
    if (!scaleDown || !winnerUp) throw new Error('expected two proposals');
    const approved = await approveThresholdProposal(db, scaleDown.id, { actor, now });
    expect(approved.proposal.status).toBe('approved');
    const settings = await currentSettings(db, 'act_tp');
    expect(settings.settingsVersionId).toBe(approved.settingsVersion);
    expect(settings.rules.matrix.winner.stable).toMatchObject({ action: 'SCALE', scalePercent: 15 });
    expect(settings.version?.comment).toMatch(/threshold proposal: Scale winner x stable/);
    await expect(approveThresholdProposal(db, scaleDown.id, { actor, now })).rejects.toThrow(
      /already approved/,
    );

    const rejected = await rejectThresholdProposal(db, winnerUp.id, { actor, now });
    expect(rejected.status).toBe('rejected');
    expect((await currentSettings(db, 'act_tp')).rules.buckets.winnerAtLeast).toBe(1.2);
  });

  it('refuses a proposal whose starting value changed since, and saves nothing', async () => {
    const { db } = get();
    await upsertAccount(db, { id: 'act_stale', source: 'meta', name: 'Stale', currency: 'USD' }, now);
    const [admin] = await db
      .insert(users)
      .values({ username: 'tp-admin2', passwordHash: 'x', role: 'admin' })
      .returning({ id: users.id });
    if (!admin) throw new Error('no admin');
    await seedOutcomes(
      db,
      'act_stale',
      { action: 'PAUSE', bucket: 'loser', trend: 'stable', audience: 'interest' },
      8,
      22,
    );
    const { proposals } = await proposeThresholds(db, { accountId: 'act_stale', now, measurement: null });
    const pause = proposals.find((p) => p.key === 'buckets.breakEven.pauseMaxProbability:down');
    if (!pause) throw new Error('expected a pause proposal');
    const edited = structuredClone(DEFAULT_RULES);
    edited.buckets.breakEven.pauseMaxProbability = 0.08;
    await saveSettings(db, edited, { scope: 'act_stale', now });
    const before = await currentSettings(db, 'act_stale');
    const error = await approveThresholdProposal(db, pause.id, {
      actor: { kind: 'user', id: admin.id, username: 'tp-admin2' },
      now,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(String(error)).toMatch(/pauseMaxProbability is 0.08 now, not 0.1/);
    expect((await currentSettings(db, 'act_stale')).settingsVersionId).toBe(before.settingsVersionId);
    expect((await listThresholdProposals(db, { accountId: 'act_stale', status: 'proposed' })).length).toBe(
      proposals.length,
    );
  });
});
