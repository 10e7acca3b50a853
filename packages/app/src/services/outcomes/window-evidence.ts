import {
  addDays,
  completenessAt,
  daysBetween,
  microsToNumber,
  type CompletenessCurve,
  type IsoDate,
} from '@roas/core';

/** One entity-day as last read: money in micro-units, and how old the day was when it was read. */
export type DayReading = {
  date: IsoDate;
  spendMicros: bigint;
  revenueMicros: bigint;
  purchases: number;
  /** Whole days between the end of the day and its last reading (0 = read the next day; <0 = still running). */
  ageAtRead: number;
};

/** Inclusive date range. */
export type DateWindow = { from: IsoDate; to: IsoDate };

/** The `horizonDays` days starting on the decision day (the day after its data end). */
export function horizonWindow(asOf: IsoDate, horizonDays: number): DateWindow {
  return { from: asOf, to: addDays(asOf, horizonDays - 1) };
}

/** The week before the decision day: what the decision looked at most closely. */
export function baselineWindow(asOf: IsoDate, days = 7): DateWindow {
  return { from: addDays(asOf, -days), to: addDays(asOf, -1) };
}

export type WindowSums = {
  window: DateWindow;
  days: number;
  spendMicros: bigint;
  revenueMicros: bigint;
  purchases: number;
  /** Days with spend. */
  activeDays: number;
};

export type WindowEvidence = WindowSums & {
  /** Spend weighted by how much of its purchases had been reported when read (major units). */
  exposure: number;
  /** exposure / spend: the share of the window's eventual purchases already in; 1 without spend. */
  completeness: number;
  /** Every day with spend was read after all its purchases could be reported: the numbers will not move. */
  isFinal: boolean;
};

const inWindow = (date: IsoDate, window: DateWindow) => date >= window.from && date <= window.to;

export function sumWindow(readings: readonly DayReading[], window: DateWindow): WindowSums {
  let spendMicros = 0n;
  let revenueMicros = 0n;
  let purchases = 0;
  let activeDays = 0;
  for (const r of readings) {
    if (!inWindow(r.date, window)) continue;
    spendMicros += r.spendMicros;
    revenueMicros += r.revenueMicros;
    purchases += r.purchases;
    if (r.spendMicros > 0n) activeDays += 1;
  }
  const days = daysBetween(window.from, window.to) + 1;
  return { window, days, spendMicros, revenueMicros, purchases, activeDays };
}

/**
 * The window's sums with each day's spend discounted by the completeness curve at the age it was
 * read (the engine's lag correction): immature days weigh less instead of reading as a decline.
 */
export function windowEvidence(
  readings: readonly DayReading[],
  window: DateWindow,
  curve: CompletenessCurve,
): WindowEvidence {
  const sums = sumWindow(readings, window);
  let exposure = 0;
  let isFinal = true;
  for (const r of readings) {
    if (!inWindow(r.date, window) || r.spendMicros <= 0n) continue;
    const share = completenessAt(curve, r.ageAtRead);
    exposure += microsToNumber(r.spendMicros) * share;
    if (share < 1) isFinal = false;
  }
  const spend = microsToNumber(sums.spendMicros);
  return { ...sums, exposure, completeness: spend > 0 ? exposure / spend : 1, isFinal };
}

/** Bounds on the dispersion factor: never below Poisson, never so wide that no window could be judged. */
const MAX_DISPERSION = 5;
const MIN_DAYS_FOR_DISPERSION = 20;

/**
 * How much more daily purchase counts vary than Poisson (quasi-Poisson dispersion): Pearson's
 * chi-square of each entity's daily purchases around its own rate over the window, pooled over
 * entities and divided by its degrees of freedom. CPM, click-through and conversion swing from day to
 * day, so a few days of purchases say less about an ad set's ROAS than their count suggests; the
 * outcome posterior divides its evidence by this factor. 1 (Poisson) with too few days to tell.
 */
export function dailyDispersion(byEntity: Iterable<readonly DayReading[]>, window: DateWindow): number {
  let chiSquare = 0;
  let freedom = 0;
  for (const readings of byEntity) {
    const days = readings.filter((r) => inWindow(r.date, window) && r.spendMicros > 0n);
    const spend = days.reduce((sum, r) => sum + microsToNumber(r.spendMicros), 0);
    const purchases = days.reduce((sum, r) => sum + r.purchases, 0);
    if (days.length < 2 || purchases === 0) continue;
    const rate = purchases / spend;
    for (const r of days) {
      const expected = rate * microsToNumber(r.spendMicros);
      chiSquare += (r.purchases - expected) ** 2 / expected;
    }
    freedom += days.length - 1;
  }
  if (freedom < MIN_DAYS_FOR_DISPERSION) return 1;
  return Math.min(MAX_DISPERSION, Math.max(1, chiSquare / freedom));
}
