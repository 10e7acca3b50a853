import { and, desc, eq, inArray, isNull, max, or, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { models, predictions } from '../schema.ts';

export type ModelKind = (typeof models.$inferSelect)['kind'];

export type ModelRow = {
  id: string;
  /** Null for a cold-start model trained on simulated accounts, shared by every account. */
  accountId: string | null;
  kind: ModelKind;
  version: number;
  features: string[];
  trainedFrom: string;
  trainedTo: string;
  metrics: Record<string, unknown>;
  isActive: boolean;
  createdAt: Date;
};

const summaryColumns = {
  id: models.id,
  accountId: models.accountId,
  kind: models.kind,
  version: models.version,
  features: models.features,
  trainedFrom: models.trainedFrom,
  trainedTo: models.trainedTo,
  metrics: models.metrics,
  isActive: models.isActive,
  createdAt: models.createdAt,
};

const sameScope = (accountId: string | null) =>
  accountId === null ? isNull(models.accountId) : eq(models.accountId, accountId);

/**
 * Stores the scope's next version of a model kind. A new version supersedes the scope's older ones of
 * that kind: they are deactivated in the same transaction whether or not the new one is active, so at
 * most one is ever active and the newest holdout decides (a newest model that is not used leaves the
 * account on the cold-start model). With `sourceKey`, a model already stored under that key in the
 * scope and kind is returned instead of storing it again (`inserted: false`).
 */
export async function insertModel(
  db: Db,
  row: {
    accountId: string | null;
    kind: ModelKind;
    features: string[];
    trainedFrom: string;
    trainedTo: string;
    metrics: Record<string, unknown>;
    artifact: Record<string, unknown>;
    isActive: boolean;
    createdAt: Date;
  },
  options: { sourceKey?: string } = {},
): Promise<{ id: string; version: number; isActive: boolean; inserted: boolean }> {
  return db.transaction(async (tx) => {
    // Serialises registrations of one scope and kind (the unique key cannot, when account_id is null).
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`models:${row.accountId ?? ''}:${row.kind}`}))`,
    );
    if (options.sourceKey !== undefined) {
      const [existing] = await tx
        .select({ id: models.id, version: models.version, isActive: models.isActive })
        .from(models)
        .where(
          and(
            sameScope(row.accountId),
            eq(models.kind, row.kind),
            sql`${models.metrics}->>'sourceKey' = ${options.sourceKey}`,
          ),
        )
        .limit(1);
      if (existing) return { ...existing, inserted: false };
    }
    const [current] = await tx
      .select({ version: max(models.version) })
      .from(models)
      .where(and(sameScope(row.accountId), eq(models.kind, row.kind)));
    const version = (current?.version ?? 0) + 1;
    await tx
      .update(models)
      .set({ isActive: false })
      .where(and(sameScope(row.accountId), eq(models.kind, row.kind), eq(models.isActive, true)));
    const metrics =
      options.sourceKey === undefined ? row.metrics : { ...row.metrics, sourceKey: options.sourceKey };
    const [inserted] = await tx
      .insert(models)
      .values({ ...row, metrics, version })
      .returning({ id: models.id });
    if (!inserted) throw new Error('inserting the model returned no row');
    return { id: inserted.id, version, isActive: row.isActive, inserted: true };
  });
}

/** Which of these source keys are stored already among the cold-start models. */
export async function coldStartSourceKeys(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .select({ key: sql<string>`${models.metrics}->>'sourceKey'` })
    .from(models)
    .where(and(isNull(models.accountId), inArray(sql`${models.metrics}->>'sourceKey'`, [...keys])));
  return new Set(rows.map((r) => r.key));
}

/** The active cold-start model of each kind, with its artifact. */
export async function activeColdStartModels(
  db: Db,
): Promise<(ModelRow & { artifact: Record<string, unknown> })[]> {
  return db
    .select({ ...summaryColumns, artifact: models.artifact })
    .from(models)
    .where(and(eq(models.isActive, true), isNull(models.accountId)));
}

/** Every model of an account and the cold-start ones, newest first; no artifacts. */
export async function listModelRows(db: Db, accountId: string | undefined): Promise<ModelRow[]> {
  return db
    .select(summaryColumns)
    .from(models)
    .where(
      accountId === undefined ? undefined : or(eq(models.accountId, accountId), isNull(models.accountId)),
    )
    .orderBy(desc(models.createdAt), desc(models.version));
}

/** The active models an account may use: its own where it has one, else the cold-start one, per kind. */
export async function activeModelsFor(
  db: Db,
  accountId: string,
): Promise<(ModelRow & { artifact: Record<string, unknown> })[]> {
  const rows = await db
    .select({ ...summaryColumns, artifact: models.artifact })
    .from(models)
    .where(and(eq(models.isActive, true), or(eq(models.accountId, accountId), isNull(models.accountId))));
  const byKind = new Map<ModelKind, (typeof rows)[number]>();
  for (const row of rows) {
    const held = byKind.get(row.kind);
    if (!held || (held.accountId === null && row.accountId !== null)) byKind.set(row.kind, row);
  }
  return [...byKind.values()];
}

/**
 * Stores predictions made by one model; the model version travels with them through model_id. With
 * `runId` (also written into each value), a run whose predictions by this model are stored already
 * stores nothing again: a retried decision run does not duplicate them.
 */
export async function insertPredictions(
  db: Db,
  modelId: string,
  rows: readonly {
    level: 'campaign' | 'adset' | 'ad';
    entityId: string;
    predictedFor: string;
    value: Record<string, unknown>;
  }[],
  options: { runId?: string } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const chunk = 1000;
  const { runId } = options;
  return db.transaction(async (tx) => {
    if (runId !== undefined) {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`predictions:${modelId}:${runId}`}))`);
      const [stored] = await tx
        .select({ id: predictions.id })
        .from(predictions)
        .where(and(eq(predictions.modelId, modelId), sql`${predictions.value}->>'runId' = ${runId}`))
        .limit(1);
      if (stored) return 0;
    }
    const values = rows.map((r) => ({
      ...r,
      modelId,
      value: runId === undefined ? r.value : { ...r.value, runId },
    }));
    for (let i = 0; i < values.length; i += chunk)
      await tx.insert(predictions).values(values.slice(i, i + chunk));
    return rows.length;
  });
}

