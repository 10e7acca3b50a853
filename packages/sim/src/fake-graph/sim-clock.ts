import type { IsoDate } from '@roas/core';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at an instant, in minutes (-420 for PDT). */
export function tzOffsetMinutes(timeZone: string, epochMs: number): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name =
    format.formatToParts(new Date(epochMs)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** The instant a calendar date starts in `timeZone`. */
export function localMidnightMs(date: IsoDate, timeZone: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`);
  const guess = utc - tzOffsetMinutes(timeZone, utc) * 60_000;
  return utc - tzOffsetMinutes(timeZone, guess) * 60_000;
}

/** Meta's timestamp format: ISO-8601 local time with a `±hhmm` offset and no colon (`2026-06-01T09:00:00-0700`). */
export function formatGraphTime(epochMs: number, timeZone: string): string {
  const offset = tzOffsetMinutes(timeZone, epochMs);
  const local = new Date(epochMs + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The fake's simulated clock: the market's current day plus a time of day. Wall-clock time passes
 * within a day (so "4 budget changes per hour" holds in real time), but only `advance` moves to the
 * next day; a server left running for over 24 h stays at 23:59:59.999 of its day.
 */
export class SimClock {
  private baseMs = 0;
  private wallMark: number;

  constructor(
    readonly timeZone: string,
    private readonly dateOfCurrentDay: () => IsoDate,
    private readonly wall: () => number = Date.now,
  ) {
    this.wallMark = wall();
  }

  timeOfDayMs(): number {
    return Math.min(DAY_MS - 1, this.baseMs + Math.max(0, this.wall() - this.wallMark));
  }

  nowMs(): number {
    return localMidnightMs(this.dateOfCurrentDay(), this.timeZone) + this.timeOfDayMs();
  }

  /** Moves the time of day by `ms`, returning how many midnights were crossed (the caller steps the market). */
  advanceWithinDay(ms: number): number {
    const target = this.timeOfDayMs() + Math.max(0, ms);
    const days = Math.floor(target / DAY_MS);
    this.baseMs = target - days * DAY_MS;
    this.wallMark = this.wall();
    return days;
  }
}
