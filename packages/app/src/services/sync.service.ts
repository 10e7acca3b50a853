import { addDays, daysBetween, type IsoDate } from '@roas/core';
import { eq } from 'drizzle-orm';
import type { Db } from '../adapters/db/database.ts';
import { saveRateLimitReading } from '../adapters/db/repositories/health.repository.ts';
import { upsertInsights, type InsightUpsert } from '../adapters/db/repositories/insights.repository.ts';
import {
  ensurePlaceholders,
  knownIds,
  upsertSyncedAds,
  upsertSyncedAdsets,
  upsertSyncedCampaigns,
  type SyncedAd,
  type SyncedAdset,
  type SyncedCampaign,
} from '../adapters/db/repositories/meta-objects.repository.ts';
import {
  createRun,
  finishRun,
  lastFinishedRun,
  saveCheckpoint,
  unfinishedRun,
} from '../adapters/db/repositories/sync-runs.repository.ts';
import { accounts } from '../adapters/db/schema.ts';
import type { GraphClient } from '../adapters/meta/graph-client.ts';
import { AsyncReportError, GraphApiError } from '../adapters/meta/graph-errors.ts';
import {
  accountSettingsFromGraph,
  AD_ACCOUNT_FIELDS,
  audienceFromTargeting,
  insightTotals,
} from '../adapters/meta/graph-mappers.ts';
import {
  adAccountSchema,
  adSchema,
  adSetSchema,
  campaignSchema,
  insightRowSchema,
  type GraphInsightRow,
} from '../adapters/meta/graph-schemas.ts';
import { UserError } from '../shared/errors.ts';

export type SyncDeps = { db: Db; graph: GraphClient; now(): Date };

export type SyncOptions = {
  /** The account's current date in its own time zone: the last day read. */
  today: IsoDate;
  /** Read from this date instead of the incremental start. */
  since?: IsoDate | undefined;
  /** History read by the first sync. */
  historyDays?: number;
  /** Days re-read by later syncs, because conversions keep arriving (Meta restates up to 28 days). */
  lookbackDays?: number;
  /** Days per checkpointed slice of insights. */
  sliceDays?: number;
  /** Estimated rows in a slice above which it is fetched as an async report run. */
  asyncRowThreshold?: number;
  pageSize?: number;
  /** First wait between async report polls (it backs off from there). */
  asyncPollMs?: number;
  onProgress?: (progress: { step: string; done: number; total: number }) => void;
};

export type SyncSummary = {
  accountId: string;
  since: IsoDate;
  until: IsoDate;
  resumed: boolean;
  objects: { campaigns: number; adsets: number; ads: number };
  insightRows: { adset: number; ad: number };
  stored: { inserted: number; changed: number; unchanged: number };
  asyncSlices: number;
};

/** Sync stopped because of the account itself (a revoked or expired token): retrying will not help. */
export class SyncBlockedError extends UserError {
  constructor(accountId: string, reason: string) {
    super(`sync of ${accountId} is stopped: ${reason}`);
    this.name = 'SyncBlockedError';
  }
}

const CAMPAIGN_STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'DELETED', 'IN_PROCESS', 'WITH_ISSUES'];
const ADSET_STATUSES = [...CAMPAIGN_STATUSES, 'CAMPAIGN_PAUSED'];
const AD_STATUSES = [
  ...ADSET_STATUSES,
  'ADSET_PAUSED',
  'PENDING_REVIEW',
  'DISAPPROVED',
  'PREAPPROVED',
  'PENDING_BILLING_INFO',
];
// Only what is stored: every extra field costs Meta CPU and our bandwidth (efficiency, issue 4).
const INSIGHT_FIELDS = [
  'campaign_id',
  'adset_id',
  'spend',
  'impressions',
  'reach',
  'inline_link_clicks',
  'actions',
  'action_values',
];
const WRITE_BATCH = 5000;

type Level = 'adset' | 'ad';

