import { addDays, daysBetween, type IsoDate } from '@roas/core';
import type { ReportedRow } from '../market/types.ts';
import type { FakeAccount } from './fake-account.ts';
import type { AdNode, AdSetNode, CampaignNode } from './graph-nodes.ts';
import { matchesRule, type FilterRule } from './filtering.ts';
import { graphErrors } from './graph-error.ts';
import type { InsightLevel, InsightsQuery, ModelledWindow } from './insights-query.ts';
import {
  addCounts,
  emptyAggregate,
  formatInsightRow,
  type Aggregate,
  type Counts,
  type RowIdentity,
} from './insights-row.ts';

/** The node an insights edge hangs off. */
export type InsightsScope =
  | { kind: 'account' }
  | { kind: 'campaign'; id: string }
  | { kind: 'adset'; id: string }
  | { kind: 'ad'; id: string };

/** A market ad set or ad whose reported rows feed the query. */
type Unit = {
  campaign: CampaignNode;
  adSet: AdSetNode;
  ad: AdNode | null;
  marketIndex: number;
  adIndex: number | undefined;
};

/**
 * Share of a day's same-day conversions reported as 1-day view-through. The market models only the
 * click lag; Meta's default value is 7d_click + 1d_view, so the fake carves a fixed view share out of
 * it (the document gives no figure). 28d_click equals 7d_click: the market never attributes after 7 days.
 */
const VIEW_SHARE = 0.2;

const ENTITY_ATTRIBUTES = ['id', 'name', 'effective_status', 'status', 'configured_status'];
const METRIC_FILTERS = [
  'impressions',
  'spend',
  'clicks',
  'reach',
  'inline_link_clicks',
  'ctr',
  'cpm',
  'cpc',
  'frequency',
];
const ENTITY_PREFIXES = ['account', 'campaign', 'adset', 'ad'];

type SplitFilters = {
  entity: (FilterRule & { prefix: string; attribute: string })[];
  metric: (FilterRule & { metric: string })[];
};

/** Sorts `filtering` rules into entity rules (ids, names, statuses) and metric rules, refusing other fields. */
function splitFilters(filters: readonly FilterRule[], level: InsightLevel): SplitFilters {
  const split: SplitFilters = { entity: [], metric: [] };
  for (const rule of filters) {
    const dot = rule.field.lastIndexOf('.');
    const prefix = dot >= 0 ? rule.field.slice(0, dot) : level;
    const attribute = dot >= 0 ? rule.field.slice(dot + 1) : rule.field;
    if (!ENTITY_PREFIXES.includes(prefix))
      throw graphErrors.invalidParameter(`Filtering field ${rule.field} is invalid`);
    if (ENTITY_ATTRIBUTES.includes(attribute)) split.entity.push({ ...rule, prefix, attribute });
    else if (METRIC_FILTERS.includes(attribute)) split.metric.push({ ...rule, metric: attribute });
    // The error for an unknown filtering field is not in the document; (#100) like any bad parameter.
    else throw graphErrors.invalidParameter(`Filtering field ${rule.field} is invalid`);
  }
  return split;
}

function entityAttribute(
  account: FakeAccount,
  unit: Unit,
  prefix: string,
  attribute: string,
): string | undefined {
  if (prefix === 'account')
    return attribute === 'id' ? account.accountId : attribute === 'name' ? account.name : 'ACTIVE';
  const node = prefix === 'campaign' ? unit.campaign : prefix === 'adset' ? unit.adSet : unit.ad;
  if (!node) return undefined;
  if (attribute === 'id') return node.id;
  if (attribute === 'name') return node.name;
  if (attribute === 'effective_status') {
    if (node.kind === 'campaign') return account.campaignEffectiveStatus(node);
    return node.kind === 'adset' ? account.adSetEffectiveStatus(node) : account.adEffectiveStatus(node);
  }
  return node.status;
}

