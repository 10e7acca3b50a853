import { inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { SecretBox } from '../adapters/crypto/secret-box.ts';
import type { Db } from '../adapters/db/database.ts';
import { findAccountById, type AccountRow } from '../adapters/db/repositories/accounts.repository.ts';
import {
  claimDueNotifications,
  insertNotification,
  markNotificationsFailed,
  markNotificationsSent,
  releaseNotifications,
  type NotificationRow,
} from '../adapters/db/repositories/notifications.repository.ts';
import { recommendationsOfRun } from '../adapters/db/repositories/recommendations.repository.ts';
import { actions, adsets, recommendations } from '../adapters/db/schema.ts';
import {
  notificationEventSchema,
  type ActionAppliedEvent,
  type NotificationEvent,
  type RunSummaryEvent,
} from '../adapters/slack/notification-events.ts';
import { renderMessages, type QueuedEvent, type RenderedMessage } from '../adapters/slack/slack-messages.ts';
import { sendSlackMessage, webhookLabel, type SendResult } from '../adapters/slack/slack-webhook.ts';
import type { Config } from '../config.ts';
import type { AccountApplyResult } from './apply.service.ts';
import { resolveWebhook, slackTargetOf, type ResolvedWebhook } from './slack-webhooks.service.ts';

/** What queuing a notification needs (a subset of the app context, so apply can carry it). */
export type NotifyContext = {
  config: Pick<Config, 'slackWebhookUrl' | 'publicUrl' | 'host' | 'port'>;
  logger: Logger;
  database: { db: Db };
};

/** What sending needs besides: the key that opens per-account webhooks. */
export type DispatchContext = NotifyContext & { secrets: SecretBox };

/** The dashboard's address for links: PUBLIC_URL, else the address `roas serve` listens on. */
export function dashboardUrl(config: NotifyContext['config']): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/**
 * Queues one event in the outbox for the account's webhook (its own, else SLACK_WEBHOOK_URL). Never
 * throws: a notification must not fail or hold up the run that produced it, so errors are logged.
 * Nothing is queued when no webhook is configured; an event with a dedupe key is queued once.
 */
export async function enqueueNotification(
  context: NotifyContext,
  event: NotificationEvent,
  options: { dedupeKey?: string; account?: AccountRow } = {},
): Promise<boolean> {
  try {
    const account = options.account ?? (await findAccountById(context.database.db, event.account.id));
    if (slackTargetOf(context.config, account ?? null) === null) {
      context.logger.debug(
        { kind: event.kind, accountId: event.account.id },
        'no Slack webhook configured (SLACK_WEBHOOK_URL or roas slack webhook): notification not queued',
      );
      return false;
    }
    return await insertNotification(context.database.db, {
      accountId: account?.id ?? null,
      channel: 'slack',
      kind: event.kind,
      payload: event,
      dedupeKey: options.dedupeKey ?? null,
      // The wall clock, not the run's: the outbox is sent in the order things were queued.
      createdAt: new Date(),
    });
  } catch (error) {
    context.logger.error(
      {
        kind: event.kind,
        accountId: event.account.id,
        error: error instanceof Error ? error.message : String(error),
      },
      'queuing a Slack notification failed',
    );
    return false;
  }
}

const APPLIED_KIND = { PAUSE: 'pause', SCALE: 'scale', PROMOTE: 'promotion' } as const;
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Queues a notification for each change an apply sent to Meta (pauses, budget changes, promotions)
 * and that ended confirmed, rejected or unknown. Called by the apply service after each run; a
 * retried apply that finds the same outcome queues nothing new.
 */
export async function notifyAppliedActions(
  context: NotifyContext,
  results: readonly AccountApplyResult[],
): Promise<void> {
  try {
    const { db } = context.database;
    for (const result of results) {
      if (result.dryRun) continue;
      const items = result.items.filter(
        (i) =>
          (i.outcome === 'confirmed' || i.outcome === 'rejected' || i.outcome === 'unknown') &&
          i.action in APPLIED_KIND,
      );
      if (items.length === 0) continue;
      const account = await findAccountById(db, result.account.id);
      if (!account || slackTargetOf(context.config, account) === null) {
        context.logger.debug(
          { accountId: result.account.id },
          'no Slack webhook: applied changes not notified',
        );
        continue;
      }
      const actionIds = items.map((i) => i.actionId).filter((id): id is string => id !== null);
      const actionRows =
        actionIds.length === 0 ? [] : await db.select().from(actions).where(inArray(actions.id, actionIds));
      const explanations = await db
        .select({ id: recommendations.id, explanation: recommendations.explanation })
        .from(recommendations)
        .where(
          inArray(
            recommendations.id,
            items.map((i) => i.recommendationId),
          ),
        );
      const targetIds = actionRows
        .map((a) => text(a.request.targetAdsetId))
        .filter((id): id is string => id !== null);
      const targets =
        targetIds.length === 0
          ? []
          : await db
              .select({ id: adsets.id, name: adsets.name })
              .from(adsets)
              .where(inArray(adsets.id, targetIds));
      for (const item of items) {
        const action = actionRows.find((a) => a.id === item.actionId);
        const kind = APPLIED_KIND[item.action as keyof typeof APPLIED_KIND];
        const toMinor = action ? text(action.request.dailyBudgetMinor) : null;
        const targetId = action ? text(action.request.targetAdsetId) : null;
        const event: ActionAppliedEvent = {
          kind,
          account: { id: account.id, name: account.name, currency: account.currency },
          entity: { id: item.entityId, name: item.name },
          actionId: item.actionId,
          via: item.via,
          outcome: item.outcome as ActionAppliedEvent['outcome'],
          reason: item.reason,
          budget:
            kind === 'scale' && action && toMinor !== null
              ? {
                  on: action.level === 'campaign' ? 'campaign' : 'adset',
                  fromMinor: text(action.priorState.dailyBudgetMinor),
                  toMinor,
                }
              : null,
          promotedInto:
            targetId === null
              ? null
              : { id: targetId, name: targets.find((t) => t.id === targetId)?.name ?? targetId },
          explanation: explanations.find((e) => e.id === item.recommendationId)?.explanation ?? null,
        };
        await enqueueNotification(context, event, {
          account,
          dedupeKey: `action:${item.actionId ?? item.recommendationId}:${item.outcome}`,
        });
      }
    }
  } catch (error) {
    context.logger.error(
      { error: error instanceof Error ? error.message : String(error) },
      'notifying applied changes failed',
    );
  }
}

const SUMMARY_ORDER = ['PAUSE', 'SCALE', 'PROMOTE', 'RETEST'];
const CONFIDENCE_ORDER = ['HIGH', 'MEDIUM', 'LOW'];

/**
 * Queues the summary of one decision run of one account, built from its stored recommendations:
 * counts by action, how many await review, the budget change proposed, and the decisions to act on
 * (Pause, Scale, Promote, Retest) with their budgets. A run with nothing but Hold queues nothing, and
 * the same run is summarised once. The scheduler calls this after each decide job; it never throws.
 */
export async function notifyDecisionRun(
  context: NotifyContext,
  run: { accountId: string; runId: string },
): Promise<boolean> {
  try {
    const { db } = context.database;
    const account = await findAccountById(db, run.accountId);
    if (!account) {
      context.logger.warn({ accountId: run.accountId, runId: run.runId }, 'run summary: no such account');
      return false;
    }
    const rows = (await recommendationsOfRun(db, run.runId)).filter((r) => r.accountId === account.id);
    const first = rows[0];
    if (!first) {
      context.logger.debug(
        { accountId: account.id, runId: run.runId },
        'run summary: the run stored nothing',
      );
      return false;
    }
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.action] = (counts[row.action] ?? 0) + 1;
    let budgetChange = 0n;
    const items: RunSummaryEvent['items'] = rows
      .filter((r) => SUMMARY_ORDER.includes(r.action))
      .sort(
        (a, b) =>
          SUMMARY_ORDER.indexOf(a.action) - SUMMARY_ORDER.indexOf(b.action) ||
          CONFIDENCE_ORDER.indexOf(a.confidence) - CONFIDENCE_ORDER.indexOf(b.confidence) ||
          a.entityId.localeCompare(b.entityId),
      )
      .map((r) => {
        const budget = r.inputs.budget as { dailyBudgetMinor?: unknown } | null | undefined;
        const current = text(budget?.dailyBudgetMinor);
        if (r.action === 'SCALE' && current !== null && r.newDailyBudgetMinor !== null)
          budgetChange += r.newDailyBudgetMinor - BigInt(current);
        return {
          entityId: r.entityId,
          name: text(r.inputs.name) ?? r.entityId,
          action: r.action,
          confidence: r.confidence,
          scalePercent: r.scalePercent === null ? null : Number(r.scalePercent),
          dailyBudgetMinor: current,
          newDailyBudgetMinor: r.newDailyBudgetMinor?.toString() ?? null,
          explanation: r.explanation,
        };
      });
    if (items.length === 0) {
      context.logger.debug(
        { accountId: account.id, runId: run.runId },
        'run summary: only Hold, nothing sent',
      );
      return false;
    }
    return await enqueueNotification(
      context,
      {
        kind: 'run_summary',
        account: { id: account.id, name: account.name, currency: account.currency },
        runId: run.runId,
        generatedAt: first.generatedAt.toISOString(),
        asOf: text(first.inputs.asOf),
        mode: account.executionMode,
        counts,
        pendingReview: rows.filter((r) => r.status === 'pending').length,
        budgetChangeMinor: budgetChange.toString(),
        items,
      },
      { account, dedupeKey: `run:${run.runId}:${account.id}` },
    );
  } catch (error) {
    context.logger.error(
      {
        accountId: run.accountId,
        runId: run.runId,
        error: error instanceof Error ? error.message : String(error),
      },
      'queuing the run summary failed',
    );
    return false;
  }
}

