// An account's stored history as the models learn from it (core's AccountHistory): every ad set with
// daily rows, archived ones included, with its audience, stage and the budget and delivery of each day.
import { addDays, type AccountHistory, type AdSetDayState, type DailyRow, type IsoDate } from '@roas/core';
import type { Db } from '../../adapters/db/database.ts';
import type { AccountRow } from '../../adapters/db/repositories/accounts.repository.ts';
import {
  adsetDailyRows,
  appliedBudgetChanges,
  listAdsetFacts,
  type AdsetFactsRow,
  type AppliedBudgetChange,
} from '../../adapters/db/repositories/decision-facts.repository.ts';
import { metaMinorDigits } from '../../shared/currency.ts';
import { todayIn } from '../../shared/dates.ts';
import { accountLagCurve } from '../lag-curve.service.ts';
import { stageFromCampaignName } from '../stage-tags.ts';

export type StoredHistory = {
  history: AccountHistory;
  /** The ad set id of each `history.adSets` entry. */
  adSetIds: string[];
  /** The newest day with data; null when the account has no daily ad set rows. */
  dataThrough: IsoDate | null;
};

const delivered = (row: DailyRow) => row.totals.spend > 0n || row.totals.impressions > 0;

/**
 * The budget in force at the end of each day: the current budget, undone by every change Meta applied
 * on a later day (the earliest such change's `from` is what ran before it). Null when unknown.
 */
export function budgetOnDay(
  current: bigint | null,
  changes: readonly { date: IsoDate; fromMinor: bigint | null }[],
  date: IsoDate,
): bigint | null {
  let earliest: { date: IsoDate; fromMinor: bigint | null } | null = null;
  for (const change of changes)
    if (change.date > date && (!earliest || change.date < earliest.date)) earliest = change;
  return earliest ? earliest.fromMinor : current;
}

/**
 * Reads what the models train on for one account, as of its today (an export: the day after its last
 * day). Per day, an ad set counts as active when it delivered; its budget is rebuilt from the current
 * one and the budget changes Meta confirmed; Meta's learning stage is not kept per day, so it is left
 * unknown. Exports have no budgets or statuses: those stay unknown too.
 */
export async function loadAccountHistory(
  db: Db,
  account: AccountRow,
  options: { now: Date },
): Promise<StoredHistory> {
  const isImported = account.source === 'csv';
  const today = todayIn(account.timezone, options.now);
  const rowsByAdset = await adsetDailyRows(db, account.id, today);
  const lastDates = [...rowsByAdset.values()].map((rows) => rows.at(-1)?.date ?? '').filter(Boolean);
  const dataThrough = lastDates.length > 0 ? lastDates.reduce((a, b) => (a > b ? a : b)) : null;
  const asOf =
    isImported && dataThrough !== null && addDays(dataThrough, 1) < today ? addDays(dataThrough, 1) : today;
  const minorDigits = metaMinorDigits(account.currency);
  if (dataThrough === null) return { history: { asOf, minorDigits, adSets: [] }, adSetIds: [], dataThrough };

  const adsets = (await listAdsetFacts(db, account.id)).filter((a) => rowsByAdset.has(a.id));
  const firstDate = adsets
    .map((a) => rowsByAdset.get(a.id)?.[0]?.date ?? asOf)
    .reduce((a, b) => (a < b ? a : b), asOf);
  const { recent } = await appliedBudgetChanges(db, account.id, {
    since: new Date(`${firstDate}T00:00:00Z`),
    now: options.now,
  });
  const changesOf = (a: AdsetFactsRow) =>
    recent
      .filter((c: AppliedBudgetChange) => c.level === 'adset' && c.entityId === a.id)
      .map((c) => ({ date: todayIn(account.timezone, c.appliedAt), fromMinor: c.fromMinor }));
  const lag = await accountLagCurve(db, account.id, asOf);

  const adSets = adsets.map((a) => {
    const rows = rowsByAdset.get(a.id) ?? [];
    const ownsBudget = a.budgetOwner !== 'campaign';
    const changes = changesOf(a);
    const byDate = new Map(rows.map((row) => [row.date, row]));
    const states: AdSetDayState[] = [];
    for (let date = rows[0]?.date ?? asOf; date < asOf; date = addDays(date, 1)) {
      const row = byDate.get(date);
      states.push({
        date,
        status: isImported ? null : row && delivered(row) ? 'active' : 'paused',
        dailyBudgetMinor: isImported || !ownsBudget ? null : budgetOnDay(a.dailyBudgetMinor, changes, date),
        learningStage: null,
      });
    }
    return {
      audienceType: a.audienceType,
      stage: a.stage ?? stageFromCampaignName(a.campaignName),
      rows,
      states,
    };
  });
  return {
    history: { asOf, minorDigits, curve: lag.curve, adSets },
    adSetIds: adsets.map((a) => a.id),
    dataThrough,
  };
}
