// `roas train` and the train job: per account, the cold-start models refined on the account's own
// history, measured on its last days against the naive baselines and the cold start, then registered.
import { performance } from 'node:perf_hooks';
import {
  datasetFromHistory,
  evaluateModel,
  evaluationRows,
  FEATURE_NAMES,
  LABEL_RULES,
  labelledRows,
  MODEL_KINDS,
  parseTrainedModel,
  selectRows,
  trainModel,
  type ModelDataset,
  type ModelKind,
  type TrainedModel,
} from '@roas/core';
import type { Db } from '../../adapters/db/database.ts';
import { listAccounts, type AccountRow } from '../../adapters/db/repositories/accounts.repository.ts';
import { activeColdStartModels } from '../../adapters/db/repositories/models.repository.ts';
import { NotFoundError, UserError } from '../../shared/errors.ts';
import { loadAccountHistory } from './account-history.service.ts';
import { ensureColdStartModels } from './cold-start-models.ts';
import { COLD_START_BASELINE, modelLabel, registerModel, type Holdout } from './model-registry.service.ts';

/**
 * How much history a model needs. The holdout is the last days with matured labels (a fifth of them,
 * at least a week); the days just before it whose labels reach into it are left out of training.
 */
export const TRAINING_LIMITS = {
  holdoutShare: 0.2,
  minHoldoutDays: 7,
  minTrainDays: 14,
  minTrainRows: 60,
  minHoldoutRows: 20,
} as const;

const HORIZON_DAYS: Record<ModelKind, number> = {
  roas_forecast: LABEL_RULES.roasHorizonDays,
  purchase_probability: LABEL_RULES.purchaseHorizonDays,
  fatigue_onset: LABEL_RULES.fatigueHorizonDays,
};

export type KindTraining =
  | {
      kind: ModelKind;
      status: 'registered';
      id: string;
      version: number;
      label: string;
      isActive: boolean;
      reason: string;
      holdout: Holdout;
      trainRows: number;
      trainedFrom: string;
      trainedTo: string;
      holdoutFrom: string;
      holdoutTo: string;
    }
  | { kind: ModelKind; status: 'skipped'; reason: string };

export type AccountTraining = {
  account: { id: string; name: string };
  asOf: string;
  /** Days with matured labels (rows the models can learn from). */
  days: number;
  rows: number;
  kinds: KindTraining[];
  seconds: number;
};

const dateOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

function uniqueDays(data: ModelDataset): number[] {
  return [...new Set(data.day)].sort((a, b) => a - b);
}

/** Splits one kind's labelled rows into training days and the holdout (the last days), or says why not. */
export function holdoutSplit(
  kind: ModelKind,
  data: ModelDataset,
): { train: ModelDataset; holdout: ModelDataset; days: number[]; cut: number } | { reason: string } {
  const labelled = labelledRows(kind, data);
  const days = uniqueDays(labelled);
  const holdoutDays = Math.max(
    TRAINING_LIMITS.minHoldoutDays,
    Math.round(days.length * TRAINING_LIMITS.holdoutShare),
  );
  const gap = HORIZON_DAYS[kind] - 1;
  const needed = TRAINING_LIMITS.minTrainDays + gap + holdoutDays;
  if (days.length < needed)
    return {
      reason: `too little history for ${kind}: ${days.length} day(s) with known outcomes, needs ${needed} (${TRAINING_LIMITS.minTrainDays} to train on, ${holdoutDays} to test on, ${gap} between them)`,
    };
  const cut = days[days.length - holdoutDays] ?? Infinity;
  const train = selectRows(labelled, (i) => (labelled.day[i] ?? 0) < cut - gap);
  const holdout = evaluationRows(
    kind,
    selectRows(labelled, (i) => (labelled.day[i] ?? 0) >= cut),
  );
  if (train.rows < TRAINING_LIMITS.minTrainRows || holdout.rows < TRAINING_LIMITS.minHoldoutRows)
    return {
      reason: `too little history for ${kind}: ${train.rows} ad set-day(s) to train on and ${holdout.rows} to test on (needs ${TRAINING_LIMITS.minTrainRows} and ${TRAINING_LIMITS.minHoldoutRows})`,
    };
  return { train, holdout, days, cut };
}

/** What the account uses when its own model is not used: the cold start, unless it lost to the baseline too. */
function fallback(own: Holdout, coldScore: number, coldLabel: string): string {
  const naive = own.baselines[own.gate] ?? 0;
  return coldScore < naive
    ? `${coldLabel} stays in use`
    : `${coldLabel} does no better here (${coldScore.toFixed(4)} vs ${own.gate} ${naive.toFixed(4)}), so no model of this kind is used for this account`;
}