function unitsFor(account: FakeAccount, scope: InsightsScope, useAds: boolean): Unit[] {
  const units: Unit[] = [];
  for (const campaign of account.campaigns.values()) {
    if (scope.kind === 'campaign' && scope.id !== campaign.id) continue;
    for (const adSetId of campaign.adSetIds) {
      const adSet = account.adSets.get(adSetId);
      // Copies have no market index: they are placeholders that never deliver.
      if (!adSet || adSet.marketIndex === null) continue;
      if (scope.kind === 'adset' && scope.id !== adSet.id) continue;
      if (!useAds) {
        units.push({ campaign, adSet, ad: null, marketIndex: adSet.marketIndex, adIndex: undefined });
        continue;
      }
      for (const adId of adSet.adIds) {
        const ad = account.ads.get(adId);
        if (!ad || ad.marketIndex === null) continue;
        if (scope.kind === 'ad' && scope.id !== ad.id) continue;
        units.push({ campaign, adSet, ad, marketIndex: ad.marketIndex[0], adIndex: ad.marketIndex[1] });
      }
    }
  }
  return units;
}

function rowOfDay(rows: readonly ReportedRow[], day: number): ReportedRow | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (!row || row.day < day) return undefined;
    if (row.day === day) return row;
  }
  return undefined;
}

type LaggedRows = { sameDay: ReportedRow | undefined; nextDay: ReportedRow | undefined };
// Past reports never change, so the rows seen at the end of day t and of day t+1 are kept once final.
const laggedMemo = new WeakMap<FakeAccount, Map<string, LaggedRows>>();

/** The unit's row for `day` as reported at the start of day+1 (same-day conversions) and day+2 (1-day click). */
function laggedRows(account: FakeAccount, unit: Unit, day: number): LaggedRows {
  let memo = laggedMemo.get(account);
  if (!memo) {
    memo = new Map();
    laggedMemo.set(account, memo);
  }
  const key = `${unit.marketIndex}:${unit.adIndex ?? ''}:${day}`;
  const cached = memo.get(key);
  if (cached) return cached;
  const at = (asOf: number): ReportedRow | undefined =>
    rowOfDay(account.rowsOf(account.reportAt(asOf), unit.marketIndex, unit.adIndex), day);
  const rows = { sameDay: at(day + 1), nextDay: at(day + 2) };
  if (day + 2 <= account.day) memo.set(key, rows);
  return rows;
}

function countsOf(row: ReportedRow | undefined): Counts {
  return {
    addsToCart: row?.addsToCart ?? 0,
    checkouts: row?.checkoutsInitiated ?? 0,
    purchases: row?.purchases ?? 0,
    valueCents: row?.purchaseValueCents ?? 0,
  };
}

function minus(a: Counts, b: Counts): Counts {
  return {
    addsToCart: Math.max(0, a.addsToCart - b.addsToCart),
    checkouts: Math.max(0, a.checkouts - b.checkouts),
    purchases: Math.max(0, a.purchases - b.purchases),
    valueCents: Math.max(0, a.valueCents - b.valueCents),
  };
}

function windowCounts(row: ReportedRow, lagged: LaggedRows): Record<ModelledWindow, Counts> {
  const sameDay = countsOf(lagged.sameDay);
  const viewPurchases = Math.floor(sameDay.purchases * VIEW_SHARE);
  const view: Counts = {
    addsToCart: Math.floor(sameDay.addsToCart * VIEW_SHARE),
    checkouts: Math.floor(sameDay.checkouts * VIEW_SHARE),
    purchases: viewPurchases,
    valueCents:
      sameDay.purchases > 0 ? Math.round((sameDay.valueCents * viewPurchases) / sameDay.purchases) : 0,
  };
  const click = minus(countsOf(row), view);
  return {
    '1d_view': view,
    '7d_click': click,
    '28d_click': click,
    '1d_click': minus(countsOf(lagged.nextDay ?? row), view),
  };
}

type Bucket = { start: IsoDate; stop: IsoDate };

function bucketOf(date: IsoDate, query: InsightsQuery): Bucket {
  const { increment, since, until } = query;
  if (increment === 'all_days') return { start: since, stop: until };
  if (increment === 'monthly') {
    const first = `${date.slice(0, 7)}-01`;
    const next = new Date(`${first}T00:00:00Z`);
    next.setUTCMonth(next.getUTCMonth() + 1);
    const last = addDays(next.toISOString().slice(0, 10), -1);
    return { start: first < since ? since : first, stop: last > until ? until : last };
  }
  const index = Math.floor(daysBetween(since, date) / increment);
  const start = addDays(since, index * increment);
  const stop = addDays(start, increment - 1);
  return { start, stop: stop > until ? until : stop };
}

function entityKey(level: InsightLevel, unit: Unit): string {
  switch (level) {
    case 'account':
      return 'account';
    case 'campaign':
      return unit.campaign.id;
    case 'adset':
      return unit.adSet.id;
    case 'ad':
      return unit.ad?.id ?? unit.adSet.id;
  }
}

