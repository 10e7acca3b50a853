import { parseMicros, type DailyRow } from '@roas/core';
import { sql } from 'drizzle-orm';

/** One day of insight sums as SQL returns them: numbers and money as text, so nothing is rounded. */
export type DailyTotalsSqlRow = {
  date: string;
  spend: string;
  revenue: string;
  purchases: string;
  impressions: string;
  reach: string;
  link_clicks: string;
  adds_to_cart: string;
  checkouts_initiated: string;
};

/** The summed insight columns of `i` (an insights table), named as `DailyTotalsSqlRow` reads them. */
export const DAILY_SUMS = sql`sum(i.spend)::text as spend, sum(i.revenue)::text as revenue, sum(i.purchases)::text as purchases,
  sum(i.impressions)::text as impressions, sum(i.reach)::text as reach, sum(i.link_clicks)::text as link_clicks,
  sum(i.adds_to_cart)::text as adds_to_cart, sum(i.checkouts_initiated)::text as checkouts_initiated`;

/** A SQL row as the engine's daily row: money in exact micro-units. */
export function dailyRowFromSql(r: DailyTotalsSqlRow): DailyRow {
  return {
    date: r.date,
    totals: {
      spend: parseMicros(r.spend),
      revenue: parseMicros(r.revenue),
      purchases: Number(r.purchases),
      impressions: Number(r.impressions),
      reach: Number(r.reach),
      linkClicks: Number(r.link_clicks),
      addsToCart: Number(r.adds_to_cart),
      checkoutsInitiated: Number(r.checkouts_initiated),
    },
  };
}
