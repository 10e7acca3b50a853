// The models' part of a decision run: the account's models in use predict every ad set from the same
// facts the engine reads; the predictions go to the engine as evidence and are stored with their model.
import {
  MODEL_KINDS,
  parseTrainedModel,
  predictModelEvidence,
  type AccountInput,
  snapshotFromAccountInput,
  type EvidenceModels,
  type ModelEvidence,
  type ModelKind,
  type TrainedModel,
} from '@roas/core';
import type { Db } from '../../adapters/db/database.ts';
import { insertPredictions } from '../../adapters/db/repositories/models.repository.ts';
import { ensureColdStartModels } from './cold-start-models.ts';
import { modelsInUse } from './model-registry.service.ts';

export type AccountModelEvidence = {
  /** Each ad set's evidence by entity id (absent: no model predicted it). */
  evidence: Map<string, ModelEvidence>;
  /** The models that predicted, as recommendations record them: `roas_forecast@2,purchase_probability@cold-1`. */
  modelVersion: string | null;
  models: { id: string; kind: ModelKind; label: string }[];
  /** What the models could not do, in plain words. */
  notes: string[];
  predictedFor: string;
};

// Stored models never change: parse each one once per process (a few, a few hundred KiB each).
const parsed = new Map<string, TrainedModel>();
const PARSED_CACHE = 32;

function parseOnce(id: string, artifact: Record<string, unknown>): TrainedModel {
  let model = parsed.get(id);
  if (!model) {
    model = parseTrainedModel(artifact);
    if (parsed.size >= PARSED_CACHE) parsed.delete(parsed.keys().next().value ?? '');
    parsed.set(id, model);
  }
  return model;
}

/**
 * Predicts every ad set of the account with its models in use (its own where one won its holdout, else
 * the cold start, registered on first use). A model that cannot be read or cannot predict is left out
 * with a note: the models never stop a decision run.
 */
export async function accountModelEvidence(
  db: Db,
  accountId: string,
  input: AccountInput,
  options: { now: Date },
): Promise<AccountModelEvidence> {
  const notes: string[] = [];
  const empty = (): AccountModelEvidence => ({
    evidence: new Map(),
    modelVersion: null,
    models: [],
    notes,
    predictedFor: input.asOf,
  });
  try {
    await ensureColdStartModels(db, { now: options.now });
  } catch (error) {
    notes.push(`cold-start models not loaded: ${(error as Error).message}`);
  }
  const inUse = await modelsInUse(db, accountId);
  const models: EvidenceModels = {};
  const used: AccountModelEvidence['models'] = [];
  for (const kind of MODEL_KINDS) {
    const row = inUse.find((m) => m.kind === kind);
    if (!row?.holdout) continue;
    const baseline = row.holdout.baselines[row.holdout.gate];
    if (baseline === undefined) continue;
    try {
      models[kind] = {
        model: parseOnce(row.id, row.artifact),
        error: row.holdout.model,
        baselineError: baseline,
        version: row.label,
      };
      used.push({ id: row.id, kind, label: row.label });
    } catch (error) {
      notes.push(`model ${row.label} left out: ${(error as Error).message}`);
    }
  }
  if (used.length === 0) {
    notes.push('no learning model is in use for this account: decided without model evidence');
    return empty();
  }
  let predicted: ModelEvidence[];
  try {
    predicted = predictModelEvidence(snapshotFromAccountInput(input), models);
  } catch (error) {
    notes.push(`models left out: ${(error as Error).message} (run \`roas train\`)`);
    return empty();
  }
  const evidence = new Map<string, ModelEvidence>();
  // The snapshot holds the ad sets only, in the input's order: the models are trained on ad sets.
  input.entities
    .filter((entity) => entity.level === 'adset')
    .forEach((entity, i) => {
      const one = predicted[i];
      if (one && Object.keys(one).length > 0) evidence.set(entity.entityId, one);
    });
  return {
    evidence,
    modelVersion: used.map((m) => m.label).join(','),
    models: used,
    notes,
    predictedFor: input.asOf,
  };
}

/** The engine's input with each ad set's model evidence attached. */
export function withModelEvidence(input: AccountInput, models: AccountModelEvidence): AccountInput {
  return {
    ...input,
    entities: input.entities.map((entity) => {
      const evidence = models.evidence.get(entity.entityId);
      return evidence ? { ...entity, models: evidence } : entity;
    }),
  };
}

const KIND_OF: Record<keyof ModelEvidence, ModelKind> = {
  roasForecast: 'roas_forecast',
  purchaseProbability: 'purchase_probability',
  fatigueOnset: 'fatigue_onset',
};

/** Stores the run's predictions, each under the model that made it; a retried run stores none twice. */
export async function storeModelPredictions(
  db: Db,
  models: AccountModelEvidence,
  runId: string,
): Promise<number> {
  let stored = 0;
  for (const model of models.models) {
    const rows: Parameters<typeof insertPredictions>[2][number][] = [];
    for (const [entityId, evidence] of models.evidence) {
      for (const [key, kind] of Object.entries(KIND_OF) as [keyof ModelEvidence, ModelKind][]) {
        const one = evidence[key];
        if (kind !== model.kind || !one) continue;
        const value = 'value' in one ? { roas: one.value } : { probability: one.probability };
        rows.push({
          level: 'adset',
          entityId,
          predictedFor: models.predictedFor,
          value: { ...value, model: model.label },
        });
      }
    }
    stored += await insertPredictions(db, model.id, rows, { runId });
  }
  return stored;
}