/** Predictions stored by one decision run, oldest first. */
export async function predictionsOfRun(
  db: Db,
  runId: string,
): Promise<{ modelId: string; entityId: string; predictedFor: string; value: Record<string, unknown> }[]> {
  return db
    .select({
      modelId: predictions.modelId,
      entityId: predictions.entityId,
      predictedFor: predictions.predictedFor,
      value: predictions.value,
    })
    .from(predictions)
    .where(sql`${predictions.value}->>'runId' = ${runId}`)
    .orderBy(predictions.entityId, predictions.modelId);
}

/** The newest prediction of each entity by the given models. */
export async function latestPredictions(
  db: Db,
  modelIds: readonly string[],
  entityIds: readonly string[],
): Promise<{ modelId: string; entityId: string; predictedFor: string; value: Record<string, unknown> }[]> {
  if (modelIds.length === 0 || entityIds.length === 0) return [];
  const rows = await db
    .select({
      modelId: predictions.modelId,
      entityId: predictions.entityId,
      predictedFor: predictions.predictedFor,
      value: predictions.value,
      createdAt: predictions.createdAt,
    })
    .from(predictions)
    .where(and(inArray(predictions.modelId, [...modelIds]), inArray(predictions.entityId, [...entityIds])))
    .orderBy(desc(predictions.predictedFor), desc(predictions.createdAt));
  const seen = new Set<string>();
  const newest: {
    modelId: string;
    entityId: string;
    predictedFor: string;
    value: Record<string, unknown>;
  }[] = [];
  for (const row of rows) {
    const key = `${row.modelId}\u0000${row.entityId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    newest.push({
      modelId: row.modelId,
      entityId: row.entityId,
      predictedFor: row.predictedFor,
      value: row.value,
    });
  }
  return newest;
}