function slices(since: IsoDate, until: IsoDate, days: number): { from: IsoDate; to: IsoDate }[] {
  const out: { from: IsoDate; to: IsoDate }[] = [];
  for (let from = since; from <= until; from = addDays(from, days)) {
    const to = addDays(from, days - 1);
    out.push({ from, to: to > until ? until : to });
  }
  return out;
}

/**
 * Syncs one Meta ad account: its settings, campaigns, ad sets and ads, then daily insights at ad set
 * and ad level fetched account-wide (level=adset / level=ad, time_increment=1). Each step is
 * checkpointed, so a killed or failed sync resumes where it stopped; upserts make re-reads harmless.
 */
export async function syncAccount(
  deps: SyncDeps,
  accountId: string,
  options: SyncOptions,
): Promise<SyncSummary> {
  const [account] = await deps.db.select().from(accounts).where(eq(accounts.id, accountId));
  if (!account) throw new UserError(`no account ${accountId}`);
  // The demo account is a Meta account served by the in-process fake Graph API; it syncs the same way.
  if (account.source === 'csv')
    throw new UserError(`account "${account.name}" was imported from CSV; only Meta accounts sync`);
  if (account.syncBlockedReason) throw new SyncBlockedError(accountId, account.syncBlockedReason);

  const historyDays = options.historyDays ?? 90;
  const lookbackDays = options.lookbackDays ?? 28;
  const sliceDays = options.sliceDays ?? 15;
  const pageSize = options.pageSize ?? 500;
  const asyncRowThreshold = options.asyncRowThreshold ?? 50_000;
  const asyncPollMs = options.asyncPollMs ?? 2_000;

  const pending = await unfinishedRun(deps.db, accountId);
  const resumed = pending !== undefined && options.since === undefined;
  let run = resumed ? pending : undefined;
  if (run === undefined) {
    const last = await lastFinishedRun(deps.db, accountId);
    const earliest = addDays(options.today, -(historyDays - 1));
    const incremental = last ? addDays(last.until, -(lookbackDays - 1)) : earliest;
    const since = options.since ?? (incremental < earliest ? earliest : incremental);
    run = await createRun(deps.db, { accountId, since, until: options.today, startedAt: deps.now() });
  }
  const { since, until } = run;
  const done = new Set(run.checkpoint.done);
  const stats: Record<string, number> = { ...run.stats };
  const bump = (key: string, by: number) => (stats[key] = (stats[key] ?? 0) + by);
  const summary: SyncSummary = {
    accountId,
    since,
    until,
    resumed,
    objects: { campaigns: 0, adsets: 0, ads: 0 },
    insightRows: { adset: 0, ad: 0 },
    stored: { inserted: 0, changed: 0, unchanged: 0 },
    asyncSlices: 0,
  };

  const insightSteps = (['adset', 'ad'] as const).flatMap((level) =>
    slices(since, until, sliceDays).map((slice) => ({
      id: `insights:${level}:${slice.from}`,
      level,
      ...slice,
    })),
  );
  const totalSteps = 4 + insightSteps.length;
  const step = async (id: string, work: () => Promise<void>) => {
    if (!done.has(id)) {
      await work();
      done.add(id);
      await saveCheckpoint(deps.db, run.id, [...done], stats);
    }
    options.onProgress?.({ step: id, done: done.size, total: totalSteps });
  };

  try {
    await step('account', () => syncAccountSettings(deps, accountId));
    await step('campaigns', async () => {
      summary.objects.campaigns = await syncCampaigns(deps, accountId);
    });
    await step('adsets', async () => {
      summary.objects.adsets = await syncAdsets(deps, accountId);
    });
    await step('ads', async () => {
      summary.objects.ads = await syncAds(deps, accountId);
    });
    for (const slice of insightSteps) {
      await step(slice.id, async () => {
        const result = await syncInsightSlice(deps, accountId, slice, {
          pageSize,
          asyncRowThreshold,
          asyncPollMs,
        });
        summary.insightRows[slice.level] += result.rows;
        summary.stored.inserted += result.inserted;
        summary.stored.changed += result.changed;
        summary.stored.unchanged += result.unchanged;
        if (result.isAsync) summary.asyncSlices++;
        bump(`rows.${slice.level}`, result.rows);
      });
    }
  } catch (error) {
    await keepRateLimitReading(deps, accountId);
    const isTokenProblem = error instanceof GraphApiError && error.kind === 'token';
    const reason = isTokenProblem
      ? `Meta no longer accepts the token (${error.message}); reconnect the account`
      : null;
    await finishRun(deps.db, run, {
      status: 'failed',
      error: error instanceof Error ? error.message : String(error),
      stats,
      at: deps.now(),
      blockedReason: reason,
    });
    if (reason) throw new SyncBlockedError(accountId, reason);
    throw error;
  }
  await keepRateLimitReading(deps, accountId);
  await finishRun(deps.db, run, { status: 'done', stats, at: deps.now() });
  return summary;
}

