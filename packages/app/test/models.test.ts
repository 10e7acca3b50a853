import { randomUUID } from 'node:crypto';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { predictionsOfRun } from '../src/adapters/db/repositories/models.repository.ts';
import { recommendations } from '../src/adapters/db/schema.ts';
import { runTrainJob } from '../src/jobs/train.job.ts';
import { defaultJobServices } from '../src/jobs/job-services.ts';
import { loadConfig } from '../src/config.ts';
import type { AppContext } from '../src/main.ts';
import { importAdsManagerCsv } from '../src/services/import.service.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import {
  COLD_START_BASELINE,
  holdoutVerdict,
  listModels,
  modelsInUse,
} from '../src/services/models/model-registry.service.ts';
import { trainModels } from '../src/services/models/model-training.service.ts';
import { recommend } from '../src/services/recommend.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { NotFoundError } from '../src/shared/errors.ts';
import { testContext } from './app-context.ts';
import { shopExport } from './recommend-fixture.ts';
import { describeEachEngine } from './test-databases.ts';

describeEachEngine('learning models on a synced account', (get) => {
  let fake: FakeGraphServer;
  let context: AppContext;
  let csvAccount: string;
  const now = () => new Date(fake.control.state().simTime);

  beforeAll(async () => {
    fake = await startFakeGraph({ scenario: { extends: 'default', adSets: 8 }, seed: 11, startDay: 60 });
    context = testContext(get(), fake, { now });
    await connectWithToken(context.meta, fake.accessToken);
    await syncAccount({ db: get().db, now, graph: context.meta.graphFor(fake.accessToken) }, fake.accountId, {
      today: fake.control.state().date,
      historyDays: 70,
      sliceDays: 35,
    });
    const imported = await importAdsManagerCsv(get().db, {
      text: shopExport(),
      fileName: 'shop.csv',
      accountName: 'Shop',
      now: now(),
    });
    csvAccount = imported.account.id;
  });
  afterAll(async () => {
    await fake.close();
  });

  it('trains each kind from the cold start, measured on the last days against the baselines and the cold start', async () => {
    const [run] = await trainModels(get().db, { accountId: fake.accountId, now: now() });
    if (!run) throw new Error('no training result');
    expect(run.account.id).toBe(fake.accountId);
    expect(run.days).toBeGreaterThan(30);
    expect(run.kinds.map((k) => k.kind)).toEqual(['roas_forecast', 'purchase_probability', 'fatigue_onset']);
    for (const k of run.kinds) {
      if (k.status !== 'registered') throw new Error(`${k.kind} skipped: ${k.reason}`);
      expect(k.label).toBe(`${k.kind}@1`);
      expect(k.holdout.alsoBeat).toEqual([COLD_START_BASELINE]);
      expect(k.holdout.baselines[COLD_START_BASELINE]).toEqual(expect.any(Number));
      expect(k.holdout.rows).toBeGreaterThanOrEqual(20);
      // Used exactly when it beats the naive baseline and the cold start on the same holdout.
      expect(k.isActive).toBe(holdoutVerdict(k.holdout).beatsBaseline);
      // Trained on every day with known outcomes, measured on the last ones, all before today.
      expect(k.holdoutFrom > k.trainedFrom).toBe(true);
      expect(k.holdoutTo <= k.trainedTo).toBe(true);
      expect(k.trainedTo < run.asOf).toBe(true);
    }
    const listed = await listModels(get().db, fake.accountId);
    expect(
      listed
        .filter((m) => m.scope === 'cold-start')
        .map((m) => m.label)
        .sort(),
    ).toEqual(['fatigue_onset@cold-1', 'purchase_probability@cold-1', 'roas_forecast@cold-1']);
    expect(listed.filter((m) => m.scope === 'account')).toHaveLength(3);
    const startedFrom = listed.find((m) => m.scope === 'account' && m.kind === 'roas_forecast')?.training
      .startedFrom;
    expect(startedFrom).toBe('roas_forecast@cold-1');
  });

  it('registers nothing for an account with too little history, and says why', async () => {
    const [run] = await trainModels(get().db, { accountId: 'Shop', now: now() });
    expect(run?.kinds.map((k) => k.status)).toEqual(['skipped', 'skipped', 'skipped']);
    for (const k of run?.kinds ?? [])
      if (k.status === 'skipped')
        expect(k.reason).toMatch(/too little history for \w+: \d+ day\(s\) with known outcomes, needs \d+/);
    expect((await listModels(get().db, csvAccount)).filter((m) => m.scope === 'account')).toEqual([]);
    await expect(trainModels(get().db, { accountId: 'act_404', now: now() })).rejects.toThrow(NotFoundError);
  });

  it('with models on, passes their evidence to the engine, stores the predictions and the model versions', async () => {
    const { db } = get();
    const inUse = await modelsInUse(db, fake.accountId);
    expect(inUse.length).toBeGreaterThan(0);
    const runId = randomUUID();
    const [run] = await recommend(db, {
      accountId: fake.accountId,
      dryRun: false,
      now: now(),
      runId,
      ml: true,
    });
    if (!run) throw new Error('no run');
    const labels = inUse.map((m) => m.label);
    expect(run.modelVersion?.split(',')).toEqual(labels);
    const stored = await db.select().from(recommendations).where(eq(recommendations.runId, runId));
    expect(stored.length).toBe(run.recommendations.length);
    for (const row of stored) expect(row.modelVersion).toBe(run.modelVersion);

    // The evidence reached the engine: it is recorded with the decisions and the engine weighed it.
    const evidence = stored.map(
      (r) => (r.inputs as { models?: Record<string, { version: string }> | null }).models,
    );
    expect(evidence.filter(Boolean).length).toBeGreaterThan(0);
    for (const one of evidence)
      for (const prediction of Object.values(one ?? {})) expect(labels).toContain(prediction.version);
    const modelReasons = run.recommendations
      .flatMap((r) => r.reasons)
      .filter((r) => r.ruleId.startsWith('model.'));
    expect(modelReasons.length).toBeGreaterThan(0);

    // Predictions are stored under the model that made them, tagged with the run; once per run.
    const predictions = await predictionsOfRun(db, runId);
    expect(predictions.length).toBeGreaterThan(0);
    const ids = new Set(inUse.map((m) => m.id));
    for (const p of predictions) {
      expect(ids.has(p.modelId)).toBe(true);
      expect(p.predictedFor).toBe(run.asOf);
      expect(p.value.runId).toBe(runId);
      expect(labels).toContain(p.value.model);
    }
    await recommend(db, { accountId: fake.accountId, dryRun: false, now: now(), runId, ml: true });
    expect(await predictionsOfRun(db, runId)).toHaveLength(predictions.length);

    // A dry run predicts and decides the same way but stores nothing.
    const [dry] = await recommend(db, { accountId: fake.accountId, dryRun: true, now: now(), ml: true });
    expect(dry?.modelVersion).toBe(run.modelVersion);
    expect(dry?.recommendations.map((r) => [r.entityId, r.confidence, r.risks])).toEqual(
      run.recommendations.map((r) => [r.entityId, r.confidence, r.risks]),
    );
  });

  it('with models off (--no-ml), decides without them: no model version, no predictions, no model reasons', async () => {
    const { db } = get();
    const runId = randomUUID();
    const [run] = await recommend(db, {
      accountId: fake.accountId,
      dryRun: false,
      now: now(),
      runId,
      ml: false,
    });
    expect(run?.modelVersion).toBeNull();
    const stored = await db.select().from(recommendations).where(eq(recommendations.runId, runId));
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) {
      expect(row.modelVersion).toBeNull();
      expect((row.inputs as { models: unknown }).models).toBeNull();
    }
    expect(await predictionsOfRun(db, runId)).toEqual([]);
    expect(
      run?.recommendations.flatMap((r) => r.reasons).filter((r) => r.ruleId.startsWith('model.')),
    ).toEqual([]);
  });

  it('the train job trains every account, and does nothing while models are off', async () => {
    const env = {
      context,
      services: defaultJobServices,
      jobId: randomUUID(),
      logger: pino({ level: 'silent' }),
    };
    const off = await runTrainJob({
      ...env,
      context: { ...context, config: loadConfig({ ML_ENABLED: 'false' }, '/') },
    });
    expect(off.status).toBe('skipped');
    expect(off.summary.reason).toMatch(/ML_ENABLED=false/);
    expect(() => loadConfig({ ML_ENABLED: 'maybe' }, '/')).toThrow(/ML_ENABLED: must be true or false/);
    const before = (await listModels(get().db, fake.accountId)).filter((m) => m.scope === 'account').length;
    const on = await runTrainJob(env);
    expect(on).toMatchObject({ status: 'done', summary: { accounts: 2, registered: 3, skipped: 3 } });
    const after = (await listModels(get().db, fake.accountId)).filter((m) => m.scope === 'account').length;
    expect(after).toBe(before + 3);
  });
});
