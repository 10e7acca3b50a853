import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays } from '@roas/core';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/adapters/db/database.ts';
import { storeRecommendationRun } from '../src/adapters/db/repositories/recommendations.repository.ts';
import { adsets, recommendations } from '../src/adapters/db/schema.ts';
import { todayIn } from '../src/shared/dates.ts';

const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));
const TIME_ZONE = 'America/Los_Angeles';

type Run = { code: number; stdout: string; stderr: string };

describe('roas apply, undo, accounts mode and kill-switch (child processes)', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'roas-apply-'));
  let fake: FakeGraphServer;
  let adsetId: string;

  function roas(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [ROAS, ...args],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            ROAS_HOME: home,
            META_GRAPH_URL: fake.url,
          },
          cwd: home,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  beforeAll(async () => {
    // The command line runs on the wall clock: the simulated account's today is the real one.
    const startDate = addDays(todayIn(TIME_ZONE, new Date()), -30);
    fake = await startFakeGraph({
      scenario: { extends: 'default', adSets: 6, startDate },
      seed: 11,
      startDay: 30,
      timeZone: TIME_ZONE,
    });
    const truth = fake.control.truth();
    const cbo = truth.campaigns.find((c) => c.isCbo)?.id;
    adsetId = truth.adSets.find((a) => a.campaignId !== cbo)?.id ?? '';
    expect((await roas(['accounts', 'add', '--token', fake.accessToken])).code).toBe(0);
    expect((await roas(['sync'])).code).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await fake.close();
  });

  it('sets the mode, freezes and clears writes, applies an approval and undoes it', async () => {
    const mode = await roas([
      'accounts',
      'mode',
      fake.accountId,
      'approve',
      '--max-age-hours',
      '12',
      '--json',
    ]);
    expect(mode.code).toBe(0);
    expect(JSON.parse(mode.stdout)).toMatchObject({
      accountId: fake.accountId,
      mode: 'approve',
      settings: { approvalMaxAgeHours: 12 },
      killSwitchReason: null,
    });
    const bad = await roas(['accounts', 'mode', fake.accountId, 'auto-safe', '--allow', 'no.such.rule']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: no rule matches "no.such.rule"; rules that decide a change: /);

    // A person approves a +10% Scale (the dashboard's part), straight in the database.
    const database = await openDatabase({ engine: 'pglite', dataDir: path.join(home, 'pgdata') });
    try {
      const db = database.db;
      const [adset] = await db.select().from(adsets).where(eq(adsets.id, adsetId));
      const runId = randomUUID();
      const ids = await storeRecommendationRun(db, { runId, accountId: fake.accountId }, [
        {
          runId,
          accountId: fake.accountId,
          level: 'adset',
          entityId: adsetId,
          action: 'SCALE',
          scalePercent: '10.00',
          newDailyBudgetMinor: 22_000n,
          confidence: 'HIGH',
          reasons: [],
          risks: [],
          guardrails: [],
          inputs: {
            appliesTo: 'adset',
            status: 'active',
            state: { dailyBudgetMinor: String(adset?.dailyBudgetMinor) },
          },
          explanation: 'crafted for a test',
          settingsVersion: 0,
          engineVersion: 'test',
          generatedAt: new Date(),
        },
      ]);
      await db
        .update(recommendations)
        .set({ status: 'approved', reviewedAt: new Date() })
        .where(eq(recommendations.id, ids.get(`adset:${adsetId}`) ?? ''));
    } finally {
      await database.close();
    }

    const dry = await roas(['apply', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('approve mode, dry run: nothing sent');
    expect(dry.stdout).toMatch(
      new RegExp(
        `DRY-RUN\\W+SCALE\\W+Broad 1\\W+approve\\W+POST /${fake.apiVersion}/${adsetId} daily_budget=22000`,
      ),
    );
    expect(fake.control.writes()).toEqual([]);

    expect((await roas(['accounts', 'kill-switch', fake.accountId, '--on', 'spend spike'])).code).toBe(0);
    const frozen = await roas(['apply', '--account', fake.accountId, '--json']);
    const blocked = JSON.parse(frozen.stdout) as { blocked: string; items: unknown[] };
    expect(blocked.blocked).toMatch(/^the kill switch is on \(spend spike\)/);
    expect(blocked.items).toEqual([]);
    expect((await roas(['accounts', 'kill-switch', fake.accountId, '--off'])).code).toBe(0);

    const applied = await roas(['apply', '--account', fake.accountId, '--json']);
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.stdout) as { items: { outcome: string; actionId: string }[] };
    expect(result.items).toMatchObject([{ outcome: 'confirmed' }]);
    expect(fake.control.truth().adSets.find((a) => a.id === adsetId)?.dailyBudgetCents).toBe(22_000);

    const undone = await roas(['undo', result.items[0]?.actionId ?? '', '--json']);
    expect(undone.code).toBe(0);
    expect(JSON.parse(undone.stdout)).toMatchObject({
      outcome: 'confirmed',
      request: { params: { daily_budget: '20000' } },
    });
    expect(fake.control.truth().adSets.find((a) => a.id === adsetId)?.dailyBudgetCents).toBe(20_000);
    const again = await roas(['undo', 'not-an-id']);
    expect(again).toMatchObject({ code: 1, stderr: 'Error: "not-an-id" is not an action id\n' });
  }, 300_000);
});
