import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { IsoDate } from '@roas/core';
import { queryRows, type Db } from '../database.ts';
import { accountHealthAlerts, accounts, type RateLimitReading } from '../schema.ts';

export type HealthAlertRow = typeof accountHealthAlerts.$inferSelect;
export type NewHealthAlert = typeof accountHealthAlerts.$inferInsert;

/** Keeps the Graph API usage an account's last call reported (null when the client saw no answer). */
export async function saveRateLimitReading(
  db: Db,
  accountId: string,
  reading: RateLimitReading | null,
): Promise<void> {
  if (reading === null) return;
  await db.update(accounts).set({ rateLimitUsage: reading }).where(eq(accounts.id, accountId));
}

/** The account's open (unresolved) health problems, one per check. */
export async function openHealthAlerts(db: Db, accountId: string): Promise<HealthAlertRow[]> {
  return db
    .select()
    .from(accountHealthAlerts)
    .where(and(eq(accountHealthAlerts.accountId, accountId), isNull(accountHealthAlerts.resolvedAt)))
    .orderBy(asc(accountHealthAlerts.check));
}

/** Every row of the account (open and resolved). */
export async function healthAlertsOf(db: Db, accountId: string): Promise<HealthAlertRow[]> {
  return db
    .select()
    .from(accountHealthAlerts)
    .where(eq(accountHealthAlerts.accountId, accountId))
    .orderBy(asc(accountHealthAlerts.check));
}

/** Writes the state of one check (a new occurrence replaces a resolved one). */
export async function upsertHealthAlert(db: Db, row: NewHealthAlert): Promise<void> {
  const { accountId: _accountId, check: _check, ...rest } = row;
  await db
    .insert(accountHealthAlerts)
    .values(row)
    .onConflictDoUpdate({ target: [accountHealthAlerts.accountId, accountHealthAlerts.check], set: rest });
}

export async function resolveHealthAlert(db: Db, accountId: string, check: string, at: Date): Promise<void> {
  await db
    .update(accountHealthAlerts)
    .set({ resolvedAt: at })
    .where(and(eq(accountHealthAlerts.accountId, accountId), eq(accountHealthAlerts.check, check)));
}

/** One day of an account's ad set insights, summed: spend (exact decimal text) and purchases. */
export type AccountDay = { date: IsoDate; spend: string; purchases: number };

/**
 * Daily spend and purchases of the whole account in [from, to], from ad set rows (or ad rows for an
 * ad set that has none of its own), so a flatline across the account shows as one series.
 */
export async function accountDailyTotals(
  db: Db,
  accountId: string,
  range: { from: IsoDate; to: IsoDate },
): Promise<AccountDay[]> {
  const rows = await queryRows<{ date: string; spend: string; purchases: string }>(
    db,
    sql`select d.date, sum(d.spend)::text as spend, sum(d.purchases)::text as purchases from (
          select i.date_start::text as date, i.spend, i.purchases from adset_insights i
            join adsets s on s.id = i.adset_id
           where s.account_id = ${accountId} and i.date_start = i.date_stop
             and i.date_start between ${range.from}::date and ${range.to}::date
          union all
          select i.date_start::text as date, i.spend, i.purchases from ad_insights i
            join ads a on a.id = i.ad_id
           where a.account_id = ${accountId} and i.date_start = i.date_stop
             and i.date_start between ${range.from}::date and ${range.to}::date
             and not exists (select 1 from adset_insights x
                              where x.adset_id = a.adset_id and x.date_start = i.date_start and x.date_stop = i.date_stop)
        ) d group by d.date order by d.date`,
  );
  return rows.map((r) => ({ date: r.date, spend: r.spend, purchases: Number(r.purchases) }));
}
