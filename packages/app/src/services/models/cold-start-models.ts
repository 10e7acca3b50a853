// The cold-start models shipped with the app (packages/app/models/cold-start): how they are built from
// simulated accounts, read back and checked, and registered into the database on first use.
import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  concatDatasets,
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  MODEL_KINDS,
  parseTrainedModel,
  trainModel,
  type ModelKind,
  type TrainedModel,
} from '@roas/core';
import { generateModelData, PRESET_NAMES, type ModelDataJob } from '@roas/sim';
import { z } from 'zod';
import type { Db } from '../../adapters/db/database.ts';
import { coldStartSourceKeys } from '../../adapters/db/repositories/models.repository.ts';
import { UserError } from '../../shared/errors.ts';
import { holdoutSchema, registerModel, type Holdout } from './model-registry.service.ts';

export const COLD_START_DIR = fileURLToPath(new URL('../../../models/cold-start/', import.meta.url));
export const MANIFEST_FILE = 'manifest.json';

/**
 * The simulated accounts the cold start learns from: the seeds `bench:models` trains on (100000 up),
 * every preset in turn, under the equal, rules and engine policies in turn, so the histories hold the
 * budget moves each kind of buyer makes. Disjoint from the benchmark's held-out seeds (1-50).
 */
export const COLD_START_PLAN = {
  firstSeed: 100_000,
  accounts: 135,
  policies: ['equal', 'rules', 'engine'],
} as const;

export function coldStartJobs(
  plan: { firstSeed: number; accounts: number } = COLD_START_PLAN,
): ModelDataJob[] {
  return Array.from({ length: plan.accounts }, (_, i) => ({
    preset: PRESET_NAMES[i % PRESET_NAMES.length] ?? 'default',
    policy:
      COLD_START_PLAN.policies[Math.floor(i / PRESET_NAMES.length) % COLD_START_PLAN.policies.length] ??
      'equal',
    seed: plan.firstSeed + i,
    accountIndex: i,
    historyAt: null,
  }));
}

const manifestEntry = z.object({
  file: z.string().regex(/^[a-z_]+\.json$/, 'a file name in the same folder'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256'),
  bytes: z.number().int().positive(),
  holdout: holdoutSchema,
});

const manifestSchema = z.object({
  format: z.literal('roas-pilot.cold-start'),
  featureSetVersion: z.number().int().min(1),
  simulated: z.object({
    firstSeed: z.number().int(),
    accounts: z.number().int().positive(),
    presets: z.array(z.string()),
    policies: z.array(z.string()),
    rows: z.number().int().nonnegative(),
  }),
  models: z.object({
    roas_forecast: manifestEntry,
    purchase_probability: manifestEntry,
    fatigue_onset: manifestEntry,
  }),
});
export type ColdStartManifest = z.infer<typeof manifestSchema>;

export type ColdStartModel = {
  kind: ModelKind;
  model: TrainedModel;
  /** The file's JSON as stored (the registry keeps it as the artifact). */
  artifact: Record<string, unknown>;
  sha256: string;
  bytes: number;
  holdout: Holdout;
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Simulates the plan's accounts and trains each kind on them with the default settings. Deterministic:
 * the same plan gives byte-identical files (seeded market, seeded booster, results in job order).
 */
export async function buildColdStartModels(
  options: {
    plan?: { firstSeed: number; accounts: number };
    workers?: number;
    onProgress?: (message: string) => void;
  } = {},
): Promise<{ manifest: ColdStartManifest; files: Map<string, string> }> {
  const plan = options.plan ?? COLD_START_PLAN;
  const jobs = coldStartJobs(plan);
  const results = await generateModelData(jobs, { workers: options.workers ?? 2 });
  const data = concatDatasets(results.map((r) => r.dataset));
  options.onProgress?.(`simulated ${jobs.length} accounts: ${data.rows} ad set-days`);
  const files = new Map<string, string>();
  const entries = {} as Record<ModelKind, z.infer<typeof manifestEntry>>;
  for (const kind of MODEL_KINDS) {
    const fit = trainModel(kind, data);
    if (!fit.holdout) throw new Error(`training the ${kind} cold start held nothing out to measure it on`);
    const text = JSON.stringify(fit.model);
    const file = `${kind}.json`;
    files.set(file, text);
    entries[kind] = {
      file,
      sha256: sha256(text),
      bytes: Buffer.byteLength(text),
      holdout: holdoutSchema.parse(fit.holdout.holdout),
    };
    options.onProgress?.(
      `${kind}: ${fit.model.training.trees} trees on ${fit.model.training.rows} rows, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`,
    );
  }
  const manifest: ColdStartManifest = {
    format: 'roas-pilot.cold-start',
    featureSetVersion: FEATURE_SET_VERSION,
    simulated: {
      firstSeed: plan.firstSeed,
      accounts: plan.accounts,
      presets: [...PRESET_NAMES],
      policies: [...COLD_START_PLAN.policies],
      rows: data.rows,
    },
    models: entries,
  };
  files.set(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, files };
}

export async function writeColdStartModels(dir: string, files: Map<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) await writeFile(path.join(dir, name), text);
}

/** Thrown when the shipped models are missing, altered or from another feature set: rebuild them. */
export class ColdStartModelsError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ColdStartModelsError';
  }
}

