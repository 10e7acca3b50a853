import {
  addDays,
  daysBetween,
  DECISION_ACTIONS,
  microsToNumber,
  type AccountInput,
  type DailyRow,
  type EntityFacts,
  type GuardrailState,
  type IsoDate,
  type DecisionAction,
} from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import type { AccountRow } from '../adapters/db/repositories/accounts.repository.ts';
import {
  adsetDailyRows,
  appliedBudgetChanges,
  listAdsetFacts,
  previousConcludedActions,
  type AdsetFactsRow,
  type AppliedBudgetChange,
} from '../adapters/db/repositories/decision-facts.repository.ts';
import { insightCoverage } from '../adapters/db/repositories/insights.repository.ts';
import { metaMinorDigits } from '../shared/currency.ts';
import { todayIn } from '../shared/dates.ts';
import { accountLagCurve } from './lag-curve.service.ts';
import { stageFromCampaignName } from './stage-tags.ts';

/** What the output shows beside each decision, read with the facts. */
export type EntityDetails = {
  campaignId: string | null;
  campaignName: string | null;
  /** The budget the change applies to today, in minor units: the ad set's, or its campaign's under CBO. */
  dailyBudgetMinor: bigint | null;
  budgetOwner: 'adset' | 'campaign';
};

export type AccountFacts = {
  input: AccountInput;
  /** Facts the engine could not be given and why, in plain words. */
  notes: string[];
  details: Map<string, EntityDetails>;
  /** False when the account has no daily ad set or ad rows to decide on (the notes say why). */
  hasData: boolean;
  /** The newest day with data. */
  dataThrough: IsoDate | null;
  lagCurve: 'learned' | 'default';
};

// Earlier runs read for hysteresis; more than any sensible consecutiveRuns setting.
const PREVIOUS_RUNS = 10;
const HOUR_MS = 3_600_000;
const GONE = new Set(['ARCHIVED', 'DELETED']);
const PAUSED = new Set(['PAUSED', 'CAMPAIGN_PAUSED', 'ADSET_PAUSED']);

function deliveryStatus(isImported: boolean, status: string | null): 'active' | 'paused' | null {
  if (isImported || status === null) return null;
  return PAUSED.has(status) ? 'paused' : 'active';
}

function rowsSpend(rows: readonly DailyRow[]): number {
  return microsToNumber(rows.reduce((sum, row) => sum + row.totals.spend, 0n));
}

function noDataNote(coverage: Awaited<ReturnType<typeof insightCoverage>>): string {
  const { campaign, adset, ad } = coverage;
  if (adset.period + ad.period > 0)
    return 'no daily ad set or ad rows: the export has whole-period rows only; export again broken down by day (Breakdown > By time > Day)';
  if (campaign.daily + campaign.period > 0)
    return 'campaign-level data only: recommendations need ad set or ad rows; export again at ad set or ad level';
  return 'no insights stored yet: import an export (`roas import`) or sync the account (`roas sync`)';
}

/**
 * Reads what `decideAccount` needs for one account from the database: each ad set with delivery (an
 * ad-level export is summed to its ad sets) and its daily rows, audience, stage from its campaign's
 * name tag, status, and guardrail state. Budget changes count only when Meta applied them (a
 * confirmed action); a recommendation nobody applied never starts a cooldown. Imported accounts have
 * no budgets, learning stage or status: those facts stay null and a note says so.
 */
