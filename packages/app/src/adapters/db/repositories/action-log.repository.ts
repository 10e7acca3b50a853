import { and, asc, desc, eq, gt, gte, inArray, ne, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';
import { actions, ads, adsets, campaigns, recommendations, type RECOMMENDATION_STATUSES } from '../schema.ts';

type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];

export type ActionRow = typeof actions.$inferSelect;
export type NewAction = typeof actions.$inferInsert;

export async function getAction(db: Db, id: string): Promise<ActionRow | undefined> {
  const [row] = await db.select().from(actions).where(eq(actions.id, id));
  return row;
}

export async function findActionByKey(db: Db, idempotencyKey: string): Promise<ActionRow | undefined> {
  const [row] = await db.select().from(actions).where(eq(actions.idempotencyKey, idempotencyKey));
  return row;
}

/** Inserts the action unless its idempotency key exists; undefined means another caller holds the key. */
export async function insertAction(db: Db, action: NewAction): Promise<ActionRow | undefined> {
  const [row] = await db
    .insert(actions)
    .values(action)
    .onConflictDoNothing({ target: actions.idempotencyKey })
    .returning();
  return row;
}

export async function updateAction(
  db: Db,
  id: string,
  patch: Partial<Pick<ActionRow, 'status' | 'metaResponse' | 'attempts' | 'appliedAt'>>,
): Promise<ActionRow> {
  const [row] = await db.update(actions).set(patch).where(eq(actions.id, id)).returning();
  if (!row) throw new Error(`action ${id} vanished`);
  return row;
}

/**
 * Claims the next send under the key: counts the attempt and marks it in flight, but only if nobody
 * else counted one since `seenAttempts` was read. Undefined means another apply claimed it first.
 */
export async function claimAttempt(
  db: Db,
  id: string,
  seenAttempts: number,
  now: Date,
): Promise<ActionRow | undefined> {
  const [row] = await db
    .update(actions)
    .set({ attempts: sql`${actions.attempts} + 1`, status: 'queued', sentAt: now })
    .where(and(eq(actions.id, id), eq(actions.attempts, seenAttempts)))
    .returning();
  return row;
}

export async function deleteAction(db: Db, id: string): Promise<void> {
  await db.delete(actions).where(eq(actions.id, id));
}

/** A confirmed action on the same object and of the same kind, applied after this one. */
export async function laterConfirmedAction(db: Db, action: ActionRow): Promise<ActionRow | undefined> {
  if (action.appliedAt === null) return undefined;
  const [row] = await db
    .select()
    .from(actions)
    .where(
      and(
        eq(actions.level, action.level),
        eq(actions.entityId, action.entityId),
        eq(actions.kind, action.kind),
        eq(actions.status, 'confirmed'),
        gt(actions.appliedAt, action.appliedAt),
      ),
    )
    .orderBy(desc(actions.appliedAt))
    .limit(1);
  return row;
}

/** When each action auto-safe started on the account since `since` was created (those Meta refused left out). */
export async function autoSafeActionTimes(db: Db, accountId: string, since: Date): Promise<Date[]> {
  const rows = await db
    .select({ createdAt: actions.createdAt })
    .from(actions)
    .where(
      and(
        eq(actions.accountId, accountId),
        sql`${actions.request}->>'mode' = 'auto-safe'`,
        ne(actions.status, 'rejected'),
        gte(actions.createdAt, since),
      ),
    );
  return rows.map((r) => r.createdAt);
}

/** Budget changes confirmed on an object since `since`, oldest first: Meta's 4-per-hour window. */
export async function confirmedBudgetChangesSince(
  db: Db,
  object: { level: ActionRow['level']; id: string },
  since: Date,
): Promise<Date[]> {
  const rows = await db
    .select({ appliedAt: actions.appliedAt })
    .from(actions)
    .where(
      and(
        eq(actions.level, object.level),
        eq(actions.entityId, object.id),
        eq(actions.kind, 'budget'),
        eq(actions.status, 'confirmed'),
        gte(actions.appliedAt, since),
      ),
    )
    .orderBy(asc(actions.appliedAt));
  return rows.flatMap((r) => (r.appliedAt ? [r.appliedAt] : []));
}

/** A recommendation apply may act on, with its ad set, campaign and reviewer. */
export type ApplyCandidate = {
  id: string;
  accountId: string;
  level: 'campaign' | 'adset' | 'ad';
  entityId: string;
  action: string;
  scalePercent: number | null;
  newDailyBudgetMinor: bigint | null;
  stage: 'testing' | 'validation' | 'scaling' | null;
  reasons: unknown;
  inputs: Record<string, unknown>;
  status: RecommendationStatus;
  reviewedBy: string | null;
  generatedAt: Date;
  name: string;
  campaignId: string | null;
  campaignName: string | null;
  budgetOwner: 'campaign' | 'adset' | null;
  campaignDailyBudgetMinor: bigint | null;
  audienceType: string | null;
};

