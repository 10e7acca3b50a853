import { addDays, daysBetween, DECISION_ACTIONS, type DecisionAction, type IsoDate } from '@roas/core';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { findAccountById, setAccountSource } from '../adapters/db/repositories/accounts.repository.ts';
import {
  listCampaignNames,
  setStageOfCampaignAdsets,
} from '../adapters/db/repositories/entities.repository.ts';
import { graphClientFactory, type AppContext } from '../main.ts';
import { todayIn } from '../shared/dates.ts';
import { AUDIT_ACTIONS, listAuditEvents, recordAudit } from './audit.service.ts';
import { connectWithToken } from './meta-connect.service.ts';
import { recommend } from './recommend.service.ts';
import { syncAccount } from './sync.service.ts';

/** The simulated market behind the demo account: a preset scenario and a fixed seed. */
export const DEMO_MARKET = {
  scenario: 'default',
  seed: 7,
  historyDays: 60,
  timeZone: 'America/Los_Angeles',
  // The most the simulator allows: the demo keeps producing days for two years after it is created.
  horizonDays: 730,
} as const;

/** What `demo.create` records, so later starts rebuild the same market on the same calendar. */
type DemoRecord = { scenario: string; seed: number; startDate: IsoDate; timeZone: string };

export type DemoMarket = {
  fake: FakeGraphServer;
  /** The application context with the Meta connector pointed at the in-process fake Graph API. */
  context: AppContext;
  record: DemoRecord;
  /** True when an earlier start finished creating the demo (its `demo.create` audit event exists). */
  isKnown: boolean;
  close(): Promise<void>;
};

const HOUR_MS = 3_600_000;

// The fake names its campaigns by audience; the demo puts them in pipeline stages so the stage rules run.
const DEMO_STAGES: { match: RegExp; stage: 'testing' | 'validation' | 'scaling' }[] = [
  { match: /interests|lookalike/i, stage: 'testing' },
  { match: /retargeting/i, stage: 'validation' },
  { match: /broad/i, stage: 'scaling' },
];

async function demoRecord(context: AppContext, accountId: string): Promise<DemoRecord | null> {
  if (!(await findAccountById(context.database.db, accountId))) return null;
  const [event] = await listAuditEvents(context.database.db, {
    action: AUDIT_ACTIONS.demoCreated,
    target: `account:${accountId}`,
    limit: 1,
  });
  const d = event?.details;
  if (
    !d ||
    typeof d.scenario !== 'string' ||
    typeof d.seed !== 'number' ||
    typeof d.startDate !== 'string' ||
    typeof d.timeZone !== 'string'
  )
    return null;
  return { scenario: d.scenario, seed: d.seed, startDate: d.startDate, timeZone: d.timeZone };
}

/** `act_<id>` of the demo account: the fake derives it from the seed. */
export const demoAccountId = (seed: number = DEMO_MARKET.seed) =>
  `act_${100_000_000_000_000 + (seed % 900_000_000_000_000)}`;

/**
 * Starts the fake Graph API in this process for the demo account, on the calendar the demo was
 * created with (so a later start continues the same market up to today), and returns a context whose
 * Meta connector talks to it. The fake stays up while the server runs, so later syncs work.
 */
export async function startDemoMarket(context: AppContext, now: Date): Promise<DemoMarket> {
  const known = await demoRecord(context, demoAccountId());
  const record: DemoRecord = known ?? {
    scenario: DEMO_MARKET.scenario,
    seed: DEMO_MARKET.seed,
    timeZone: DEMO_MARKET.timeZone,
    startDate: addDays(todayIn(DEMO_MARKET.timeZone, now), -DEMO_MARKET.historyDays),
  };
  const today = todayIn(record.timeZone, now);
  const startDay = Math.min(Math.max(daysBetween(record.startDate, today), 0), DEMO_MARKET.horizonDays - 1);
  const fake = await startFakeGraph({
    scenario: { extends: record.scenario, startDate: record.startDate, horizonDays: DEMO_MARKET.horizonDays },
    seed: record.seed,
    startDay,
    timeZone: record.timeZone,
  });
  const config = {
    ...context.config,
    metaGraphUrl: fake.url,
    metaDialogUrl: fake.url,
    metaAppId: fake.appId,
    metaAppSecret: fake.appSecret,
    metaApiVersion: fake.apiVersion,
  };
  const demoContext: AppContext = {
    ...context,
    config,
    meta: {
      ...context.meta,
      graphFor: graphClientFactory(config, context.logger),
      app: {
        id: fake.appId,
        secret: fake.appSecret,
        redirectUri:
          context.config.metaRedirectUri ?? `http://localhost:${context.config.port}/api/auth/meta/callback`,
        dialogUrl: fake.url,
        apiVersion: fake.apiVersion,
      },
    },
  };
  return { fake, context: demoContext, record, isKnown: known !== null, close: () => fake.close() };
}

