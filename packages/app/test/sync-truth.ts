import type { FakeGraphServer } from '@roas/sim/fake-graph';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../src/adapters/db/database.ts';

type Row = {
  id: string;
  date: string;
  spend: string;
  revenue: string;
  purchases: number;
  impressions: number;
  reach: number;
  clicks: number;
  atc: number;
  checkouts: number;
};

const cents = (value: number) => (value / 100).toFixed(2);

/** What the fake's API reports right now, row by row, as stored strings: the ground truth to compare with. */
export function reportedTruth(fake: FakeGraphServer, level: 'adset' | 'ad'): Row[] {
  const market = fake.control.market;
  const observation = market.report(market.day);
  const rows: Row[] = [];
  for (const adSet of observation.adSets) {
    const units =
      level === 'adset'
        ? [{ id: adSet.id, rows: adSet.rows }]
        : adSet.ads.map((ad) => ({ id: ad.id, rows: ad.rows }));
    for (const unit of units) {
      for (const r of unit.rows) {
        if (r.spendCents === 0 && r.impressions === 0) continue;
        rows.push({
          id: unit.id,
          date: r.date,
          spend: cents(r.spendCents),
          revenue: cents(r.purchaseValueCents),
          purchases: r.purchases,
          impressions: r.impressions,
          reach: r.reach,
          clicks: r.linkClicks,
          atc: r.addsToCart,
          checkouts: r.checkoutsInitiated,
        });
      }
    }
  }
  return rows.sort((a, b) => a.id.localeCompare(b.id) || a.date.localeCompare(b.date));
}

/** The stored daily rows in the same shape. */
export async function storedRows(db: Db, level: 'adset' | 'ad', accountId: string): Promise<Row[]> {
  const table = level === 'adset' ? 'adset_insights' : 'ad_insights';
  const key = level === 'adset' ? 'adset_id' : 'ad_id';
  const rows = await queryRows<Row>(
    db,
    sql`select ${sql.raw(key)} as id, date_start::text as date, round(spend, 2)::text as spend, round(revenue, 2)::text as revenue,
               purchases, impressions, reach, link_clicks as clicks, adds_to_cart as atc, checkouts_initiated as checkouts
        from ${sql.raw(table)} where account_id = ${accountId} and date_start = date_stop`,
  );
  return rows.sort((a, b) => a.id.localeCompare(b.id) || a.date.localeCompare(b.date));
}
