/** Reporting windows, counted in whole days ending on (and including) an anchor date. */
export const WINDOWS = ['1d', '3d', '7d', '14d', '30d', 'lifetime'] as const;
export type Window = (typeof WINDOWS)[number];

export const WINDOW_DAYS = {
  '1d': 1,
  '3d': 3,
  '7d': 7,
  '14d': 14,
  '30d': 30,
  lifetime: null,
} as const satisfies Record<Window, number | null>;

/** A calendar date as `YYYY-MM-DD`, in the account's time zone. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD` (rejects 2026-02-30). */
export function isIsoDate(value: string): value is IsoDate {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The inclusive date range a window covers when it ends on `anchor`; lifetime has no start. */
export function windowRange(window: Window, anchor: IsoDate): { from: IsoDate | null; to: IsoDate } {
  const days = WINDOW_DAYS[window];
  return { from: days === null ? null : addDays(anchor, -(days - 1)), to: anchor };
}

/** True when the span [start, stop] lies wholly inside the window's range. */
export function isSpanInWindow(
  start: IsoDate,
  stop: IsoDate,
  range: { from: IsoDate | null; to: IsoDate },
): boolean {
  return (range.from === null || start >= range.from) && stop <= range.to;
}
