import type { IsoDate, LagObservation } from '@roas/core';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';

const LAST_AGE = 7;

/**
 * Readings of how many purchases each matured ad set day showed at each age, from the revision
 * history. Age is whole days since the day ended in the account's time zone (a reading taken at the
 * following midnight is age 0). A day only gets a revision when its numbers changed, so an age
 * without one carries the latest earlier reading forward. Days younger than `today - 8` are left out:
 * their final count is not known yet.
 */
export async function lagObservations(db: Db, accountId: string, today: IsoDate): Promise<LagObservation[]> {
  const rows = await queryRows<{
    entity_id: string;
    date: string;
    age: number;
    purchases: number;
    final: number;
  }>(
    db,
    sql`select r.entity_id, r.date::text as date,
               floor(extract(epoch from (r.observed_at - ((r.date + 1)::timestamp at time zone a.timezone))) / 86400)::int as age,
               r.purchases, i.purchases as final
        from insight_revisions r
        join accounts a on a.id = r.account_id
        join adset_insights i on i.adset_id = r.entity_id and i.date_start = r.date and i.date_stop = r.date
        where r.account_id = ${accountId} and r.level = 'adset' and r.date <= ${today}::date - 8
        order by r.entity_id, r.date, r.observed_at`,
  );
  const observations: LagObservation[] = [];
  let i = 0;
  while (i < rows.length) {
    const first = rows[i];
    if (!first) break;
    const readings = new Map<number, number>();
    let j = i;
    for (; j < rows.length && rows[j]?.entity_id === first.entity_id && rows[j]?.date === first.date; j++) {
      const row = rows[j];
      if (row && row.age >= 0) readings.set(Math.min(row.age, LAST_AGE + 1), row.purchases);
    }
    const firstAge = Math.min(...readings.keys());
    let seen: number | null = null;
    for (let age = firstAge; age <= LAST_AGE && Number.isFinite(firstAge); age++) {
      seen = readings.get(age) ?? seen;
      if (seen !== null) observations.push({ ageDays: age, observed: seen, final: first.final });
    }
    i = j;
  }
  return observations;
}
