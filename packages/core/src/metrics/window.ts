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

// Engine runs read the same few hundred dates millions of times; the cache is bounded and pure.
const DAY_NUMBER_CACHE = new Map<IsoDate, number>();
const DAY_NUMBER_CACHE_LIMIT = 50_000;

/** Days since 1970-01-01 of a valid ISO date (cached): for comparing and indexing days as integers. */
export function dayNumber(date: IsoDate): number {
  const cached = DAY_NUMBER_CACHE.get(date);
  if (cached !== undefined) return cached;
  const value = computeDayNumber(date);
  if (DAY_NUMBER_CACHE.size >= DAY_NUMBER_CACHE_LIMIT) DAY_NUMBER_CACHE.clear();
  DAY_NUMBER_CACHE.set(date, value);
  return value;
}

/** Days since 1970-01-01 of a valid ISO date, by integer arithmetic (civil-from-days, proleptic Gregorian). */
function computeDayNumber(date: IsoDate): number {
  let y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

// The same few hundred dates are also built millions of times: bounded like the cache above.
const DATE_CACHE = new Map<number, IsoDate>();

/** The ISO date of a day number (inverse of `dayNumber`, cached). */
function fromDayNumber(days: number): IsoDate {
  const cached = DATE_CACHE.get(days);
  if (cached !== undefined) return cached;
  const value = computeDate(days);
  if (DATE_CACHE.size >= DAY_NUMBER_CACHE_LIMIT) DATE_CACHE.clear();
  DATE_CACHE.set(days, value);
  return value;
}

function computeDate(days: number): IsoDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// Date math runs per row in the engine's hot loop: integer arithmetic, no Date objects.
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
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