/**
 * Trains one kind: the cold start boosted on the training days is measured on the holdout beside the
 * naive baseline and the cold start itself (it must beat both to be used), then the same recipe is
 * refitted on every labelled day and registered as the account's next version.
 */
async function trainKind(
  db: Db,
  account: AccountRow,
  kind: ModelKind,
  data: ModelDataset,
  cold: { model: TrainedModel; label: string } | undefined,
  now: Date,
): Promise<KindTraining> {
  if (!cold) return { kind, status: 'skipped', reason: `no cold-start ${kind} model to start from` };
  const split = holdoutSplit(kind, data);
  if ('reason' in split) return { kind, status: 'skipped', reason: split.reason };
  const measured = trainModel(kind, split.train, { init: cold.model }).model;
  const own = evaluateModel(measured, split.holdout).holdout;
  const coldScore = evaluateModel(cold.model, split.holdout).holdout.model;
  const holdout: Holdout = {
    ...own,
    baselines: { ...own.baselines, [COLD_START_BASELINE]: coldScore },
    alsoBeat: [COLD_START_BASELINE],
  };
  const final = trainModel(kind, labelledRows(kind, data), { init: cold.model }).model;
  const holdoutFrom = dateOf(split.cut);
  const holdoutTo = dateOf(split.days.at(-1) ?? split.cut);
  const registered = await registerModel(db, {
    accountId: account.id,
    kind,
    features: [...FEATURE_NAMES],
    trainedFrom: final.training.from,
    trainedTo: final.training.to,
    holdout,
    training: {
      ...final.training,
      startedFrom: cold.label,
      holdoutFrom,
      holdoutTo,
      measuredOnRows: split.train.rows,
    },
    artifact: final,
    now,
  });
  return {
    kind,
    status: 'registered',
    id: registered.id,
    version: registered.version,
    label: modelLabel(kind, 'account', registered.version),
    isActive: registered.isActive,
    reason: registered.isActive
      ? registered.reason
      : `${registered.reason}; ${fallback(own, coldScore, cold.label)}`,
    holdout,
    trainRows: final.training.rows,
    trainedFrom: final.training.from,
    trainedTo: final.training.to,
    holdoutFrom,
    holdoutTo,
  };
}

/** Trains and registers one account's models; kinds without enough history are skipped with the reason. */
export async function trainAccountModels(
  db: Db,
  account: AccountRow,
  options: { now: Date },
): Promise<AccountTraining> {
  const started = performance.now();
  await ensureColdStartModels(db, { now: options.now });
  const cold = new Map<ModelKind, { model: TrainedModel; label: string }>();
  for (const row of await activeColdStartModels(db))
    cold.set(row.kind, {
      model: parseTrainedModel(row.artifact),
      label: modelLabel(row.kind, 'cold-start', row.version),
    });
  const { history } = await loadAccountHistory(db, account, options);
  // Seeded: the lag thinning of the newest days is the same on every run over the same data.
  const data = datasetFromHistory(history, { seed: 1 });
  const kinds: KindTraining[] = [];
  for (const kind of MODEL_KINDS)
    kinds.push(await trainKind(db, account, kind, data, cold.get(kind), options.now));
  return {
    account: { id: account.id, name: account.name },
    asOf: history.asOf,
    days: uniqueDays(data).length,
    rows: data.rows,
    kinds,
    seconds: (performance.now() - started) / 1000,
  };
}

async function chooseAccounts(db: Db, wanted: string | undefined): Promise<AccountRow[]> {
  const all = await listAccounts(db);
  if (wanted === undefined) {
    if (all.length === 0)
      throw new UserError(
        'no accounts yet: import an export (`roas import`) or connect Meta (`roas accounts add`)',
      );
    return all;
  }
  const byId = all.find((a) => a.id === wanted || a.id === `act_${wanted}`);
  if (byId) return [byId];
  const byName = all.filter((a) => a.name === wanted);
  if (byName.length === 1) return byName;
  if (byName.length > 1)
    throw new UserError(`--account "${wanted}": several accounts share that name; use the id`);
  throw new NotFoundError(`--account "${wanted}": no such account`);
}

/** Trains every account's models (or one account's, by id or exact name), one account after another. */
export async function trainModels(
  db: Db,
  options: { accountId?: string | undefined; now: Date },
): Promise<AccountTraining[]> {
  const accounts = await chooseAccounts(db, options.accountId);
  const results: AccountTraining[] = [];
  for (const account of accounts) results.push(await trainAccountModels(db, account, { now: options.now }));
  return results;
}