export type DispatchOptions = {
  now: Date;
  /** Failed sends before a notification is given up (marked failed). */
  maxAttempts?: number;
  /** Notifications taken per call. */
  limit?: number;
  /** Slack allows about one message a second per webhook. */
  minIntervalMs?: number;
  timeoutMs?: number;
};

export type DispatchSummary = {
  /** Outbox rows taken. */
  claimed: number;
  /** Messages posted (each may carry several notifications). */
  messages: number;
  sent: number;
  /** Notifications that will be tried again. */
  retrying: number;
  /** Notifications given up on. */
  failed: number;
};

const LEASE_MS = 5 * 60_000;
const DEFAULT_RETRY_AFTER_MS = 30_000;

/** Wait after the n-th failed send: 1, 3, 9, 27 min, at most an hour. */
export function retryDelayMs(failures: number): number {
  return Math.min(60_000 * 3 ** Math.max(0, failures - 1), 3_600_000);
}

// Per webhook, in this process: when it last got a message (wall clock), and until when Slack asked
// us to wait (the dispatcher's clock).
const lastSentAt = new Map<string, number>();
const blockedUntil = new Map<string, number>();

async function paced(hash: string, minIntervalMs: number): Promise<void> {
  const wait = (lastSentAt.get(hash) ?? 0) + minIntervalMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  lastSentAt.set(hash, Date.now());
}

