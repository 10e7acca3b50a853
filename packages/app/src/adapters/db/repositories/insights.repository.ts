import { formatMicros, parseMicros, type IsoDate, type MetricTotals } from '@roas/core';
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';

export type InsightLevel = 'campaign' | 'adset' | 'ad';

/** Table and entity-key column for each level's insights; names are fixed here, never user input. */
const INSIGHT_TABLE = {
  campaign: { table: 'campaign_insights', key: 'campaign_id', entityTable: 'campaigns' },
  adset: { table: 'adset_insights', key: 'adset_id', entityTable: 'adsets' },
  ad: { table: 'ad_insights', key: 'ad_id', entityTable: 'ads' },
} as const satisfies Record<InsightLevel, { table: string; key: string; entityTable: string }>;

export type InsightUpsert = {
  entityId: string;
  accountId: string;
  dateStart: IsoDate;
  dateStop: IsoDate;
  totals: MetricTotals;
  attributionSetting: string | null;
  source: 'csv' | 'meta';
};

export type UpsertCounts = { inserted: number; changed: number; unchanged: number };

const METRIC_COLUMNS = [
  'spend',
  'revenue',
  'purchases',
  'impressions',
  'reach',
  'link_clicks',
  'adds_to_cart',
  'checkouts_initiated',
] as const;

// Days younger than this are still collecting late conversions (7-day click window, plus a day of slack).
const REVISION_AGE_DAYS = 8;

// Rows travel as one array per column through unnest(), so a batch costs 15 parameters however long it is.
const BATCH_ROWS = 5000;

function columnArrays(batch: readonly InsightUpsert[]) {
  const n = batch.length;
  const cols = {
    entity: new Array<string>(n),
    account: new Array<string>(n),
    start: new Array<string>(n),
    stop: new Array<string>(n),
    spend: new Array<string>(n),
    revenue: new Array<string>(n),
    purchases: new Array<number>(n),
    impressions: new Array<number>(n),
    reach: new Array<number>(n),
    linkClicks: new Array<number>(n),
    addsToCart: new Array<number>(n),
    checkouts: new Array<number>(n),
    attribution: new Array<string | null>(n),
    source: new Array<string>(n),
  };
  batch.forEach((row, i) => {
    const t = row.totals;
    cols.entity[i] = row.entityId;
    cols.account[i] = row.accountId;
    cols.start[i] = row.dateStart;
    cols.stop[i] = row.dateStop;
    cols.spend[i] = formatMicros(t.spend);
    cols.revenue[i] = formatMicros(t.revenue);
    cols.purchases[i] = t.purchases;
    cols.impressions[i] = t.impressions;
    cols.reach[i] = t.reach;
    cols.linkClicks[i] = t.linkClicks;
    cols.addsToCart[i] = t.addsToCart;
    cols.checkouts[i] = t.checkoutsInitiated;
    cols.attribution[i] = row.attributionSetting;
    cols.source[i] = row.source;
  });
  return cols;
}

/**
 * Inserts or updates insight rows keyed by (entity, date_start, date_stop). A re-read row keeps its
 * first_seen_at, moves last_seen_at, and moves changed_at only when a number actually changed.
 */
