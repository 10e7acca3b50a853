import { z } from 'zod';
import type { Db } from '../../adapters/db/database.ts';
import {
  activeModelsFor,
  insertModel,
  listModelRows,
  type ModelKind,
  type ModelRow,
} from '../../adapters/db/repositories/models.repository.ts';

/**
 * How a model did on the days it was not trained on, beside the naive baselines. Lower is better for
 * both metrics (MAE, Brier score). `gate` names the baseline a model must beat to be used.
 */
export const holdoutSchema = z.object({
  metric: z.enum(['mae', 'brier']),
  model: z.number().finite().nonnegative(),
  baselines: z.record(z.string(), z.number().finite().nonnegative()),
  gate: z.string(),
  /** Rows (ad set x day) in the holdout. */
  rows: z.number().int().nonnegative(),
  /** Spearman rank correlation of prediction and outcome, when it means something for the kind. */
  rankCorrelation: z.number().finite().nullable(),
  /** Further baselines (names in `baselines`) the model must also beat, e.g. the cold-start model. */
  alsoBeat: z.array(z.string()).optional(),
});
export type Holdout = z.infer<typeof holdoutSchema>;

const fixed4 = (value: number) => value.toFixed(4);

/** Why a model is or is not used, in words for the dashboard and `roas train`. */
export function holdoutVerdict(holdout: Holdout): { beatsBaseline: boolean; reason: string } {
  const baseline = holdout.baselines[holdout.gate];
  if (baseline === undefined)
    return { beatsBaseline: false, reason: `the holdout has no "${holdout.gate}" baseline to compare with` };
  if (holdout.rows === 0) return { beatsBaseline: false, reason: 'the holdout has no rows' };
  const name = holdout.metric === 'mae' ? 'MAE' : 'Brier score';
  const rows = `on ${holdout.rows} holdout rows`;
  if (!(holdout.model < baseline))
    return {
      beatsBaseline: false,
      reason: `${name} ${fixed4(holdout.model)} is not lower than ${holdout.gate} (${fixed4(baseline)}) ${rows}: the model is kept but not used`,
    };
  for (const other of holdout.alsoBeat ?? []) {
    const value = holdout.baselines[other];
    if (value === undefined)
      return { beatsBaseline: false, reason: `the holdout has no "${other}" baseline to compare with` };
    if (!(holdout.model < value))
      return {
        beatsBaseline: false,
        reason: `${name} ${fixed4(holdout.model)} beats ${holdout.gate} (${fixed4(baseline)}) but is not lower than ${other} (${fixed4(value)}) ${rows}: the model is kept but not used`,
      };
  }
  const change = baseline === 0 ? 0 : (holdout.model - baseline) / baseline;
  const also = (holdout.alsoBeat ?? []).map(
    (other) => ` and ${other} (${fixed4(holdout.baselines[other] ?? 0)})`,
  );
  return {
    beatsBaseline: true,
    reason: `${name} ${fixed4(holdout.model)} is ${Math.abs(change * 100).toFixed(1)}% lower than ${holdout.gate} (${fixed4(baseline)})${also.join('')} ${rows}`,
  };
}

export type RegisteredModel = {
  id: string;
  version: number;
  isActive: boolean;
  reason: string;
  /** False when a model with the same `sourceKey` was stored already (nothing new was written). */
  inserted: boolean;
};

/**
 * Records a trained model as its scope's newest version, retiring the older ones. It is used (active)
 * only when it beats the naive baseline on its holdout, and every baseline named in `alsoBeat`;
 * otherwise it is stored for the record and not used. With `sourceKey` (the cold-start loader passes
 * the shipped file's hash), registering the same model twice stores it once.
 */
export async function registerModel(
  db: Db,
  model: {
    accountId: string | null;
    kind: ModelKind;
    features: string[];
    trainedFrom: string;
    trainedTo: string;
    holdout: Holdout;
    training: Record<string, unknown>;
    artifact: Record<string, unknown>;
    now: Date;
    sourceKey?: string;
  },
): Promise<RegisteredModel> {
  const holdout = holdoutSchema.parse(model.holdout);
  const verdict = holdoutVerdict(holdout);
  const stored = await insertModel(
    db,
    {
      accountId: model.accountId,
      kind: model.kind,
      features: model.features,
      trainedFrom: model.trainedFrom,
      trainedTo: model.trainedTo,
      metrics: { holdout, training: model.training, verdict: verdict.reason },
      artifact: model.artifact,
      isActive: verdict.beatsBaseline,
      createdAt: model.now,
    },
    model.sourceKey === undefined ? {} : { sourceKey: model.sourceKey },
  );
  return { ...stored, reason: verdict.reason };
}

/** How recommendations and predictions name a model: `roas_forecast@3` (the account's), `roas_forecast@cold-1`. */
export function modelLabel(kind: ModelKind, scope: 'account' | 'cold-start', version: number): string {
  return `${kind}@${scope === 'cold-start' ? 'cold-' : ''}${version}`;
}

