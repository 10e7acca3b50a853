import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/test-databases.ts';
import { upsertAccount } from '../../adapters/db/repositories/accounts.repository.ts';
import {
  insertPredictions,
  latestPredictions,
  predictionsOfRun,
} from '../../adapters/db/repositories/models.repository.ts';
import {
  COLD_START_BASELINE,
  holdoutVerdict,
  listModels,
  modelLabel,
  modelsInUse,
  modelUsage,
  registerModel,
  type Holdout,
} from './model-registry.service.ts';

const now = new Date('2026-11-01T00:00:00Z');

const holdout = (model: number, naive: number): Holdout => ({
  metric: 'mae',
  model,
  baselines: { 'last-7-day ROAS': naive, 'account mean': naive * 1.1 },
  gate: 'last-7-day ROAS',
  rows: 500,
  rankCorrelation: 0.4,
});

const trained = (accountId: string | null, h: Holdout) => ({
  accountId,
  kind: 'roas_forecast' as const,
  features: ['roas_7d', 'roas_28d'],
  trainedFrom: '2026-08-01',
  trainedTo: '2026-10-24',
  holdout: h,
  training: { trees: 40 },
  artifact: { format: 'test', trees: [] },
  now,
});

describe('holdoutVerdict', () => {
  it('uses a model only when it is strictly better than the gate baseline', () => {
    expect(holdoutVerdict(holdout(0.8, 1)).beatsBaseline).toBe(true);
    expect(holdoutVerdict(holdout(1, 1)).beatsBaseline).toBe(false);
    expect(holdoutVerdict(holdout(1.2, 1)).reason).toMatch(/not lower than last-7-day ROAS/);
    expect(holdoutVerdict({ ...holdout(0.5, 1), rows: 0 }).beatsBaseline).toBe(false);
    expect(holdoutVerdict({ ...holdout(0.5, 1), gate: 'missing' }).reason).toMatch(/no "missing" baseline/);
  });

  it('with alsoBeat, also needs to be strictly better than each named baseline (the cold start)', () => {
    const own = (model: number, cold: number): Holdout => ({
      ...holdout(model, 1),
      baselines: { ...holdout(model, 1).baselines, [COLD_START_BASELINE]: cold },
      alsoBeat: [COLD_START_BASELINE],
    });
    expect(holdoutVerdict(own(0.7, 0.8))).toMatchObject({ beatsBaseline: true });
    expect(holdoutVerdict(own(0.7, 0.8)).reason).toMatch(
      /30\.0% lower than last-7-day ROAS .* and coldStart \(0\.8000\)/,
    );
    // Beats the naive baseline, loses (or ties) to the cold start: not used.
    expect(holdoutVerdict(own(0.7, 0.6))).toMatchObject({ beatsBaseline: false });
    expect(holdoutVerdict(own(0.7, 0.6)).reason).toMatch(
      /beats last-7-day ROAS .* not lower than coldStart \(0\.6000\)/,
    );
    expect(holdoutVerdict(own(0.7, 0.7)).beatsBaseline).toBe(false);
    expect(holdoutVerdict({ ...own(0.5, 0.6), alsoBeat: ['nowhere'] }).reason).toMatch(
      /no "nowhere" baseline/,
    );
  });

  it('names models the way recommendations record them', () => {
    expect(modelLabel('roas_forecast', 'account', 3)).toBe('roas_forecast@3');
    expect(modelLabel('fatigue_onset', 'cold-start', 1)).toBe('fatigue_onset@cold-1');
  });
});

