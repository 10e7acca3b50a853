// Seeds the API benchmark's account straight through the repositories: 10,000 ad sets in 100 campaigns
// and two runs of recommendations shaped like the engine's (as many reasons and guardrails, as long).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Database } from '../src/adapters/db/database.ts';
import { upsertAccount } from '../src/adapters/db/repositories/accounts.repository.ts';
import {
  upsertSyncedAdsets,
  upsertSyncedCampaigns,
  type SyncedAdset,
  type SyncedCampaign,
} from '../src/adapters/db/repositories/meta-objects.repository.ts';
import {
  storeRecommendationRun,
  type NewRecommendation,
} from '../src/adapters/db/repositories/recommendations.repository.ts';
import { addUser } from '../src/services/users.service.ts';

export const BENCH_ACCOUNT = 'act_900000000000001';
export const BENCH_USER = { username: 'bench', password: 'bench password 123' };

// A decision as the engine stores it: as many reasons and guardrails, with texts as long.
const reasonTemplate = [
  ['gate.minSpend', 'spend', 'spent 681.94 of the 69.28 needed to judge'],
  ['gate.minPurchases', 'purchases', '8 purchase(s) of the 2 needed'],
  ['gate.minAge', 'days live', '59 day(s) live of the 2 needed'],
  ['gate.zeroConversion', 'spend with no purchase', 'has purchases: the zero-conversion path does not apply'],
  ['bucket.winner', 'P(ROAS > winner line)', "P(ROAS > 4.72, 1.2x the account's 1.97) is 0%"],
  ['bucket.average', 'P(ROAS > average line)', "P(ROAS > 3.54, 0.9x the account's) is 0%"],
  ['bucket.breakEven', 'P(ROAS > break-even)', 'P(ROAS > break-even 1.67) is 28%'],
  ['trend.volatileCpa', 'CPA coefficient of variation', 'daily CPA varies by 34%'],
  ['trend.spendAcceleration', 'spend acceleration', 'spend of the last 3 days is +3% on the 4 before'],
  ['trend.slope', 'ROAS change per day (relative)', 'lag-corrected ROAS moves +24.8% a day'],
  ['matrix', 'cell', 'loser / volatile: the matrix says Pause'],
  ['audience.modifier', 'audience', 'retargeting: max scale 15%, fatigue at a lower frequency'],
  ['fatigue.index', 'fatigue index', 'frequency 1.0 with CTR 3% under its peak: no fatigue'],
  ['hysteresis', 'consecutive runs', 'PAUSE concluded on 2 of the 2 runs needed'],
].map(([ruleId, metric, text], i) => ({
  ruleId,
  metric,
  observed: i * 1.37,
  threshold: i * 0.5,
  passed: i % 3 !== 0,
  text,
}));
const guardrailTemplate = [
  'guardrail.killSwitch',
  'guardrail.cbo',
  'guardrail.learningPhase',
  'guardrail.cooldown',
  'guardrail.changesPerHour',
  'guardrail.minSpendForPause',
  'guardrail.maxScale',
  'guardrail.dailyIncrease',
  'guardrail.minBudget',
].map((id) => ({
  id,
  passed: true,
  changed: false,
  text: `${id.split('.')[1]}: within the limit set in the rules`,
}));
const ACTIONS = ['SCALE', 'HOLD', 'HOLD', 'PAUSE', 'RETEST', 'HOLD'] as const;
const CONFIDENCES = ['HIGH', 'MEDIUM', 'LOW'] as const;
const STAGES = ['testing', 'validation', 'scaling', null] as const;
const AUDIENCES = ['broad', 'interest', 'lookalike', 'retargeting'] as const;

/** Seeds the account, its ad sets and two runs (a day apart), and a viewer to sign in as. */
export async function seedApiBench(
  database: Database,
  adsetCount: number,
): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  const { db } = database;
  const now = new Date();
  await upsertAccount(
    db,
    {
      id: BENCH_ACCOUNT,
      source: 'meta',
      externalId: BENCH_ACCOUNT.slice(4),
      name: 'Bench shop',
      currency: 'USD',
      timezone: 'America/New_York',
    },
    now,
  );
  const campaigns: SyncedCampaign[] = Array.from({ length: 100 }, (_, c) => ({
    id: `c${c}`,
    accountId: BENCH_ACCOUNT,
    name: `[${['TEST', 'VAL', 'SCALE', 'X'][c % 4]}] Campaign ${c}`,
    objective: 'OUTCOME_SALES',
    status: 'ACTIVE',
    budgetOwner: 'adset',
    dailyBudgetMinor: null,
    lifetimeBudgetMinor: null,
  }));
  await upsertSyncedCampaigns(db, campaigns, now);
  const adsets: SyncedAdset[] = Array.from({ length: adsetCount }, (_, i) => ({
    id: `s${i}`,
    accountId: BENCH_ACCOUNT,
    campaignId: `c${i % 100}`,
    name: `Ad set ${i} · ${AUDIENCES[i % 4]}`,
    status: 'ACTIVE',
    dailyBudgetMinor: BigInt(5000 + (i % 50) * 100),
    lifetimeBudgetMinor: null,
    learningStage: 'SUCCESS',
    audienceType: AUDIENCES[i % 4] ?? 'broad',
    lookalikePercent: null,
  }));
  await upsertSyncedAdsets(db, adsets, now);
  let rows = 0;
  for (const [run, at] of [
    [randomUUID(), new Date(now.getTime() - 86_400_000)],
    [randomUUID(), now],
  ] as const) {
    const batch: NewRecommendation[] = adsets.map((adset, i) => {
      const action = ACTIONS[(i + rows) % ACTIONS.length] ?? 'HOLD';
      const budget = adset.dailyBudgetMinor ?? 5000n;
      return {
        runId: run,
        accountId: BENCH_ACCOUNT,
        level: 'adset',
        entityId: adset.id,
        action,
        scalePercent: action === 'SCALE' ? '20.00' : null,
        newDailyBudgetMinor: action === 'SCALE' ? (budget * 6n) / 5n : null,
        confidence: CONFIDENCES[i % 3] ?? 'LOW',
        bucket: ['winner', 'average', 'loser'][i % 3] ?? null,
        trend: ['stable', 'improving', 'declining', 'volatile'][i % 4] ?? null,
        stage: STAGES[i % 4] ?? null,
        reasons: reasonTemplate,
        risks: i % 5 === 0 ? ['frequency rising: watch for fatigue'] : [],
        guardrails: guardrailTemplate,
        inputs: {
          asOf: at.toISOString().slice(0, 10),
          concludedAction: action,
          name: adset.name,
          appliesTo: 'adset',
          roas: { mean: 2.1, lo: 1.4, hi: 3.2, probabilityAboveBreakEven: 0.81 },
          audience: { type: adset.audienceType, lookalikePercent: null },
          state: { dailyBudgetMinor: budget.toString() },
        },
        explanation: `${action} ${adset.name} (medium confidence): ROAS 2.10 [1.40–3.20] over 7 days against the account's 1.97, trend stable; every guardrail passed.`,
        settingsVersion: 0,
        engineVersion: '0.1.0',
        generatedAt: at,
      };
    });
    await storeRecommendationRun(db, { runId: run, accountId: BENCH_ACCOUNT }, batch);
    rows += batch.length;
  }
  await addUser(
    db,
    { ...BENCH_USER, role: 'viewer' },
    {
      actor: { kind: 'system', name: 'bench' },
    },
  );
  return { rows, seconds: (performance.now() - started) / 1000 };
}