export type DemoDataResult = {
  accountId: string;
  accountName: string;
  /** True when this start created the demo account; false when it reused it. */
  created: boolean;
  /** Days synced by this start (the whole history on creation, missing days on a later day, else 0). */
  syncedThrough: IsoDate | null;
  /** The run made by this start, if any, with its counts by action. */
  run: { runId: string | null; total: number; counts: Record<DecisionAction, number> } | null;
  timings: { connectMs: number; syncMs: number; recommendMs: number };
};

/**
 * Makes sure the demo account exists and is current: the first start connects it through the real
 * connector (`connectWithToken`), syncs its simulated history through the real sync service and runs
 * the engine (as of yesterday and today, so hysteresis has an earlier run to confirm against). A later
 * start reuses the data; on a new day it syncs the days since and runs the engine once more.
 */
export async function ensureDemoData(
  demo: DemoMarket,
  options: { now: () => Date; onStep?: (text: string) => void },
): Promise<DemoDataResult> {
  const { db } = demo.context.database;
  const accountId = demo.fake.accountId;
  const existing = demo.isKnown ? await findAccountById(db, accountId) : undefined;
  const step = options.onStep ?? (() => {});
  const timings = { connectMs: 0, syncMs: 0, recommendMs: 0 };
  let started = performance.now();

  // A fresh token every start (the fake issues new ones); the account row keeps its data.
  const [connected] = await connectWithToken(demo.context.meta, demo.fake.accessToken, {
    onlyAccount: accountId,
  });
  await setAccountSource(db, accountId, 'demo');
  timings.connectMs = performance.now() - started;

  const today = demo.fake.control.state().date;
  const lastSynced = existing?.lastSyncedAt ? todayIn(demo.record.timeZone, existing.lastSyncedAt) : null;
  const isCurrent = existing !== undefined && lastSynced !== null && lastSynced >= today;
  let syncedThrough: IsoDate | null = null;
  if (!isCurrent) {
    step(
      existing
        ? `Syncing the demo account's new days (last synced ${lastSynced ?? 'never'})…`
        : `Syncing ${DEMO_MARKET.historyDays} simulated days through the Meta connector…`,
    );
    started = performance.now();
    const summary = await syncAccount(
      { db, graph: demo.context.meta.graphFor(demo.fake.accessToken), now: options.now },
      accountId,
      { today, historyDays: DEMO_MARKET.historyDays },
    );
    timings.syncMs = performance.now() - started;
    syncedThrough = summary.until;
  }

  if (!existing) {
    for (const campaign of await listCampaignNames(db, accountId)) {
      const stage = DEMO_STAGES.find((s) => s.match.test(campaign.name))?.stage ?? null;
      await setStageOfCampaignAdsets(db, campaign.id, stage);
    }
  }

  let run: DemoDataResult['run'] = null;
  if (!isCurrent) {
    step('Running the engine…');
    started = performance.now();
    const now = options.now();
    const ml = demo.context.config.mlEnabled;
    if (!existing)
      await recommend(db, { accountId, dryRun: false, now: new Date(now.getTime() - 24 * HOUR_MS), ml });
    const [latest] = await recommend(db, { accountId, dryRun: false, now, ml });
    timings.recommendMs = performance.now() - started;
    const counts = Object.fromEntries(DECISION_ACTIONS.map((a) => [a, 0])) as Record<DecisionAction, number>;
    for (const r of latest?.recommendations ?? []) counts[r.action] += 1;
    run = { runId: latest?.runId ?? null, total: latest?.recommendations.length ?? 0, counts };
  }
  // Written last: a start killed midway finds no record and finishes the creation next time.
  if (!existing) {
    await recordAudit(db, {
      actor: { kind: 'system', name: 'demo' },
      action: AUDIT_ACTIONS.demoCreated,
      target: `account:${accountId}`,
      details: { ...demo.record, note: 'simulated account served by the in-process fake Graph API' },
      at: options.now(),
    });
  }
  return {
    accountId,
    accountName: connected?.name ?? existing?.name ?? accountId,
    created: !existing,
    syncedThrough,
    run,
    timings,
  };
}
