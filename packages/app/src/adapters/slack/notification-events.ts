import { z } from 'zod';

/**
 * What a notification says, as stored in the outbox (`notifications.payload`) and parsed back when it
 * is sent: facts, not Slack blocks, so pending events of one account are batched into one message.
 * Money is in Meta's minor units (strings) with the account's currency, formatted when rendered.
 */
const account = z.object({ id: z.string(), name: z.string(), currency: z.string() });
const minor = z.string().regex(/^-?\d+$/, 'integer minor units');

const runSummary = z.object({
  kind: z.literal('run_summary'),
  account,
  runId: z.string(),
  generatedAt: z.string(),
  asOf: z.string().nullable(),
  mode: z.string(),
  counts: z.record(z.string(), z.number().int()),
  pendingReview: z.number().int(),
  /** The sum of the proposed daily budget changes (Scale up and down), in minor units. */
  budgetChangeMinor: minor,
  items: z.array(
    z.object({
      entityId: z.string(),
      name: z.string(),
      action: z.string(),
      confidence: z.string(),
      scalePercent: z.number().nullable(),
      dailyBudgetMinor: minor.nullable(),
      newDailyBudgetMinor: minor.nullable(),
      explanation: z.string(),
    }),
  ),
});

const ACTION_KINDS = ['pause', 'scale', 'promotion'] as const;

const actionApplied = z.object({
  kind: z.enum(ACTION_KINDS),
  account,
  entity: z.object({ id: z.string(), name: z.string() }),
  actionId: z.string().nullable(),
  via: z.enum(['approve', 'auto-safe']),
  /** How the write to Meta ended. */
  outcome: z.enum(['confirmed', 'rejected', 'unknown']),
  /** Meta's reason for a rejection, or why the outcome is unknown. */
  reason: z.string().nullable(),
  budget: z
    .object({ on: z.enum(['adset', 'campaign']), fromMinor: minor.nullable(), toMinor: minor })
    .nullable(),
  promotedInto: z.object({ id: z.string(), name: z.string() }).nullable(),
  explanation: z.string().nullable(),
});

const accountAlert = z.object({
  kind: z.literal('account_alert'),
  account,
  check: z.string(),
  severity: z.enum(['warning', 'critical']),
  state: z.enum(['new', 'changed', 'resolved']),
  message: z.string(),
  /** The kill switch this check tripped now, with the reason stored on the account. */
  killSwitchTripped: z.string().nullable(),
});

const tokenExpiry = z.object({
  kind: z.literal('token_expiry'),
  account,
  expiresAt: z.string().nullable(),
  expired: z.boolean(),
  message: z.string(),
});

export const notificationEventSchema = z.discriminatedUnion('kind', [
  runSummary,
  actionApplied,
  accountAlert,
  tokenExpiry,
]);

export type NotificationEvent = z.infer<typeof notificationEventSchema>;
export type NotificationKind = NotificationEvent['kind'];
export type RunSummaryEvent = z.infer<typeof runSummary>;
export type ActionAppliedEvent = z.infer<typeof actionApplied>;
export type AccountAlertEvent = z.infer<typeof accountAlert>;
export type TokenExpiryEvent = z.infer<typeof tokenExpiry>;

/** Alerts go first and apart from routine news; actions are batched together; summaries last. */
export type NotificationCategory = 'alert' | 'actions' | 'summary';

export function categoryOf(kind: NotificationKind): NotificationCategory {
  switch (kind) {
    case 'account_alert':
    case 'token_expiry':
      return 'alert';
    case 'pause':
    case 'scale':
    case 'promotion':
      return 'actions';
    case 'run_summary':
      return 'summary';
  }
}
