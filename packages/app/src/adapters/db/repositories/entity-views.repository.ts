import type { DailyRow, IsoDate } from '@roas/core';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';
import { DAILY_SUMS, dailyRowFromSql, type DailyTotalsSqlRow } from './daily-totals.ts';

/** An ad set or ad as the dashboard shows it, with its campaign, ad set (for ads) and account. */
export type EntityViewRow = {
  id: string;
  level: 'adset' | 'ad';
  accountId: string;
  name: string;
  status: string | null;
  dailyBudgetMinor: bigint | null;
  lifetimeBudgetMinor: bigint | null;
  learningStage: string | null;
  audienceType: 'broad' | 'interest' | 'lookalike' | 'retargeting' | 'unknown';
  lookalikePercent: number | null;
  stage: 'testing' | 'validation' | 'scaling' | null;
  campaignId: string | null;
  campaignName: string | null;
  budgetOwner: 'campaign' | 'adset' | null;
  campaignDailyBudgetMinor: bigint | null;
  /** For an ad: its ad set. */
  adsetId: string | null;
  adsetName: string | null;
};

type ViewSqlRow = {
  id: string;
  account_id: string;
  name: string;
  status: string | null;
  daily_budget: string | null;
  lifetime_budget: string | null;
  learning_stage: string | null;
  audience_type: EntityViewRow['audienceType'] | null;
  lookalike: string | null;
  stage: EntityViewRow['stage'];
  campaign_id: string | null;
  campaign_name: string | null;
  budget_owner: EntityViewRow['budgetOwner'];
  campaign_daily_budget: string | null;
  adset_id: string | null;
  adset_name: string | null;
};

const bigintOrNull = (value: string | null) => (value === null ? null : BigInt(value));

function toView(level: 'adset' | 'ad', r: ViewSqlRow): EntityViewRow {
  return {
    id: r.id,
    level,
    accountId: r.account_id,
    name: r.name,
    status: r.status,
    dailyBudgetMinor: bigintOrNull(r.daily_budget),
    lifetimeBudgetMinor: bigintOrNull(r.lifetime_budget),
    learningStage: r.learning_stage,
    audienceType: r.audience_type ?? 'unknown',
    lookalikePercent: r.lookalike === null ? null : Number(r.lookalike),
    stage: r.stage,
    campaignId: r.campaign_id,
    campaignName: r.campaign_name,
    budgetOwner: r.budget_owner,
    campaignDailyBudgetMinor: bigintOrNull(r.campaign_daily_budget),
    adsetId: r.adset_id,
    adsetName: r.adset_name,
  };
}

const ADSET_COLUMNS = sql`s.id, s.account_id, s.name, s.status, s.daily_budget_minor::text as daily_budget,
  s.lifetime_budget_minor::text as lifetime_budget, s.learning_stage, s.audience_type,
  s.lookalike_percent::text as lookalike, s.stage, s.campaign_id, c.name as campaign_name, c.budget_owner,
  c.daily_budget_minor::text as campaign_daily_budget, null as adset_id, null as adset_name`;

/** Every ad set of an account with its campaign, by campaign name then ad set name. */
export async function listAdsetViews(db: Db, accountId: string): Promise<EntityViewRow[]> {
  const rows = await queryRows<ViewSqlRow>(
    db,
    sql`select ${ADSET_COLUMNS}
        from adsets s left join campaigns c on c.id = s.campaign_id
        where s.account_id = ${accountId}
        order by c.name nulls last, s.name, s.id`,
  );
  return rows.map((r) => toView('adset', r));
}

export async function findAdsetView(db: Db, id: string): Promise<EntityViewRow | undefined> {
  const [row] = await queryRows<ViewSqlRow>(
    db,
    sql`select ${ADSET_COLUMNS} from adsets s left join campaigns c on c.id = s.campaign_id where s.id = ${id}`,
  );
  return row && toView('adset', row);
}