function metricValue(agg: Aggregate, metric: string): number {
  const spend = agg.spendCents / 100;
  switch (metric) {
    case 'impressions':
      return agg.impressions;
    case 'spend':
      return spend;
    case 'clicks':
    case 'inline_link_clicks':
      return agg.linkClicks;
    case 'reach':
      return agg.reach;
    case 'ctr':
      return agg.impressions > 0 ? (agg.linkClicks / agg.impressions) * 100 : 0;
    case 'cpm':
      return agg.impressions > 0 ? (spend / agg.impressions) * 1000 : 0;
    case 'cpc':
      return agg.linkClicks > 0 ? spend / agg.linkClicks : 0;
    default:
      return agg.reach > 0 ? agg.impressions / agg.reach : 0;
  }
}

/**
 * Runs an insights query against the market's lagged report as of the simulated today: rows per
 * entity of `level` and per time bucket, days without delivery left out, sorted by date then entity.
 */
export function computeInsights(
  account: FakeAccount,
  scope: InsightsScope,
  query: InsightsQuery,
): Record<string, unknown>[] {
  const filters = splitFilters(query.filters, query.level);
  const useAds = query.level === 'ad' || scope.kind === 'ad' || filters.entity.some((f) => f.prefix === 'ad');
  const units = unitsFor(account, scope, useAds).filter((unit) =>
    filters.entity.every((rule) =>
      matchesRule(entityAttribute(account, unit, rule.prefix, rule.attribute), rule),
    ),
  );
  const startDate = account.scenario.startDate;
  const firstDay = Math.max(0, daysBetween(startDate, query.since));
  const lastDay = daysBetween(startDate, query.until);
  const observation = account.observation();
  const hasWindows = query.windows !== null;

  type Group = { order: number; unit: Unit; bucket: Bucket; agg: Aggregate };
  const groups = new Map<string, Group>();
  const entityOrder = new Map<string, number>();
  const windowTasks: { unit: Unit; row: ReportedRow; agg: Aggregate }[] = [];
  for (const unit of units) {
    const key = entityKey(query.level, unit);
    if (!entityOrder.has(key)) entityOrder.set(key, entityOrder.size);
    for (const row of account.rowsOf(observation, unit.marketIndex, unit.adIndex)) {
      if (row.day < firstDay || row.day > lastDay) continue;
      if (row.spendCents <= 0 && row.impressions <= 0) continue;
      const bucket = bucketOf(row.date, query);
      const groupKey = `${key}|${bucket.start}`;
      let group = groups.get(groupKey);
      if (!group) {
        group = { order: entityOrder.get(key) ?? 0, unit, bucket, agg: emptyAggregate() };
        groups.set(groupKey, group);
      }
      const agg = group.agg;
      agg.spendCents += row.spendCents;
      agg.impressions += row.impressions;
      agg.reach += row.reach;
      agg.linkClicks += row.linkClicks;
      addCounts(agg.total, countsOf(row));
      if (hasWindows) windowTasks.push({ unit, row, agg });
    }
  }
  // Day by day, so the lagged reports of day+1 and day+2 are built once for every unit.
  windowTasks.sort((a, b) => a.row.day - b.row.day);
  for (const task of windowTasks) {
    const windows = windowCounts(task.row, laggedRows(account, task.unit, task.row.day));
    for (const window of Object.keys(windows) as ModelledWindow[])
      addCounts(task.agg.windows[window], windows[window]);
  }

  const sorted = [...groups.values()]
    .filter((group) => filters.metric.every((rule) => matchesRule(metricValue(group.agg, rule.metric), rule)))
    .sort((a, b) =>
      a.bucket.start < b.bucket.start ? -1 : a.bucket.start > b.bucket.start ? 1 : a.order - b.order,
    );
  return sorted.map((group) => {
    const { unit, bucket } = group;
    const identity: RowIdentity = {
      accountId: account.accountId,
      accountName: account.name,
      currency: account.currency,
      campaign: query.level === 'account' ? null : unit.campaign,
      adSet: query.level === 'adset' || query.level === 'ad' ? unit.adSet : null,
      ad: query.level === 'ad' ? unit.ad : null,
      dateStart: bucket.start,
      dateStop: bucket.stop,
    };
    return formatInsightRow(query.fields, group.agg, identity, query.windows);
  });
}
