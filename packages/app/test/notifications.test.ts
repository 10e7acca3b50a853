import { randomUUID } from 'node:crypto';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { listNotifications } from '../src/adapters/db/repositories/notifications.repository.ts';
import { storeRecommendationRun } from '../src/adapters/db/repositories/recommendations.repository.ts';
import {
  accounts,
  adsets,
  notifications,
  recommendations,
  settingsVersions,
} from '../src/adapters/db/schema.ts';
import { slackMessageSchema, type SectionBlock, type SlackMessage } from '../src/adapters/slack/block-kit.ts';
import { startSlackReceiver, type SlackReceiver } from '../src/adapters/slack/slack-receiver.ts';
import type { AppContext } from '../src/main.ts';
import { applyRecommendations } from '../src/services/apply.service.ts';
import { setExecutionMode } from '../src/services/execution-settings.service.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import {
  dispatchNotifications,
  enqueueNotification,
  notifyDecisionRun,
  retryDelayMs,
  type DispatchContext,
} from '../src/services/notifications.service.ts';
import { setAccountSlackWebhook } from '../src/services/slack-webhooks.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { testContext } from './app-context.ts';
import { describeEachEngine } from './test-databases.ts';

const system = { kind: 'system', name: 'test' } as const;
const PUBLIC_URL = 'https://roas.example.com';

