import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';
import { recommendations } from '../schema.ts';

export type NewRecommendation = typeof recommendations.$inferInsert;
export type RecommendationRow = typeof recommendations.$inferSelect;

// About twenty parameters a row: well under PostgreSQL's 65,535 per statement.
const CHUNK = 1000;

/**
 * Stores one run's recommendations in one transaction and returns their ids by `level:entityId`.
 * Storing the same run again inserts nothing (rows are unique per run and entity). Older pending
 * recommendations for the same entities are marked superseded: only the newest one can be approved.
 */
export async function storeRecommendationRun(
  db: Db,
  run: { runId: string; accountId: string },
  rows: readonly NewRecommendation[],
): Promise<Map<string, string>> {
  return db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx
        .insert(recommendations)
        .values(rows.slice(i, i + CHUNK))
        .onConflictDoNothing({
          target: [recommendations.runId, recommendations.level, recommendations.entityId],
        });
    }
    await tx.execute(
      sql`update recommendations set status = 'superseded'
          where account_id = ${run.accountId} and status = 'pending' and run_id <> ${run.runId}
            and (level, entity_id) in (select level, entity_id from recommendations where run_id = ${run.runId})`,
    );
    const stored = await tx
      .select({ id: recommendations.id, level: recommendations.level, entityId: recommendations.entityId })
      .from(recommendations)
      .where(and(eq(recommendations.runId, run.runId), eq(recommendations.accountId, run.accountId)));
    return new Map(stored.map((row) => [`${row.level}:${row.entityId}`, row.id]));
  });
}

/** One run's stored rows. */
export async function recommendationsOfRun(db: Db, runId: string): Promise<RecommendationRow[]> {
  return db
    .select()
    .from(recommendations)
    .where(eq(recommendations.runId, runId))
    .orderBy(asc(recommendations.createdAt), asc(recommendations.entityId));
}

/** What the recommendations list can be narrowed to; every list is "any of" its values. */
export type RecommendationFilter = {
  accountId?: string | undefined;
  ids?: readonly string[] | undefined;
  /** One entity's recommendations (its history). */
  entity?: { level: 'adset' | 'ad'; id: string } | undefined;
  actions?: readonly string[] | undefined;
  confidences?: readonly string[] | undefined;
  /** The audience type the decision saw (recorded with it). */
  audiences?: readonly string[] | undefined;
  /** Pipeline stages; `none` matches ad sets in no stage. */
  stages?: readonly string[] | undefined;
  statuses?: readonly string[] | undefined;
  /** Decided at or after / before this instant. */
  from?: Date | undefined;
  before?: Date | undefined;
};

/** The position after the last row of a page: rows sort newest run first, then by id. */
export type RecommendationCursor = { generatedAt: Date; id: string };

/** A stored recommendation with what the list shows beside it: entity and campaign names, account, reviewer. */
export type RecommendationListRow = {
  id: string;
  runId: string;
  accountId: string;
  accountName: string;
  currency: string;
  timezone: string;
  level: 'campaign' | 'adset' | 'ad';
  entityId: string;
  entityName: string;
  campaignId: string | null;
  campaignName: string | null;
  action: string;
  scalePercent: string | null;
  newDailyBudgetMinor: string | null;
  confidence: string;
  bucket: string | null;
  trend: string | null;
  stage: string | null;
  reasons: unknown;
  risks: unknown;
  guardrails: unknown;
  explanation: string;
  analyst: unknown;
  roas: unknown;
  appliesTo: string | null;
  asOf: string | null;
  audience: unknown;
  dailyBudgetMinor: string | null;
  settingsVersion: number;
  engineVersion: string;
  status: string;
  statusReason: string | null;
  reviewedBy: string | null;
  reviewerName: string | null;
  reviewedAt: Date | string | null;
  reviewComment: string | null;
  generatedAt: Date | string;
};

const list = (values: readonly string[]) => sql.param([...values]);