/** The account's ad set recommendations in these statuses (or with these ids), oldest decision first. */
export async function applyCandidates(
  db: Db,
  accountId: string,
  filter: { statuses: readonly RecommendationStatus[]; ids?: readonly string[] | undefined },
): Promise<ApplyCandidate[]> {
  const conditions = [
    eq(recommendations.accountId, accountId),
    eq(recommendations.level, 'adset'),
    inArray(recommendations.status, [...filter.statuses]),
  ];
  if (filter.ids !== undefined) conditions.push(inArray(recommendations.id, [...filter.ids]));
  const rows = await db
    .select({
      id: recommendations.id,
      accountId: recommendations.accountId,
      level: recommendations.level,
      entityId: recommendations.entityId,
      action: recommendations.action,
      scalePercent: recommendations.scalePercent,
      newDailyBudgetMinor: recommendations.newDailyBudgetMinor,
      stage: recommendations.stage,
      reasons: recommendations.reasons,
      inputs: recommendations.inputs,
      status: recommendations.status,
      reviewedBy: recommendations.reviewedBy,
      generatedAt: recommendations.generatedAt,
      adsetName: adsets.name,
      campaignId: adsets.campaignId,
      campaignName: campaigns.name,
      budgetOwner: campaigns.budgetOwner,
      campaignDailyBudgetMinor: campaigns.dailyBudgetMinor,
      audienceType: adsets.audienceType,
    })
    .from(recommendations)
    .leftJoin(adsets, eq(adsets.id, recommendations.entityId))
    .leftJoin(campaigns, eq(campaigns.id, adsets.campaignId))
    .where(and(...conditions))
    .orderBy(asc(recommendations.generatedAt), asc(recommendations.createdAt));
  return rows.map((r) => ({
    id: r.id,
    accountId: r.accountId,
    level: r.level,
    entityId: r.entityId,
    action: r.action,
    scalePercent: r.scalePercent === null ? null : Number(r.scalePercent),
    newDailyBudgetMinor: r.newDailyBudgetMinor,
    stage: r.stage,
    reasons: r.reasons,
    inputs: r.inputs,
    status: r.status,
    reviewedBy: r.reviewedBy,
    generatedAt: r.generatedAt,
    name: r.adsetName ?? (typeof r.inputs.name === 'string' ? r.inputs.name : r.entityId),
    campaignId: r.campaignId,
    campaignName: r.campaignName,
    budgetOwner: r.budgetOwner,
    campaignDailyBudgetMinor: r.campaignDailyBudgetMinor,
    audienceType: r.audienceType,
  }));
}

/** A later decision on the same entity than the one at `generatedAt`, if any. */
export async function newerRecommendation(
  db: Db,
  recommendation: { level: ApplyCandidate['level']; entityId: string; generatedAt: Date },
): Promise<{ id: string; generatedAt: Date } | undefined> {
  const [row] = await db
    .select({ id: recommendations.id, generatedAt: recommendations.generatedAt })
    .from(recommendations)
    .where(
      and(
        eq(recommendations.level, recommendation.level),
        eq(recommendations.entityId, recommendation.entityId),
        gt(recommendations.generatedAt, recommendation.generatedAt),
      ),
    )
    .orderBy(desc(recommendations.generatedAt))
    .limit(1);
  return row;
}

/** Moves a recommendation on after an apply (applied, expired) or only records why it waits. */
export async function setRecommendationOutcome(
  db: Db,
  id: string,
  outcome: { status?: 'applied' | 'expired' | undefined; reason: string | null },
): Promise<void> {
  await db
    .update(recommendations)
    .set({ ...(outcome.status ? { status: outcome.status } : {}), statusReason: outcome.reason })
    .where(eq(recommendations.id, id));
}

/** Keeps the synced copy of an object in step with a write Meta confirmed, until the next sync. */
export async function recordObjectWrite(
  db: Db,
  object: { level: ActionRow['level']; id: string },
  written: { dailyBudgetMinor?: bigint | undefined; status?: string | undefined },
  now: Date,
): Promise<void> {
  const patch = {
    ...(written.dailyBudgetMinor === undefined ? {} : { dailyBudgetMinor: written.dailyBudgetMinor }),
    ...(written.status === undefined ? {} : { status: written.status }),
    updatedAt: now,
  };
  if (object.level === 'adset') await db.update(adsets).set(patch).where(eq(adsets.id, object.id));
  else if (object.level === 'campaign')
    await db.update(campaigns).set(patch).where(eq(campaigns.id, object.id));
  else if (written.status !== undefined)
    await db.update(ads).set({ status: written.status, updatedAt: now }).where(eq(ads.id, object.id));
}

/** An ad set a promotion may copy into: its campaign (for the stage tag), status and audience. */
export type PromotionTarget = {
  id: string;
  name: string;
  status: string | null;
  stage: 'testing' | 'validation' | 'scaling' | null;
  audienceType: string;
  campaignId: string | null;
  campaignName: string | null;
};

export async function adsetsWithCampaigns(db: Db, accountId: string): Promise<PromotionTarget[]> {
  return db
    .select({
      id: adsets.id,
      name: adsets.name,
      status: adsets.status,
      stage: adsets.stage,
      audienceType: adsets.audienceType,
      campaignId: adsets.campaignId,
      campaignName: campaigns.name,
    })
    .from(adsets)
    .leftJoin(campaigns, eq(campaigns.id, adsets.campaignId))
    .where(eq(adsets.accountId, accountId))
    .orderBy(asc(campaigns.name), asc(adsets.name), asc(adsets.id));
}

/** An ad set's ads with their lifetime purchases, revenue and spend (deleted and archived left out). */
export async function adsWithResults(
  db: Db,
  adsetId: string,
): Promise<
  { id: string; name: string; status: string | null; purchases: number; revenue: number; spend: number }[]
> {
  const rows = await queryRows<{
    id: string;
    name: string;
    status: string | null;
    purchases: string | number | null;
    revenue: string | null;
    spend: string | null;
  }>(
    db,
    sql`select a.id, a.name, a.status, sum(i.purchases) as purchases, sum(i.revenue)::text as revenue,
               sum(i.spend)::text as spend
        from ads a left join ad_insights i on i.ad_id = a.id and i.date_start = i.date_stop
        where a.adset_id = ${adsetId} and coalesce(a.status, '') not in ('ARCHIVED', 'DELETED')
        group by a.id, a.name, a.status
        order by a.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    purchases: Number(r.purchases ?? 0),
    revenue: Number(r.revenue ?? 0),
    spend: Number(r.spend ?? 0),
  }));
}
