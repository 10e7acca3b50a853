import { MoneyParseError, parseMicros, type MetricTotals } from '@roas/core';
import { GraphShapeError } from './graph-errors.ts';
import type { GraphAdAccount, GraphInsightRow } from './graph-schemas.ts';

/**
 * Overlapping action types for one event, most inclusive first (meta-graph-api.md 3.4). A row counts
 * the first one present and never adds them up: one web purchase appears under several of these.
 */
export const PURCHASE_TYPES = [
  'omni_purchase',
  'purchase',
  'offsite_conversion.fb_pixel_purchase',
  'onsite_web_purchase',
  'onsite_conversion.purchase',
  'app_custom_event.fb_mobile_purchase',
  'offline_conversion.purchase',
] as const;
export const ADD_TO_CART_TYPES = [
  'omni_add_to_cart',
  'add_to_cart',
  'offsite_conversion.fb_pixel_add_to_cart',
] as const;
export const CHECKOUT_TYPES = [
  'omni_initiated_checkout',
  'initiate_checkout',
  'offsite_conversion.fb_pixel_initiate_checkout',
] as const;

type ActionList = GraphInsightRow['actions'];

/** The value of the first listed action type present, as its decimal string; null when none is. */
export function pickAction(list: ActionList, types: readonly string[]): string | null {
  if (!list) return null;
  for (const type of types) {
    const found = list.find((entry) => entry.action_type === type);
    if (found) return found.value;
  }
  return null;
}

function describe(row: GraphInsightRow): string {
  return `insights row ${row.ad_id ?? row.adset_id ?? row.campaign_id ?? ''} ${row.date_start}`.trim();
}

function count(row: GraphInsightRow, field: string, value: string | undefined | null): number {
  if (value === undefined || value === null) return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || value.trim() === '') {
    throw new GraphShapeError(describe(row), field, `is ${JSON.stringify(value)}, not a count`);
  }
  // Meta's modelled conversions can be fractional; counts are kept whole, rounding half up.
  return Math.round(n);
}

function money(row: GraphInsightRow, field: string, value: string | undefined | null): bigint {
  if (value === undefined || value === null) return 0n;
  try {
    return parseMicros(value);
  } catch (error) {
    if (error instanceof MoneyParseError)
      throw new GraphShapeError(describe(row), field, `is ${JSON.stringify(value)}: ${error.reason}`);
    throw error;
  }
}

/** One insights row as product totals. Money stays exact (micros); keys Meta omitted are zero. */
export function insightTotals(row: GraphInsightRow): MetricTotals {
  const clicks = row.inline_link_clicks ?? pickAction(row.actions, ['link_click']);
  return {
    spend: money(row, 'spend', row.spend),
    revenue: money(row, 'action_values', pickAction(row.action_values, PURCHASE_TYPES)),
    purchases: count(row, 'actions', pickAction(row.actions, PURCHASE_TYPES)),
    impressions: count(row, 'impressions', row.impressions),
    reach: count(row, 'reach', row.reach),
    linkClicks: count(row, 'inline_link_clicks', clicks),
    addsToCart: count(row, 'actions', pickAction(row.actions, ADD_TO_CART_TYPES)),
    checkoutsInitiated: count(row, 'actions', pickAction(row.actions, CHECKOUT_TYPES)),
  };
}

export type AudienceType = 'broad' | 'interest' | 'lookalike' | 'retargeting';
export type AudienceInfo = { type: AudienceType; lookalikePercent: number | null };

/** What is known about a custom audience: lookalikes carry their ratio (0.01 = 1%). */
export type CustomAudienceInfo = { isLookalike: boolean; ratio: number | null };

type Named = { id?: unknown; name?: unknown };

function list(value: unknown): Named[] {
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Named[]) : [];
}

const LOOKALIKE_NAME = /look-?alike|\bLAL\b/i;
const PERCENT_IN_NAME = /(\d+(?:\.\d+)?)\s*%/;

/**
 * Reduces an ad set's targeting to the audience type the engine reasons about: custom audiences mean
 * retargeting unless they are lookalikes; interests or behaviours mean interest; else broad.
 * Audience details come from the account's custom audiences when known, else from the audience name.
 */
export function audienceFromTargeting(
  targeting: Record<string, unknown> | undefined,
  audiences: ReadonlyMap<string, CustomAudienceInfo> = new Map(),
): AudienceInfo {
  if (!targeting) return { type: 'broad', lookalikePercent: null };
  const custom = list(targeting.custom_audiences);
  if (custom.length > 0) {
    for (const audience of custom) {
      const known = audiences.get(String(audience.id));
      const name = typeof audience.name === 'string' ? audience.name : '';
      if (known?.isLookalike || LOOKALIKE_NAME.test(name)) {
        const ratio = known?.ratio ?? null;
        const fromName = PERCENT_IN_NAME.exec(name)?.[1];
        const percent = ratio !== null ? ratio * 100 : fromName !== undefined ? Number(fromName) : null;
        return { type: 'lookalike', lookalikePercent: percent };
      }
    }
    return { type: 'retargeting', lookalikePercent: null };
  }
  const flexible = list(targeting.flexible_spec);
  const hasInterests =
    list(targeting.interests).length > 0 ||
    list(targeting.behaviors).length > 0 ||
    flexible.some(
      (spec) =>
        list((spec as Record<string, unknown>).interests).length > 0 ||
        list((spec as Record<string, unknown>).behaviors).length > 0,
    );
  return { type: hasInterests ? 'interest' : 'broad', lookalikePercent: null };
}

/** The ad account fields the product keeps (meta-graph-api.md 2.3); money fields stay in minor units. */
export const AD_ACCOUNT_FIELDS =
  'id,account_id,name,currency,timezone_name,account_status,disable_reason,spend_cap,amount_spent,balance';

export function accountSettingsFromGraph(account: GraphAdAccount) {
  return {
    name: account.name,
    currency: account.currency,
    timezone: account.timezone_name ?? 'UTC',
    status: account.account_status === undefined ? null : String(account.account_status),
    disableReason: account.disable_reason ? String(account.disable_reason) : null,
    spendCapMinor: account.spend_cap ?? null,
    amountSpentMinor: account.amount_spent ?? null,
    balanceMinor: account.balance ?? null,
  };
}
