import {
  addDays,
  completenessAt,
  daysBetween,
  deriveMetrics,
  emptyTotals,
  addTotals,
  microsToNumber,
  type IsoDate,
  type MetricTotals,
} from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import { findAccountById, type AccountRow } from '../adapters/db/repositories/accounts.repository.ts';
import { listActionsOf, type ActionViewRow } from '../adapters/db/repositories/actions.repository.ts';
import {
  entityDailyRows,
  findAdsetView,
  findAdView,
  lastDailyDateOf,
  lastDailyDateOfAccount,
  listAdsetViews,
  listAdsOfAdset,
  type EntityViewRow,
} from '../adapters/db/repositories/entity-views.repository.ts';
import { sumInsights } from '../adapters/db/repositories/insights.repository.ts';
import { latestRecommendationPerAdset } from '../adapters/db/repositories/recommendations.repository.ts';
import { todayIn } from '../shared/dates.ts';
import { NotFoundError, UserError } from '../shared/errors.ts';
import { moneyFromMinorOrNull, type MoneyView } from '../shared/money-view.ts';
import { accountLagCurve } from './lag-curve.service.ts';
import { recommendationsOfEntity, type RecommendationItem } from './recommendations.service.ts';
import { stageFromCampaignName } from './stage-tags.ts';

export type AccountRef = { id: string; name: string; currency: string; timezone: string };

export type BudgetView = {
  /** Who holds the budget: the ad set, or its campaign (CBO); null when unknown (imports). */
  owner: 'adset' | 'campaign' | null;
  /** The daily budget changes apply to: the ad set's, or the campaign's under CBO. */
  daily: MoneyView | null;
  lifetime: MoneyView | null;
};

export type WindowMetrics = {
  spend: number;
  revenue: number;
  purchases: number;
  impressions: number;
  clicks: number;
  roas: number | null;
  cpa: number | null;
};

export type AdsetListItem = {
  id: string;
  name: string;
  campaign: { id: string | null; name: string | null };
  status: string | null;
  budget: BudgetView;
  audience: { type: string; lookalikePercent: number | null };
  stage: 'testing' | 'validation' | 'scaling' | null;
  learningStage: string | null;
  metrics: WindowMetrics;
  latestRecommendation: {
    id: string;
    action: string;
    scalePercent: number | null;
    confidence: string;
    status: string;
    createdAt: string;
  } | null;
};

export type AdsetList = {
  account: AccountRef;
  range: { from: IsoDate; to: IsoDate } | null;
  items: AdsetListItem[];
};

export type DailyPoint = {
  date: IsoDate;
  /** Money in major units of the account currency. */
  spend: number;
  revenue: number;
  purchases: number;
  impressions: number;
  clicks: number;
  roas: number | null;
  cpa: number | null;
  ctr: number | null;
  frequency: number | null;
  /** Share of the day's eventual purchases already reported, on the account's lag curve. */
  completeness: number;
  /** Completeness below 1: late conversions are still arriving, so ROAS and CPA will improve. */
  immature: boolean;
};

export type ActionItem = {
  id: string;
  recommendationId: string | null;
  kind: string;
  status: string;
  request: Record<string, unknown>;
  priorState: Record<string, unknown>;
  metaResponse: Record<string, unknown> | null;
  approvedBy: { id: string | null; username: string | null } | null;
  createdAt: string;
  appliedAt: string | null;
};

export type EntityDetail = {
  entity: {
    id: string;
    level: 'adset' | 'ad';
    name: string;
    status: string | null;
    account: AccountRef;
    campaign: { id: string | null; name: string | null };
    /** For an ad: its ad set. */
    adset: { id: string; name: string | null } | null;
    budget: BudgetView;
    audience: { type: string; lookalikePercent: number | null };
    stage: 'testing' | 'validation' | 'scaling' | null;
    learningStage: string | null;
    /** For an ad set: its ads. */
    ads: { id: string; name: string; status: string | null }[];
  };
  /** The days shown: `days` days ending on the entity's newest day with data. */
  range: { from: IsoDate; to: IsoDate; days: number } | null;
  /** The account's today (an export: the day after its last day); immaturity is measured from it. */
  asOf: IsoDate;
  lagCurve: { source: 'learned' | 'default'; completeness: number[] };
  daily: DailyPoint[];
  totals: WindowMetrics;
  recommendations: RecommendationItem[];
  actions: ActionItem[];
};