export async function upsertInsights(
  db: Db,
  level: InsightLevel,
  rows: readonly InsightUpsert[],
  now: Date,
  onBatch?: (done: number) => void,
): Promise<UpsertCounts> {
  const { table, key } = INSIGHT_TABLE[level];
  const counts: UpsertCounts = { inserted: 0, changed: 0, unchanged: 0 };
  const tableSql = sql.raw(`"${table}"`);
  const oldMetrics = sql.raw(METRIC_COLUMNS.map((c) => `"${table}"."${c}"`).join(', '));
  const newMetrics = sql.raw(METRIC_COLUMNS.map((c) => `excluded."${c}"`).join(', '));
  const updates = sql.raw(METRIC_COLUMNS.map((c) => `"${c}" = excluded."${c}"`).join(', '));
  const nowIso = now.toISOString();
  const keySql = sql.raw(`"${key}"`);
  const metricList = sql.raw(METRIC_COLUMNS.map((col) => `"${col}"`).join(', '));
  for (let offset = 0; offset < rows.length; offset += BATCH_ROWS) {
    const batch = rows.slice(offset, offset + BATCH_ROWS);
    const c = columnArrays(batch);
    const p = (values: unknown[]) => sql.param(values);
    const [outcome] = await queryRows<{ inserted: number; changed: number; total: number }>(
      db,
      sql`
      with written as (
        insert into ${tableSql} (${keySql}, account_id, date_start, date_stop, ${metricList}, attribution_setting, source, first_seen_at, last_seen_at, changed_at)
        select u.*, ${nowIso}::timestamptz, ${nowIso}::timestamptz, ${nowIso}::timestamptz
        from unnest(${p(c.entity)}::text[], ${p(c.account)}::text[], ${p(c.start)}::date[], ${p(c.stop)}::date[],
                    ${p(c.spend)}::numeric[], ${p(c.revenue)}::numeric[], ${p(c.purchases)}::int[], ${p(c.impressions)}::int[],
                    ${p(c.reach)}::int[], ${p(c.linkClicks)}::int[], ${p(c.addsToCart)}::int[], ${p(c.checkouts)}::int[],
                    ${p(c.attribution)}::text[], ${p(c.source)}::text[]) as u
        on conflict (${keySql}, date_start, date_stop) do update set
          ${updates},
          attribution_setting = excluded.attribution_setting,
          source = excluded.source,
          last_seen_at = excluded.last_seen_at,
          changed_at = case when (${oldMetrics}) is distinct from (${newMetrics}) then excluded.changed_at else ${tableSql}.changed_at end
        returning ${keySql} as entity_id, account_id, date_start, date_stop, spend, revenue, purchases,
                  (xmax = 0) as inserted, (changed_at = ${nowIso}::timestamptz) as changed),
      -- Late conversions show as changes; a young day's first reading is the start of its curve.
      revised as (
        insert into insight_revisions (level, entity_id, account_id, date, observed_at, spend, revenue, purchases)
        select ${level}, entity_id, account_id, date_start, ${nowIso}::timestamptz, spend, revenue, purchases
        from written
        where date_start = date_stop
          and ((not inserted and changed)
               or (inserted and date_start >= (${nowIso}::timestamptz)::date - ${REVISION_AGE_DAYS}::int))
        on conflict do nothing)
      select count(*) filter (where inserted)::int as inserted,
             count(*) filter (where not inserted and changed)::int as changed,
             count(*)::int as total
      from written`,
    );
    const inserted = outcome?.inserted ?? 0;
    const changed = outcome?.changed ?? 0;
    counts.inserted += inserted;
    counts.changed += changed;
    counts.unchanged += (outcome?.total ?? 0) - inserted - changed;
    onBatch?.(offset + batch.length);
  }
  return counts;
}

/** Which levels hold insights for an account, and their daily and period row counts. */
export async function insightCoverage(
  db: Db,
  accountId: string,
): Promise<Record<InsightLevel, { daily: number; period: number; lastDate: IsoDate | null }>> {
  const out = {} as Record<InsightLevel, { daily: number; period: number; lastDate: IsoDate | null }>;
  for (const level of ['campaign', 'adset', 'ad'] as const) {
    const { table } = INSIGHT_TABLE[level];
    const [row] = await queryRows<{ daily: string; period: string; last_date: string | null }>(
      db,
      sql`
      select count(*) filter (where date_start = date_stop) as daily,
             count(*) filter (where date_start <> date_stop) as period,
             max(date_stop)::text as last_date
      from ${sql.raw(`"${table}"`)} i join ${sql.raw(`"${INSIGHT_TABLE[level].entityTable}"`)} e on e.id = i.${sql.raw(`"${INSIGHT_TABLE[level].key}"`)}
      where e.account_id = ${accountId}`,
    );
    out[level] = {
      daily: Number(row?.daily ?? 0),
      period: Number(row?.period ?? 0),
      lastDate: row?.last_date ?? null,
    };
  }
  return out;
}

