import {
  addTotals,
  deriveMetrics,
  emptyTotals,
  microsToNumber,
  windowRange,
  type DerivedMetrics,
  type IsoDate,
  type MetricTotals,
  type Window,
} from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import {
  insightCoverage,
  sumInsights,
  type EntityTotalsRow,
  type InsightLevel,
} from '../adapters/db/repositories/insights.repository.ts';
import { UserError } from '../shared/errors.ts';
import { chooseAccount } from './accounts.service.ts';

/** Metrics for one entity (or the total) over the window. Money in major units; rates are fractions. */
export type ReportMetrics = {
  spend: number;
  revenue: number;
  purchases: number;
  impressions: number;
  reach: number;
  clicks: number;
  addsToCart: number;
  checkoutsInitiated: number;
} & DerivedMetrics;

export type ReportRow = { id: string; name: string } & ReportMetrics;

/** What `roas report --json` prints; documented in the README. */
export type Report = {
  account: { id: string; name: string };
  currency: string;
  timezone: string;
  window: Window;
  level: InsightLevel;
  dateRange: { from: IsoDate | null; to: IsoDate | null };
  basis: 'daily' | 'period' | 'none';
  rows: ReportRow[];
  totals: ReportMetrics;
  notes: string[];
};

const DEPTH: Record<InsightLevel, number> = { campaign: 0, adset: 1, ad: 2 };
const LEVELS = ['campaign', 'adset', 'ad'] as const;

export function toReportMetrics(totals: MetricTotals): ReportMetrics {
  return {
    spend: microsToNumber(totals.spend),
    revenue: microsToNumber(totals.revenue),
    purchases: totals.purchases,
    impressions: totals.impressions,
    reach: totals.reach,
    clicks: totals.linkClicks,
    addsToCart: totals.addsToCart,
    checkoutsInitiated: totals.checkoutsInitiated,
    ...deriveMetrics(totals),
  };
}

/**
 * Per-entity metrics for a window that ends on the account's latest reported day. Rows stored at a
 * deeper level roll up (ad rows give ad set and campaign figures); daily rows are preferred and
 * whole-period rows are used only when an account has no daily rows at the chosen level.
 */
export async function buildReport(
  db: Db,
  options: { account?: string | undefined; level: InsightLevel; window: Window },
): Promise<Report> {
  const account = await chooseAccount(db, options.account);
  const coverage = await insightCoverage(db, account.id);
  const notes: string[] = [];
  const source = LEVELS.filter((l) => DEPTH[l] >= DEPTH[options.level]).find(
    (l) => coverage[l].daily + coverage[l].period > 0,
  );
  const base = {
    account: { id: account.id, name: account.name },
    currency: account.currency,
    timezone: account.timezone,
    window: options.window,
    level: options.level,
  };
  if (source === undefined) {
    const deeper = LEVELS.filter((l) => coverage[l].daily + coverage[l].period > 0);
    if (deeper.length > 0) {
      throw new UserError(
        `account "${account.name}" has ${deeper.join(' and ')}-level data only; report with --level ${deeper.at(-1) ?? 'campaign'}`,
      );
    }
    return {
      ...base,
      dateRange: { from: null, to: null },
      basis: 'none',
      rows: [],
      totals: toReportMetrics(emptyTotals()),
      notes: ['no insights stored yet'],
    };
  }
  const basis = coverage[source].daily > 0 ? 'daily' : 'period';
  const anchor = coverage[source].lastDate ?? '';
  const range = windowRange(options.window, anchor);
  if (basis === 'daily' && coverage[source].period > 0) {
    notes.push(
      `${coverage[source].period} whole-period row(s) are not counted: daily rows cover this account`,
    );
  }
  if (source !== options.level) notes.push(`rolled up from ${source}-level data`);

  let sums = await sumInsights(db, {
    accountId: account.id,
    source,
    target: options.level,
    from: range.from,
    to: range.to,
    periodRows: basis === 'period',
  });
  if (basis === 'period') sums = pickNonOverlappingPeriods(sums);
  if (sums.some((row) => row.entityId === null)) {
    throw new UserError(
      `account "${account.name}": some ${source} rows have no ${options.level}; the export had no ${options.level} columns`,
    );
  }
  const merged = new Map<string, { name: string; totals: MetricTotals }>();
  for (const row of sums) {
    const id = row.entityId ?? '';
    const current = merged.get(id);
    merged.set(id, {
      name: row.name ?? id,
      totals: current ? addTotals(current.totals, row.totals) : row.totals,
    });
  }
  const rows = [...merged.entries()]
    .map(([id, { name, totals }]) => ({ id, name, totals }))
    .sort((a, b) =>
      b.totals.spend > a.totals.spend
        ? 1
        : b.totals.spend < a.totals.spend
          ? -1
          : a.name.localeCompare(b.name),
    );
  const total = rows.reduce<MetricTotals>((sum, row) => addTotals(sum, row.totals), emptyTotals());
  const spanDates = sums.flatMap((row) => [row.dateStart, row.dateStop]).sort();
  return {
    ...base,
    dateRange: { from: range.from ?? spanDates[0] ?? null, to: range.to },
    basis,
    rows: rows.map((row) => ({ id: row.id, name: row.name, ...toReportMetrics(row.totals) })),
    totals: toReportMetrics(total),
    notes,
  };
}

/** Among overlapping whole-period rows of one entity, keep the widest ones that do not overlap. */
function pickNonOverlappingPeriods(rows: EntityTotalsRow[]): EntityTotalsRow[] {
  const byEntity = new Map<string, EntityTotalsRow[]>();
  for (const row of rows) {
    const key = row.entityId ?? '';
    byEntity.set(key, [...(byEntity.get(key) ?? []), row]);
  }
  const kept: EntityTotalsRow[] = [];
  for (const candidates of byEntity.values()) {
    const chosen: EntityTotalsRow[] = [];
    const widestFirst = [...candidates].sort(
      (a, b) => spanDays(b) - spanDays(a) || b.dateStop.localeCompare(a.dateStop),
    );
    for (const row of widestFirst) {
      if (chosen.every((c) => row.dateStop < c.dateStart || row.dateStart > c.dateStop)) chosen.push(row);
    }
    kept.push(...chosen);
  }
  return kept;
}

function spanDays(row: EntityTotalsRow): number {
  return Date.parse(row.dateStop) - Date.parse(row.dateStart);
}