const accountRef = (a: AccountRow): AccountRef => ({
  id: a.id,
  name: a.name,
  currency: a.currency,
  timezone: a.timezone,
});

async function requireAccount(db: Db, id: string): Promise<AccountRow> {
  const account = await findAccountById(db, id);
  if (!account) throw new NotFoundError(`no account ${id}`);
  return account;
}

/**
 * The date decisions are made for, as the engine sees it: the account's today in its time zone, or
 * for an imported export the day after its last day (when that is earlier).
 */
export async function accountAsOf(db: Db, account: AccountRow, now: Date): Promise<IsoDate> {
  const today = todayIn(account.timezone, now);
  if (account.source !== 'csv') return today;
  const last = await lastDailyDateOfAccount(db, account.id);
  return last !== null && addDays(last, 1) < today ? addDays(last, 1) : today;
}

function metricsOf(totals: MetricTotals): WindowMetrics {
  const derived = deriveMetrics(totals);
  return {
    spend: microsToNumber(totals.spend),
    revenue: microsToNumber(totals.revenue),
    purchases: totals.purchases,
    impressions: totals.impressions,
    clicks: totals.linkClicks,
    roas: derived.roas,
    cpa: derived.cpa,
  };
}

function budgetOf(row: EntityViewRow, currency: string): BudgetView {
  const owner = row.budgetOwner === null ? null : row.budgetOwner === 'campaign' ? 'campaign' : 'adset';
  const daily = owner === 'campaign' ? row.campaignDailyBudgetMinor : row.dailyBudgetMinor;
  return {
    owner,
    daily: moneyFromMinorOrNull(daily, currency),
    lifetime: owner === 'campaign' ? null : moneyFromMinorOrNull(row.lifetimeBudgetMinor, currency),
  };
}

const stageOf = (row: EntityViewRow) => row.stage ?? stageFromCampaignName(row.campaignName);

/**
 * Every ad set of an account with its budget, audience, stage, learning stage, its metrics over
 * [from, to] (default: the 7 days ending on the account's newest day with data) and its newest
 * recommendation.
 */
export async function listAccountAdsets(
  db: Db,
  accountId: string,
  range: { from?: IsoDate | undefined; to?: IsoDate | undefined },
): Promise<AdsetList> {
  const account = await requireAccount(db, accountId);
  let to = range.to;
  if (to === undefined) {
    const last = await lastDailyDateOfAccount(db, accountId);
    to = last ?? undefined;
  }
  const from = range.from ?? (to === undefined ? undefined : addDays(to, -6));
  if (from !== undefined && to !== undefined && from > to)
    throw new UserError(`from ${from} is after to ${to}`);
  const [views, latest] = await Promise.all([
    listAdsetViews(db, accountId),
    latestRecommendationPerAdset(db, accountId),
  ]);
  const totals = new Map<string, MetricTotals>();
  if (from !== undefined && to !== undefined) {
    const own = await sumInsights(db, {
      accountId,
      source: 'adset',
      target: 'adset',
      from,
      to,
      periodRows: false,
    });
    for (const row of own) if (row.entityId) totals.set(row.entityId, row.totals);
    const rolled = await sumInsights(db, {
      accountId,
      source: 'ad',
      target: 'adset',
      from,
      to,
      periodRows: false,
    });
    for (const row of rolled)
      if (row.entityId && !totals.has(row.entityId)) totals.set(row.entityId, row.totals);
  }
  return {
    account: accountRef(account),
    range: from !== undefined && to !== undefined ? { from, to } : null,
    items: views.map((view) => {
      const recommendation = latest.get(view.id);
      return {
        id: view.id,
        name: view.name,
        campaign: { id: view.campaignId, name: view.campaignName },
        status: view.status,
        budget: budgetOf(view, account.currency),
        audience: { type: view.audienceType, lookalikePercent: view.lookalikePercent },
        stage: stageOf(view),
        learningStage: view.learningStage,
        metrics: metricsOf(totals.get(view.id) ?? emptyTotals()),
        latestRecommendation: recommendation
          ? {
              id: recommendation.id,
              action: recommendation.action,
              scalePercent: recommendation.scalePercent === null ? null : Number(recommendation.scalePercent),
              confidence: recommendation.confidence,
              status: recommendation.status,
              createdAt: recommendation.generatedAt.toISOString(),
            }
          : null,
      };
    }),
  };
}