export type ModelOverview = {
  id: string;
  accountId: string | null;
  kind: ModelKind;
  version: number;
  label: string;
  scope: 'account' | 'cold-start';
  isActive: boolean;
  trainedAt: string;
  trainedFrom: string;
  trainedTo: string;
  holdout: Holdout | null;
  verdict: string | null;
  /** What training recorded: rows, trees, the model it started from, the holdout days. */
  training: Record<string, unknown>;
};

function overviewOf(row: ModelRow): ModelOverview {
  const parsed = holdoutSchema.safeParse(row.metrics.holdout);
  const scope = row.accountId === null ? 'cold-start' : 'account';
  const training = row.metrics.training;
  return {
    id: row.id,
    accountId: row.accountId,
    kind: row.kind,
    version: row.version,
    label: modelLabel(row.kind, scope, row.version),
    scope,
    isActive: row.isActive,
    trainedAt: row.createdAt.toISOString(),
    trainedFrom: row.trainedFrom,
    trainedTo: row.trainedTo,
    holdout: parsed.success ? parsed.data : null,
    verdict: typeof row.metrics.verdict === 'string' ? row.metrics.verdict : null,
    training:
      typeof training === 'object' && training !== null && !Array.isArray(training)
        ? (training as Record<string, unknown>)
        : {},
  };
}

/** Every model an account can see (its own and the cold-start ones), newest first, with accuracy. */
export async function listModels(db: Db, accountId: string | undefined): Promise<ModelOverview[]> {
  return (await listModelRows(db, accountId)).map(overviewOf);
}

/** The baseline name under which an account model's holdout records the cold-start model's error. */
export const COLD_START_BASELINE = 'coldStart';

/**
 * Kinds whose cold-start model did no better than the naive baseline on the account's newest holdout
 * (recorded when its own model was trained): the account uses no model of that kind until one wins.
 */
async function coldStartWithheld(db: Db, accountId: string): Promise<Map<ModelKind, string>> {
  const newest = new Map<ModelKind, ModelRow>();
  for (const row of await listModelRows(db, accountId)) {
    if (row.accountId !== accountId) continue;
    const held = newest.get(row.kind);
    if (!held || row.version > held.version) newest.set(row.kind, row);
  }
  const withheld = new Map<ModelKind, string>();
  for (const [kind, row] of newest) {
    const parsed = holdoutSchema.safeParse(row.metrics.holdout);
    if (!parsed.success) continue;
    const { baselines, gate, metric } = parsed.data;
    const cold = baselines[COLD_START_BASELINE];
    const naive = baselines[gate];
    if (cold === undefined || naive === undefined || cold < naive) continue;
    withheld.set(
      kind,
      `on this account's newest holdout (${modelLabel(kind, 'account', row.version)}) the cold start's ${metric === 'mae' ? 'MAE' : 'Brier score'} ${fixed4(cold)} is not lower than ${gate} (${fixed4(naive)}): not used for this account`,
    );
  }
  return withheld;
}

/**
 * The models an account's decisions use now, per kind: its own active model, else the active cold-start
 * one unless the account's newest holdout showed the cold start no better than the naive baseline.
 */
export async function modelsInUse(db: Db, accountId: string) {
  const withheld = await coldStartWithheld(db, accountId);
  return (await activeModelsFor(db, accountId))
    .filter((row) => row.accountId !== null || !withheld.has(row.kind))
    .map((row) => ({ ...overviewOf(row), artifact: row.artifact }));
}

export type ModelUsage = ModelOverview & {
  /** Whether this account's decisions use the model now. */
  inUse: boolean;
  /** Why it is or is not used, for this account. */
  usage: string;
};

/**
 * Every model an account can see with whether its decisions use it and why; without an account, every
 * model, each judged on its own holdout only.
 */
export async function modelUsage(db: Db, accountId: string | undefined): Promise<ModelUsage[]> {
  const rows = (await listModelRows(db, accountId)).map(overviewOf);
  const withheld =
    accountId === undefined ? new Map<ModelKind, string>() : await coldStartWithheld(db, accountId);
  const usedIds =
    accountId === undefined ? null : new Set((await modelsInUse(db, accountId)).map((m) => m.id));
  const newestActive = new Map<string, ModelOverview>();
  for (const row of rows) if (row.isActive) newestActive.set(`${row.accountId ?? ''}:${row.kind}`, row);
  return rows.map((row) => {
    const inUse = usedIds ? usedIds.has(row.id) : row.isActive;
    let usage = row.verdict ?? 'no holdout recorded';
    if (!row.isActive) {
      const successor = newestActive.get(`${row.accountId ?? ''}:${row.kind}`);
      const won = row.holdout ? holdoutVerdict(row.holdout).beatsBaseline : false;
      if (won)
        usage = successor
          ? `superseded by ${successor.label}`
          : `superseded by a newer version that is not used`;
    } else if (!inUse && row.scope === 'cold-start') {
      const own = rows.find((r) => r.scope === 'account' && r.kind === row.kind && usedIds?.has(r.id));
      usage = own ? `the account's own ${own.label} is used instead` : (withheld.get(row.kind) ?? usage);
    }
    return { ...row, inUse, usage };
  });
}
