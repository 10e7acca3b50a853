import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FEATURE_NAMES, FEATURE_SET_VERSION, MODEL_KINDS, parseTrainedModel } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/test-databases.ts';
import { listModels } from './model-registry.service.ts';
import {
  buildColdStartModels,
  COLD_START_DIR,
  COLD_START_PLAN,
  ensureColdStartModels,
  MANIFEST_FILE,
  readColdStartModels,
} from './cold-start-models.ts';

const now = new Date('2026-11-01T00:00:00Z');

describe('the shipped cold-start models', () => {
  it('parse as trained models of their kind on the current feature set, small enough to ship', () => {
    const manifest = JSON.parse(readFileSync(path.join(COLD_START_DIR, MANIFEST_FILE), 'utf8')) as {
      featureSetVersion: number;
      simulated: { firstSeed: number; accounts: number };
      models: Record<string, { file: string; bytes: number }>;
    };
    expect(manifest.featureSetVersion).toBe(FEATURE_SET_VERSION);
    expect(manifest.simulated).toMatchObject({
      firstSeed: COLD_START_PLAN.firstSeed,
      accounts: COLD_START_PLAN.accounts,
    });
    for (const kind of MODEL_KINDS) {
      const file = path.join(COLD_START_DIR, `${kind}.json`);
      const model = parseTrainedModel(JSON.parse(readFileSync(file, 'utf8')));
      expect(model.kind).toBe(kind);
      expect(model.featureSetVersion).toBe(FEATURE_SET_VERSION);
      expect(model.booster.featureNames).toEqual([...FEATURE_NAMES]);
      expect(model.booster.trees.length).toBeGreaterThan(10);
      expect(statSync(file).size).toBe(manifest.models[kind]?.bytes);
      expect(statSync(file).size).toBeLessThan(2 * 1024 * 1024);
    }
  });

  it('are checked against the manifest: each beats its naive baseline on its holdout', async () => {
    const models = await readColdStartModels();
    expect(models.map((m) => m.kind)).toEqual([...MODEL_KINDS]);
    for (const m of models) {
      expect(m.holdout.rows).toBeGreaterThan(1000);
      expect(m.holdout.model).toBeLessThan(m.holdout.baselines[m.holdout.gate] ?? 0);
    }
  });

  it('refuses an altered or missing file, naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'roas-cold-'));
    cpSync(COLD_START_DIR, dir, { recursive: true });
    const file = path.join(dir, 'fatigue_onset.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"rows":', '"rows": '));
    await expect(readColdStartModels(dir)).rejects.toThrow(/fatigue_onset\.json does not match its hash/);
    await expect(readColdStartModels(path.join(dir, 'nowhere'))).rejects.toThrow(
      /no cold-start models at .*manifest\.json missing.*npm run models:cold-start/,
    );
  });

  it('are built deterministically from the simulated accounts', async () => {
    const plan = { firstSeed: COLD_START_PLAN.firstSeed, accounts: 2 };
    const first = await buildColdStartModels({ plan, workers: 0 });
    const second = await buildColdStartModels({ plan, workers: 0 });
    expect(first.manifest.simulated.rows).toBeGreaterThan(500);
    expect([...second.files.entries()]).toEqual([...first.files.entries()]);
  }, 120_000);
});

describeEachEngine('registering the cold-start models', (get) => {
  it('stores each shipped model once as an active cold-start model, however often it is asked', async () => {
    const { db } = get();
    const first = await ensureColdStartModels(db, { now });
    expect(first.registered).toBe(3);
    const again = await Promise.all([ensureColdStartModels(db, { now }), ensureColdStartModels(db, { now })]);
    expect(again.map((r) => r.registered)).toEqual([0, 0]);
    const models = await listModels(db, undefined);
    expect(models.map((m) => [m.label, m.isActive]).sort()).toEqual([
      ['fatigue_onset@cold-1', true],
      ['purchase_probability@cold-1', true],
      ['roas_forecast@cold-1', true],
    ]);
    const roas = models.find((m) => m.kind === 'roas_forecast');
    expect(roas?.holdout?.gate).toBe('last7Roas');
    expect(roas?.verdict).toMatch(/lower than last7Roas/);
  });
});
