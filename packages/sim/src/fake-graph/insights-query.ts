import { addDays, isIsoDate, type IsoDate } from '@roas/core';
import { z } from 'zod';
import { parseFiltering, parseListParam, type FilterRule } from './filtering.ts';
import { graphErrors } from './graph-error.ts';

export const INSIGHT_LEVELS = ['account', 'campaign', 'adset', 'ad'] as const;
export type InsightLevel = (typeof INSIGHT_LEVELS)[number];

/** Windows the fake computes per-window keys for (see insights.ts for how the split is modelled). */
export const MODELLED_WINDOWS = ['1d_click', '7d_click', '28d_click', '1d_view'] as const;
export type ModelledWindow = (typeof MODELLED_WINDOWS)[number];

// Accepted but never given keys: 7d_view / 28d_view stopped on 2026-01-12, the rest are not modelled.
const ACCEPTED_WINDOWS = [
  ...MODELLED_WINDOWS,
  '7d_view',
  '28d_view',
  '1d_ev',
  'default',
  'dda',
  'incrementality',
  'skan_view',
  'skan_click',
];

/** Every insights field the fake knows; any other requested field is a (#100) error. */
export const INSIGHT_FIELDS = [
  'account_currency',
  'account_id',
  'account_name',
  'campaign_id',
  'campaign_name',
  'adset_id',
  'adset_name',
  'ad_id',
  'ad_name',
  'objective',
  'optimization_goal',
  'buying_type',
  'attribution_setting',
  'date_start',
  'date_stop',
  'impressions',
  'reach',
  'frequency',
  'clicks',
  'spend',
  'cpm',
  'cpc',
  'cpp',
  'ctr',
  'inline_link_clicks',
  'inline_link_click_ctr',
  'cost_per_inline_link_click',
  'outbound_clicks',
  'website_ctr',
  'actions',
  'action_values',
  'cost_per_action_type',
  'purchase_roas',
  'website_purchase_roas',
] as const;
export type InsightField = (typeof INSIGHT_FIELDS)[number];

/** Meta's default fields when `fields` is absent [MEM]. */
const DEFAULT_FIELDS: readonly InsightField[] = ['spend', 'impressions', 'account_id'];

export type TimeIncrement = number | 'all_days' | 'monthly';

export type InsightsQuery = {
  level: InsightLevel;
  fields: InsightField[];
  since: IsoDate;
  until: IsoDate;
  increment: TimeIncrement;
  /** Requested `action_attribution_windows`, or null: window keys appear only when asked for. */
  windows: string[] | null;
  filters: FilterRule[];
};

/** What the query parser needs from the account: today's date and the first day with data. */
export type InsightsCalendar = { today: IsoDate; firstDate: IsoDate };

const utc = (date: IsoDate): Date => new Date(`${date}T00:00:00Z`);
const iso = (date: Date): IsoDate => date.toISOString().slice(0, 10);
const monthStart = (date: IsoDate): IsoDate => `${date.slice(0, 7)}-01`;
const shiftMonths = (date: IsoDate, months: number): IsoDate => {
  const d = utc(monthStart(date));
  d.setUTCMonth(d.getUTCMonth() + months);
  return iso(d);
};
const quarterStart = (date: IsoDate): IsoDate => {
  const d = utc(date);
  return iso(new Date(Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1)));
};
/** Days since the most recent `weekday` (0 = Sunday, 1 = Monday). */
const sinceWeekday = (date: IsoDate, weekday: number): number => (utc(date).getUTCDay() - weekday + 7) % 7;

/** The inclusive range of a `date_preset` (meta-graph-api.md 3.2), relative to the simulated today. */
export function presetRange(preset: string, calendar: InsightsCalendar): { since: IsoDate; until: IsoDate } {
  const { today, firstDate } = calendar;
  const yesterday = addDays(today, -1);
  const lastN = /^last_(\d+)d$/.exec(preset);
  if (lastN && ['3', '7', '14', '28', '30', '90'].includes(lastN[1] ?? '')) {
    return { since: addDays(today, -Number(lastN[1])), until: yesterday };
  }
  switch (preset) {
    case 'today':
      return { since: today, until: today };
    case 'yesterday':
      return { since: yesterday, until: yesterday };
    case 'this_month':
      return { since: monthStart(today), until: today };
    case 'last_month':
      return { since: shiftMonths(today, -1), until: addDays(monthStart(today), -1) };
    case 'this_quarter':
      return { since: quarterStart(today), until: today };
    case 'last_quarter': {
      const start = quarterStart(shiftMonths(quarterStart(today), -3));
      return { since: start, until: addDays(quarterStart(today), -1) };
    }
    case 'this_year':
      return { since: `${today.slice(0, 4)}-01-01`, until: today };
    case 'last_year': {
      const year = Number(today.slice(0, 4)) - 1;
      return { since: `${year}-01-01`, until: `${year}-12-31` };
    }
    case 'this_week_mon_today':
      return { since: addDays(today, -sinceWeekday(today, 1)), until: today };
    case 'this_week_sun_today':
      return { since: addDays(today, -sinceWeekday(today, 0)), until: today };
    case 'last_week_mon_sun': {
      const monday = addDays(today, -sinceWeekday(today, 1) - 7);
      return { since: monday, until: addDays(monday, 6) };
    }
    case 'last_week_sun_sat': {
      const sunday = addDays(today, -sinceWeekday(today, 0) - 7);
      return { since: sunday, until: addDays(sunday, 6) };
    }
    case 'maximum':
    case 'data_maximum':
      // "maximum" is at most 37 months; the simulated account never reaches back that far.
      return { since: firstDate, until: today };
    default:
      // The wording for a bad preset (and for `lifetime`, disabled since v10) is a guess.
      throw graphErrors.invalidParameter(
        `date_preset must be one of the documented presets; got "${preset}"`,
      );
  }
}