function filterSql(filter: RecommendationFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (filter.accountId !== undefined) parts.push(sql`r.account_id = ${filter.accountId}`);
  if (filter.ids !== undefined) parts.push(sql`r.id = any(${list(filter.ids)}::uuid[])`);
  if (filter.entity !== undefined)
    parts.push(sql`r.level = ${filter.entity.level} and r.entity_id = ${filter.entity.id}`);
  if (filter.actions?.length) parts.push(sql`r.action = any(${list(filter.actions)}::text[])`);
  if (filter.confidences?.length) parts.push(sql`r.confidence = any(${list(filter.confidences)}::text[])`);
  if (filter.statuses?.length) parts.push(sql`r.status = any(${list(filter.statuses)}::text[])`);
  if (filter.audiences?.length)
    parts.push(
      sql`coalesce(r.inputs->'audience'->>'type', 'unknown') = any(${list(filter.audiences)}::text[])`,
    );
  if (filter.stages?.length) {
    const named = filter.stages.filter((s) => s !== 'none');
    const stageParts: SQL[] = [];
    if (named.length > 0) stageParts.push(sql`r.stage = any(${list(named)}::text[])`);
    if (filter.stages.includes('none')) stageParts.push(sql`r.stage is null`);
    parts.push(sql`(${sql.join(stageParts, sql` or `)})`);
  }
  if (filter.from !== undefined) parts.push(sql`r.generated_at >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.before !== undefined)
    parts.push(sql`r.generated_at < ${filter.before.toISOString()}::timestamptz`);
  return sql.join(parts, sql` and `);
}

type ListSqlRow = {
  id: string;
  run_id: string;
  account_id: string;
  account_name: string;
  currency: string;
  timezone: string;
  level: RecommendationListRow['level'];
  entity_id: string;
  entity_name: string;
  campaign_id: string | null;
  campaign_name: string | null;
  action: string;
  scale_percent: string | null;
  new_daily_budget_minor: string | null;
  confidence: string;
  bucket: string | null;
  trend: string | null;
  stage: string | null;
  reasons: unknown;
  risks: unknown;
  guardrails: unknown;
  explanation: string;
  analyst: unknown;
  roas: unknown;
  applies_to: string | null;
  as_of: string | null;
  audience: unknown;
  daily_budget_minor: string | null;
  settings_version: number;
  engine_version: string;
  status: string;
  status_reason: string | null;
  reviewed_by: string | null;
  reviewer_name: string | null;
  reviewed_at: Date | string | null;
  review_comment: string | null;
  generated_at: Date | string;
};

/**
 * One page of recommendations, newest run first (then by id), with entity, campaign, account and
 * reviewer names. Keyset paging: pass the last row's position as `after`.
 */
export async function listRecommendationRows(
  db: Db,
  filter: RecommendationFilter,
  page: { after?: RecommendationCursor | undefined; limit: number },
): Promise<RecommendationListRow[]> {
  const after =
    page.after === undefined
      ? sql`true`
      : sql`(r.generated_at, r.id) < (${page.after.generatedAt.toISOString()}::timestamptz, ${page.after.id}::uuid)`;
  const rows = await queryRows<ListSqlRow>(
    db,
    sql`select r.id, r.run_id, r.account_id, a.name as account_name, a.currency, a.timezone, r.level,
               r.entity_id, coalesce(s.name, ad.name, r.inputs->>'name', r.entity_id) as entity_name,
               c.id as campaign_id, c.name as campaign_name, r.action, r.scale_percent::text as scale_percent,
               r.new_daily_budget_minor::text as new_daily_budget_minor, r.confidence, r.bucket, r.trend,
               r.stage, r.reasons, r.risks, r.guardrails, r.explanation, r.analyst, r.inputs->'roas' as roas,
               r.inputs->>'appliesTo' as applies_to, r.inputs->>'asOf' as as_of,
               r.inputs->'audience' as audience,
               coalesce(r.inputs->'budget'->>'dailyBudgetMinor', r.inputs->'state'->>'dailyBudgetMinor') as daily_budget_minor,
               r.settings_version, r.engine_version, r.status, r.status_reason, r.reviewed_by, u.username as reviewer_name,
               r.reviewed_at, r.review_comment, r.generated_at
        from recommendations r
        join accounts a on a.id = r.account_id
        left join adsets s on r.level = 'adset' and s.id = r.entity_id
        left join ads ad on r.level = 'ad' and ad.id = r.entity_id
        left join campaigns c on c.id = coalesce(s.campaign_id, ad.campaign_id)
        left join users u on u.id = r.reviewed_by
        where ${filterSql(filter)} and ${after}
        order by r.generated_at desc, r.id desc
        limit ${page.limit}`,
  );
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    accountId: r.account_id,
    accountName: r.account_name,
    currency: r.currency,
    timezone: r.timezone,
    level: r.level,
    entityId: r.entity_id,
    entityName: r.entity_name,
    campaignId: r.campaign_id,
    campaignName: r.campaign_name,
    action: r.action,
    scalePercent: r.scale_percent,
    newDailyBudgetMinor: r.new_daily_budget_minor,
    confidence: r.confidence,
    bucket: r.bucket,
    trend: r.trend,
    stage: r.stage,
    reasons: r.reasons,
    risks: r.risks,
    guardrails: r.guardrails,
    explanation: r.explanation,
    analyst: r.analyst,
    roas: r.roas,
    appliesTo: r.applies_to,
    asOf: r.as_of,
    audience: r.audience,
    dailyBudgetMinor: r.daily_budget_minor,
    settingsVersion: Number(r.settings_version),
    engineVersion: r.engine_version,
    status: r.status,
    statusReason: r.status_reason,
    reviewedBy: r.reviewed_by,
    reviewerName: r.reviewer_name,
    reviewedAt: r.reviewed_at,
    reviewComment: r.review_comment,
    generatedAt: r.generated_at,
  }));
}

/** How many recommendations match the filter (all pages). */
export async function countRecommendations(db: Db, filter: RecommendationFilter): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(
    db,
    sql`select count(*) as n from recommendations r where ${filterSql(filter)}`,
  );
  return Number(row?.n ?? 0);
}

export type ReviewTarget = {
  id: string;
  runId: string;
  accountId: string;
  level: 'campaign' | 'adset' | 'ad';
  entityId: string;
  action: string;
  status: string;
  reviewedAt: Date | null;
};

/** The recommendations with these ids, locked for update until the transaction ends. */
export async function lockRecommendations(db: Db, ids: readonly string[]): Promise<ReviewTarget[]> {
  if (ids.length === 0) return [];
  return db
    .select({
      id: recommendations.id,
      runId: recommendations.runId,
      accountId: recommendations.accountId,
      level: recommendations.level,
      entityId: recommendations.entityId,
      action: recommendations.action,
      status: recommendations.status,
      reviewedAt: recommendations.reviewedAt,
    })
    .from(recommendations)
    .where(inArray(recommendations.id, [...ids]))
    .for('update');
}

/** Records a review decision on pending recommendations; returns how many rows changed. */
export async function markReviewed(
  db: Db,
  ids: readonly string[],
  review: { status: 'approved' | 'rejected'; reviewedBy: string | null; at: Date; comment: string | null },
): Promise<number> {
  const updated = await db
    .update(recommendations)
    .set({
      status: review.status,
      reviewedBy: review.reviewedBy,
      reviewedAt: review.at,
      reviewComment: review.comment,
    })
    .where(and(inArray(recommendations.id, [...ids]), eq(recommendations.status, 'pending')))
    .returning({ id: recommendations.id });
  return updated.length;
}

/** The newest recommendation of an entity, if any. */
export async function newestRecommendationOf(
  db: Db,
  entity: { level: 'campaign' | 'adset' | 'ad'; id: string },
): Promise<{ id: string; runId: string; status: string; generatedAt: Date } | undefined> {
  const [row] = await db
    .select({
      id: recommendations.id,
      runId: recommendations.runId,
      status: recommendations.status,
      generatedAt: recommendations.generatedAt,
    })
    .from(recommendations)
    .where(and(eq(recommendations.level, entity.level), eq(recommendations.entityId, entity.id)))
    .orderBy(desc(recommendations.generatedAt), desc(recommendations.createdAt))
    .limit(1);
  return row;
}

/** The newest recommendation of each ad set of an account: action, confidence, status and when. */
export async function latestRecommendationPerAdset(
  db: Db,
  accountId: string,
): Promise<
  Map<
    string,
    {
      id: string;
      action: string;
      scalePercent: string | null;
      confidence: string;
      status: string;
      generatedAt: Date;
    }
  >
> {
  const rows = await db
    .selectDistinctOn([recommendations.entityId], {
      entityId: recommendations.entityId,
      id: recommendations.id,
      action: recommendations.action,
      scalePercent: recommendations.scalePercent,
      confidence: recommendations.confidence,
      status: recommendations.status,
      generatedAt: recommendations.generatedAt,
    })
    .from(recommendations)
    .where(and(eq(recommendations.accountId, accountId), eq(recommendations.level, 'adset')))
    .orderBy(recommendations.entityId, desc(recommendations.generatedAt), desc(recommendations.createdAt));
  return new Map(rows.map(({ entityId, ...rest }) => [entityId, rest]));
}
