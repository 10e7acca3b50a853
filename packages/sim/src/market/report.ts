import { formatMicros, minorUnitsToMicros, type IsoDate, type MetricTotals } from '@roas/core';
import { LAG_DAYS } from '../scenarios/schema.ts';
import type { ReportedRow } from './types.ts';

/** Event kinds stored per delay bucket; purchase value is in cents. */
export const EVENT = { purchases: 0, valueCents: 1, addsToCart: 2, checkouts: 3 } as const;
const BUCKETS = LAG_DAYS + 1;

/**
 * Everything that happened on one day for one ad (or one ad set): delivery, and each conversion event
 * by the delay bucket in which it will be attributed (bucket 8 = never).
 */
export type DayRecord = {
  day: number;
  spendCents: number;
  impressions: number;
  reach: number;
  linkClicks: number;
  /** [kind * 9 + delay] for kind in EVENT. */
  events: Float64Array;
};

/** An empty record for `day`. */
export function newDayRecord(day: number): DayRecord {
  return {
    day,
    spendCents: 0,
    impressions: 0,
    reach: 0,
    linkClicks: 0,
    events: new Float64Array(4 * BUCKETS),
  };
}

/** Adds one event of `kind` in delay bucket `delay`. */
export function addEvent(record: DayRecord, kind: number, delay: number, amount = 1): void {
  const index = kind * BUCKETS + delay;
  record.events[index] = (record.events[index] ?? 0) + amount;
}

/** Sum of `kind` over delay buckets 0..maxDelay. */
export function eventsUpTo(record: DayRecord, kind: number, maxDelay: number): number {
  let total = 0;
  const last = Math.min(maxDelay, LAG_DAYS - 1);
  for (let d = 0; d <= last; d++) total += record.events[kind * BUCKETS + d] ?? 0;
  return total;
}

/** Sum of `kind` over every bucket, outside the window included. */
export function eventsAll(record: DayRecord, kind: number): number {
  return eventsUpTo(record, kind, LAG_DAYS - 1) + (record.events[kind * BUCKETS + LAG_DAYS] ?? 0);
}

/**
 * The row Meta would report for `record` when asked at the start of day `asOf` (days before `asOf`
 * are complete; an event with delay d on day t is visible once t + d < asOf).
 */
export function reportedRow(record: DayRecord, date: IsoDate, asOf: number): ReportedRow {
  const maxDelay = asOf - 1 - record.day;
  return {
    day: record.day,
    date,
    spendCents: record.spendCents,
    impressions: record.impressions,
    reach: record.reach,
    linkClicks: record.linkClicks,
    addsToCart: eventsUpTo(record, EVENT.addsToCart, maxDelay),
    checkoutsInitiated: eventsUpTo(record, EVENT.checkouts, maxDelay),
    purchases: eventsUpTo(record, EVENT.purchases, maxDelay),
    purchaseValueCents: eventsUpTo(record, EVENT.valueCents, maxDelay),
  };
}

/** True once no more events can arrive for the record's day. */
export function isFinal(record: DayRecord, asOf: number): boolean {
  return asOf - 1 - record.day >= LAG_DAYS - 1;
}

/** Cents as Meta's decimal string ("14.35"), through core's exact money type. */
export function formatCents(cents: number): string {
  return formatMicros(minorUnitsToMicros(BigInt(cents), 2), 2);
}

/** A reported row as core's additive totals (exact micros), for core's metric formulas. */
export function rowToMetricTotals(row: ReportedRow): MetricTotals {
  return {
    spend: minorUnitsToMicros(BigInt(row.spendCents), 2),
    revenue: minorUnitsToMicros(BigInt(row.purchaseValueCents), 2),
    purchases: row.purchases,
    impressions: row.impressions,
    reach: row.reach,
    linkClicks: row.linkClicks,
    addsToCart: row.addsToCart,
    checkoutsInitiated: row.checkoutsInitiated,
  };
}