const timeRangeSchema = z.object({ since: z.string(), until: z.string() });

function parseTimeRange(params: Record<string, string>): { since: IsoDate; until: IsoDate } | null {
  const raw = params.time_range;
  let since: string | undefined = params['time_range[since]'];
  let until: string | undefined = params['time_range[until]'];
  if (raw !== undefined && raw.trim() !== '') {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw graphErrors.invalidParameter(
        'Param time_range must be a JSON object {"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}',
      );
    }
    const parsed = timeRangeSchema.safeParse(value);
    if (!parsed.success) throw graphErrors.invalidParameter('Param time_range must have since and until');
    ({ since, until } = parsed.data);
  }
  if (since === undefined && until === undefined) return null;
  if (since === undefined || until === undefined || !isIsoDate(since) || !isIsoDate(until)) {
    throw graphErrors.invalidParameter('Param time_range must have since and until as YYYY-MM-DD dates');
  }
  return { since, until };
}

function parseIncrement(raw: string | undefined): TimeIncrement {
  if (raw === undefined || raw === '' || raw === 'all_days') return 'all_days';
  if (raw === 'monthly') return 'monthly';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 90) {
    throw graphErrors.invalidParameter(
      'Param time_increment must be an integer from 1 to 90, "monthly" or "all_days"',
    );
  }
  return n;
}

/** Validates and normalises the insights parameters of meta-graph-api.md 3.2. */
export function parseInsightsQuery(
  params: Record<string, string>,
  calendar: InsightsCalendar,
  defaultLevel: InsightLevel,
): InsightsQuery {
  const level = params.level ?? defaultLevel;
  if (!(INSIGHT_LEVELS as readonly string[]).includes(level)) {
    throw graphErrors.invalidParameter(
      'level must be one of the following values: ad, adset, campaign, account',
    );
  }
  const requested = parseListParam(params.fields, 'fields');
  for (const field of requested ?? []) {
    if (!(INSIGHT_FIELDS as readonly string[]).includes(field))
      throw graphErrors.nonexistingField(field, 'AdsInsights');
  }
  const fields = (requested ?? DEFAULT_FIELDS) as InsightField[];

  for (const unsupported of ['breakdowns', 'time_ranges'] as const) {
    const list = parseListParam(params[unsupported], unsupported);
    if (list && list.length > 0) {
      throw graphErrors.invalidParameter(`Param ${unsupported} is not supported by the fake Graph API`);
    }
  }
  const actionBreakdowns = parseListParam(params.action_breakdowns, 'action_breakdowns');
  if (actionBreakdowns && actionBreakdowns.some((b) => b !== 'action_type')) {
    throw graphErrors.invalidParameter(
      'Only action_breakdowns=["action_type"] is supported by the fake Graph API',
    );
  }

  const range = parseTimeRange(params) ?? presetRange(params.date_preset ?? 'last_30d', calendar);
  if (range.since > range.until) {
    throw graphErrors.invalidParameter('Param time_range: since must be on or before until');
  }
  if (range.since < shiftMonths(calendar.today, -37)) {
    throw graphErrors.dateTooOld();
  }

  const windows = parseListParam(params.action_attribution_windows, 'action_attribution_windows');
  windows?.forEach((window, index) => {
    if (!ACCEPTED_WINDOWS.includes(window) && !window.startsWith('skan_')) {
      throw graphErrors.invalidParameter(
        `action_attribution_windows[${index}] must be one of the following values: ${ACCEPTED_WINDOWS.join(', ')}`,
      );
    }
  });

  return {
    level: level as InsightLevel,
    fields,
    since: range.since,
    until: range.until,
    increment: parseIncrement(params.time_increment),
    windows,
    filters: parseFiltering(params.filtering),
  };
}