/** Stores the usage headers of the sync's last call, for the account's health page and alerts. */
async function keepRateLimitReading(deps: SyncDeps, accountId: string): Promise<void> {
  const usage = deps.graph.usageOf(accountId);
  await saveRateLimitReading(deps.db, accountId, usage && { ...usage, observedAt: deps.now().toISOString() });
}

async function syncAccountSettings(deps: SyncDeps, accountId: string): Promise<void> {
  const account = await deps.graph.get(
    accountId,
    { fields: AD_ACCOUNT_FIELDS },
    adAccountSchema,
    'ad account',
  );
  await deps.db
    .update(accounts)
    .set({ ...accountSettingsFromGraph(account), updatedAt: deps.now() })
    .where(eq(accounts.id, accountId));
}

async function syncCampaigns(deps: SyncDeps, accountId: string): Promise<number> {
  const rows: SyncedCampaign[] = [];
  for await (const c of deps.graph.paginate(
    `${accountId}/campaigns`,
    {
      fields: 'id,name,objective,status,effective_status,daily_budget,lifetime_budget',
      effective_status: CAMPAIGN_STATUSES,
      limit: 200,
    },
    campaignSchema,
    'campaign',
  )) {
    const hasBudget = (c.daily_budget ?? 0n) > 0n || (c.lifetime_budget ?? 0n) > 0n;
    rows.push({
      id: c.id,
      accountId,
      name: c.name,
      objective: c.objective ?? null,
      status: c.effective_status ?? c.status ?? null,
      budgetOwner: hasBudget ? 'campaign' : 'adset',
      dailyBudgetMinor: c.daily_budget ?? null,
      lifetimeBudgetMinor: c.lifetime_budget ?? null,
    });
  }
  await upsertSyncedCampaigns(deps.db, rows, deps.now());
  return rows.length;
}

async function syncAdsets(deps: SyncDeps, accountId: string): Promise<number> {
  const rows: SyncedAdset[] = [];
  for await (const a of deps.graph.paginate(
    `${accountId}/adsets`,
    {
      fields:
        'id,name,campaign_id,status,effective_status,daily_budget,lifetime_budget,learning_stage_info,targeting',
      effective_status: ADSET_STATUSES,
      limit: 200,
    },
    adSetSchema,
    'ad set',
  )) {
    const audience = audienceFromTargeting(a.targeting);
    const positive = (value: bigint | undefined) => (value !== undefined && value > 0n ? value : null);
    rows.push({
      id: a.id,
      accountId,
      campaignId: a.campaign_id,
      name: a.name,
      status: a.effective_status ?? a.status ?? null,
      dailyBudgetMinor: positive(a.daily_budget),
      lifetimeBudgetMinor: positive(a.lifetime_budget),
      learningStage: a.learning_stage_info?.status ?? null,
      audienceType: audience.type,
      lookalikePercent: audience.lookalikePercent,
    });
  }
  await upsertSyncedAdsets(deps.db, rows, deps.now());
  return rows.length;
}