describeEachEngine('Slack notifications through a loopback receiver', (get) => {
  let fake: FakeGraphServer;
  let receiver: SlackReceiver;
  let base: AppContext;
  let logLines: string[];
  let adsetIds: string[];
  const now = () => new Date(fake.control.state().simTime);
  const db = () => get().db;

  /** The app context with Slack configured (or not), logging into `logLines`. */
  function slackContext(webhook: string | undefined): DispatchContext {
    return {
      config: { ...base.config, slackWebhookUrl: webhook, publicUrl: PUBLIC_URL },
      logger: pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) }),
      database: get(),
      secrets: base.secrets,
    };
  }

  beforeEach(async () => {
    logLines = [];
    receiver = await startSlackReceiver();
    fake = await startFakeGraph({ scenario: { extends: 'default', adSets: 6 }, seed: 11, startDay: 30 });
    base = testContext(get(), fake, { now });
    await db().delete(notifications);
    await db().delete(accounts).where(eq(accounts.id, fake.accountId));
    await db().delete(settingsVersions).where(eq(settingsVersions.scope, fake.accountId));
    await connectWithToken(base.meta, fake.accessToken);
    await syncAccount({ db: db(), now, graph: base.meta.graphFor(fake.accessToken) }, fake.accountId, {
      today: fake.control.state().date,
      historyDays: 40,
      sliceDays: 20,
    });
    const truth = fake.control.truth();
    const cbo = truth.campaigns.find((c) => c.isCbo)?.id;
    adsetIds = truth.adSets.filter((a) => a.campaignId !== cbo).map((a) => a.id);
  });
  afterEach(async () => {
    await receiver.close();
    await fake.close();
  });

  /** An approved recommendation as `roas recommend` stores it, on the ad set's synced budget. */
  async function approved(entityId: string, action: 'PAUSE' | 'SCALE', runId = randomUUID()) {
    const [adset] = await db().select().from(adsets).where(eq(adsets.id, entityId));
    const budget = adset?.dailyBudgetMinor ?? null;
    const newBudget = action === 'SCALE' && budget !== null ? (budget * 110n) / 100n : null;
    const ids = await storeRecommendationRun(db(), { runId, accountId: fake.accountId }, [
      {
        runId,
        accountId: fake.accountId,
        level: 'adset',
        entityId,
        action,
        scalePercent: action === 'SCALE' ? '10.00' : null,
        newDailyBudgetMinor: newBudget,
        confidence: 'HIGH',
        bucket: action === 'SCALE' ? 'winner' : 'loser',
        trend: 'stable',
        stage: null,
        reasons: [
          { ruleId: action === 'SCALE' ? 'matrix.winner.stable' : 'matrix.loser.stable', passed: true },
        ],
        risks: [],
        guardrails: [],
        inputs: {
          asOf: fake.control.state().date,
          name: adset?.name,
          appliesTo: 'adset',
          status: 'active',
          state: { dailyBudgetMinor: budget === null ? null : String(budget) },
          budget: { owner: 'adset', dailyBudgetMinor: budget === null ? null : String(budget) },
        },
        explanation: `${action} ${adset?.name ?? entityId}: crafted for a test.`,
        settingsVersion: 0,
        engineVersion: 'test',
        generatedAt: now(),
      },
    ]);
    const id = ids.get(`adset:${entityId}`) ?? '';
    await db()
      .update(recommendations)
      .set({ status: 'approved', reviewedAt: now() })
      .where(eq(recommendations.id, id));
    return { id, runId, name: adset?.name ?? '', budget, newBudget };
  }

  async function applyWith(context: DispatchContext) {
    await setExecutionMode(db(), fake.accountId, { mode: 'approve' }, { actor: system, now: now() });
    const [result] = await applyRecommendations(
      { ...base.meta, notify: context },
      { accountId: fake.accountId, dryRun: false, actor: system },
    );
    return result;
  }

  const headerOf = (message: SlackMessage | undefined) =>
    message?.blocks[0]?.type === 'header' ? message.blocks[0].text.text : null;
  const sections = (message: SlackMessage) =>
    message.blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text?.text ?? '');
  const dispatch = (context: DispatchContext, at: Date, extra: object = {}) =>
    dispatchNotifications(context, { now: at, minIntervalMs: 0, timeoutMs: 2_000, ...extra });

  it('sends the pauses and budget change of one apply as one Block Kit message linking to the dashboard', async () => {
    const context = slackContext(receiver.webhookUrl());
    const [first = '', second = '', third = ''] = adsetIds;
    const pauseA = await approved(first, 'PAUSE');
    const pauseB = await approved(second, 'PAUSE');
    const scale = await approved(third, 'SCALE');
    const result = await applyWith(context);
    expect(result?.items.map((i) => i.outcome)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    expect(await listNotifications(db(), { status: 'pending' })).toHaveLength(3);
    expect(receiver.received).toEqual([]); // queued, not sent by the apply itself

    const summary = await dispatch(context, now());
    expect(summary).toEqual({ claimed: 3, messages: 1, sent: 3, retrying: 0, failed: 0 });
    const [message] = receiver.messages();
    expect(receiver.received).toHaveLength(1);
    expect(slackMessageSchema.safeParse(receiver.received[0]?.body).success).toBe(true);
    expect(headerOf(message)).toMatch(/^⚡ 2 paused, 1 budget change · /);
    const texts = sections(message as SlackMessage);
    const about = (id: string) => texts.filter((t) => t.includes(`<${PUBLIC_URL}/adsets/${id}|`));
    expect(about(first)).toEqual([expect.stringContaining(`|${pauseA.name}>* paused`)]);
    expect(about(second)).toEqual([expect.stringContaining(`|${pauseB.name}>* paused`)]);
    const dollars = (minor: bigint | null) =>
      `$${(Number(minor) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
    expect(about(third)).toEqual([
      expect.stringContaining(`daily budget ${dollars(scale.budget)} → ${dollars(scale.newBudget)} (+10.0%)`),
    ]);
    expect(await listNotifications(db(), { status: 'sent' })).toHaveLength(3);

    // Sent once: a second dispatch has nothing to do.
    expect((await dispatch(context, now())).claimed).toBe(0);
  });

  it('summarises a decision run from its stored recommendations, once', async () => {
    const context = slackContext(receiver.webhookUrl());
    const runId = randomUUID();
    const [first = ''] = adsetIds;
    await approved(first, 'SCALE', runId);
    expect(await notifyDecisionRun(context, { accountId: fake.accountId, runId })).toBe(true);
    expect(await notifyDecisionRun(context, { accountId: fake.accountId, runId })).toBe(false);
    await dispatch(context, now());
    const [message] = receiver.messages();
    expect(headerOf(message)).toMatch(/^📊 Decision run · /);
    expect(JSON.stringify(message)).toContain(`${PUBLIC_URL}/recommendations?account=${fake.accountId}`);
    expect(JSON.stringify(message)).toContain('*Scale*\\n1');
  });

  it('queues nothing without SLACK_WEBHOOK_URL or an account webhook, and says so at debug level', async () => {
    const context = slackContext(undefined);
    const [first = ''] = adsetIds;
    await approved(first, 'PAUSE');
    const result = await applyWith(context);
    expect(result?.items[0]?.outcome).toBe('confirmed');
    expect(await listNotifications(db())).toEqual([]);
    expect(logLines.join('')).toContain('no Slack webhook');
  });

  it('sends to an account’s own webhook, stored encrypted, in place of the default one', async () => {
    const own = await startSlackReceiver();
    try {
      const context = slackContext(receiver.webhookUrl());
      const ownUrl = own.webhookUrl('/services/TOWN/BOWN/secretsecret');
      const setting = await setAccountSlackWebhook(
        { db: db(), secrets: base.secrets, config: context.config },
        fake.accountId,
        ownUrl,
        { actor: system, now: now() },
      );
      expect(setting.target).toBe('account');
      const [row] = await db().select().from(accounts).where(eq(accounts.id, fake.accountId));
      expect(row?.slackWebhookCiphertext).toMatch(/^v1:/);
      expect(row?.slackWebhookCiphertext).not.toContain('secretsecret');
      await approved(adsetIds[0] ?? '', 'PAUSE');
      await applyWith(context);
      await dispatch(context, now());
      expect(own.messages()).toHaveLength(1);
      expect(own.received[0]?.path).toBe('/services/TOWN/BOWN/secretsecret');
      expect(receiver.received).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('a dead webhook fails nothing: the apply goes through, sends are retried with backoff, then marked failed, and the URL is never logged', async () => {
    const dead = await startSlackReceiver();
    const deadUrl = dead.webhookUrl('/services/TDEAD/BDEAD/deadsecret');
    await dead.close(); // nothing listens on that port any more
    const context = slackContext(deadUrl);
    await approved(adsetIds[0] ?? '', 'PAUSE');
    await approved(adsetIds[1] ?? '', 'PAUSE');
    const result = await applyWith(context);
    expect(result?.items.map((i) => i.outcome)).toEqual(['confirmed', 'confirmed']);
    expect(fake.control.writes()).toHaveLength(2);

    let at = now();
    const summaries = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      summaries.push(await dispatch(context, at));
      const rows = await listNotifications(db());
      expect(rows.every((r) => r.attempts === attempt)).toBe(true);
      expect(rows[0]?.lastError).toBe('no answer from Slack: ECONNREFUSED');
      if (attempt < 5) {
        expect(rows.every((r) => r.status === 'pending')).toBe(true);
        // Not due before the backoff has passed.
        expect((await dispatch(context, new Date(at.getTime() + retryDelayMs(attempt) - 1000))).claimed).toBe(
          0,
        );
        at = new Date(at.getTime() + retryDelayMs(attempt));
      }
    }
    expect(summaries.map((s) => [s.retrying, s.failed])).toEqual([
      [2, 0],
      [2, 0],
      [2, 0],
      [2, 0],
      [0, 2],
    ]);
    expect((await listNotifications(db(), { status: 'failed' })).length).toBe(2);
    expect((await dispatch(context, new Date(at.getTime() + 86_400_000))).claimed).toBe(0);
    const log = logLines.join('\n');
    expect(log).toContain('Slack notification not delivered');
    expect(log).not.toContain('deadsecret');
    expect(log).not.toContain(deadUrl);
  });

  it('retries after a 500 and delivers once the webhook recovers', async () => {
    const context = slackContext(receiver.webhookUrl());
    await approved(adsetIds[0] ?? '', 'PAUSE');
    await applyWith(context);
    receiver.replyNext({ status: 500, body: 'internal_error' });
    const first = await dispatch(context, now());
    expect(first).toMatchObject({ sent: 0, retrying: 1 });
    const [row] = await listNotifications(db());
    expect(row?.lastError).toBe('Slack answered HTTP 500 (internal_error)');
    const second = await dispatch(context, new Date(now().getTime() + retryDelayMs(1)));
    expect(second).toMatchObject({ sent: 1, retrying: 0 });
    expect(receiver.messages()).toHaveLength(1);
  });

  it('gives up at once on a refusal that will not change (404 no_service: the webhook was removed)', async () => {
    const context = slackContext(receiver.webhookUrl());
    await approved(adsetIds[0] ?? '', 'PAUSE');
    await applyWith(context);
    receiver.replyNext({ status: 404, body: 'no_service' });
    expect(await dispatch(context, now())).toMatchObject({ sent: 0, retrying: 0, failed: 1 });
    const [row] = await listNotifications(db());
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'Slack answered HTTP 404 (no_service)',
    });
  });

  it('honours 429 Retry-After without counting it as a failed attempt', async () => {
    const context = slackContext(receiver.webhookUrl());
    await approved(adsetIds[0] ?? '', 'PAUSE');
    await applyWith(context);
    receiver.replyNext({ status: 429, retryAfterSeconds: 7, body: 'rate_limited' });
    const start = now();
    expect(await dispatch(context, start)).toMatchObject({ sent: 0, retrying: 1 });
    const [row] = await listNotifications(db());
    expect(row?.attempts).toBe(0);
    expect(row?.nextAttemptAt?.getTime()).toBe(start.getTime() + 7_000);
    // A new event for the same webhook waits too, and nothing is sent before Retry-After.
    await enqueueNotification(context, {
      kind: 'token_expiry',
      account: { id: fake.accountId, name: 'x', currency: 'USD' },
      expiresAt: null,
      expired: false,
      message: 'expires soon',
    });
    const early = await dispatch(context, new Date(start.getTime() + 3_000));
    expect(early).toMatchObject({ sent: 0, retrying: 1 });
    expect(receiver.received).toHaveLength(1);
    const later = await dispatch(context, new Date(start.getTime() + 7_000));
    expect(later).toMatchObject({ sent: 2, messages: 2 });
  });

  it('paces messages to one webhook (one a second by default; 300 ms here)', async () => {
    const context = slackContext(receiver.webhookUrl());
    await approved(adsetIds[0] ?? '', 'PAUSE');
    await applyWith(context);
    const account = { id: fake.accountId, name: 'x', currency: 'USD' };
    await enqueueNotification(context, {
      kind: 'token_expiry',
      account,
      expiresAt: null,
      expired: false,
      message: 'soon',
    });
    const runId = randomUUID();
    await approved(adsetIds[1] ?? '', 'SCALE', runId);
    await notifyDecisionRun(context, { accountId: fake.accountId, runId });
    await dispatchNotifications(context, { now: now(), minIntervalMs: 300 });
    const times = receiver.received.map((r) => r.receivedAt.getTime());
    expect(times).toHaveLength(3);
    // Measured where they arrive, so connection set-up may shift one a little; unpaced they come ms apart.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(240);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(240);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(570);
    // Alerts go first, then the applied changes, then the run summary.
    const headers = receiver.messages().map(headerOf);
    expect(headers[0]).toMatch(/^⚠️ Account alert · /);
    expect(headers[1]).toMatch(/^⚡ 1 paused · /);
    expect(headers[2]).toMatch(/^📊 Decision run · /);
  });

  it('never throws from queuing: a broken database is logged and the caller goes on', async () => {
    const context = slackContext(receiver.webhookUrl());
    const broken = {
      ...context,
      database: {
        db: new Proxy(db(), {
          get() {
            throw new Error('database is gone');
          },
        }),
      },
    };
    await expect(
      enqueueNotification(broken, {
        kind: 'token_expiry',
        account: { id: fake.accountId, name: 'x', currency: 'USD' },
        expiresAt: null,
        expired: true,
        message: 'expired',
      }),
    ).resolves.toBe(false);
    expect(logLines.join('')).toContain('queuing a Slack notification failed');
  });
});
