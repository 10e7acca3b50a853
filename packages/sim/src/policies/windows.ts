import type { ReportedRow } from '../market/types.ts';

/** Additive totals of reported rows over a span of days. */
export type WindowTotals = { spendCents: number; purchases: number; purchaseValueCents: number };

/** Sums rows with fromDay <= day <= toDay (rows are sorted by day, oldest first). */
export function sumRows(rows: readonly ReportedRow[], fromDay: number, toDay: number): WindowTotals {
  const totals: WindowTotals = { spendCents: 0, purchases: 0, purchaseValueCents: 0 };
  for (let r = rows.length - 1; r >= 0; r--) {
    const row = rows[r];
    if (!row || row.day < fromDay) break;
    if (row.day > toDay) continue;
    totals.spendCents += row.spendCents;
    totals.purchases += row.purchases;
    totals.purchaseValueCents += row.purchaseValueCents;
  }
  return totals;
}

/** The last `days` complete days before the observation day. */
export function lastDays(rows: readonly ReportedRow[], observationDay: number, days: number): WindowTotals {
  return sumRows(rows, observationDay - days, observationDay - 1);
}

/** Reported ROAS of a window, or null with no spend. */
export function windowRoas(totals: WindowTotals): number | null {
  return totals.spendCents > 0 ? totals.purchaseValueCents / totals.spendCents : null;
}