const REBUILD = 'rebuild them with `npm run models:cold-start`';

/**
 * Reads and checks the shipped cold-start models: the manifest, each file's hash, its format
 * (`parseTrainedModel`) and feature set. Throws `ColdStartModelsError` naming the file at fault.
 */
export async function readColdStartModels(dir: string = COLD_START_DIR): Promise<ColdStartModel[]> {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let manifestText: string;
  try {
    manifestText = await readFile(manifestPath, 'utf8');
  } catch {
    throw new ColdStartModelsError(`no cold-start models at ${dir} (${MANIFEST_FILE} missing): ${REBUILD}`);
  }
  const parsed = manifestSchema.safeParse(JSON.parse(manifestText));
  if (!parsed.success)
    throw new ColdStartModelsError(
      `${manifestPath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const manifest = parsed.data;
  if (manifest.featureSetVersion !== FEATURE_SET_VERSION)
    throw new ColdStartModelsError(
      `${manifestPath}: the models read feature set v${manifest.featureSetVersion}, this version computes v${FEATURE_SET_VERSION}: ${REBUILD}`,
    );
  const out: ColdStartModel[] = [];
  for (const kind of MODEL_KINDS) {
    const entry = manifest.models[kind];
    const file = path.join(dir, entry.file);
    const text = await readFile(file, 'utf8').catch(() => {
      throw new ColdStartModelsError(`${file} is missing: ${REBUILD}`);
    });
    const hash = sha256(text);
    if (hash !== entry.sha256)
      throw new ColdStartModelsError(`${file} does not match its hash in ${MANIFEST_FILE}: ${REBUILD}`);
    const artifact = JSON.parse(text) as Record<string, unknown>;
    let model: TrainedModel;
    try {
      model = parseTrainedModel(artifact);
    } catch (error) {
      throw new ColdStartModelsError(`${file}: ${(error as Error).message}`);
    }
    if (model.kind !== kind || model.featureSetVersion !== FEATURE_SET_VERSION)
      throw new ColdStartModelsError(
        `${file}: a ${model.kind} model on feature set v${model.featureSetVersion}, expected ${kind} on v${FEATURE_SET_VERSION}`,
      );
    out.push({ kind, model, artifact, sha256: hash, bytes: entry.bytes, holdout: entry.holdout });
  }
  return out;
}

// The shipped files do not change while a process runs: read and hash them once.
const shipped = new Map<string, Promise<ColdStartModel[]>>();

function shippedModels(dir: string): Promise<ColdStartModel[]> {
  let models = shipped.get(dir);
  if (!models) {
    models = readColdStartModels(dir);
    // A failed read is tried again next time (the files may have been rebuilt meanwhile).
    void models.catch(() => shipped.delete(dir));
    shipped.set(dir, models);
  }
  return models;
}

/**
 * Registers the shipped cold-start models (account_id null) that the database does not hold yet, each
 * under its file's hash: calling it again, from any process, stores nothing twice. A rebuilt model is
 * a new version that supersedes the older one. Returns how many were stored now.
 */
export async function ensureColdStartModels(
  db: Db,
  options: { now: Date; dir?: string },
): Promise<{ registered: number; models: ColdStartModel[] }> {
  const models = await shippedModels(options.dir ?? COLD_START_DIR);
  const stored = await coldStartSourceKeys(
    db,
    models.map((m) => m.sha256),
  );
  let registered = 0;
  for (const shippedModel of models) {
    if (stored.has(shippedModel.sha256)) continue;
    const { model } = shippedModel;
    const result = await registerModel(db, {
      accountId: null,
      kind: shippedModel.kind,
      features: [...FEATURE_NAMES],
      trainedFrom: model.training.from,
      trainedTo: model.training.to,
      holdout: shippedModel.holdout,
      training: { ...model.training, source: 'simulated accounts (npm run models:cold-start)' },
      artifact: shippedModel.artifact,
      now: options.now,
      sourceKey: shippedModel.sha256,
    });
    if (result.inserted) registered++;
  }
  return { registered, models };
}
