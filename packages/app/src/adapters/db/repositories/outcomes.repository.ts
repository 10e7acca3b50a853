import { parseMicros, type IsoDate, type OutcomeCounts } from '@roas/core';
import { and, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';
import { outcomes, recommendations } from '../schema.ts';

/** Outcome counts for one combination of horizon, matrix cell, audience type and stage. */
export type OutcomeCountRow = OutcomeCounts & { horizonDays: number; inconclusive: number };

/**
 * Measured outcomes counted by verdict, per horizon, rule cell, audience type and stage. Runs every
 * few hours repeat the same decision on the same data day: such repeats (same entity, decision day,
 * action and horizon) count once, as the newest run's outcome, so a busy schedule does not weigh more.
 */
export async function countOutcomes(db: Db, accountId: string | undefined): Promise<OutcomeCountRow[]> {
  const rows = await queryRows<{
    horizon_days: number;
    action: string;
    bucket: string | null;
    trend: string | null;
    audience_type: string;
    stage: string | null;
    hits: string | number;
    misses: string | number;
    inconclusive: string | number;
  }>(
    db,
    sql`with latest as (
          select distinct on (r.account_id, r.level, r.entity_id,
                              coalesce(r.inputs->>'asOf', r.generated_at::date::text), r.action, o.horizon_days)
                 o.horizon_days, o.verdict, r.action, r.bucket, r.trend, r.stage,
                 coalesce(r.inputs->'audience'->>'type', 'unknown') as audience_type
          from outcomes o join recommendations r on r.id = o.recommendation_id
          where ${accountId === undefined ? sql`true` : sql`r.account_id = ${accountId}`}
          order by r.account_id, r.level, r.entity_id,
                   coalesce(r.inputs->>'asOf', r.generated_at::date::text), r.action, o.horizon_days,
                   r.generated_at desc, r.id desc)
        select horizon_days, action, bucket, trend, audience_type, stage,
               count(*) filter (where verdict = 'hit') as hits,
               count(*) filter (where verdict = 'miss') as misses,
               count(*) filter (where verdict = 'inconclusive') as inconclusive
        from latest
        group by 1, 2, 3, 4, 5, 6`,
  );
  return rows.map((r) => ({
    horizonDays: Number(r.horizon_days),
    action: r.action,
    bucket: r.bucket,
    trend: r.trend,
    audienceType: r.audience_type,
    stage: r.stage,
    hits: Number(r.hits),
    misses: Number(r.misses),
    inconclusive: Number(r.inconclusive),
  }));
}

/** When the newest outcome was measured (or revised); null before any. */
export async function lastMeasuredAt(db: Db, accountId: string | undefined): Promise<Date | null> {
  const [row] = await queryRows<{ at: string | Date | null }>(
    db,
    sql`select max(o.measured_at) as at from outcomes o join recommendations r on r.id = o.recommendation_id
        where ${accountId === undefined ? sql`true` : sql`r.account_id = ${accountId}`}`,
  );
  return row?.at ? new Date(row.at) : null;
}

/** A recommendation that may still need an outcome, with what measuring it reads. */
export type OutcomeCandidate = {
  id: string;
  level: 'campaign' | 'adset' | 'ad';
  entityId: string;
  action: string;
  scalePercent: number | null;
  settingsVersion: number;
  generatedAt: Date;
  inputs: Record<string, unknown>;
};

/**
 * Recommendations of one account generated in [since, until] that lack a final outcome for at least
 * one of `horizons` (a final one never changes, so it is not read again).
 */
export async function outcomeCandidates(
  db: Db,
  accountId: string,
  range: { since: Date; until: Date },
  horizons: readonly number[],
): Promise<OutcomeCandidate[]> {
  const finals = sql`(select count(*) from ${outcomes} o
                      where o.recommendation_id = ${recommendations.id}
                        and o.horizon_days in (${sql.join(
                          horizons.map((h) => sql`${h}`),
                          sql`, `,
                        )})
                        and o.observed->>'final' = 'true')`;
  const rows = await db
    .select({
      id: recommendations.id,
      level: recommendations.level,
      entityId: recommendations.entityId,
      action: recommendations.action,
      scalePercent: recommendations.scalePercent,
      settingsVersion: recommendations.settingsVersion,
      generatedAt: recommendations.generatedAt,
      inputs: recommendations.inputs,
    })
    .from(recommendations)
    .where(
      and(
        eq(recommendations.accountId, accountId),
        gte(recommendations.generatedAt, range.since),
        lte(recommendations.generatedAt, range.until),
        sql`${finals} < ${horizons.length}`,
      ),
    )
    .orderBy(recommendations.generatedAt, recommendations.id);
  return rows.map((r) => ({
    ...r,
    scalePercent: r.scalePercent === null ? null : Number(r.scalePercent),
  }));
}

/** A stored outcome, as measuring compares against it. */
export type StoredOutcome = {
  recommendationId: string;
  horizonDays: number;
  observed: Record<string, unknown>;
  verdict: 'hit' | 'miss' | 'inconclusive';
};

// Parameters per statement stay far under PostgreSQL's 65,535.
const CHUNK = 1000;

export async function storedOutcomes(db: Db, recommendationIds: readonly string[]): Promise<StoredOutcome[]> {
  const out: StoredOutcome[] = [];
  for (let i = 0; i < recommendationIds.length; i += CHUNK) {
    out.push(
      ...(await db
        .select({
          recommendationId: outcomes.recommendationId,
          horizonDays: outcomes.horizonDays,
          observed: outcomes.observed,
          verdict: outcomes.verdict,
        })
        .from(outcomes)
        .where(inArray(outcomes.recommendationId, recommendationIds.slice(i, i + CHUNK)))),
    );
  }
  return out;
}

/** One entity-day as last read, money exact; `age` is whole days from the day's end to its reading. */
export type EntityDayRow = {
  entityId: string;
  date: IsoDate;
  spendMicros: bigint;
  revenueMicros: bigint;
  purchases: number;
  age: number;
};

type DaySqlRow = {
  entity_id: string;
  date: string;
  spend: string;
  revenue: string;
  purchases: string | number;
  age: string | number;
};

const toDayRow = (r: DaySqlRow): EntityDayRow => ({
  entityId: r.entity_id,
  date: r.date,
  spendMicros: parseMicros(r.spend),
  revenueMicros: parseMicros(r.revenue),
  purchases: Number(r.purchases),
  age: Number(r.age),
});

// Whole days from the end of the row's day (midnight after it, in the account's zone) to its last reading.
const AGE_AT_READ = sql`floor(extract(epoch from (i.last_seen_at - ((i.date_start + 1)::timestamp at time zone acc.timezone))) / 86400)`;

/**
 * Daily rows of every ad set of an account in [from, to]: its own rows, or for an ad set without
 * any (an ad-level export) its ads' rows summed per day, read as old as the least mature of them.
 */
export async function adsetDayRows(
  db: Db,
  accountId: string,
  range: { from: IsoDate; to: IsoDate },
): Promise<EntityDayRow[]> {
  const own = await queryRows<DaySqlRow>(
    db,
    sql`select i.adset_id as entity_id, i.date_start::text as date, i.spend::text as spend,
               i.revenue::text as revenue, i.purchases, ${AGE_AT_READ} as age
        from adsets s join adset_insights i on i.adset_id = s.id join accounts acc on acc.id = s.account_id
        where s.account_id = ${accountId} and i.date_start = i.date_stop
          and i.date_start between ${range.from}::date and ${range.to}::date`,
  );
  const rolledUp = await queryRows<DaySqlRow>(
    db,
    sql`select a.adset_id as entity_id, i.date_start::text as date, sum(i.spend)::text as spend,
               sum(i.revenue)::text as revenue, sum(i.purchases) as purchases, min(${AGE_AT_READ}) as age
        from ads a join ad_insights i on i.ad_id = a.id join accounts acc on acc.id = a.account_id
        where a.account_id = ${accountId} and a.adset_id is not null and i.date_start = i.date_stop
          and i.date_start between ${range.from}::date and ${range.to}::date
          and not exists (select 1 from adset_insights x where x.adset_id = a.adset_id and x.date_start = x.date_stop)
        group by 1, 2`,
  );
  return [...own, ...rolledUp].map(toDayRow);
}

/** Daily rows of the given ads in [from, to]. */
export async function adDayRows(
  db: Db,
  adIds: readonly string[],
  range: { from: IsoDate; to: IsoDate },
): Promise<EntityDayRow[]> {
  if (adIds.length === 0) return [];
  const rows: DaySqlRow[] = [];
  for (let i = 0; i < adIds.length; i += CHUNK) {
    const ids = adIds.slice(i, i + CHUNK);
    rows.push(
      ...(await queryRows<DaySqlRow>(
        db,
        sql`select i.ad_id as entity_id, i.date_start::text as date, i.spend::text as spend,
                   i.revenue::text as revenue, i.purchases, ${AGE_AT_READ} as age
            from ad_insights i join accounts acc on acc.id = i.account_id
            where i.ad_id in (${sql.join(
              ids.map((id) => sql`${id}`),
              sql`, `,
            )}) and i.date_start = i.date_stop
              and i.date_start between ${range.from}::date and ${range.to}::date`,
      )),
    );
  }
  return rows.map(toDayRow);
}

/**
 * The newest day the account's data were read after it had ended (any ad set or ad): an entity with
 * no row for a day up to it did not deliver that day. Null when nothing was read complete yet.
 */
export async function completeThrough(db: Db, accountId: string, since: IsoDate): Promise<IsoDate | null> {
  const [row] = await queryRows<{ through: string | null }>(
    db,
    sql`select max(d)::text as through from (
          select max(i.date_start) as d
          from adsets s join adset_insights i on i.adset_id = s.id join accounts acc on acc.id = s.account_id
          where s.account_id = ${accountId} and i.date_start = i.date_stop and i.date_start >= ${since}::date
            and ${AGE_AT_READ} >= 0
          union all
          select max(i.date_start)
          from ads a join ad_insights i on i.ad_id = a.id join accounts acc on acc.id = a.account_id
          where a.account_id = ${accountId} and i.date_start = i.date_stop and i.date_start >= ${since}::date
            and ${AGE_AT_READ} >= 0) t`,
  );
  return row?.through ?? null;
}

/** When a recommendation's change reached Meta, and when it was undone (null when it was not). */
export type AppliedAction = { appliedAt: Date; undoneAt: Date | null };

export async function appliedActions(
  db: Db,
  recommendationIds: readonly string[],
): Promise<Map<string, AppliedAction>> {
  const applied = new Map<string, AppliedAction>();
  for (let i = 0; i < recommendationIds.length; i += CHUNK) {
    const ids = recommendationIds.slice(i, i + CHUNK);
    const rows = await queryRows<{
      recommendation_id: string;
      applied_at: string | Date;
      undone_at: string | Date | null;
    }>(
      db,
      sql`select a.recommendation_id, min(a.applied_at) as applied_at,
                 min(u.applied_at) as undone_at
          from actions a
          left join actions u on u.undoes_action_id = a.id and u.status = 'confirmed' and u.applied_at is not null
          where a.recommendation_id in (${sql.join(
            ids.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})
            and a.status in ('confirmed', 'undone') and a.applied_at is not null
          group by a.recommendation_id`,
    );
    for (const r of rows) {
      applied.set(r.recommendation_id, {
        appliedAt: new Date(r.applied_at),
        undoneAt: r.undone_at === null ? null : new Date(r.undone_at),
      });
    }
  }
  return applied;
}

export type OutcomeUpsert = {
  recommendationId: string;
  horizonDays: number;
  baseline: Record<string, unknown>;
  observed: Record<string, unknown>;
  verdict: 'hit' | 'miss' | 'inconclusive';
};

/** One outcome row a store wrote: new, or revised because its numbers or verdict changed. */
export type WrittenOutcome = {
  recommendationId: string;
  horizonDays: number;
  verdict: 'hit' | 'miss' | 'inconclusive';
  inserted: boolean;
};

/**
 * Stores outcomes, one per (recommendation, horizon): a new one is inserted, a stored one is
 * rewritten only when its numbers or verdict differ (then `measured_at` moves). Returns the rows
 * written; the others were unchanged.
 */
export async function upsertOutcomes(
  db: Db,
  rows: readonly OutcomeUpsert[],
  now: Date,
): Promise<WrittenOutcome[]> {
  const written: WrittenOutcome[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    written.push(
      ...(await db
        .insert(outcomes)
        .values(rows.slice(i, i + CHUNK).map((row) => ({ ...row, measuredAt: now })))
        .onConflictDoUpdate({
          target: [outcomes.recommendationId, outcomes.horizonDays],
          set: {
            baseline: sql`excluded.baseline`,
            observed: sql`excluded.observed`,
            verdict: sql`excluded.verdict`,
            measuredAt: sql`excluded.measured_at`,
          },
          setWhere: sql`(${outcomes.baseline}, ${outcomes.observed}, ${outcomes.verdict})
                        is distinct from (excluded.baseline, excluded.observed, excluded.verdict)`,
        })
        .returning({
          recommendationId: outcomes.recommendationId,
          horizonDays: outcomes.horizonDays,
          verdict: outcomes.verdict,
          inserted: sql<boolean>`(xmax = 0)`,
        })),
    );
  }
  return written;
}