export type EntityTotalsRow = {
  entityId: string | null;
  name: string | null;
  totals: MetricTotals;
  dateStart: IsoDate;
  dateStop: IsoDate;
  rowCount: number;
};

/**
 * Sums insights stored at `source` level up to `target` level (source is target or deeper) over
 * [from, to]. Daily rows only unless `periodRows` is set, which reads whole-period rows instead,
 * each returned on its own so the caller can choose among overlapping periods.
 */
export async function sumInsights(
  db: Db,
  options: {
    accountId: string;
    source: InsightLevel;
    target: InsightLevel;
    from: IsoDate | null;
    to: IsoDate;
    periodRows: boolean;
  },
): Promise<EntityTotalsRow[]> {
  const { table, key } = INSIGHT_TABLE[options.source];
  const entity = entityJoin(options.source, options.target, key);
  const grouping = options.periodRows ? sql`, i.date_start, i.date_stop` : sql``;
  const rows = await queryRows<Record<string, string | null>>(
    db,
    sql`
    select ${entity.id} as entity_id, ${entity.name} as name,
      sum(i.spend)::text as spend, sum(i.revenue)::text as revenue, sum(i.purchases)::text as purchases,
      sum(i.impressions)::text as impressions, sum(i.reach)::text as reach, sum(i.link_clicks)::text as link_clicks,
      sum(i.adds_to_cart)::text as adds_to_cart, sum(i.checkouts_initiated)::text as checkouts_initiated,
      min(i.date_start)::text as date_start, max(i.date_stop)::text as date_stop, count(*)::text as row_count
    from ${sql.raw(`"${table}"`)} i ${entity.joins}
    where ${entity.source}.account_id = ${options.accountId}
      and ${options.periodRows ? sql`i.date_start <> i.date_stop` : sql`i.date_start = i.date_stop`}
      and i.date_stop <= ${options.to}
      ${options.from === null ? sql`` : sql`and i.date_start >= ${options.from}`}
    group by 1, 2${grouping}`,
  );
  return rows.map((row) => ({
    entityId: row.entity_id ?? null,
    name: row.name ?? null,
    dateStart: row.date_start ?? '',
    dateStop: row.date_stop ?? '',
    rowCount: Number(row.row_count ?? 0),
    totals: {
      spend: parseMicros(row.spend ?? '0'),
      revenue: parseMicros(row.revenue ?? '0'),
      purchases: Number(row.purchases ?? 0),
      impressions: Number(row.impressions ?? 0),
      reach: Number(row.reach ?? 0),
      linkClicks: Number(row.link_clicks ?? 0),
      addsToCart: Number(row.adds_to_cart ?? 0),
      checkoutsInitiated: Number(row.checkouts_initiated ?? 0),
    },
  }));
}

const DEPTH: Record<InsightLevel, number> = { campaign: 0, adset: 1, ad: 2 };

/**
 * How to reach the target-level entity (its id and name) from a source-level insight row `i`, and the
 * alias of the row's own entity, whose account_id selects an account's rows through the primary key.
 */
function entityJoin(
  source: InsightLevel,
  target: InsightLevel,
  key: string,
): { id: SQL; name: SQL; joins: SQL; source: SQL } {
  if (DEPTH[source] < DEPTH[target]) throw new Error(`cannot report ${target} rows from ${source} insights`);
  const own = `i."${key}"`;
  if (source === target) {
    const entityTable = INSIGHT_TABLE[target].entityTable;
    return {
      id: sql.raw(own),
      name: sql.raw('e.name'),
      joins: sql.raw(`join "${entityTable}" e on e.id = ${own}`),
      source: sql.raw('e'),
    };
  }
  const parentColumn = target === 'campaign' ? 'campaign_id' : 'adset_id';
  const child = source === 'ad' ? 'ads' : 'adsets';
  const targetTable = INSIGHT_TABLE[target].entityTable;
  return {
    id: sql.raw(`c."${parentColumn}"`),
    name: sql.raw('p.name'),
    joins: sql.raw(
      `join "${child}" c on c.id = ${own} left join "${targetTable}" p on p.id = c."${parentColumn}"`,
    ),
    source: sql.raw('c'),
  };
}