type Target = { webhook: ResolvedWebhook; accountId: string | null };

type WebhookBatch = { webhook: ResolvedWebhook; rows: NotificationRow[]; events: QueuedEvent[] };

/** The log fields naming a webhook: a hash prefix and where it is configured, never the URL. */
function webhookFields(webhook: ResolvedWebhook, accountId: string | null) {
  return {
    webhook: webhookLabel(webhook.hash),
    configuredBy: webhook.source === 'account' ? `account ${accountId ?? '?'}` : 'SLACK_WEBHOOK_URL',
  };
}

/**
 * Sends what the outbox holds: due notifications are batched per webhook (one message per account
 * and kind of news: several pauses become one message), paced at one message a second per webhook,
 * and Slack's 429 Retry-After is honoured. A failed send is retried with backoff (1, 3, 9, 27 min)
 * up to `maxAttempts` failures, then marked failed; failures are logged without the webhook URL.
 * Never throws for a send: the scheduler calls it often, and a dead webhook fails nothing else.
 */
export async function dispatchNotifications(
  context: DispatchContext,
  options: DispatchOptions,
): Promise<DispatchSummary> {
  const { db } = context.database;
  const { now } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const summary: DispatchSummary = { claimed: 0, messages: 0, sent: 0, retrying: 0, failed: 0 };
  const rows = await claimDueNotifications(db, {
    now,
    leaseUntil: new Date(now.getTime() + LEASE_MS),
    limit: options.limit ?? 500,
  });
  summary.claimed = rows.length;
  if (rows.length === 0) return summary;

  const giveUp = async (ids: string[], error: string) => {
    await markNotificationsFailed(db, ids, { error, retryAt: null, countsAsAttempt: true });
    summary.failed += ids.length;
  };
  const accountsById = new Map<string, AccountRow | null>();
  const batches = new Map<string, WebhookBatch>();
  for (const row of rows) {
    const parsed = notificationEventSchema.safeParse(row.payload);
    if (!parsed.success) {
      context.logger.error({ notification: row.id, kind: row.kind }, 'unreadable notification payload');
      await giveUp([row.id], 'the stored payload is not a notification this version can read');
      continue;
    }
    let target: Target | null;
    try {
      if (row.accountId !== null && !accountsById.has(row.accountId))
        accountsById.set(row.accountId, (await findAccountById(db, row.accountId)) ?? null);
      const account = row.accountId === null ? null : (accountsById.get(row.accountId) ?? null);
      const webhook = resolveWebhook(context, account);
      target = webhook === null ? null : { webhook, accountId: row.accountId };
    } catch {
      context.logger.error(
        { accountId: row.accountId },
        "the account's Slack webhook could not be decrypted",
      );
      await giveUp([row.id], "the account's Slack webhook could not be decrypted (was SECRET_KEY changed?)");
      continue;
    }
    if (target === null) {
      await giveUp([row.id], 'no Slack webhook is configured any more');
      continue;
    }
    const batch = batches.get(target.webhook.hash) ?? { webhook: target.webhook, rows: [], events: [] };
    batch.rows.push(row);
    batch.events.push({ id: row.id, event: parsed.data });
    batches.set(target.webhook.hash, batch);
  }

  // Webhooks are independent: a slow or dead one does not hold up the others.
  await Promise.all(
    [...batches.values()].map(async (batch) => {
      try {
        await sendBatch(context, batch, { ...options, maxAttempts }, summary);
      } catch (error) {
        // A database error mid-batch: the lease runs out and the rest is taken again later.
        context.logger.error(
          {
            ...webhookFields(batch.webhook, batch.rows[0]?.accountId ?? null),
            error: error instanceof Error ? error.message : String(error),
          },
          'dispatching Slack notifications failed',
        );
      }
    }),
  );
  return summary;
}

