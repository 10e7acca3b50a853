import type { DailyRow, IsoDate } from '@roas/core';
import { and, desc, eq, gte, isNotNull, lte, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';
import { actions } from '../schema.ts';
import { DAILY_SUMS, dailyRowFromSql, type DailyTotalsSqlRow } from './daily-totals.ts';

/** An ad set as the engine needs it, with what its campaign says about budgets and stage. */
export type AdsetFactsRow = {
  id: string;
  name: string;
  status: string | null;
  dailyBudgetMinor: bigint | null;
  learningStage: string | null;
  audienceType: 'broad' | 'interest' | 'lookalike' | 'retargeting' | 'unknown';
  lookalikePercent: number | null;
  stage: 'testing' | 'validation' | 'scaling' | null;
  campaignId: string | null;
  campaignName: string | null;
  campaignStatus: string | null;
  budgetOwner: 'campaign' | 'adset' | null;
  campaignDailyBudgetMinor: bigint | null;
};

const bigintOrNull = (value: string | null) => (value === null ? null : BigInt(value));

export async function listAdsetFacts(db: Db, accountId: string): Promise<AdsetFactsRow[]> {
  const rows = await queryRows<{
    id: string;
    name: string;
    status: string | null;
    daily_budget: string | null;
    learning_stage: string | null;
    audience_type: AdsetFactsRow['audienceType'];
    lookalike: string | null;
    stage: AdsetFactsRow['stage'];
    campaign_id: string | null;
    campaign_name: string | null;
    campaign_status: string | null;
    budget_owner: AdsetFactsRow['budgetOwner'];
    campaign_daily_budget: string | null;
  }>(
    db,
    sql`select s.id, s.name, s.status, s.daily_budget_minor::text as daily_budget, s.learning_stage,
               s.audience_type, s.lookalike_percent::text as lookalike, s.stage, s.campaign_id,
               c.name as campaign_name, c.status as campaign_status, c.budget_owner,
               c.daily_budget_minor::text as campaign_daily_budget
        from adsets s left join campaigns c on c.id = s.campaign_id
        where s.account_id = ${accountId}
        order by c.name nulls last, s.name, s.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    dailyBudgetMinor: bigintOrNull(r.daily_budget),
    learningStage: r.learning_stage,
    audienceType: r.audience_type,
    lookalikePercent: r.lookalike === null ? null : Number(r.lookalike),
    stage: r.stage,
    campaignId: r.campaign_id,
    campaignName: r.campaign_name,
    campaignStatus: r.campaign_status,
    budgetOwner: r.budget_owner,
    campaignDailyBudgetMinor: bigintOrNull(r.campaign_daily_budget),
  }));
}

type DailySqlRow = DailyTotalsSqlRow & { entity_id: string };

function toDailyRows(rows: readonly DailySqlRow[]): Map<string, DailyRow[]> {
  const byEntity = new Map<string, DailyRow[]>();
  for (const r of rows) {
    let list = byEntity.get(r.entity_id);
    if (!list) {
      list = [];
      byEntity.set(r.entity_id, list);
    }
    list.push(dailyRowFromSql(r));
  }
  return byEntity;
}

/**
 * Daily rows per ad set through `through`, oldest first: the ad set's own rows, or for an ad set that
 * has none (an ad-level export), its ads' rows summed per day.
 */
export async function adsetDailyRows(
  db: Db,
  accountId: string,
  through: IsoDate,
): Promise<Map<string, DailyRow[]>> {
  const own = await queryRows<DailySqlRow>(
    db,
    sql`select i.adset_id as entity_id, i.date_start::text as date, i.spend::text as spend,
               i.revenue::text as revenue, i.purchases::text as purchases, i.impressions::text as impressions,
               i.reach::text as reach, i.link_clicks::text as link_clicks, i.adds_to_cart::text as adds_to_cart,
               i.checkouts_initiated::text as checkouts_initiated
        from adset_insights i join adsets s on s.id = i.adset_id
        where s.account_id = ${accountId} and i.date_start = i.date_stop and i.date_start <= ${through}::date
        order by 1, 2`,
  );
  const rolledUp = await queryRows<DailySqlRow>(
    db,
    sql`select a.adset_id as entity_id, i.date_start::text as date, ${DAILY_SUMS}
        from ad_insights i join ads a on a.id = i.ad_id
        where a.account_id = ${accountId} and a.adset_id is not null
          and i.date_start = i.date_stop and i.date_start <= ${through}::date
          and not exists (select 1 from adset_insights x where x.adset_id = a.adset_id and x.date_start = x.date_stop)
        group by 1, 2
        order by 1, 2`,
  );
  const rows = toDailyRows(own);
  for (const [id, list] of toDailyRows(rolledUp)) rows.set(id, list);
  return rows;
}

/** A budget change Meta confirmed: what the cooldown, the hourly limit and the daily caps count. */
export type AppliedBudgetChange = {
  level: 'campaign' | 'adset' | 'ad';
  entityId: string;
  appliedAt: Date;
  /** The budget before and after, in minor units; null when the action did not record it. */
  fromMinor: bigint | null;
  toMinor: bigint | null;
};

function minorField(value: Record<string, unknown> | null | undefined): bigint | null {
  const raw = value?.dailyBudgetMinor;
  if (typeof raw === 'bigint') return raw;
  if ((typeof raw === 'string' && /^-?\d+$/.test(raw)) || (typeof raw === 'number' && Number.isInteger(raw)))
    return BigInt(raw);
  return null;
}

/**
 * Budget changes applied (status confirmed, with an applied time) up to `now`: every one since
 * `since`, plus the latest per entity whenever it was. A recommendation nobody applied has no
 * confirmed action, so it never appears here. The action's `request` and `prior_state` carry the new
 * and old `dailyBudgetMinor`.
 */
export async function appliedBudgetChanges(
  db: Db,
  accountId: string,
  window: { since: Date; now: Date },
): Promise<{ recent: AppliedBudgetChange[]; latest: Map<string, Date> }> {
  const applied = and(
    eq(actions.accountId, accountId),
    eq(actions.kind, 'budget'),
    eq(actions.status, 'confirmed'),
    isNotNull(actions.appliedAt),
    lte(actions.appliedAt, window.now),
  );
  const recentRows = await db
    .select({
      level: actions.level,
      entityId: actions.entityId,
      appliedAt: actions.appliedAt,
      request: actions.request,
      priorState: actions.priorState,
    })
    .from(actions)
    .where(and(applied, gte(actions.appliedAt, window.since)))
    .orderBy(desc(actions.appliedAt));
  const latestRows = await db
    .selectDistinctOn([actions.level, actions.entityId], {
      level: actions.level,
      entityId: actions.entityId,
      appliedAt: actions.appliedAt,
    })
    .from(actions)
    .where(applied)
    .orderBy(actions.level, actions.entityId, desc(actions.appliedAt));
  const latest = new Map<string, Date>();
  for (const row of latestRows) if (row.appliedAt) latest.set(`${row.level}:${row.entityId}`, row.appliedAt);
  return {
    recent: recentRows.map((row) => ({
      level: row.level,
      entityId: row.entityId,
      appliedAt: row.appliedAt ?? window.now,
      fromMinor: minorField(row.priorState),
      toMinor: minorField(row.request),
    })),
    latest,
  };
}

/**
 * The actions earlier runs concluded per entity (before guardrails held them), newest first, at most
 * `perEntity` each: what hysteresis counts.
 */
export async function previousConcludedActions(
  db: Db,
  accountId: string,
  level: 'adset' | 'ad',
  perEntity: number,
): Promise<Map<string, string[]>> {
  const rows = await queryRows<{ entity_id: string; action: string }>(
    db,
    sql`select entity_id, action from (
          select entity_id, coalesce(inputs->>'concludedAction', action) as action, generated_at, created_at,
                 row_number() over (partition by entity_id order by generated_at desc, created_at desc) as n
          from recommendations where account_id = ${accountId} and level = ${level}) r
        where n <= ${perEntity}
        order by entity_id, generated_at desc, created_at desc`,
  );
  const byEntity = new Map<string, string[]>();
  for (const row of rows) byEntity.set(row.entity_id, [...(byEntity.get(row.entity_id) ?? []), row.action]);
  return byEntity;
}
