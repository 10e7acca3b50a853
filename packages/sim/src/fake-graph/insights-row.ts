import { formatCents } from '../market/report.ts';
import { ATTRIBUTION_SETTING, type AdNode, type AdSetNode, type CampaignNode } from './graph-nodes.ts';
import { MODELLED_WINDOWS, type InsightField, type ModelledWindow } from './insights-query.ts';

/** Conversion counts of one window (or of the default attribution); value in minor units. */
export type Counts = { addsToCart: number; checkouts: number; purchases: number; valueCents: number };

/** One insights row before formatting: additive sums over its entity and days. */
export type Aggregate = {
  spendCents: number;
  impressions: number;
  /** Summed across ad sets or days: Meta de-duplicates people, the fake cannot (documented approximation). */
  reach: number;
  linkClicks: number;
  total: Counts;
  windows: Record<ModelledWindow, Counts>;
};

export type RowIdentity = {
  accountId: string;
  accountName: string;
  currency: string;
  campaign: CampaignNode | null;
  adSet: AdSetNode | null;
  ad: AdNode | null;
  dateStart: string;
  dateStop: string;
};

export function emptyCounts(): Counts {
  return { addsToCart: 0, checkouts: 0, purchases: 0, valueCents: 0 };
}

export function emptyAggregate(): Aggregate {
  return {
    spendCents: 0,
    impressions: 0,
    reach: 0,
    linkClicks: 0,
    total: emptyCounts(),
    windows: {
      '1d_click': emptyCounts(),
      '7d_click': emptyCounts(),
      '28d_click': emptyCounts(),
      '1d_view': emptyCounts(),
    },
  };
}

export function addCounts(into: Counts, from: Counts): void {
  into.addsToCart += from.addsToCart;
  into.checkouts += from.checkouts;
  into.purchases += from.purchases;
  into.valueCents += from.valueCents;
}

