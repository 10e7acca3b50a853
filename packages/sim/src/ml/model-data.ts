import {
  concatDatasets,
  daySeries,
  dayNumber,
  snapshotDataset,
  type AccountHistory,
  type AccountSnapshot,
  type AdSetDayState,
  type DailyRow,
  type ModelDataset,
} from '@roas/core';
import { Market } from '../market/market.ts';
import { rowToMetricTotals } from '../market/report.ts';
import type { AdSetObservation, Observation, ReportedRow } from '../market/types.ts';
import { createPolicy, type PolicyName } from '../policies/registry.ts';
import { policyContext } from '../runner/simulate.ts';
import type { Scenario } from '../scenarios/schema.ts';

/** One simulated account for the models: a scenario run under a policy from a seed. */
export type ModelDataTask = {
  scenario: Scenario;
  policy: PolicyName;
  seed: number;
  /** Index stored in the rows' `account` column. */
  accountIndex: number;
  /** Also return the account's stored history as the product would hold it at the start of this day. */
  historyAt?: number | null;
  /** First day judged (default 3: two days of data). */
  firstDay?: number;
};

export type ModelData = {
  /** One row per ad set per judged day: features from that day's report, labels from matured rows. */
  dataset: ModelDataset;
  history: AccountHistory | null;
};

// Final rows are shared by every later report: convert each one once.
const converted = new WeakMap<ReportedRow, DailyRow>();

function toDailyRow(row: ReportedRow): DailyRow {
  let daily = converted.get(row);
  if (!daily) {
    daily = { date: row.date, totals: rowToMetricTotals(row) };
    converted.set(row, daily);
  }
  return daily;
}

/** Tracks budget changes between daily observations, as the product records applied changes. */
class BudgetLog {
  private readonly last = new Map<string, { cents: number; changedOn: number | null }>();

  hoursSinceChange(adSet: AdSetObservation, day: number): number | null {
    const seen = this.last.get(adSet.id);
    // The budget seen on `day` ran on day - 1; a new value there means a change applied that day.
    const changedOn = seen && seen.cents !== adSet.dailyBudgetCents ? day - 1 : (seen?.changedOn ?? null);
    this.last.set(adSet.id, { cents: adSet.dailyBudgetCents, changedOn });
    return changedOn === null ? null : (day - changedOn) * 24;
  }
}

function stateOf(adSet: AdSetObservation, date: string): AdSetDayState {
  return {
    date,
    status: adSet.status === 'ACTIVE' ? 'active' : 'paused',
    dailyBudgetMinor: BigInt(adSet.dailyBudgetCents),
    learningStage: adSet.learning.stage,
  };
}

function snapshotOf(observation: Observation, hours: readonly (number | null)[]): AccountSnapshot {
  return {
    asOf: observation.date,
    minorDigits: 2,
    adSets: observation.adSets.map((adSet, i) => ({
      rows: adSet.rows.map(toDailyRow),
      audienceType: adSet.audienceType,
      stage: null,
      status: adSet.status === 'ACTIVE' ? 'active' : 'paused',
      dailyBudgetMinor: BigInt(adSet.dailyBudgetCents),
      learningStage: adSet.learning.stage,
      hoursSinceBudgetChange: hours[i] ?? null,
    })),
  };
}

/**
 * Runs one simulated account for the scenario's horizon under a policy and records, for every day
 * judged, each ad set's features as the product would compute them from that day's Graph API report,
 * then labels them from the rows as reported once every purchase is attributed (7 days after the
 * horizon). Deterministic in (scenario, policy, seed).
 */
export function simulateModelData(task: ModelDataTask): ModelData {
  const { scenario } = task;
  const horizon = scenario.horizonDays;
  const at = task.historyAt ?? null;
  if (at !== null && (!Number.isInteger(at) || at < 1 || at > horizon))
    throw new RangeError(`historyAt must be a day from 1 to ${horizon} (${at})`);
  const market = new Market(scenario, task.seed);
  const policy = createPolicy(task.policy, policyContext(scenario));
  const budgets = new BudgetLog();
  const firstDay = task.firstDay ?? 3;
  const snapshots: AccountSnapshot[] = [];
  const states: AdSetDayState[][] = market.latent.map(() => []);
  for (let day = 0; day < horizon; day++) {
    const observation = market.observe();
    if (day > 0)
      observation.adSets.forEach((adSet, i) => states[i]?.push(stateOf(adSet, market.dateOf(day - 1))));
    const hours = observation.adSets.map((adSet) => budgets.hoursSinceChange(adSet, day));
    // Labels need at least the purchase horizon (3 days) after the judged day.
    if (day >= firstDay && day <= horizon - 3) snapshots.push(snapshotOf(observation, hours));
    const decisions =
      policy.kind === 'oracle' ? policy.decide(observation, market) : policy.decide(observation);
    market.step(decisions);
  }
  market.observe().adSets.forEach((adSet, i) => states[i]?.push(stateOf(adSet, market.dateOf(horizon - 1))));
  // Every purchase of the last day is attributed by 7 days after it.
  const matured = market.report(horizon + 8);
  const series = matured.adSets.map((adSet) => daySeries(adSet.rows.map(toDailyRow)));
  const knownThrough = dayNumber(market.dateOf(horizon - 1));
  const dataset = concatDatasets(
    snapshots.map((s) => snapshotDataset(s, series, knownThrough, task.accountIndex)),
  );

  let history: AccountHistory | null = null;
  if (at !== null) {
    const stored = market.report(at);
    const cutoff = market.dateOf(at);
    history = {
      asOf: cutoff,
      minorDigits: 2,
      adSets: stored.adSets.map((adSet, i) => ({
        audienceType: adSet.audienceType,
        stage: null,
        rows: adSet.rows.map((row) => ({ date: row.date, totals: rowToMetricTotals(row) })),
        states: (states[i] ?? []).filter((s) => s.date < cutoff),
      })),
    };
  }
  return { dataset, history };
}