const isoOrNull = (value: Date | null) => (value === null ? null : value.toISOString());

function toActionItem(row: ActionViewRow): ActionItem {
  return {
    id: row.id,
    recommendationId: row.recommendationId,
    kind: row.kind,
    status: row.status,
    request: row.request,
    priorState: row.priorState,
    metaResponse: row.metaResponse,
    approvedBy: row.approvedBy === null ? null : { id: row.approvedBy, username: row.approvedByName },
    createdAt: row.createdAt.toISOString(),
    appliedAt: isoOrNull(row.appliedAt),
  };
}

/**
 * An ad set or ad over its last `days` days with data: daily metrics (each day marked immature while
 * its conversions are still arriving, on the account's lag curve), its recommendations and actions.
 */
export async function entityDetail(
  db: Db,
  entity: { level: 'adset' | 'ad'; id: string },
  options: { days: number; now: Date },
): Promise<EntityDetail> {
  const view =
    entity.level === 'adset' ? await findAdsetView(db, entity.id) : await findAdView(db, entity.id);
  if (!view) throw new NotFoundError(`no ${entity.level === 'adset' ? 'ad set' : 'ad'} ${entity.id}`);
  const account = await requireAccount(db, view.accountId);
  const asOf = await accountAsOf(db, account, options.now);
  const [last, lag, recommendations, actions, ads] = await Promise.all([
    lastDailyDateOf(db, entity),
    accountLagCurve(db, account.id, asOf),
    recommendationsOfEntity(db, entity),
    listActionsOf(db, entity),
    entity.level === 'adset' ? listAdsOfAdset(db, entity.id) : Promise.resolve([]),
  ]);
  const range =
    last === null ? null : { from: addDays(last, -(options.days - 1)), to: last, days: options.days };
  const rows = range === null ? [] : await entityDailyRows(db, entity, range);
  let sum = emptyTotals();
  const daily = rows.map((row): DailyPoint => {
    sum = addTotals(sum, row.totals);
    const derived = deriveMetrics(row.totals);
    // Age as the engine counts it: a day is 0 days old on the day after it.
    const completeness = completenessAt(lag.curve, daysBetween(row.date, asOf) - 1);
    return {
      date: row.date,
      spend: microsToNumber(row.totals.spend),
      revenue: microsToNumber(row.totals.revenue),
      purchases: row.totals.purchases,
      impressions: row.totals.impressions,
      clicks: row.totals.linkClicks,
      roas: derived.roas,
      cpa: derived.cpa,
      ctr: derived.ctr,
      frequency: derived.frequency,
      completeness,
      immature: completeness < 1,
    };
  });
  return {
    entity: {
      id: view.id,
      level: entity.level,
      name: view.name,
      status: view.status,
      account: accountRef(account),
      campaign: { id: view.campaignId, name: view.campaignName },
      adset: view.adsetId === null ? null : { id: view.adsetId, name: view.adsetName },
      budget: budgetOf(view, account.currency),
      audience: { type: view.audienceType, lookalikePercent: view.lookalikePercent },
      stage: stageOf(view),
      learningStage: view.learningStage,
      ads,
    },
    range,
    asOf,
    lagCurve: { source: lag.source, completeness: [...lag.curve] },
    daily,
    totals: metricsOf(sum),
    recommendations,
    actions: actions.map(toActionItem),
  };
}

export { toActionItem };