/** Ratios as Meta prints them: up to 6 decimals, trailing zeros dropped ("3.482587", "1.2", "10"). */
export function formatDecimal(value: number): string {
  if (!Number.isFinite(value)) return '0';
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

const count = (n: number): string => String(n);
const money = (cents: number): string => formatCents(Math.round(cents));

type CountMetric = keyof Counts | 'linkClicks';

const ACTION_GROUPS: readonly { metric: CountMetric; types: readonly string[] }[] = [
  { metric: 'linkClicks', types: ['link_click'] },
  {
    metric: 'addsToCart',
    types: ['add_to_cart', 'offsite_conversion.fb_pixel_add_to_cart', 'omni_add_to_cart'],
  },
  {
    metric: 'checkouts',
    types: ['initiate_checkout', 'offsite_conversion.fb_pixel_initiate_checkout', 'omni_initiated_checkout'],
  },
  // The overlapping purchase types of meta-graph-api.md 3.4: the same web purchase under three names.
  { metric: 'purchases', types: ['offsite_conversion.fb_pixel_purchase', 'omni_purchase', 'purchase'] },
];
const PURCHASE_TYPES = ACTION_GROUPS[3]?.types ?? [];

function metricOf(agg: Aggregate, metric: CountMetric, window: ModelledWindow | null): number {
  if (metric === 'linkClicks') return window === '1d_view' ? 0 : agg.linkClicks;
  return window === null ? agg.total[metric] : agg.windows[window][metric];
}

/** One AdsActionStats entry; null when the default value is zero (empty metrics are omitted). */
function actionStat(
  type: string,
  value: (window: ModelledWindow | null) => number | null,
  windows: readonly string[] | null,
  format: (n: number) => string,
): Record<string, string> | null {
  const total = value(null);
  if (total === null || !(total > 0)) return null;
  const entry: Record<string, string> = { action_type: type, value: format(total) };
  for (const window of windows ?? []) {
    if (!(MODELLED_WINDOWS as readonly string[]).includes(window)) continue;
    const windowed = value(window as ModelledWindow);
    // A window with nothing in it is left out, as in meta-graph-api.md 3.5 (link_click has no 1d_view).
    if (windowed !== null && windowed > 0) entry[window] = format(windowed);
  }
  return entry;
}

function list(entries: (Record<string, string> | null)[]): Record<string, string>[] | undefined {
  const present = entries.filter((e): e is Record<string, string> => e !== null);
  return present.length > 0 ? present : undefined;
}

function ratio(numerator: number, denominator: number, scale = 1): string | undefined {
  return denominator > 0 ? formatDecimal((numerator / denominator) * scale) : undefined;
}

/**
 * Formats one row: numbers as strings, spend in major units, ratios to 6 decimals, keys without data
 * left out ([MEM] in 3.3, consistent with fixtures), `date_start` / `date_stop` always last.
 */
export function formatInsightRow(
  fields: readonly InsightField[],
  agg: Aggregate,
  identity: RowIdentity,
  windows: readonly string[] | null,
): Record<string, unknown> {
  const spendMajor = agg.spendCents / 100;
  const purchaseValue = (window: ModelledWindow | null): number =>
    window === null ? agg.total.valueCents : agg.windows[window].valueCents;
  const actions = (): Record<string, string>[] | undefined =>
    list(
      ACTION_GROUPS.flatMap((group) =>
        group.types.map((type) => actionStat(type, (w) => metricOf(agg, group.metric, w), windows, count)),
      ),
    );
  const costPerAction = (): Record<string, string>[] | undefined =>
    list(
      ACTION_GROUPS.flatMap((group) =>
        group.types.map((type) =>
          actionStat(
            type,
            (w) => {
              const n = metricOf(agg, group.metric, w);
              return n > 0 ? spendMajor / n : null;
            },
            windows,
            formatDecimal,
          ),
        ),
      ),
    );
  const roas = (type: string): Record<string, string>[] | undefined =>
    agg.spendCents > 0
      ? list([actionStat(type, (w) => purchaseValue(w) / agg.spendCents, windows, formatDecimal)])
      : undefined;

  const value = (field: InsightField): unknown => {
    switch (field) {
      case 'account_currency':
        return identity.currency;
      case 'account_id':
        return identity.accountId;
      case 'account_name':
        return identity.accountName;
      case 'campaign_id':
        return identity.campaign?.id;
      case 'campaign_name':
        return identity.campaign?.name;
      case 'adset_id':
        return identity.adSet?.id;
      case 'adset_name':
        return identity.adSet?.name;
      case 'ad_id':
        return identity.ad?.id;
      case 'ad_name':
        return identity.ad?.name;
      case 'objective':
        return 'OUTCOME_SALES';
      case 'optimization_goal':
        return identity.adSet ? 'OFFSITE_CONVERSIONS' : undefined;
      case 'buying_type':
        return 'AUCTION';
      case 'attribution_setting':
        return ATTRIBUTION_SETTING;
      case 'date_start':
      case 'date_stop':
        return undefined;
      case 'impressions':
        return count(agg.impressions);
      case 'reach':
        return agg.reach > 0 ? count(agg.reach) : undefined;
      case 'frequency':
        return ratio(agg.impressions, agg.reach);
      // Only link clicks are simulated, so `clicks` (all clicks) equals `inline_link_clicks`.
      case 'clicks':
      case 'inline_link_clicks':
        return count(agg.linkClicks);
      case 'spend':
        return money(agg.spendCents);
      case 'cpm':
        return ratio(spendMajor, agg.impressions, 1000);
      case 'cpp':
        return ratio(spendMajor, agg.reach, 1000);
      case 'cpc':
      case 'cost_per_inline_link_click':
        return ratio(spendMajor, agg.linkClicks);
      case 'ctr':
      case 'inline_link_click_ctr':
        return ratio(agg.linkClicks, agg.impressions, 100);
      case 'website_ctr': {
        const ctr = ratio(agg.linkClicks, agg.impressions, 100);
        return ctr === undefined || agg.linkClicks === 0
          ? undefined
          : [{ action_type: 'link_click', value: ctr }];
      }
      // Outbound clicks are not simulated separately; the fake reports every link click as outbound.
      case 'outbound_clicks':
        return agg.linkClicks > 0
          ? [{ action_type: 'outbound_click', value: count(agg.linkClicks) }]
          : undefined;
      case 'actions':
        return actions();
      case 'action_values':
        return list(PURCHASE_TYPES.map((type) => actionStat(type, purchaseValue, windows, money)));
      case 'cost_per_action_type':
        return costPerAction();
      case 'purchase_roas':
        return roas('omni_purchase');
      case 'website_purchase_roas':
        return roas('offsite_conversion.fb_pixel_purchase');
    }
  };

  const row: Record<string, unknown> = {};
  for (const field of fields) {
    const v = value(field);
    if (v !== undefined) row[field] = v;
  }
  row.date_start = identity.dateStart;
  row.date_stop = identity.dateStop;
  return row;
}