export async function loadAccountFacts(
  db: Db,
  account: AccountRow,
  options: { now: Date },
): Promise<AccountFacts> {
  const { now } = options;
  const isImported = account.source === 'csv';
  const today = todayIn(account.timezone, now);
  const notes: string[] = [];
  const rowsByAdset = await adsetDailyRows(db, account.id, today);
  const lastDates = [...rowsByAdset.values()].map((rows) => rows.at(-1)?.date ?? '').filter(Boolean);
  const dataThrough = lastDates.length > 0 ? lastDates.reduce((a, b) => (a > b ? a : b)) : null;
  const minorDigits = metaMinorDigits(account.currency);

  // An export is a snapshot: judge it on the day after its last day, not on today's calendar.
  let asOf = today;
  if (isImported && dataThrough !== null && addDays(dataThrough, 1) < today) {
    asOf = addDays(dataThrough, 1);
    notes.push(
      `judged as of ${asOf}, the day after the export's last day, as if exported then: its newest days are read as still collecting late conversions`,
    );
  }
  const empty = (note: string): AccountFacts => ({
    input: { asOf, minorDigits, totalDailyBudgetMinor: null, metaMinDailyBudgetMinor: null, entities: [] },
    notes: [...notes, note],
    details: new Map(),
    hasData: false,
    dataThrough,
    lagCurve: 'default',
  });
  if (dataThrough === null) return empty(noDataNote(await insightCoverage(db, account.id)));
  if (!isImported && dataThrough < addDays(today, -2))
    notes.push(`the newest data is from ${dataThrough}: sync the account first (roas sync)`);

  const adsets = (await listAdsetFacts(db, account.id)).filter((a) => rowsByAdset.has(a.id));
  const gone = adsets.filter((a) => !isImported && a.status !== null && GONE.has(a.status));
  if (gone.length > 0) notes.push(`${gone.length} archived or deleted ad set(s) left out`);
  const live = adsets.filter((a) => !gone.includes(a));
  if (live.length === 0) return empty('no live ad sets with data');

  const { recent, latest } = await appliedBudgetChanges(db, account.id, {
    since: new Date(now.getTime() - 48 * HOUR_MS),
    now,
  });
  const previous = await previousConcludedActions(db, account.id, 'adset', PREVIOUS_RUNS);
  const lag = await accountLagCurve(db, account.id, asOf);

  const budgetOwner = (a: AdsetFactsRow): 'adset' | 'campaign' =>
    a.budgetOwner === 'campaign' ? 'campaign' : 'adset';
  // A CBO ad set's budget is its campaign's: a change there starts its cooldown too.
  const keysOf = (a: AdsetFactsRow) =>
    budgetOwner(a) === 'campaign' && a.campaignId !== null
      ? [`adset:${a.id}`, `campaign:${a.campaignId}`]
      : [`adset:${a.id}`];
  const increase = (c: AppliedBudgetChange) =>
    c.fromMinor !== null && c.toMinor !== null && c.toMinor > c.fromMinor ? c.toMinor - c.fromMinor : 0n;
  const isToday = (c: AppliedBudgetChange) => todayIn(account.timezone, c.appliedAt) === today;

  const details = new Map<string, EntityDetails>();
  let accountBudget = 0n;
  let accountBudgetKnown = false;
  const countedCampaigns = new Set<string>();
  for (const a of live) {
    const owner = budgetOwner(a);
    const budget = owner === 'campaign' ? a.campaignDailyBudgetMinor : a.dailyBudgetMinor;
    details.set(a.id, {
      campaignId: a.campaignId,
      campaignName: a.campaignName,
      dailyBudgetMinor: budget,
      budgetOwner: owner,
    });
    if (budget === null || PAUSED.has(a.status ?? '')) continue;
    if (owner === 'campaign') {
      if (a.campaignId === null || countedCampaigns.has(a.campaignId)) continue;
      countedCampaigns.add(a.campaignId);
    }
    accountBudget += budget;
    accountBudgetKnown = true;
  }
  const accountState: GuardrailState['account'] =
    isImported || !accountBudgetKnown
      ? null
      : {
          dailyBudgetMinor: accountBudget,
          increasedTodayMinor: recent.filter(isToday).reduce((sum, c) => sum + increase(c), 0n),
        };
  const killSwitch = {
    tripped: account.killSwitchReason !== null,
    reason: account.killSwitchReason,
  };
  if (killSwitch.tripped) notes.push(`the account kill switch is on (${killSwitch.reason ?? 'tripped'})`);

  const entities: EntityFacts[] = live.map((a) => {
    const rows = rowsByAdset.get(a.id) ?? [];
    const keys = new Set(keysOf(a));
    const mine = recent.filter((c) => keys.has(`${c.level}:${c.entityId}`));
    const last = [...keys]
      .map((key) => latest.get(key)?.getTime() ?? null)
      .reduce<number | null>((a, b) => (b !== null && (a === null || b > a) ? b : a), null);
    const owner = budgetOwner(a);
    const stage = a.stage ?? stageFromCampaignName(a.campaignName);
    const state: GuardrailState = {
      dailyBudgetMinor: isImported || owner === 'campaign' ? null : a.dailyBudgetMinor,
      budgetOwner: owner,
      learningStage: isImported ? null : a.learningStage,
      hoursSinceBudgetChange: last === null ? null : (now.getTime() - last) / HOUR_MS,
      budgetChangesLastHour: mine.filter((c) => now.getTime() - c.appliedAt.getTime() < HOUR_MS).length,
      increasedTodayMinor: mine.filter(isToday).reduce((sum, c) => sum + increase(c), 0n),
      spend: rowsSpend(rows),
      account: accountState,
      killSwitch,
    };
    return {
      entityId: a.id,
      level: 'adset',
      name: a.name,
      rows,
      audience: { type: a.audienceType, lookalikePercent: a.lookalikePercent },
      stage,
      // An ad set enters its campaign's stage when it starts: whole days since its first day with delivery.
      hoursInStage: stage === null || rows[0] === undefined ? null : daysBetween(rows[0].date, asOf) * 24,
      status: deliveryStatus(isImported, a.status),
      state,
      previousActions: (previous.get(a.id) ?? []).filter((action): action is DecisionAction =>
        (DECISION_ACTIONS as readonly string[]).includes(action),
      ),
    };
  });

  if (isImported) {
    notes.push(
      'imported from an Ads Manager export, which has no budgets, learning stage or delivery status: ' +
        'budget changes are given as percents only, the learning-phase lock is not checked, ' +
        'and paused ad sets are judged like active ones',
    );
  }
  return {
    // Meta's min_daily_budget is not stored yet; the rules' own minimum budget still applies.
    input: {
      asOf,
      minorDigits,
      curve: lag.curve,
      totalDailyBudgetMinor: null,
      metaMinDailyBudgetMinor: null,
      entities,
    },
    notes,
    details,
    hasData: true,
    dataThrough,
    lagCurve: lag.source,
  };
}