/** An ad with its ad set's budget, audience and learning stage (ads have none of their own). */
export async function findAdView(db: Db, id: string): Promise<EntityViewRow | undefined> {
  const [row] = await queryRows<ViewSqlRow>(
    db,
    sql`select ad.id, ad.account_id, ad.name, ad.status, s.daily_budget_minor::text as daily_budget,
               s.lifetime_budget_minor::text as lifetime_budget, s.learning_stage, s.audience_type,
               s.lookalike_percent::text as lookalike, coalesce(ad.stage, s.stage) as stage,
               coalesce(ad.campaign_id, s.campaign_id) as campaign_id, c.name as campaign_name, c.budget_owner,
               c.daily_budget_minor::text as campaign_daily_budget, s.id as adset_id, s.name as adset_name
        from ads ad
        left join adsets s on s.id = ad.adset_id
        left join campaigns c on c.id = coalesce(ad.campaign_id, s.campaign_id)
        where ad.id = ${id}`,
  );
  return row && toView('ad', row);
}

/** The ads of an ad set, by name. */
export async function listAdsOfAdset(
  db: Db,
  adsetId: string,
): Promise<{ id: string; name: string; status: string | null }[]> {
  return queryRows<{ id: string; name: string; status: string | null }>(
    db,
    sql`select id, name, status from ads where adset_id = ${adsetId} order by name, id`,
  );
}

export type DailyTotalsRow = DailyRow;

/**
 * Daily rows of one ad set or ad in [from, to], oldest first. An ad set without rows of its own (an
 * ad-level export) gets its ads' rows summed per day.
 */
export async function entityDailyRows(
  db: Db,
  entity: { level: 'adset' | 'ad'; id: string },
  range: { from: IsoDate; to: IsoDate },
): Promise<DailyTotalsRow[]> {
  if (entity.level === 'ad') {
    const rows = await queryRows<DailyTotalsSqlRow>(
      db,
      sql`select i.date_start::text as date, ${DAILY_SUMS} from ad_insights i
          where i.ad_id = ${entity.id} and i.date_start = i.date_stop
            and i.date_start between ${range.from}::date and ${range.to}::date
          group by 1 order by 1`,
    );
    return rows.map(dailyRowFromSql);
  }
  const own = await queryRows<DailyTotalsSqlRow>(
    db,
    sql`select i.date_start::text as date, ${DAILY_SUMS} from adset_insights i
        where i.adset_id = ${entity.id} and i.date_start = i.date_stop
          and i.date_start between ${range.from}::date and ${range.to}::date
        group by 1 order by 1`,
  );
  if (own.length > 0) return own.map(dailyRowFromSql);
  const rolled = await queryRows<DailyTotalsSqlRow>(
    db,
    sql`select i.date_start::text as date, ${DAILY_SUMS} from ad_insights i join ads a on a.id = i.ad_id
        where a.adset_id = ${entity.id} and i.date_start = i.date_stop
          and i.date_start between ${range.from}::date and ${range.to}::date
          and not exists (select 1 from adset_insights x where x.adset_id = ${entity.id} and x.date_start = x.date_stop)
        group by 1 order by 1`,
  );
  return rolled.map(dailyRowFromSql);
}

/** The newest day with a daily row for the entity (its own or, for an ad set, its ads'), or null. */
export async function lastDailyDateOf(
  db: Db,
  entity: { level: 'adset' | 'ad'; id: string },
): Promise<IsoDate | null> {
  const [row] = await queryRows<{ last: string | null }>(
    db,
    entity.level === 'ad'
      ? sql`select max(date_start)::text as last from ad_insights where ad_id = ${entity.id} and date_start = date_stop`
      : sql`select greatest(
              (select max(date_start) from adset_insights where adset_id = ${entity.id} and date_start = date_stop),
              (select max(i.date_start) from ad_insights i join ads a on a.id = i.ad_id
                where a.adset_id = ${entity.id} and i.date_start = i.date_stop))::text as last`,
  );
  return row?.last ?? null;
}

/** The newest day with a daily ad set or ad row in an account, or null when it has none. */
export async function lastDailyDateOfAccount(db: Db, accountId: string): Promise<IsoDate | null> {
  const [row] = await queryRows<{ last: string | null }>(
    db,
    sql`select greatest(
          (select max(i.date_start) from adset_insights i join adsets s on s.id = i.adset_id
            where s.account_id = ${accountId} and i.date_start = i.date_stop),
          (select max(i.date_start) from ad_insights i join ads a on a.id = i.ad_id
            where a.account_id = ${accountId} and i.date_start = i.date_stop))::text as last`,
  );
  return row?.last ?? null;
}