async function sendBatch(
  context: DispatchContext,
  batch: WebhookBatch,
  options: DispatchOptions & { maxAttempts: number },
  summary: DispatchSummary,
): Promise<void> {
  const { db } = context.database;
  const { now } = options;
  const { webhook } = batch;
  const messages: RenderedMessage[] = renderMessages(batch.events, dashboardUrl(context.config));
  const attemptsOf = new Map(batch.rows.map((r) => [r.id, r.attempts]));
  const blocked = blockedUntil.get(webhook.hash) ?? 0;
  if (blocked > now.getTime()) {
    await releaseNotifications(
      db,
      batch.rows.map((r) => r.id),
      new Date(blocked),
    );
    summary.retrying += batch.rows.length;
    return;
  }
  for (let index = 0; index < messages.length; index++) {
    const rendered = messages[index];
    if (!rendered) continue;
    await paced(webhook.hash, options.minIntervalMs ?? 1000);
    const result: SendResult = await sendSlackMessage(webhook.url, rendered.message, {
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    const log = { ...webhookFields(webhook, rendered.accountId), notifications: rendered.ids.length };
    if (result.ok) {
      await markNotificationsSent(db, rendered.ids, now);
      summary.messages++;
      summary.sent += rendered.ids.length;
      continue;
    }
    const rest = messages.slice(index + 1).flatMap((m) => m.ids);
    if (result.status === 429) {
      // Slack asked us to wait: nothing more to this webhook until then, and no attempt is counted.
      const retryAt = new Date(now.getTime() + (result.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS));
      blockedUntil.set(webhook.hash, retryAt.getTime());
      await markNotificationsFailed(db, rendered.ids, {
        error: result.error,
        retryAt,
        countsAsAttempt: false,
      });
      await releaseNotifications(db, rest, retryAt);
      summary.retrying += rendered.ids.length + rest.length;
      context.logger.warn({ ...log, retryAt: retryAt.toISOString() }, 'Slack rate limited the webhook (429)');
      return;
    }
    if (!result.retryable) {
      // This message is refused for good (bad blocks, or the webhook is gone); the next may still pass.
      await markNotificationsFailed(db, rendered.ids, {
        error: result.error,
        retryAt: null,
        countsAsAttempt: true,
      });
      summary.failed += rendered.ids.length;
      context.logger.error(
        { ...log, status: result.status, error: result.error },
        'Slack refused a notification',
      );
      continue;
    }
    // No answer or a server error: the webhook is down, so everything still waiting for it counts a failure.
    const waiting = [...rendered.ids, ...rest];
    const byRetry = new Map<number | null, string[]>();
    for (const id of waiting) {
      const failures = (attemptsOf.get(id) ?? 0) + 1;
      const retryAt = failures >= options.maxAttempts ? null : now.getTime() + retryDelayMs(failures);
      byRetry.set(retryAt, [...(byRetry.get(retryAt) ?? []), id]);
    }
    for (const [retryAt, ids] of byRetry) {
      await markNotificationsFailed(db, ids, {
        error: result.error,
        retryAt: retryAt === null ? null : new Date(retryAt),
        countsAsAttempt: true,
      });
      if (retryAt === null) summary.failed += ids.length;
      else summary.retrying += ids.length;
    }
    context.logger.warn(
      { ...log, waiting: waiting.length, status: result.status, error: result.error },
      'Slack notification not delivered; will retry or give up after the last attempt',
    );
    return;
  }
}