describeEachEngine('model registry', (get) => {
  it('versions per scope and kind, keeps one active, and falls back to the cold-start model', async () => {
    const { db } = get();
    await upsertAccount(db, { id: 'act_1', source: 'meta', name: 'One', currency: 'USD' }, now);

    const cold = await registerModel(db, trained(null, holdout(0.7, 1)));
    expect(cold).toMatchObject({ version: 1, isActive: true });
    expect((await modelsInUse(db, 'act_1')).map((m) => [m.scope, m.version])).toEqual([['cold-start', 1]]);

    // An account model that loses to the naive baseline is stored but not used.
    const worse = await registerModel(db, trained('act_1', holdout(1.3, 1)));
    expect(worse).toMatchObject({ version: 1, isActive: false });
    expect((await modelsInUse(db, 'act_1')).map((m) => m.scope)).toEqual(['cold-start']);

    const better = await registerModel(db, trained('act_1', holdout(0.6, 1)));
    const newer = await registerModel(db, trained('act_1', holdout(0.5, 1)));
    expect([better.version, newer.version]).toEqual([2, 3]);
    const inUse = await modelsInUse(db, 'act_1');
    expect(inUse.map((m) => [m.scope, m.version])).toEqual([['account', 3]]);
    expect(inUse[0]?.artifact).toEqual({ format: 'test', trees: [] });

    const listed = await listModels(db, 'act_1');
    expect(listed.filter((m) => m.isActive).map((m) => [m.scope, m.version])).toEqual([
      ['account', 3],
      ['cold-start', 1],
    ]);
    expect(listed).toHaveLength(4);
    expect(listed.find((m) => m.version === 1 && m.scope === 'account')?.verdict).toMatch(/not used/);
  });

  it('keeps the cold start when the account model loses to it, and a newer loser retires an older winner', async () => {
    const { db } = get();
    await upsertAccount(db, { id: 'act_2', source: 'meta', name: 'Two', currency: 'USD' }, now);
    const withCold = (model: number, cold: number, naive = 1): Holdout => ({
      ...holdout(model, naive),
      baselines: { ...holdout(model, naive).baselines, [COLD_START_BASELINE]: cold },
      alsoBeat: [COLD_START_BASELINE],
    });
    const kind = 'fatigue_onset' as const;
    const cold = await registerModel(db, { ...trained(null, holdout(0.5, 1)), kind });
    const uses = async () =>
      (await modelsInUse(db, 'act_2')).filter((m) => m.kind === kind).map((m) => m.label);

    // Better than the naive baseline, worse than the cold start on the same rows: the cold start stays.
    const loser = await registerModel(db, { ...trained('act_2', withCold(0.8, 0.7)), kind });
    expect(loser).toMatchObject({ isActive: false, inserted: true });
    expect(await uses()).toEqual([`fatigue_onset@cold-${cold.version}`]);

    const winner = await registerModel(db, { ...trained('act_2', withCold(0.6, 0.7)), kind });
    expect(winner.isActive).toBe(true);
    expect(await uses()).toEqual([`fatigue_onset@${winner.version}`]);

    // The newest holdout decides: a newer model that loses retires the older winner (back to the cold start).
    await registerModel(db, { ...trained('act_2', withCold(0.75, 0.7)), kind });
    expect(await uses()).toEqual([`fatigue_onset@cold-${cold.version}`]);

    const usage = await modelUsage(db, 'act_2');
    const row = (version: number) =>
      usage.find((m) => m.scope === 'account' && m.kind === kind && m.version === version);
    expect(row(winner.version)?.usage).toMatch(/superseded by a newer version that is not used/);
    expect(row(loser.version)?.usage).toMatch(/not lower than coldStart/);
    expect(usage.find((m) => m.id === cold.id)).toMatchObject({ inUse: true });

    // When the cold start did no better than the naive baseline on the account's newest holdout, the
    // account uses no model of that kind.
    await registerModel(db, { ...trained('act_2', withCold(1.2, 1.1)), kind });
    expect(await uses()).toEqual([]);
    const withheld = (await modelUsage(db, 'act_2')).find((m) => m.id === cold.id);
    expect(withheld).toMatchObject({ isActive: true, inUse: false });
    expect(withheld?.usage).toMatch(/cold start's MAE 1\.1000 is not lower than last-7-day ROAS \(1\.0000\)/);
    // Other accounts still use it.
    await upsertAccount(db, { id: 'act_3', source: 'meta', name: 'Three', currency: 'USD' }, now);
    expect((await modelsInUse(db, 'act_3')).map((m) => m.id)).toContain(cold.id);
  });

  it('stores a model under a source key once, however often it is registered', async () => {
    const { db } = get();
    const kind = 'purchase_probability' as const;
    const first = await registerModel(db, { ...trained(null, holdout(0.5, 1)), kind, sourceKey: 'sha-a' });
    const again = await Promise.all([
      registerModel(db, { ...trained(null, holdout(0.5, 1)), kind, sourceKey: 'sha-a' }),
      registerModel(db, { ...trained(null, holdout(0.5, 1)), kind, sourceKey: 'sha-a' }),
    ]);
    expect(first.inserted).toBe(true);
    expect(again.map((r) => [r.inserted, r.id])).toEqual([
      [false, first.id],
      [false, first.id],
    ]);
    const rebuilt = await registerModel(db, { ...trained(null, holdout(0.5, 1)), kind, sourceKey: 'sha-b' });
    expect(rebuilt).toMatchObject({ inserted: true, version: first.version + 1, isActive: true });
  });

  it('refuses a holdout that is not numbers', async () => {
    const { db } = get();
    await expect(
      registerModel(db, trained(null, { ...holdout(0.5, 1), model: Number.NaN })),
    ).rejects.toThrow();
  });

  it('stores predictions with their model and reads back the newest per entity', async () => {
    const { db } = get();
    const model = await registerModel(db, {
      ...trained(null, holdout(0.5, 1)),
      kind: 'purchase_probability',
    });
    await insertPredictions(db, model.id, [
      { level: 'adset', entityId: 'as_1', predictedFor: '2026-10-30', value: { p: 0.2 } },
      { level: 'adset', entityId: 'as_1', predictedFor: '2026-10-31', value: { p: 0.3 } },
      { level: 'adset', entityId: 'as_2', predictedFor: '2026-10-31', value: { p: 0.9 } },
    ]);
    const newest = await latestPredictions(db, [model.id], ['as_1', 'as_2', 'as_3']);
    expect(newest.map((p) => [p.entityId, p.predictedFor, p.value.p]).sort()).toEqual([
      ['as_1', '2026-10-31', 0.3],
      ['as_2', '2026-10-31', 0.9],
    ]);
  });

  it("stores a run's predictions once, tagged with the run", async () => {
    const { db } = get();
    const model = await registerModel(db, { ...trained(null, holdout(0.5, 1)), kind: 'fatigue_onset' });
    const rows = [
      { level: 'adset' as const, entityId: 'as_9', predictedFor: '2026-11-01', value: { probability: 0.4 } },
    ];
    const runId = '00000000-0000-4000-8000-000000000001';
    expect(await insertPredictions(db, model.id, rows, { runId })).toBe(1);
    expect(await insertPredictions(db, model.id, rows, { runId })).toBe(0);
    const stored = await predictionsOfRun(db, runId);
    expect(stored).toEqual([
      { modelId: model.id, entityId: 'as_9', predictedFor: '2026-11-01', value: { probability: 0.4, runId } },
    ]);
  });
});