async function syncAds(deps: SyncDeps, accountId: string): Promise<number> {
  const rows: SyncedAd[] = [];
  for await (const a of deps.graph.paginate(
    `${accountId}/ads`,
    {
      fields: 'id,name,adset_id,campaign_id,status,effective_status,creative{id}',
      effective_status: AD_STATUSES,
      limit: 200,
    },
    adSchema,
    'ad',
  )) {
    rows.push({
      id: a.id,
      accountId,
      campaignId: a.campaign_id ?? null,
      adsetId: a.adset_id,
      name: a.name,
      status: a.effective_status ?? a.status ?? null,
      creativeId: a.creative?.id ?? null,
    });
  }
  await upsertSyncedAds(deps.db, rows, deps.now());
  return rows.length;
}

type SliceResult = { rows: number; inserted: number; changed: number; unchanged: number; isAsync: boolean };

async function syncInsightSlice(
  deps: SyncDeps,
  accountId: string,
  slice: { level: Level; from: IsoDate; to: IsoDate },
  options: { pageSize: number; asyncRowThreshold: number; asyncPollMs: number },
): Promise<SliceResult> {
  const known = await knownIds(deps.db, slice.level, accountId);
  const params = {
    level: slice.level,
    time_increment: 1,
    time_range: { since: slice.from, until: slice.to },
    fields: (slice.level === 'ad' ? [...INSIGHT_FIELDS, 'ad_id'] : INSIGHT_FIELDS).join(','),
    limit: options.pageSize,
  };
  const estimatedRows = known.size * (daysBetween(slice.from, slice.to) + 1);
  const isAsync = estimatedRows > options.asyncRowThreshold;
  const result: SliceResult = { rows: 0, inserted: 0, changed: 0, unchanged: 0, isAsync };
  let buffer: InsightUpsert[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const counts = await upsertInsights(deps.db, slice.level, buffer, deps.now());
    result.inserted += counts.inserted;
    result.changed += counts.changed;
    result.unchanged += counts.unchanged;
    buffer = [];
  };
  const consume = async (rows: AsyncIterable<GraphInsightRow>) => {
    for await (const row of rows) {
      const entityId = slice.level === 'ad' ? row.ad_id : row.adset_id;
      if (!entityId) throw new UserError(`an insights row for ${accountId} has no ${slice.level} id`);
      if (!known.has(entityId)) await addUnlisted(deps, accountId, slice.level, row, known);
      buffer.push({
        entityId,
        accountId,
        dateStart: row.date_start,
        dateStop: row.date_stop,
        totals: insightTotals(row),
        attributionSetting: row.attribution_setting ?? null,
        source: 'meta',
      });
      result.rows++;
      if (buffer.length >= WRITE_BATCH) await flush();
    }
    await flush();
  };
  if (isAsync) {
    try {
      await consume(
        deps.graph.reportRows(accountId, params, insightRowSchema, `${slice.level} insights`, {
          intervalMs: options.asyncPollMs,
        }),
      );
      return result;
    } catch (error) {
      if (!(error instanceof AsyncReportError)) throw error;
      // Meta failed the report: read the same slice synchronously; upserts make the rows already stored harmless.
      result.isAsync = false;
    }
  }
  await consume(
    deps.graph.paginate(`${accountId}/insights`, params, insightRowSchema, `${slice.level} insights`),
  );
  return result;
}

/** Insights can mention objects the listings did not (deleted since); their rows go under placeholders. */
async function addUnlisted(
  deps: SyncDeps,
  accountId: string,
  level: Level,
  row: GraphInsightRow,
  known: Set<string>,
) {
  await ensurePlaceholders(
    deps.db,
    accountId,
    {
      campaignId: row.campaign_id ?? null,
      adsetId: row.adset_id ?? null,
      adId: level === 'ad' ? (row.ad_id ?? null) : null,
    },
    deps.now(),
  );
  known.add(level === 'ad' ? (row.ad_id ?? '') : (row.adset_id ?? ''));
}
